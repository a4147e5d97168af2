"""Every Bitbucket Data Center event key parses into its typed event, with the key fields decoded."""

from __future__ import annotations

import datetime
import enum
from typing import Any

import pytest
from webhook_testkit import SECRET, SERVER_KEYS, load_body, load_json, server_headers

from bitbucket_client._types import Unset
from bitbucket_client.server._generated.models import RestRepository
from bitbucket_client.webhooks import WebhookEvent, server, unwrap

EXPECTED: dict[str, type[server.ServerEvent]] = {
    "diagnostics:ping": server.PingEvent,
    "mirror:repo_synchronized": server.MirrorSynchronizedEvent,
    "pr:comment:added": server.PullRequestCommentEvent,
    "pr:comment:deleted": server.PullRequestCommentEvent,
    "pr:comment:edited": server.PullRequestCommentEvent,
    "pr:declined": server.PullRequestEvent,
    "pr:deleted": server.PullRequestEvent,
    "pr:from_ref_updated": server.PullRequestRefUpdatedEvent,
    "pr:merged": server.PullRequestEvent,
    "pr:modified": server.PullRequestModifiedEvent,
    "pr:opened": server.PullRequestEvent,
    "pr:reviewer:approved": server.PullRequestReviewerEvent,
    "pr:reviewer:changes_requested": server.PullRequestReviewerEvent,
    "pr:reviewer:needs_work": server.PullRequestReviewerEvent,
    "pr:reviewer:unapproved": server.PullRequestReviewerEvent,
    "pr:reviewer:updated": server.PullRequestReviewersUpdatedEvent,
    "pr:to_ref_updated": server.PullRequestRefUpdatedEvent,
    "proj:modified": server.ProjectModifiedEvent,
    "project:modified": server.ProjectModifiedEvent,
    "repo:comment:added": server.CommitCommentEvent,
    "repo:comment:deleted": server.CommitCommentEvent,
    "repo:comment:edited": server.CommitCommentEvent,
    "repo:forked": server.RepositoryEvent,
    "repo:modified": server.RepositoryModifiedEvent,
    "repo:refs_changed": server.RefsChangedEvent,
    "repo:secret_detected": server.SecretDetectedEvent,
}
CHARLES_ACTS = {
    "repo:forked",
    "repo:comment:added",
    "repo:comment:edited",
    "repo:comment:deleted",
    "pr:reviewer:approved",
    "pr:reviewer:unapproved",
    "pr:reviewer:needs_work",
    "pr:reviewer:changes_requested",
    "pr:declined",
    "pr:comment:added",
    "pr:comment:edited",
    "pr:comment:deleted",
}
NO_ACTOR = {"diagnostics:ping", "mirror:repo_synchronized"}
NO_REPOSITORY = {"diagnostics:ping", "project:modified", "proj:modified"}
# Events whose payloads are written as Data Center 10 sends them: ISO-8601 strings, not epoch ms.
DC10 = {
    "pr:opened",
    "pr:modified",
    "pr:reviewer:approved",
    "pr:reviewer:changes_requested",
    "pr:deleted",
    "pr:comment:edited",
}
SHA_BASE = "8d4f2a1c9b7e6d5c4b3a29180f7e6d5c4b3a2918"
SHA_HEAD = "3e5c7a9b1d2f4e6a8c0b1d3f5e7a9c0b2d4f6e8a"
ZERO = "0" * 40


def value(item: object) -> object:
    return item.value if isinstance(item, enum.Enum) else item


def receive(key: str) -> tuple[WebhookEvent, dict[str, Any]]:
    body = load_body("server", key)
    return unwrap(server_headers(key, body), body, SECRET), load_json("server", key)


def test_the_table_covers_every_key_of_the_notes_and_the_aliases() -> None:
    assert set(server.EVENT_KEYS) == set(SERVER_KEYS) == set(EXPECTED)
    assert dict(server.EVENT_CLASSES) == EXPECTED


