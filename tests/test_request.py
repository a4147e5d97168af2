"""`_request`: what a generated method sends, the path filled and encoded, query, headers and body; and
one call through the client."""

from __future__ import annotations

import datetime
import json

import httpx
import pytest

from bitbucket_client import BitbucketCloud
from bitbucket_client._request import Request, encode_path_segment, fill_path
from bitbucket_client._types import UNSET
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


# ---- path segments --------------------------------------------------------------------------------


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
