"""`_arguments`: enum values given as strings, and a body from `body=` or from keyword fields, checked
and turned into the JSON that is sent."""

from __future__ import annotations

import enum
import json

import pytest
import respx

from bitbucket_client import UNSET, BitbucketCloud, BitbucketServer, InvalidBodyError
from bitbucket_client._arguments import (
    build_body,
    build_body_list,
    build_required_body,
    coerce_enum,
    coerce_enum_list,
)
from bitbucket_client.cloud.models import (
    PullRequestBranchInput,
    PullrequestEndpointInput,
    PullrequestInput,
    PullrequestMergeParameters,
    ReportAnnotationInput,
)


class Strategy(enum.Enum):
    SQUASH = "squash"
    MERGE = "merge_commit"


def test_an_enum_accepts_a_member_or_its_value() -> None:
    assert coerce_enum(Strategy, "squash") is Strategy.SQUASH
    assert coerce_enum(Strategy, Strategy.MERGE) is Strategy.MERGE
    assert coerce_enum(Strategy, UNSET) is UNSET
    assert coerce_enum_list(Strategy, ["squash", Strategy.MERGE]) == [Strategy.SQUASH, Strategy.MERGE]


def test_a_wrong_enum_value_names_the_allowed_ones() -> None:
    with pytest.raises(
        ValueError, match="'rebase' is not a valid Strategy; expected one of 'squash', 'merge_commit'"
    ):
        coerce_enum(Strategy, "rebase")


def test_keyword_fields_become_the_json_with_the_discriminator_first() -> None:
    built = build_body(
        PullrequestMergeParameters,
        None,
        {"message": "m", "close_source_branch": UNSET, "merge_strategy": "squash"},
        "pullrequests.merge",
    )
    assert list(built.items()) == [
        ("type", "pullrequest_merge_parameters"),
        ("message", "m"),
        ("merge_strategy", "squash"),
    ]


def test_a_model_and_a_dict_give_the_same_json() -> None:
    model = PullrequestMergeParameters(message="Ship", merge_strategy="squash")  # type: ignore[arg-type]
    as_dict = {"message": "Ship", "merge_strategy": "squash"}
    from_model = build_body(PullrequestMergeParameters, model, {"message": UNSET}, "pullrequests.merge")
    from_dict = build_body(PullrequestMergeParameters, as_dict, {}, "pullrequests.merge")
    assert (
        from_model
        == from_dict
        == {
            "type": "pullrequest_merge_parameters",
            "message": "Ship",
            "merge_strategy": "squash",
        }
    )


def test_nothing_given_is_no_body_unless_the_body_is_required() -> None:
    assert build_body(PullrequestMergeParameters, None, {"message": UNSET}, "op") is UNSET
    assert build_required_body(PullrequestMergeParameters, None, {}, "op") == {
        "type": "pullrequest_merge_parameters"
    }


def test_body_and_keyword_fields_together_are_refused() -> None:
    given = PullrequestMergeParameters(message="given")
    with pytest.raises(InvalidBodyError, match="either as body= or as keyword fields, not both") as caught:
        build_body(PullrequestMergeParameters, given, {"message": "m"}, "pullrequests.merge")
    assert isinstance(caught.value, TypeError)
    assert caught.value.operation == "pullrequests.merge"


def test_a_body_of_another_kind_is_refused() -> None:
    with pytest.raises(InvalidBodyError, match="body= must be a PullrequestInput or a dict, not list"):
        build_body(PullrequestInput, [{"title": "t"}], {}, "pullrequests.create")
    with pytest.raises(
        InvalidBodyError, match="must be a PullrequestInput or a dict, not PullrequestMergeParameters"
    ):
        build_body(PullrequestInput, PullrequestMergeParameters(), {}, "pullrequests.create")