@pytest.mark.parametrize("key", SERVER_KEYS)
def test_every_key_parses_into_its_typed_event(key: str) -> None:
    event, raw = receive(key)

    assert type(event) is EXPECTED[key]
    assert isinstance(event, server.ServerEvent)
    assert event.event_key == key
    assert event.raw == raw
    delivery = event.delivery
    assert (delivery.event_key, delivery.product, delivery.verified) == (key, "server", True)
    assert delivery.request_id == "5d6f3a2e-9b8c-4d1e-a7f6-0b1c2d3e4f50"
    assert delivery.hook_id is None and delivery.attempt is None
    if key == "diagnostics:ping":
        assert delivery.date is None
    else:
        assert raw["eventKey"] == key
        assert delivery.date is not None and delivery.date.utcoffset() is not None

    if key in NO_ACTOR:
        assert isinstance(event.actor, Unset)
    else:
        assert not isinstance(event.actor, Unset)
        expected = ("charles", "Charles Babbage") if key in CHARLES_ACTS else ("ada", "Ada Lovelace")
        assert (event.actor.name, event.actor.display_name) == expected

    if key not in NO_REPOSITORY:
        assert isinstance(event, server.RepositoryEvent)
        assert isinstance(event.repository, RestRepository)
        expected_slug = "analytical-engine" if key == "repo:modified" else "engine"
        assert event.repository.slug == expected_slug
        assert not isinstance(event.repository.project, Unset)
        expected_project = "~CHARLES" if key == "repo:forked" else "ENG"
        assert event.repository.project.key == expected_project

    if isinstance(event, server.PullRequestEvent):
        pull_request = event.pull_request
        assert not isinstance(pull_request, Unset)
        assert pull_request.id == 42
        assert not isinstance(pull_request.from_ref, Unset)
        assert pull_request.from_ref.display_id == "feature/difference-engine"
        if key in DC10:
            assert pull_request.created_date == datetime.datetime(
                2025, 3, 4, 9, 15, 27, 123000, tzinfo=datetime.UTC
            )
        else:
            assert pull_request.created_date == 1714557600000


def test_dates_of_both_generations() -> None:
    dc9, _ = receive("repo:refs_changed")
    assert dc9.delivery.date == datetime.datetime(
        2024, 5, 1, 20, tzinfo=datetime.timezone(datetime.timedelta(hours=10))
    )
    dc10, _ = receive("pr:opened")
    assert dc10.delivery.date == datetime.datetime(2025, 3, 4, 9, 15, 27, tzinfo=datetime.UTC)


def test_refs_changed_ref_changes_and_commits() -> None:
    event, _ = receive("repo:refs_changed")
    assert isinstance(event, server.RefsChangedEvent)
    summary = [
        (
            None if isinstance(change.ref, Unset) else change.ref.display_id,
            change.ref_id,
            change.from_hash,
            change.to_hash,
            change.type,
        )
        for change in event.changes
    ]
    assert summary == [
        ("main", "refs/heads/main", SHA_BASE, SHA_HEAD, "UPDATE"),
        ("v1.0", "refs/tags/v1.0", ZERO, SHA_HEAD, "ADD"),
        (
            "feature/old-mill",
            "refs/heads/feature/old-mill",
            "b0ffee1234567890abcdef1234567890abcdef12",
            ZERO,
            "DELETE",
        ),
    ]
    tag_ref = event.changes[1].ref
    assert not isinstance(tag_ref, Unset) and value(tag_ref.type_) == "TAG"
    assert [commit.id for commit in event.commits] == [SHA_HEAD]
    assert event.commits[0].author_timestamp == 1714557480000
    assert not isinstance(event.to_commit, Unset) and event.to_commit.message == "Fix the carry at 9"


def test_mirror_synchronized() -> None:
    event, _ = receive("mirror:repo_synchronized")
    assert isinstance(event, server.MirrorSynchronizedEvent)
    assert not isinstance(event.mirror_server, Unset)
    assert (event.mirror_server.id, event.mirror_server.name) == ("BB1C-2D3E-4F5A-6B7C", "Sydney mirror")
    assert (event.sync_type, event.ref_limit_exceeded) == ("incremental", False)
    assert [change.ref_id for change in event.changes] == ["refs/heads/main"]


def test_repository_modified_and_forked() -> None:
    modified, _ = receive("repo:modified")
    assert isinstance(modified, server.RepositoryModifiedEvent)
    assert not isinstance(modified.old, Unset) and not isinstance(modified.new, Unset)
    assert (modified.old.slug, modified.new.slug) == ("engine", "analytical-engine")
    assert modified.repository == modified.new

    forked, _ = receive("repo:forked")
    assert isinstance(forked, server.RepositoryEvent) and not isinstance(forked.repository, Unset)
    assert forked.repository.id == 12
    assert not isinstance(forked.repository.origin, Unset) and forked.repository.origin.slug == "engine"


@pytest.mark.parametrize("key", ["repo:comment:added", "repo:comment:edited", "repo:comment:deleted"])
def test_commit_comments(key: str) -> None:
    event, _ = receive(key)
    assert isinstance(event, server.CommitCommentEvent) and not isinstance(event.comment, Unset)
    assert event.commit == SHA_HEAD
    assert event.comment.id in (301, 302)
    assert isinstance(event.comment.created_date, int)
    if key == "repo:comment:edited":
        assert event.previous_comment == "Nice catch on the carry."
        assert event.comment.text == "Nice catch on the carry!"
    if key == "repo:comment:deleted":
        assert event.comment_parent_id == 301


def test_secret_detected() -> None:
    event, _ = receive("repo:secret_detected")
    assert isinstance(event, server.SecretDetectedEvent)
    assert [(loc.path, loc.line, loc.rule_name) for loc in event.secret_locations] == [
        ("config/settings.py", 12, "AWS access key"),
        ("deploy/.env", 3, "Generic password"),
    ]
    assert event.secret_locations[0].commit_id == SHA_HEAD
    # No top-level repository in this payload: the first location's is used.
    assert not isinstance(event.repository, Unset) and event.repository.slug == "engine"


