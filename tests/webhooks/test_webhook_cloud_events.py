"""Every Bitbucket Cloud event key parses into its typed event, with the key fields decoded."""

from __future__ import annotations

import datetime
import enum
from typing import Any

import pytest
from webhook_testkit import CLOUD_KEYS, SECRET, cloud_headers, load_body, load_json

from bitbucket_client._types import Unset
from bitbucket_client.cloud._generated.models import Account, BaseCommit, Branch, Repository, Tag
from bitbucket_client.webhooks import WebhookEvent, cloud, unwrap

EXPECTED: dict[str, type[cloud.CloudEvent]] = {
    "issue:comment_created": cloud.IssueCommentEvent,
    "issue:created": cloud.IssueEvent,
    "issue:updated": cloud.IssueUpdatedEvent,
    "pipeline:span_created": cloud.PipelineSpanEvent,
    "project:updated": cloud.ProjectUpdatedEvent,
    "pullrequest:approved": cloud.PullRequestApprovalEvent,
    "pullrequest:changes_request_created": cloud.PullRequestChangesRequestEvent,
    "pullrequest:changes_request_removed": cloud.PullRequestChangesRequestEvent,
    "pullrequest:comment_created": cloud.PullRequestCommentEvent,
    "pullrequest:comment_deleted": cloud.PullRequestCommentEvent,
    "pullrequest:comment_reopened": cloud.PullRequestCommentEvent,
    "pullrequest:comment_resolved": cloud.PullRequestCommentEvent,
    "pullrequest:comment_updated": cloud.PullRequestCommentEvent,
    "pullrequest:created": cloud.PullRequestEvent,
    "pullrequest:fulfilled": cloud.PullRequestEvent,
    "pullrequest:push": cloud.PullRequestEvent,
    "pullrequest:rejected": cloud.PullRequestEvent,
    "pullrequest:unapproved": cloud.PullRequestApprovalEvent,
    "pullrequest:updated": cloud.PullRequestEvent,
    "repo:commit_comment_created": cloud.CommitCommentEvent,
    "repo:commit_status_created": cloud.CommitStatusEvent,
    "repo:commit_status_updated": cloud.CommitStatusEvent,
    "repo:created": cloud.RepositoryEvent,
    "repo:deleted": cloud.RepositoryEvent,
    "repo:fork": cloud.RepoForkEvent,
    "repo:imported": cloud.RepositoryEvent,
    "repo:push": cloud.RepoPushEvent,
    "repo:transfer": cloud.RepoTransferEvent,
    "repo:updated": cloud.RepoUpdatedEvent,
}
# The actor of each payload (Charles reviews, comments and declines; Ada does the rest).
CHARLES_ACTS = {
    "pullrequest:approved",
    "pullrequest:unapproved",
    "pullrequest:changes_request_created",
    "pullrequest:changes_request_removed",
    "pullrequest:rejected",
    "pullrequest:comment_created",
    "pullrequest:comment_updated",
    "pullrequest:comment_deleted",
    "pullrequest:comment_reopened",
}


def value(item: object) -> object:
    return item.value if isinstance(item, enum.Enum) else item


def receive(key: str) -> tuple[WebhookEvent, dict[str, Any]]:
    body = load_body("cloud", key)
    return unwrap(cloud_headers(key, body), body, SECRET), load_json("cloud", key)


def test_the_table_covers_exactly_the_29_documented_keys() -> None:
    assert len(CLOUD_KEYS) == 29
    assert set(cloud.EVENT_KEYS) == set(CLOUD_KEYS) == set(EXPECTED)
    assert dict(cloud.EVENT_CLASSES) == EXPECTED


def test_the_table_matches_the_cloud_document(upstream_documents: dict[str, dict[str, Any]]) -> None:
    schema = upstream_documents["cloud"]["components"]["schemas"]["webhook_subscription"]
    properties = next(part["properties"] for part in schema["allOf"] if "properties" in part)
    assert set(properties["events"]["items"]["enum"]) == set(cloud.EVENT_KEYS)


