"""Response models accept what real servers send; request models stay strict.

Bodies are written by hand from the documents and the reference notes ("Real responses differ").
"""

from __future__ import annotations

import copy
import datetime
from typing import Any

import pytest

from bitbucket_client._types import UNSET
from bitbucket_client.cloud._generated.models import (
    Participant,
    Pullrequest,
    PullrequestMergeParameters,
    PullrequestMergeParametersMergeStrategy,
    PullrequestState,
    Repository,
)
from bitbucket_client.server._generated.models import (
    RestBuildStatusSetRequest,
    RestPullRequest,
    RestPullRequestState,
)

CLOUD_PULL_REQUEST: dict[str, Any] = {
    "type": "pullrequest",
    "id": 7,
    "title": "Fix the flaky test",
    "x_review_bot": "A field the document does not list",
    "state": "OPEN",
    "merge_commit": None,
    "closed_by": None,
    "task_count": None,
    "created_on": "2026-05-01T10:20:30.123456+00:00",
    "links": {
        "self": {"href": "https://api.bitbucket.org/2.0/repositories/ws/repo/pullrequests/7"},
        "x_bot_report": {"href": "https://bot.example.com/reports/7"},
    },
    "author": {"type": "user", "display_name": "Ada", "uuid": "{ada}", "nickname": "ada"},
    "participants": [
        {"type": "participant", "role": "REVIEWER", "approved": False, "state": None},
        {"type": "participant", "role": "REVIEWER", "approved": True, "state": "approved"},
    ],
    "source": {"branch": {"name": "fix"}, "repository": {"type": "repository", "full_name": "ws/repo"}},
}


def test_cloud_pull_request_decodes_the_documented_fields() -> None:
    pr = Pullrequest.from_dict(CLOUD_PULL_REQUEST)
    assert pr.id == 7
    assert pr.title == "Fix the flaky test"
    assert pr.state is PullrequestState.OPEN
    assert pr.created_on == datetime.datetime(2026, 5, 1, 10, 20, 30, 123456, tzinfo=datetime.UTC)
    assert pr.links is not UNSET and pr.links.self_ is not UNSET
    assert pr.links.self_.href == "https://api.bitbucket.org/2.0/repositories/ws/repo/pullrequests/7"
    assert isinstance(pr.participants, list) and len(pr.participants) == 2
    assert all(isinstance(p, Participant) for p in pr.participants)


def test_extra_fields_are_kept_and_reachable() -> None:
    pr = Pullrequest.from_dict(CLOUD_PULL_REQUEST)
    assert pr["x_review_bot"] == "A field the document does not list"
    assert "x_review_bot" in pr
    assert pr.links is not UNSET
    assert pr.links["x_bot_report"] == {"href": "https://bot.example.com/reports/7"}


def test_null_where_a_plain_type_is_documented_is_no_value_and_given_back() -> None:
    pr = Pullrequest.from_dict(CLOUD_PULL_REQUEST)
    assert pr.task_count is UNSET
    assert "task_count" not in pr.additional_properties
    assert pr.to_dict()["task_count"] is None


def test_null_where_real_servers_send_it_is_a_typed_none() -> None:
    # specs/fixes/cloud.json declares these nullable: an open pull request has no merge commit yet.
    pr = Pullrequest.from_dict(CLOUD_PULL_REQUEST)
    assert pr.merge_commit is None
    assert pr.closed_by is None
    assert isinstance(pr.participants, list)
    assert pr.participants[0].state is None
    assert pr.participants[0].additional_properties == {}


def test_unknown_enum_values_come_through_as_strings() -> None:
    body = {**CLOUD_PULL_REQUEST, "state": "QUEUED"}
    pr = Pullrequest.from_dict(body)
    assert pr.state == "QUEUED"
    assert not isinstance(pr.state, PullrequestState)
    repo = Repository.from_dict({"type": "repository", "scm": "hg", "full_name": "ws/old"})
    assert repo.scm == "hg"


def test_missing_required_fields_do_not_raise() -> None:
    # `type` is required by the document on every Cloud object; some real bodies lack it.
    pr = Pullrequest.from_dict({"id": 3})
    assert pr.type_ is UNSET
    assert pr.id == 3
    assert pr.title is UNSET


def test_wrong_types_stay_out_of_typed_fields_but_are_not_lost() -> None:
    pr = Pullrequest.from_dict({"id": "seven", "participants": [{"role": "REVIEWER"}, "not an object"]})
    assert pr.id is UNSET
    assert pr.participants is UNSET
    assert pr.additional_properties == {
        "id": "seven",
        "participants": [{"role": "REVIEWER"}, "not an object"],
    }