def test_pull_request_updates() -> None:
    source, _ = receive("pr:from_ref_updated")
    assert isinstance(source, server.PullRequestRefUpdatedEvent)
    assert source.previous_from_hash == "b0ffee1234567890abcdef1234567890abcdef12"
    assert isinstance(source.previous_to_hash, Unset)

    target, _ = receive("pr:to_ref_updated")
    assert isinstance(target, server.PullRequestRefUpdatedEvent)
    assert target.previous_to_hash == SHA_BASE

    modified, _ = receive("pr:modified")
    assert isinstance(modified, server.PullRequestModifiedEvent)
    assert modified.previous_title == "Add the difference engine"
    assert modified.previous_description == "Draft: tabulates polynomials."
    assert not isinstance(modified.previous_target, Unset)
    assert modified.previous_target.display_id == "develop"
    assert modified.previous_target.latest_commit == SHA_BASE
    assert modified.previous_draft is True
    assert not isinstance(modified.pull_request, Unset)
    assert modified.pull_request.title == "Add the difference engine (v2)"


def test_reviewers_updated() -> None:
    event, _ = receive("pr:reviewer:updated")
    assert isinstance(event, server.PullRequestReviewersUpdatedEvent)
    assert [user.name for user in event.added_reviewers] == ["mary"]
    assert [user.name for user in event.removed_reviewers] == ["luigi"]


@pytest.mark.parametrize(
    ("key", "status", "previous"),
    [
        ("pr:reviewer:approved", "APPROVED", "UNAPPROVED"),
        ("pr:reviewer:unapproved", "UNAPPROVED", "APPROVED"),
        ("pr:reviewer:needs_work", "NEEDS_WORK", "UNAPPROVED"),
        ("pr:reviewer:changes_requested", "NEEDS_WORK", "UNAPPROVED"),
    ],
)
def test_reviewer_status_changes(key: str, status: str, previous: str) -> None:
    event, _ = receive(key)
    assert isinstance(event, server.PullRequestReviewerEvent)
    assert not isinstance(event.participant, Unset)
    assert value(event.participant.status) == status
    assert event.participant.approved is (status == "APPROVED")
    assert not isinstance(event.participant.user, Unset) and event.participant.user.name == "charles"
    assert event.previous_status == previous


def test_merged_declined_deleted() -> None:
    merged, _ = receive("pr:merged")
    assert isinstance(merged, server.PullRequestEvent) and not isinstance(merged.pull_request, Unset)
    assert value(merged.pull_request.state) == "MERGED"
    assert merged.pull_request.closed_date == 1714572000000
    properties = merged.pull_request.properties
    assert not isinstance(properties, Unset) and not isinstance(properties.merge_commit, Unset)
    assert properties.merge_commit.id == "f00dbabe0987654321fedcba0987654321fedcba"

    declined, _ = receive("pr:declined")
    assert isinstance(declined, server.PullRequestEvent) and not isinstance(declined.pull_request, Unset)
    assert value(declined.pull_request.state) == "DECLINED"

    deleted, _ = receive("pr:deleted")
    assert isinstance(deleted, server.PullRequestEvent) and not isinstance(deleted.pull_request, Unset)
    assert deleted.pull_request.closed_date == datetime.datetime(2025, 3, 5, 8, tzinfo=datetime.UTC)


@pytest.mark.parametrize("key", ["pr:comment:added", "pr:comment:edited", "pr:comment:deleted"])
def test_pull_request_comments(key: str) -> None:
    event, _ = receive(key)
    assert isinstance(event, server.PullRequestCommentEvent) and not isinstance(event.comment, Unset)
    if key == "pr:comment:added":
        assert (event.comment.id, event.comment.text) == (17, "Should this handle negative differences?")
        assert isinstance(event.comment_parent_id, Unset)
    if key == "pr:comment:edited":
        assert event.previous_comment == "Should this handle negative differences?"
        assert isinstance(event.comment.created_date, datetime.datetime)
    if key == "pr:comment:deleted":
        assert event.comment.id == 18 and event.comment_parent_id == 17
        assert not isinstance(event.comment.author, Unset) and event.comment.author.name == "ada"


@pytest.mark.parametrize("key", ["project:modified", "proj:modified"])
def test_project_modified(key: str) -> None:
    event, _ = receive(key)
    assert isinstance(event, server.ProjectModifiedEvent)
    assert not isinstance(event.old, Unset) and not isinstance(event.new, Unset)
    assert (event.old.key, event.old.name, event.new.name) == ("ENG", "Engines", "Engines and Mills")


def test_ping() -> None:
    event, raw = receive("diagnostics:ping")
    assert isinstance(event, server.PingEvent)
    assert event.test is True and raw == {"test": True}
