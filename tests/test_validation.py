"""`_validation`: a body (a model, a dict, or both mixed at any depth) checked against its request model's
shape, every problem named by its path, and turned into the JSON to send."""

from __future__ import annotations

import datetime
import pickle
import subprocess
import sys
import types
from typing import Any

import pytest

from bitbucket_client import InvalidBodyError
from bitbucket_client._validation import Problems, shape_of
from bitbucket_client.cloud.models import (
    AccountInput,
    ApplicationPropertyInput,
    CommitstatusInput,
    CommitstatusState,
    PipelineInput,
    PullRequestBranchInput,
    PullrequestCommentInput,
    PullrequestEndpointInput,
    PullrequestInput,
    SshAccountKeyInput,
)
from bitbucket_client.server.models import RestPullRequestInput, RestWebhookInput


def encode(model_class: type, value: Any, required: tuple[str, ...] = (), operation: str = "op") -> Any:
    problems = Problems(operation)
    out = shape_of(model_class).encode(value, (), problems, required)
    problems.raise_if_any()
    return out


def problems_of(model_class: type, value: Any, operation: str = "pullrequests.create") -> list[str]:
    with pytest.raises(InvalidBodyError) as caught:
        encode(model_class, value, operation=operation)
    return caught.value.problems


def test_dicts_and_models_mix_at_every_depth_and_discriminators_are_filled_in() -> None:
    reviewer = AccountInput(uuid="{u1}")
    model_with_dicts = PullrequestInput(
        title="t",
        source={"branch": {"name": "feature"}},  # type: ignore[arg-type]
        reviewers=[reviewer, {"account_id": "557058:x"}],  # type: ignore[list-item]
    )
    dict_with_models = {
        "title": "t",
        "source": PullrequestEndpointInput(branch=PullRequestBranchInput(name="feature")),
        "reviewers": [{"uuid": "{u1}"}, AccountInput(account_id="557058:x")],
    }
    expected = {
        "type": "pullrequest",
        "title": "t",
        "source": {"branch": {"name": "feature"}},
        "reviewers": [{"type": "account", "uuid": "{u1}"}, {"type": "account", "account_id": "557058:x"}],
    }
    assert encode(PullrequestInput, model_with_dicts) == expected
    assert encode(PullrequestInput, dict_with_models) == expected


def test_a_discriminator_given_is_kept() -> None:
    assert encode(AccountInput, {"type": "user", "uuid": "{u}"}) == {"type": "user", "uuid": "{u}"}


def test_any_mapping_is_a_dict_body_and_a_model_subclass_is_its_model() -> None:
    class MyAccount(AccountInput):
        pass

    frozen = types.MappingProxyType({"title": "t", "source": {"branch": {"name": "f"}}})
    assert encode(PullrequestInput, frozen)["source"] == {"branch": {"name": "f"}}
    assert encode(AccountInput, MyAccount(uuid="{u}")) == {"type": "account", "uuid": "{u}"}
    assert problems_of(AccountInput, ["uuid"]) == [
        "pullrequests.create body: the body: expected a AccountInput or a dict, got list"
    ]


def test_a_wrong_type_is_named_by_its_path() -> None:
    assert problems_of(PullrequestInput, {"title": "t", "source": {"branch": {"name": 5}}}) == [
        "pullrequests.create body: source.branch.name: expected str, got int"
    ]
    assert problems_of(PullrequestInput, {"reviewers": [{"uuid": "{a}"}, {"uuid": ["b"]}]}) == [
        "pullrequests.create body: reviewers[1].uuid: expected str, got list"
    ]


def test_an_unknown_key_lists_the_known_ones_and_a_close_match() -> None:
    (problem,) = problems_of(PullrequestInput, {"titel": "t"})
    assert problem.startswith(
        "unknown key 'titel' in pullrequests.create body (known: type, title, source, destination, "
    )
    assert problem.endswith("; did you mean 'title'?)")
    (nested,) = problems_of(PullrequestInput, {"source": {"branch": {"nmae": "f"}}})
    assert nested == (
        "unknown key 'nmae' in pullrequests.create body at source.branch (known: name; did you mean 'name'?)"
    )


def test_a_python_name_used_as_a_key_points_to_the_documents_name() -> None:
    (problem,) = problems_of(RestPullRequestInput, {"from_ref": {"id": "refs/heads/x"}})
    assert "unknown key 'from_ref'" in problem
    assert "the document calls 'from_ref' 'fromRef'" in problem


def test_fields_the_server_sets_are_unknown_keys() -> None:
    (problem,) = problems_of(PullrequestInput, {"title": "t", "comment_count": 3})
    assert "unknown key 'comment_count'" in problem


def test_missing_required_fields_of_the_model_at_any_depth() -> None:
    problems = problems_of(PullrequestCommentInput, {"content": {"raw": "x"}, "inline": {"to": 3}})
    assert problems == ["missing required field 'path' in pullrequests.create body at inline"]


def test_every_problem_is_reported_at_once_up_to_a_limit() -> None:
    problems = problems_of(PullrequestInput, {"titel": 1, "draft": "yes", "reviewers": "alice"})
    assert len(problems) == 3
    many = problems_of(PullrequestInput, {"reviewers": [{"uuid": n} for n in range(50)]})
    assert len(many) == 20
    with pytest.raises(InvalidBodyError, match=r"^20 problems in the pullrequests.create body:\n  - "):
        encode(
            PullrequestInput, {"reviewers": [{"uuid": n} for n in range(50)]}, operation="pullrequests.create"
        )


