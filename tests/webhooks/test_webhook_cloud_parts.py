"""The hand-written parts of Cloud payloads (bitbucket_client.webhooks._cloud_parts): typed, and as lenient
as the generated models (a value of the wrong JSON type leaves its attribute unset; nothing is lost)."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest

from bitbucket_client import UNSET
from bitbucket_client.cloud.models import Account, AnyRef, Branch, Commit, Link, RepositoryLinks, Tag
from bitbucket_client.webhooks import cloud, parse_event

ODD_VALUES: list[Any] = [None, 0, 1.5, True, "text", [], [None, 1], {}, {"x": {"y": []}}]


def test_a_review_decodes_who_and_when_and_keeps_the_json() -> None:
    body = {"user": {"display_name": "Mei", "account_id": "62a1"}, "date": "2024-05-30T10:00:00.0001+00:00"}
    review = cloud.Review.from_dict(body)
    assert isinstance(review.user, Account) and review.user.account_id == "62a1"
    assert review.date == datetime.datetime(2024, 5, 30, 10, 0, 0, 100, tzinfo=datetime.UTC)
    assert review.raw is body


def test_a_date_that_is_not_iso_8601_stays_unset() -> None:
    assert cloud.Review.from_dict({"date": "yesterday"}).date is UNSET
    assert cloud.Review.from_dict({"date": 1717056842}).date is UNSET


def test_push_change_refs_decode_by_type() -> None:
    def change(kind: str) -> cloud.PushChange:
        return cloud.PushChange.from_dict({"new": {"type": kind, "name": "x"}, "old": None})

    assert isinstance(change("branch").new, Branch)
    assert isinstance(change("named_branch").new, Branch)
    assert isinstance(change("tag").new, Tag)
    assert isinstance(change("annotated_tag").new, AnyRef)  # a kind this version does not know
    assert change("branch").old is None


def test_push_change_links_and_commits() -> None:
    body = {
        "links": {"html": {"href": "https://bitbucket.org/ws/r/branches/compare/a..b"}, "diff": "nope"},
        "commits": [{"hash": "a1"}, "not a commit", {"hash": "b2"}],
        "truncated": "yes",
    }
    change = cloud.PushChange.from_dict(body)
    assert isinstance(change.links, cloud.PushChangeLinks)
    assert isinstance(change.links.html, Link)
    assert change.links.html.href == "https://bitbucket.org/ws/r/branches/compare/a..b"
    assert change.links.diff is UNSET and change.links.raw["diff"] == "nope"
    assert [commit.hash_ for commit in change.commits] == ["a1", "b2"]
    assert all(isinstance(commit, Commit) for commit in change.commits)
    assert change.truncated is UNSET and change.raw["truncated"] == "yes"
    assert change.new is None and change.old is None and change.ref_name is None


def test_text_and_flag_changes_tell_null_from_missing() -> None:
    text = cloud.TextChange.from_dict({"old": None, "new": "https://example.com"})
    assert (text.old, text.new) == (None, "https://example.com")
    assert cloud.TextChange.from_dict({"new": "x"}).old is UNSET
    flag = cloud.FlagChange.from_dict({"old": True, "new": "false"})
    assert flag.old is True and flag.new is UNSET


def test_an_account_change_is_an_account_or_an_older_payloads_name() -> None:
    body = {"old": "jberg", "new": {"display_name": "Priya", "nickname": "priya"}}
    change = cloud.AccountChange.from_dict(body)
    assert change.old == "jberg"
    assert isinstance(change.new, Account) and change.new.nickname == "priya"


def test_repository_changes_type_each_changed_attribute() -> None:
    body = {
        "name": {"old": "tomlkit", "new": "tomlkit-lite"},
        "links": {"old": {"html": {"href": "https://bitbucket.org/ws/tomlkit"}}, "new": None},
        "is_private": {"old": True, "new": False},
        "mystery": {"old": 1, "new": 2},
    }
    changes = cloud.RepositoryChanges.from_dict(body)
    assert changes.name is not UNSET and (changes.name.old, changes.name.new) == ("tomlkit", "tomlkit-lite")
    assert changes.links is not UNSET and isinstance(changes.links.old, RepositoryLinks)
    assert changes.links.new is None
    assert changes.is_private is not UNSET and changes.is_private.new is False
    assert changes.description is UNSET
    assert changes.raw["mystery"] == {"old": 1, "new": 2}  # not typed, not lost


@pytest.mark.parametrize(
    "part",
    [
        cloud.Review,
        cloud.PushChange,
        cloud.PushChangeLinks,
        cloud.TextChange,
        cloud.FlagChange,
        cloud.AccountChange,
        cloud.RepositoryLinksChange,
        cloud.RepositoryChanges,
        cloud.ProjectChanges,
        cloud.IssueChanges,
    ],
)
def test_parts_never_raise_on_odd_values(part: Any) -> None:
    keys = [field for field in part.__attrs_attrs__ if field.name != "raw"]
    for value in ODD_VALUES:
        body = {field.name: value for field in keys}
        decoded = part.from_dict(body)
        assert decoded.raw == body


@pytest.mark.parametrize("value", ODD_VALUES)
def test_update_events_with_odd_changes_decode_to_empty_changes(value: Any) -> None:
    for key, changes_class in (
        ("repo:updated", cloud.RepositoryChanges),
        ("issue:updated", cloud.IssueChanges),
        ("project:updated", cloud.ProjectChanges),
    ):
        event = parse_event({"X-Event-Key": key}, json.dumps({"changes": value}).encode())
        assert isinstance(event.changes, changes_class)  # type: ignore[attr-defined]
        assert event.raw == {"changes": value}