@pytest.mark.parametrize("key", CLOUD_KEYS)
def test_every_key_parses_into_its_typed_event(key: str) -> None:
    event, raw = receive(key)

    assert type(event) is EXPECTED[key]
    assert isinstance(event, cloud.CloudEvent)
    assert event.event_key == key
    assert event.raw == raw
    assert event.product == "cloud"
    delivery = event.delivery
    assert delivery.event_key == key
    assert delivery.product == "cloud"
    assert delivery.verified is True
    assert delivery.hook_id == "{3f9d2b1c-6a5e-4d7f-8b0a-1c2d3e4f5a6b}"
    assert delivery.request_id == "{e1d2c3b4-a596-4877-8695-a4b3c2d1e0f9}"
    assert delivery.attempt == 1

    if key == "pipeline:span_created":  # OTLP spans only: no actor or repository in the payload
        assert isinstance(event.actor, Unset)
        return
    assert not isinstance(event.actor, Unset)
    expected_actor = "Charles Babbage" if key in CHARLES_ACTS else "Ada Lovelace"
    assert event.actor.display_name == expected_actor
    assert event.actor.nickname in ("ada", "charles")
    assert event.actor.account_id == event.raw["actor"]["account_id"]

    if isinstance(event, cloud.RepositoryEvent):
        assert isinstance(event.repository, Repository)
        expected_name = "analytical/analytical-engine" if key == "repo:updated" else "analytical/engine"
        assert event.repository.full_name == expected_name
    if isinstance(event, cloud.PullRequestEvent):
        assert not isinstance(event.pullrequest, Unset)
        assert event.pullrequest.id == 42
        assert not isinstance(event.pullrequest.author, Unset)
        assert event.pullrequest.author.display_name == "Ada Lovelace"
        assert event.pullrequest.created_on == datetime.datetime(2024, 5, 1, 10, tzinfo=datetime.UTC)


def test_repo_push_ref_changes() -> None:
    event, _ = receive("repo:push")
    assert isinstance(event, cloud.RepoPushEvent)
    updated, tagged, deleted = event.changes

    assert isinstance(updated.new, Branch) and isinstance(updated.old, Branch)
    assert updated.ref_name == "main"
    assert not isinstance(updated.new.target, Unset) and not isinstance(updated.old.target, Unset)
    assert updated.new.target.hash_ == "3e5c7a9b1d2f4e6a8c0b1d3f5e7a9c0b2d4f6e8a"
    assert updated.old.target.hash_ == "8d4f2a1c9b7e6d5c4b3a29180f7e6d5c4b3a2918"
    assert (updated.created, updated.closed, updated.forced, updated.truncated) == (
        False,
        False,
        False,
        False,
    )
    assert [commit.hash_ for commit in updated.commits] == ["3e5c7a9b1d2f4e6a8c0b1d3f5e7a9c0b2d4f6e8a"]
    assert updated.commits[0].message == "Fix the carry at 9\n"

    assert isinstance(tagged.new, Tag) and tagged.old is None
    assert tagged.created is True and tagged.ref_name == "v1.0"
    assert tagged.new.message == "First engine\n"

    assert deleted.new is None and isinstance(deleted.old, Branch)
    assert deleted.closed is True and deleted.ref_name == "feature/old-mill"
    assert deleted.commits == []


def test_repo_fork_updated_and_transfer() -> None:
    fork, _ = receive("repo:fork")
    assert isinstance(fork, cloud.RepoForkEvent) and not isinstance(fork.fork, Unset)
    assert fork.fork.full_name == "analytical/engine-fork"
    assert isinstance(fork.fork.parent, Repository) and fork.fork.parent.full_name == "analytical/engine"

    updated, _ = receive("repo:updated")
    assert isinstance(updated, cloud.RepoUpdatedEvent)
    assert not isinstance(updated.changes.name, Unset)
    assert (updated.changes.name.old, updated.changes.name.new) == ("engine", "analytical-engine")
    assert not isinstance(updated.changes.links, Unset)
    assert not isinstance(updated.changes.links.new, Unset) and updated.changes.links.new is not None
    assert not isinstance(updated.changes.links.new.html, Unset)
    assert updated.changes.links.new.html.href == "https://bitbucket.org/analytical/analytical-engine"
    assert updated.changes.raw == updated.raw["changes"]

    transfer, _ = receive("repo:transfer")
    assert isinstance(transfer, cloud.RepoTransferEvent)
    assert not isinstance(transfer.previous_workspace, Unset)
    assert transfer.previous_workspace.slug == "babbage"
    assert isinstance(transfer.previous_owner, Unset)


def test_commit_comment_and_commit_statuses() -> None:
    comment, _ = receive("repo:commit_comment_created")
    assert isinstance(comment, cloud.CommitCommentEvent)
    assert not isinstance(comment.comment, Unset) and comment.comment.id == 301
    assert not isinstance(comment.comment.content, Unset) and comment.comment.content.raw == (
        "Nice catch on the carry."
    )
    assert not isinstance(comment.commit, Unset)
    assert comment.commit.hash_ == "3e5c7a9b1d2f4e6a8c0b1d3f5e7a9c0b2d4f6e8a"

    for key, state in (
        ("repo:commit_status_created", "INPROGRESS"),
        ("repo:commit_status_updated", "SUCCESSFUL"),
    ):
        status, _ = receive(key)
        assert isinstance(status, cloud.CommitStatusEvent) and not isinstance(status.commit_status, Unset)
        assert status.commit_status.key == "CI-BUILD"
        assert value(status.commit_status.state) == state
        assert status.commit_status.url == "https://ci.example.com/analytical/engine/128"