def test_the_operation_may_require_fields_the_model_leaves_optional() -> None:
    required = ("title", "source")
    with pytest.raises(InvalidBodyError) as caught:
        build_required_body(
            PullrequestInput, None, {"title": "t", "source": UNSET}, "pullrequests.create", required
        )
    assert caught.value.problems == ["missing required field 'source' in pullrequests.create body"]
    with pytest.raises(InvalidBodyError, match="missing required field 'title'"):
        build_required_body(PullrequestInput, PullrequestInput(), {}, "pullrequests.create", required)
    source = PullrequestEndpointInput(branch=PullRequestBranchInput(name="f"))
    built = build_required_body(
        PullrequestInput, PullrequestInput(title="t", source=source), {}, "op", required
    )
    assert built == {"type": "pullrequest", "title": "t", "source": {"branch": {"name": "f"}}}
    # the update shares the model and requires nothing
    assert build_body(PullrequestInput, None, {"title": "t2"}, "pullrequests.update") == {
        "type": "pullrequest",
        "title": "t2",
    }


def test_a_list_body_takes_models_and_dicts() -> None:
    body = [ReportAnnotationInput(external_id="a"), {"external_id": "b", "severity": "HIGH"}]
    built = build_body_list(ReportAnnotationInput, body, "reports.create_or_update_annotations")
    assert built == [
        {"type": "report_annotation", "external_id": "a"},
        {"type": "report_annotation", "external_id": "b", "severity": "HIGH"},
    ]
    assert build_body_list(ReportAnnotationInput, None, "op") is UNSET
    with pytest.raises(InvalidBodyError, match=r"\[1\]\.severity: expected one of"):
        build_body_list(ReportAnnotationInput, [{}, {"severity": "SEVERE"}], "op")
    with pytest.raises(InvalidBodyError, match="must be a list of ReportAnnotationInput, not dict"):
        build_body_list(ReportAnnotationInput, {"external_id": "a"}, "op")


# ---- through the generated methods ------------------------------------------------------------------

CLOUD = "https://api.bitbucket.org/2.0/repositories/ws/repo"


@respx.mock
async def test_the_issue_snippet_works_as_written() -> None:
    route = respx.post(f"{CLOUD}/pullrequests").respond(201, json={"type": "pullrequest", "id": 7})
    async with BitbucketCloud("T") as bb:
        pr = await bb.pullrequests.create("ws", "repo", title="t",
                                          source={"branch": {"name": "feature"}},
                                          destination={"branch": {"name": "main"}},
                                          reviewers=[{"uuid": "{...}"}])  # fmt: skip
    assert pr.id == 7
    assert json.loads(route.calls.last.request.content) == {
        "type": "pullrequest",
        "title": "t",
        "source": {"branch": {"name": "feature"}},
        "destination": {"branch": {"name": "main"}},
        "reviewers": [{"type": "account", "uuid": "{...}"}],
    }


@respx.mock
async def test_a_refused_body_sends_nothing() -> None:
    route = respx.post(f"{CLOUD}/pullrequests").respond(201, json={})
    async with BitbucketCloud("T") as bb:
        with pytest.raises(InvalidBodyError, match=r"source\.branch\.name: expected str, got int"):
            await bb.pullrequests.create("ws", "repo", title="t", source={"branch": {"name": 5}})  # type: ignore[dict-item]
        with pytest.raises(InvalidBodyError, match="missing required field 'title'"):
            await bb.pullrequests.create("ws", "repo", body={"source": {"branch": {"name": "f"}}})
        with pytest.raises(InvalidBodyError, match=r"unknown key 'titel' in pullrequests\.create body"):
            await bb.pullrequests.create("ws", "repo", body={"titel": "t"})  # type: ignore[typeddict-unknown-key]
    assert not route.called


@respx.mock
async def test_keyword_fields_are_named_as_passed_and_list_bodies_take_dicts() -> None:
    respx.post(f"{CLOUD}/commit/abc/reports/r1/annotations").respond(200, json=[])
    async with BitbucketServer("https://bb.example.com", "T") as dc:
        with pytest.raises(InvalidBodyError, match=r"from_ref\.repository\.slug: expected str, got int"):
            await dc.pullrequests.create(
                "P",
                "r",
                title="t",
                from_ref={"id": "x", "repository": {"slug": 1}},
                to_ref={"id": "y"},  # type: ignore[dict-item]
            )
    async with BitbucketCloud("T") as bb:
        await bb.reports.create_or_update_annotations(
            "ws", "repo", "abc", "r1", body=[{"external_id": "a1", "severity": "HIGH"}]
        )
    sent = json.loads(respx.calls.last.request.content)
    assert sent == [{"type": "report_annotation", "external_id": "a1", "severity": "HIGH"}]