def test_an_enum_takes_a_member_or_its_value_and_names_the_choices() -> None:
    body = {"key": "k", "state": CommitstatusState.SUCCESSFUL, "url": "https://ci"}
    assert encode(CommitstatusInput, body)["state"] == "SUCCESSFUL"
    (problem,) = problems_of(PipelineInput, {"target": {"type": "pipeline_target"}}, "pipelines.run")
    assert problem == (
        "pipelines.run body: target.type: expected one of 'pipeline_ref_target', 'pipeline_commit_target', "
        "'pipeline_pullrequest_target', got 'pipeline_target'"
    )


def test_scalars_are_strict_where_python_would_surprise() -> None:
    assert problems_of(PullrequestInput, {"draft": 1}) == [
        "pullrequests.create body: draft: expected bool, got int"
    ]
    (problem,) = problems_of(RestPullRequestInput, {"version": True})
    assert problem.endswith("version: expected int, got bool")
    (problem,) = problems_of(PullrequestInput, {"reviewers": "alice"})
    assert problem.endswith("reviewers: expected a list, got str")
    assert encode(PullrequestInput, {"reviewers": ({"uuid": "{a}"},)})["reviewers"] == [
        {"type": "account", "uuid": "{a}"}
    ]


def test_dates_are_sent_as_iso_8601() -> None:
    moment = datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    assert encode(SshAccountKeyInput, {"key": "ssh-ed25519 AAA", "expires_on": moment})["expires_on"] == (
        "2025-01-02T03:04:05+00:00"
    )
    assert (
        encode(SshAccountKeyInput, {"expires_on": "2025-01-02T03:04:05Z"})["expires_on"]
        == "2025-01-02T03:04:05Z"
    )


def test_a_union_takes_any_of_its_members() -> None:
    target = {"type": "pipeline_pullrequest_target", "pullrequest": {"id": "3"}}
    assert encode(PipelineInput, {"target": target})["target"]["pullrequest"] == {"id": "3"}
    assert encode(PipelineInput, {"target": {**target, "pullrequest": {"id": 3}}})["target"][
        "pullrequest"
    ] == {"id": 3}
    (problem,) = problems_of(
        PipelineInput, {"target": {**target, "pullrequest": {"id": 3.5}}}, "pipelines.run"
    )
    assert problem.endswith("target.pullrequest.id: expected int, got float")


def test_a_free_form_body_takes_any_key_and_typed_extra_keys_are_checked() -> None:
    assert encode(ApplicationPropertyInput, {"anything": {"nested": [1, 2]}, "_attributes": ["public"]}) == {
        "anything": {"nested": [1, 2]},
        "_attributes": ["public"],
    }
    hook = {
        "name": "n",
        "url": "https://h",
        "events": ["repo:refs_changed"],
        "configuration": {"secret": "s", "x": "y"},
    }
    assert encode(RestWebhookInput, hook)["configuration"] == {"secret": "s", "x": "y"}
    (problem,) = problems_of(
        RestWebhookInput, {**hook, "configuration": {"x": 1}}, "webhooks.create_for_repository"
    )
    assert problem.endswith("configuration.x: expected str, got int")


def test_values_never_reach_the_message_but_an_enum_typo_does() -> None:
    hook = {"name": "n", "url": "https://h", "events": [], "configuration": {"secret": ["hunter2-secret"]}}
    with pytest.raises(InvalidBodyError) as caught:
        encode(RestWebhookInput, hook, operation="webhooks.create_for_repository")
    assert "hunter2" not in str(caught.value) and "hunter2" not in repr(caught.value.args)
    assert "configuration.secret: expected str, got list" in str(caught.value)


def test_additional_properties_set_on_a_model_are_sent_as_they_are() -> None:
    account = AccountInput(uuid="{u}")
    account.additional_properties["nickname"] = "ada"
    assert encode(AccountInput, account) == {"type": "account", "uuid": "{u}", "nickname": "ada"}


def test_a_model_of_another_class_is_refused() -> None:
    (problem,) = problems_of(PullrequestInput, {"source": AccountInput()})
    assert (
        problem
        == "pullrequests.create body: source: expected a PullrequestEndpointInput or a dict, got AccountInput"
    )


def test_the_error_pickles_with_its_problems() -> None:
    with pytest.raises(InvalidBodyError) as caught:
        encode(PullrequestInput, {"titel": "t"}, operation="pullrequests.create")
    copy = pickle.loads(pickle.dumps(caught.value))
    assert isinstance(copy, InvalidBodyError) and isinstance(copy, ValueError)
    assert copy.problems == caught.value.problems and str(copy) == str(caught.value)


def test_shapes_are_compiled_on_first_use_only() -> None:
    code = (
        "import sys, bitbucket_client._validation as v\n"
        "assert not [m for m in sys.modules if '_generated.models' in m], 'models imported'\n"
        "from bitbucket_client.cloud._generated.models.pullrequest_input import PullrequestInput\n"
        "v.shape_of(PullrequestInput)\n"
        "assert 'bitbucket_client.cloud._generated.models.account_input' not in sys.modules\n"
        "p = v.Problems('op'); v.shape_of(PullrequestInput).encode({'reviewers': [{'uuid': 'u'}]}, (), p)\n"
        "assert 'bitbucket_client.cloud._generated.models.account_input' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
