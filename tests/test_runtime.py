"""The runtime shared by generated code: path encoding and endpoint response handling."""

from __future__ import annotations

import sys

import httpx
import pytest

from bitbucket_client import _runtime as runtime
from bitbucket_client._exceptions import NotFoundError
from bitbucket_client._runtime import UNSET, UnexpectedResponseError, encode_path_segment
from bitbucket_client.cloud import OPERATIONS
from bitbucket_client.cloud._generated.api.pullrequests import pullrequests_get, pullrequests_merge
from bitbucket_client.cloud._generated.models import Pullrequest, PullrequestMergeParameters, Repository


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("repo", "repo"),
        ("a/b", "a%2Fb"),
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("what?", "what%3F"),
        ("tag#1", "tag%231"),
        ("my repo", "my%20repo"),
        ("100%", "100%25"),
        ("{uuid}", "%7Buuid%7D"),
        (7, "7"),
        ("é", "%C3%A9"),
    ],
)
def test_path_segments_are_percent_encoded(value: object, encoded: str) -> None:
    assert encode_path_segment(value) == encoded


@pytest.mark.parametrize(
    ("workspace", "repo", "raw_path"),
    [
        ("../ws", "a/b?c#d e", b"/2.0/repositories/..%2Fws/a%2Fb%3Fc%23d%20e/pullrequests/7"),
        ("..", ".", b"/2.0/repositories/%2E%2E/%2E/pullrequests/7"),
    ],
)
def test_path_parameters_stay_inside_their_segment(workspace: str, repo: str, raw_path: bytes) -> None:
    kwargs = pullrequests_get._get_kwargs(workspace, repo, 7)
    client = httpx.AsyncClient(base_url="https://api.bitbucket.org/2.0")
    request = client.build_request(kwargs["method"], kwargs["url"])
    assert request.url.raw_path == raw_path


def test_a_json_body_is_encoded_from_the_request_model() -> None:
    kwargs = pullrequests_merge._get_kwargs(
        "ws", "repo", 7, body=PullrequestMergeParameters(message="Ship it"), async_=True
    )
    assert kwargs["json"] == {"type": "pullrequest_merge_parameters", "message": "Ship it"}
    assert kwargs["headers"]["Content-Type"] == "application/json"
    assert kwargs["params"] == {"async": True}


def _response(status: int, **kwargs: object) -> httpx.Response:
    request = httpx.Request("GET", "https://api.bitbucket.org/2.0/repositories/ws/repo/pullrequests/7")
    return httpx.Response(status, request=request, **kwargs)  # type: ignore[arg-type]


def test_documented_success_decodes_into_the_model() -> None:
    parsed = pullrequests_get._parse_response(_response(200, json={"id": 7, "title": "T"}))
    assert isinstance(parsed, Pullrequest)
    assert (parsed.id, parsed.title, parsed.state) == (7, "T", UNSET)


def test_an_undocumented_success_status_still_decodes() -> None:
    parsed = pullrequests_get._parse_response(_response(201, json={"id": 7}))
    assert isinstance(parsed, Pullrequest) and parsed.id == 7


def test_an_error_status_raises_the_typed_error() -> None:
    body = {"type": "error", "error": {"message": "Repository not found"}}
    with pytest.raises(NotFoundError, match="Repository not found"):
        pullrequests_get._parse_response(_response(404, json=body))


def test_a_body_of_the_wrong_kind_is_a_clear_error() -> None:
    with pytest.raises(UnexpectedResponseError, match="does not decode as Pullrequest"):
        pullrequests_get._parse_response(_response(200, json=[1, 2, 3]))
    with pytest.raises(UnexpectedResponseError, match="not valid JSON"):
        pullrequests_get._parse_response(_response(200, content=b"<html>"))


async def test_the_generated_call_works_on_a_plain_httpx_client() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/2.0/repositories/ws/repo/pullrequests/7"
        return httpx.Response(200, json={"id": 7, "title": "Hello"})

    transport = httpx.MockTransport(handler)
    async with httpx.AsyncClient(transport=transport, base_url="https://api.bitbucket.org/2.0") as client:
        result = await pullrequests_get.asyncio_detailed(client, "ws", "repo", 7)
    assert result.status_code == 200
    assert isinstance(result.parsed, Pullrequest) and result.parsed.title == "Hello"
    assert OPERATIONS["pullrequests.get"].module == "api.pullrequests.pullrequests_get"


# ---- depth: hostile nesting never raises past the documented errors ----------------------------------


def _nested_repository(depth: int) -> dict[str, object]:
    repository: dict[str, object] = {"type": "repository", "name": "r0"}
    for level in range(1, depth + 1):
        repository = {"type": "repository", "name": f"r{level}", "parent": repository}
    return repository


def test_a_json_body_nested_beyond_what_json_can_read_is_an_unexpected_response() -> None:
    for body in (b"[" * 5000, b'{"a":' * 5000):
        with pytest.raises(UnexpectedResponseError, match="nested too deeply"):
            pullrequests_get._parse_response(_response(200, content=body))


@pytest.mark.parametrize("compiled", [False, True], ids=["generic", "compiled"])
def test_a_model_nested_past_the_bound_keeps_the_deep_part_raw(
    compiled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime, "COMPILE_AFTER", -1 if compiled else 10**9)
    data = _nested_repository(500)

    repository = Repository.from_dict(data)

    level, node = 0, repository
    while isinstance(node.parent, Repository):
        assert node.name == f"r{500 - level}"
        level, node = level + 1, node.parent
    assert level == runtime.MAX_MODEL_DEPTH
    assert node.parent is UNSET
    assert node.additional_properties["parent"] == data_at(data, level + 1)


def data_at(data: dict[str, object], level: int) -> object:
    for _ in range(level):
        data = data["parent"]  # type: ignore[assignment]
    return data


def test_a_shallow_model_decodes_the_same_with_or_without_the_bound() -> None:
    data = _nested_repository(5)
    repository = Repository.from_dict(data)
    assert repository.to_dict() == data
    assert repository.parent.parent.parent.parent.parent.name == "r0"  # type: ignore[union-attr]


def test_when_even_the_bounded_decode_has_no_room_the_data_is_kept_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A bound larger than the stack: the bounded decode overflows too, and the last resort keeps
    # the whole object raw instead of raising.
    monkeypatch.setattr(runtime, "MAX_MODEL_DEPTH", 10**6)
    data = _nested_repository(sys.getrecursionlimit())

    repository = Repository.from_dict(data)

    assert repository.name is UNSET and repository.parent is UNSET
    assert repository.additional_properties == data
