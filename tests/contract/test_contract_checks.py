"""The contract suite's own checks catch what they are for, without Prism: an answer that decodes to
nothing, a problem at the root of a body, a request that lost an argument it was given."""

from __future__ import annotations

import httpx

from bitbucket_client import UNSET
from bitbucket_client.cloud.models import (
    Pullrequest,
    PullrequestMergeParameters,
    PullrequestMergeParametersMergeStrategy,
)

from .arguments import Call, Sent
from .checks import Problem, dropped, split_tolerated
from .sent import missing_arguments

BODY = {"type": "pullrequest", "id": 7, "title": "Fix", "author": {"type": "user", "display_name": "Ada"}}


def test_a_model_that_decodes_nothing_is_caught() -> None:
    assert dropped("cloud", Pullrequest.from_dict(BODY), BODY) == []
    empty = Pullrequest.from_dict({})
    assert {problem.path for problem in dropped("cloud", empty, BODY)} == {
        ("type",),
        ("id",),
        ("title",),
        ("author",),
    }
    assert dropped("cloud", [Pullrequest.from_dict(BODY)], [BODY, BODY]) == [
        Problem((), "a list of 2 decoded to list")
    ]


def test_keys_kept_as_sent_are_not_lost() -> None:
    body = {**BODY, "brand_new_field": {"a": 1}}
    assert dropped("cloud", Pullrequest.from_dict(body), body) == []


def test_a_problem_at_the_root_is_never_tolerated() -> None:
    root, field = Problem((), "decodes to nothing"), Problem(("title",), "not a str")
    kept, tolerated = split_tolerated([root, field], [("title",)])
    assert kept == [root] and tolerated == [field]


def _call(*sent: Sent) -> Call:
    return Call(
        args=(), kwargs={}, body_mode="none", status="200", return_hint=None, paginated=False, sent=list(sent)
    )


def test_a_request_that_dropped_a_query_parameter_is_caught() -> None:
    call = _call(
        Sent("query", "state", "OPEN"),
        Sent("query", "q", 'title ~ "x"'),
        Sent("path", "repo_slug", "my repo"),
    )
    complete = httpx.Request(
        "GET",
        "https://h/2.0/repositories/ws/my%20repo/pullrequests",
        params={"state": "OPEN", "q": 'title ~ "x"'},
    )
    assert missing_arguments(call, complete) == []
    partial = httpx.Request(
        "GET", "https://h/2.0/repositories/ws/other/pullrequests", params={"state": "OPEN"}
    )
    assert missing_arguments(call, partial) == [
        "query 'q': sent [], given ['title ~ \"x\"']",
        "path 'repo_slug': 'my%20repo' not in /2.0/repositories/ws/other/pullrequests",
    ]


def test_a_file_path_must_keep_its_slashes() -> None:
    call = _call(Sent("path", "path", "docs/guide.md", "file_path"))
    assert missing_arguments(call, httpx.Request("GET", "https://h/src/main/docs/guide.md")) == []
    assert missing_arguments(call, httpx.Request("GET", "https://h/src/main/docs%2Fguide.md")) != []


def test_a_body_that_lost_a_field_is_caught() -> None:
    body = PullrequestMergeParameters(
        merge_strategy=PullrequestMergeParametersMergeStrategy.SQUASH, message="Done"
    )
    call = _call(Sent("body", "", body))
    sent = {"type": "pullrequest_merge_parameters", "merge_strategy": "squash", "message": "Done"}
    assert missing_arguments(call, httpx.Request("POST", "https://h/merge", json=sent)) == []
    lost = {key: value for key, value in sent.items() if key != "message"}
    assert missing_arguments(call, httpx.Request("POST", "https://h/merge", json=lost)) != []
    assert body.close_source_branch is UNSET


def test_a_form_that_lost_a_field_is_caught() -> None:
    call = _call(Sent("form", "message", "m"), Sent("form", "", {"docs/a.md": b"A"}))
    complete = httpx.Request(
        "POST", "https://h/src", files=[("message", (None, b"m")), ("docs/a.md", ("a.md", b"A"))]
    )
    assert missing_arguments(call, complete) == []
    partial = httpx.Request("POST", "https://h/src", files=[("message", (None, b"m"))])
    assert missing_arguments(call, partial) == ["form 'body': no form field ['docs/a.md'] in ['message']"]