def test_to_dict_gives_back_what_the_server_sent() -> None:
    pr = Pullrequest.from_dict(CLOUD_PULL_REQUEST)
    assert pr.to_dict() == CLOUD_PULL_REQUEST


def test_decoding_does_not_mutate_the_input() -> None:
    body = copy.deepcopy(CLOUD_PULL_REQUEST)
    Pullrequest.from_dict(body)
    assert body == CLOUD_PULL_REQUEST


DC_PULL_REQUEST: dict[str, Any] = {
    "id": 12,
    "version": 3,
    "title": "Add the changelog",
    "state": "OPEN",
    "open": True,
    "closed": False,
    "createdDate": 1767225600000,
    "updatedDate": "2026-01-01T00:00:00Z",
    "author": {"user": {"name": "ada", "slug": "ada"}, "role": "AUTHOR", "approved": False},
    "properties": {"mergeResult": {"outcome": "CLEAN"}},
    "fromRef": {"id": "refs/heads/changelog", "displayId": "changelog", "latestCommit": "a" * 40},
    "participants": [{"user": {"name": "bob"}, "role": "REVIEWER", "status": "NEEDS_WORK"}],
    "x_review_bot": {"verdict": "ok"},
}


def test_data_center_timestamps_accept_epoch_milliseconds_and_iso_strings() -> None:
    pr = RestPullRequest.from_dict(DC_PULL_REQUEST)
    assert pr.created_date == 1767225600000  # 9.4 documents epoch milliseconds
    assert pr.updated_date == datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)  # 10.x sends ISO-8601
    assert pr.additional_properties.get("updatedDate") is None


def test_data_center_fields_missing_from_the_document_are_kept() -> None:
    pr = RestPullRequest.from_dict(DC_PULL_REQUEST)
    assert pr.state is RestPullRequestState.OPEN
    assert pr["x_review_bot"] == {"verdict": "ok"}
    assert "author" not in pr  # typed since the fixes: `pr.author.user.slug`
    assert pr.from_ref is not UNSET and pr.from_ref.display_id == "changelog"


def test_data_center_unknown_participant_status_is_kept_as_text() -> None:
    pr = RestPullRequest.from_dict({**DC_PULL_REQUEST, "participants": [{"status": "CHANGES_REQUESTED"}]})
    assert isinstance(pr.participants, list)
    assert pr.participants[0].status == "CHANGES_REQUESTED"


def test_data_center_null_description_and_nested_null_are_no_value() -> None:
    body = {
        **DC_PULL_REQUEST,
        "description": None,
        "fromRef": {**DC_PULL_REQUEST["fromRef"], "displayId": None},
    }
    pr = RestPullRequest.from_dict(body)
    assert pr.description is UNSET and "description" not in pr
    assert pr.from_ref is not UNSET and pr.from_ref.display_id is UNSET and "displayId" not in pr.from_ref
    assert pr.to_dict() == {**body, "updatedDate": "2026-01-01T00:00:00+00:00"}  # the date re-encoded


def test_a_non_object_body_is_a_clear_type_error() -> None:
    with pytest.raises(TypeError, match="RestPullRequest expects a JSON object"):
        RestPullRequest.from_dict([1, 2])  # type: ignore[arg-type]


# ---- request models stay strict -------------------------------------------------------------------


def test_cloud_request_models_fill_in_the_discriminator() -> None:
    body = PullrequestMergeParameters(merge_strategy=PullrequestMergeParametersMergeStrategy.SQUASH)
    assert body.to_dict() == {"type": "pullrequest_merge_parameters", "merge_strategy": "squash"}


def test_request_models_reject_unknown_enum_values() -> None:
    with pytest.raises(ValueError):
        PullrequestMergeParameters.from_dict({"type": "x", "merge_strategy": "octopus"})


def test_request_models_require_their_required_fields() -> None:
    with pytest.raises(TypeError):
        RestBuildStatusSetRequest(key="ci")  # type: ignore[call-arg]
    with pytest.raises(KeyError):
        RestBuildStatusSetRequest.from_dict({"key": "ci"})


def test_compiled_and_generic_decoding_agree() -> None:
    import bitbucket_client._decoders as runtime
    from bitbucket_client._decoders import decoder_for
    from bitbucket_client.cloud._generated.models.pullrequest import _spec

    odd = {**CLOUD_PULL_REQUEST, "id": "seven", "state": "QUEUED", "participants": [{"state": 3}]}
    for body in (CLOUD_PULL_REQUEST, odd, {}):
        generic = runtime._decode_generic(Pullrequest, body, _spec(), 0)
        compiled = decoder_for(Pullrequest)(body, 0)
        assert compiled.additional_properties == generic.additional_properties  # before any read
        assert compiled.to_dict() == generic.to_dict() == body
        assert compiled == generic