def test_issue_events() -> None:
    created, _ = receive("issue:created")
    assert isinstance(created, cloud.IssueEvent) and not isinstance(created.issue, Unset)
    assert (created.issue.id, created.issue.title) == (7, "The carry mechanism slips at 9")

    updated, _ = receive("issue:updated")
    assert isinstance(updated, cloud.IssueUpdatedEvent)
    assert not isinstance(updated.changes.status, Unset)
    assert (updated.changes.status.old, updated.changes.status.new) == ("new", "open")
    assert not isinstance(updated.changes.assignee, Unset) and updated.changes.assignee.old is None
    assert isinstance(updated.changes.assignee.new, Account)
    assert updated.changes.assignee.new.display_name == "Ada Lovelace"
    assert not isinstance(updated.comment, Unset) and updated.comment.id == 55

    commented, _ = receive("issue:comment_created")
    assert isinstance(commented, cloud.IssueCommentEvent) and not isinstance(commented.comment, Unset)
    assert commented.comment.id == 56
    assert not isinstance(commented.issue, Unset) and commented.issue.id == 7


def test_pull_request_states() -> None:
    fulfilled, _ = receive("pullrequest:fulfilled")
    assert isinstance(fulfilled, cloud.PullRequestEvent) and not isinstance(fulfilled.pullrequest, Unset)
    assert value(fulfilled.pullrequest.state) == "MERGED"
    assert isinstance(fulfilled.pullrequest.merge_commit, BaseCommit)
    assert fulfilled.pullrequest.merge_commit.hash_ == "f00dbabe0987"

    rejected, _ = receive("pullrequest:rejected")
    assert isinstance(rejected, cloud.PullRequestEvent) and not isinstance(rejected.pullrequest, Unset)
    assert value(rejected.pullrequest.state) == "DECLINED"
    assert rejected.pullrequest.reason == "Superseded by #43"

    created, _ = receive("pullrequest:created")
    assert isinstance(created, cloud.PullRequestEvent) and not isinstance(created.pullrequest, Unset)
    # Not merged yet: real Cloud sends `merge_commit: null`, a typed None.
    assert created.pullrequest.merge_commit is None
    assert "merge_commit" not in created.pullrequest.additional_properties


@pytest.mark.parametrize(
    ("key", "attribute"),
    [
        ("pullrequest:approved", "approval"),
        ("pullrequest:unapproved", "approval"),
        ("pullrequest:changes_request_created", "changes_request"),
        ("pullrequest:changes_request_removed", "changes_request"),
    ],
)
def test_reviews(key: str, attribute: str) -> None:
    event, raw = receive(key)
    review = getattr(event, attribute)
    assert isinstance(review, cloud.Review)
    assert not isinstance(review.user, Unset) and review.user.display_name == "Charles Babbage"
    assert isinstance(review.date, datetime.datetime)
    assert review.date == datetime.datetime.fromisoformat(raw[attribute]["date"])


@pytest.mark.parametrize(
    "key",
    [k for k in CLOUD_KEYS if k.startswith("pullrequest:comment_")],
)
def test_pull_request_comments(key: str) -> None:
    event, _ = receive(key)
    assert isinstance(event, cloud.PullRequestCommentEvent) and not isinstance(event.comment, Unset)
    assert event.comment.id == 17
    assert (
        not isinstance(event.comment.inline, Unset) and event.comment.inline.path == "engine/differences.py"
    )
    if key == "pullrequest:comment_deleted":
        assert event.comment.deleted is True
    if key == "pullrequest:comment_resolved":
        assert not isinstance(event.comment.resolution, Unset)
        assert not isinstance(event.comment.resolution.user, Unset)
        assert event.comment.resolution.user.display_name == "Ada Lovelace"


def test_pipeline_spans_and_project_update() -> None:
    spans, _ = receive("pipeline:span_created")
    assert isinstance(spans, cloud.PipelineSpanEvent)
    assert isinstance(spans.repository, Unset)
    names = [
        span.name for block in spans.resource_spans for scope in block.scope_spans for span in scope.spans
    ]
    assert names == ["bbc.pipeline_run", "bbc.step"]

    project, _ = receive("project:updated")
    assert isinstance(project, cloud.ProjectUpdatedEvent) and not isinstance(project.project, Unset)
    assert (project.project.key, project.project.name) == ("ENG", "Engines and Mills")
    assert not isinstance(project.changes.name, Unset)
    assert (project.changes.name.old, project.changes.name.new) == ("Engines", "Engines and Mills")
    assert isinstance(project.changes.description, Unset)
