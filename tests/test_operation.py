"""What a generated method hands to the pipeline (`_operation`): the request it sends and how its
answer decodes, on their own and through a client's one call."""

from __future__ import annotations

import datetime
import json
from typing import Any

import httpx
import pytest

from bitbucket_client import BitbucketCloud, NotFoundError, UnexpectedResponseError
from bitbucket_client._operation import Answer, Request, capturing_response, fill_path
from bitbucket_client._runtime import UNSET, list_of, model
from bitbucket_client.cloud.models import (
    Pullrequest,
    PullrequestMergeParameters,
    PullrequestMergeParametersMergeStrategy,
    PullrequestState,
)

PR_TEMPLATE = "/repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}"


# ---- requests -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("workspace", "repo", "raw_path"),
    [
        ("../ws", "a/b?c#d e", b"/2.0/repositories/..%2Fws/a%2Fb%3Fc%23d%20e/pullrequests/7"),
        ("..", ".", b"/2.0/repositories/%2E%2E/%2E/pullrequests/7"),
    ],
)
def test_path_parameters_stay_inside_their_segment(workspace: str, repo: str, raw_path: bytes) -> None:
    kwargs = Request("GET", PR_TEMPLATE, (workspace, repo, 7)).to_httpx()
    request = httpx.AsyncClient(base_url="https://api.bitbucket.org/2.0").build_request(**kwargs)
    assert request.url.raw_path == raw_path


def test_path_values_fill_the_template_in_url_order_whatever_the_names() -> None:
    assert fill_path("/api/latest/projects/{projectKey}/repos/{repositorySlug}", ("P", "r")) == (
        "/api/latest/projects/P/repos/r"
    )
    assert fill_path("/user", ()) == "/user"
    with pytest.raises(ValueError, match="has 2 path parameter"):
        fill_path("/a/{x}/b/{y}", ("only one",))


def test_query_and_headers_leave_out_unset_values_and_send_json_forms() -> None:
    when = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.UTC)
    kwargs = Request(
        "GET",
        "/things",
        query={"state": PullrequestState.OPEN, "since": when, "q": None, "sort": UNSET, "ids": [1, 2]},
        headers={"X-Atlassian-Token": "no-check", "Range": UNSET},
    ).to_httpx()
    assert kwargs["params"] == {"state": "OPEN", "since": "2024-05-01T12:00:00+00:00", "ids": [1, 2]}
    assert kwargs["headers"] == {"X-Atlassian-Token": "no-check"}
    assert "json" not in kwargs and "content" not in kwargs


def test_a_json_body_is_encoded_from_the_request_model() -> None:
    body = PullrequestMergeParameters(
        message="Ship it", merge_strategy=PullrequestMergeParametersMergeStrategy.SQUASH
    )
    kwargs = Request(
        "POST", PR_TEMPLATE + "/merge", ("ws", "repo", 7), query={"async": True}, body=body
    ).to_httpx()
    assert kwargs["json"] == {
        "type": "pullrequest_merge_parameters",
        "message": "Ship it",
        "merge_strategy": "squash",
    }
    assert kwargs["headers"]["Content-Type"] == "application/json"
    assert kwargs["params"] == {"async": True}


def test_a_raw_body_keeps_its_content_type() -> None:
    kwargs = Request(
        "POST", "/markup/preview", body="# Title", body_type="content", content_type="text/plain"
    ).to_httpx()
    assert kwargs["content"] == "# Title"
    assert kwargs["headers"]["Content-Type"] == "text/plain"


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


# ---- one call through the client ------------------------------------------------------------------


async def test_a_method_sends_its_request_and_returns_the_decoded_answer() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": 7, "state": "MERGED"})

    async with BitbucketCloud("T", transport=httpx.MockTransport(handler)) as bb:
        merged = await bb.pullrequests.merge("w s", "repo", 7, async_=True, merge_strategy="squash")
    assert isinstance(merged, Pullrequest) and merged.state == PullrequestState.MERGED
    (request,) = seen
    assert request.method == "POST"
    assert request.url.raw_path == b"/2.0/repositories/w%20s/repo/pullrequests/7/merge?async=true"
    assert json.loads(request.content) == {"type": "pullrequest_merge_parameters", "merge_strategy": "squash"}
    assert request.headers["Authorization"] == "Bearer T"
