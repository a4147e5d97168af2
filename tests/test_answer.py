"""`_answer`: how the pipeline decodes a generated method's answer, by status and kind, and what the raw
view captures."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bitbucket_client import NotFoundError, UnexpectedResponseError
from bitbucket_client._answer import Answer, capturing_response
from bitbucket_client._converters import list_of, model
from bitbucket_client._types import UNSET
from bitbucket_client.cloud.models import Pullrequest

# ---- answers --------------------------------------------------------------------------------------


def _response(status: int, **kwargs: Any) -> httpx.Response:
    request = httpx.Request("GET", "https://api.bitbucket.org/2.0/repositories/ws/repo/pullrequests/7")
    return httpx.Response(status, request=request, **kwargs)


def test_documented_success_decodes_into_the_model() -> None:
    parsed = Answer.model(Pullrequest).decode(_response(200, json={"id": 7, "title": "T"}))
    assert isinstance(parsed, Pullrequest)
    assert (parsed.id, parsed.title, parsed.state) == (7, "T", UNSET)


def test_an_undocumented_success_status_decodes_like_the_first_documented_one() -> None:
    answer = Answer.by_status({200: Answer.model(Pullrequest), 204: Answer.nothing()})
    created = answer.decode(_response(201, json={"id": 7}))
    assert isinstance(created, Pullrequest) and created.id == 7
    assert answer.decode(_response(204)) is None


def test_an_error_status_raises_the_typed_error() -> None:
    body = {"type": "error", "error": {"message": "Repository not found"}}
    with pytest.raises(NotFoundError, match="Repository not found"):
        Answer.model(Pullrequest).decode(_response(404, json=body))


def test_a_body_of_the_wrong_kind_is_a_clear_error() -> None:
    with pytest.raises(UnexpectedResponseError, match="does not decode as Pullrequest"):
        Answer.model(Pullrequest).decode(_response(200, json=[1, 2, 3]))
    with pytest.raises(UnexpectedResponseError, match="not valid JSON"):
        Answer.model(Pullrequest).decode(_response(200, content=b"<html>"))
    with pytest.raises(UnexpectedResponseError, match=r"does not decode as list\[Pullrequest\]"):
        Answer.json(list_of(model(Pullrequest)), "list[Pullrequest]").decode(_response(200, json={"id": 7}))


def test_other_bodies_decode_by_what_the_document_says() -> None:
    prs = Answer.json(list_of(model(Pullrequest)), "list[Pullrequest]").decode(
        _response(200, json=[{"id": 1}])
    )
    assert [pr.id for pr in prs] == [1]
    assert Answer.text().decode(_response(200, text="diff --git")) == "diff --git"
    assert Answer.binary().decode(_response(200, content=b"\x00\x01")) == b"\x00\x01"
    assert Answer.nothing().decode(_response(204)) is None
    undocumented = Answer.undocumented()
    assert undocumented.decode(_response(200, json={"a": 1})) == {"a": 1}
    assert undocumented.decode(_response(200, text="plain")) == "plain"


def test_only_a_model_answer_can_be_long_running() -> None:
    assert Answer.model(Pullrequest) is Answer.model(Pullrequest)  # built once per class
    with pytest.raises(TypeError, match="long-running"):
        Answer.text().long_running(accepted_status=202, wait=True)


async def test_the_raw_view_captures_the_first_answer_only() -> None:
    first, second = _response(200, json={}), _response(200, json={})
    client: Any = None
    with capturing_response() as captured:
        await Answer.undocumented().finish(client, first)
        await Answer.undocumented().finish(client, second)
    assert captured == [first]
    await Answer.undocumented().finish(client, second)  # outside the block: nothing is kept
    assert captured == [first]
