"""Data Center payloads are typed all the way down: the event's own date and key, the hand-written parts
(ref changes, secret locations) and the REST entities inside (authors, links, refs)."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from webhook_testkit import load_body

from bitbucket_client._types import UNSET, Unset
from bitbucket_client.server._generated.models import RestBranch, RestLink, RestMinimalRef, RestRepository
from bitbucket_client.webhooks import parse_event, server

SYDNEY = datetime.timezone(datetime.timedelta(hours=10))


def parse(key: str, body: dict[str, Any]) -> server.ServerEvent:
    event = parse_event({"X-Event-Key": key, "X-Request-Id": "r-1"}, json.dumps(body).encode())
    assert isinstance(event, server.ServerEvent)
    return event


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("2024-05-02T09:45:32+1000", datetime.datetime(2024, 5, 2, 9, 45, 32, tzinfo=SYDNEY)),
        (1714607132000, datetime.datetime(2024, 5, 1, 23, 45, 32, tzinfo=datetime.UTC)),
    ],
)
def test_the_body_date_is_a_datetime_of_either_generation(date: object, expected: datetime.datetime) -> None:
    event = parse("repo:forked", {"eventKey": "repo:forked", "date": date})
    assert event.date == expected
    assert event.payload_event_key == "repo:forked"


@pytest.mark.parametrize("date", ["yesterday", True, None, {"at": 1}])
def test_an_unreadable_date_is_unset_and_kept_in_raw(date: object) -> None:
    event = parse("repo:forked", {"eventKey": "repo:forked", "date": date})
    assert event.date is UNSET
    assert event.raw["date"] == date


def test_ref_changes_read_their_camel_case_keys() -> None:
    change = server.RefChange.from_dict(
        {
            "ref": {"id": "refs/tags/v2", "displayId": "v2", "type": "TAG"},
            "refId": "refs/tags/v2",
            "fromHash": "0" * 40,
            "toHash": "a" * 40,
            "type": "ADD",
        }
    )
    assert isinstance(change.ref, RestMinimalRef) and change.ref.display_id == "v2"
    assert (change.ref_id, change.from_hash, change.to_hash, change.type) == (
        "refs/tags/v2",
        "0" * 40,
        "a" * 40,
        "ADD",
    )


def test_a_part_with_values_of_the_wrong_type_keeps_them_in_raw() -> None:
    data = {"ref": "refs/heads/main", "refId": 7, "fromHash": None, "line": "12"}
    change = server.RefChange.from_dict(data)
    assert (change.ref, change.ref_id, change.from_hash) == (UNSET, UNSET, UNSET)
    assert change.raw is data
    location = server.SecretLocation.from_dict({"line": "12", "ruleName": ["x"], "commitId": "c0ffee"})
    assert (location.line, location.rule_name, location.commit_id) == (UNSET, UNSET, "c0ffee")


def test_secret_locations_are_typed() -> None:
    location = server.SecretLocation.from_dict(
        {
            "repository": {"slug": "billing", "links": {"self": [{"href": "https://bb/billing"}]}},
            "commitId": "c0ffee",
            "path": "config/stripe.env",
            "line": 3,
            "ruleName": "Stripe API key",
        }
    )
    assert isinstance(location.repository, RestRepository) and location.repository.slug == "billing"
    assert (location.commit_id, location.path, location.line, location.rule_name) == (
        "c0ffee",
        "config/stripe.env",
        3,
        "Stripe API key",
    )


def test_the_previous_target_of_a_modified_pull_request_is_a_branch() -> None:
    body = json.loads(load_body("server", "pr:modified"))
    event = parse("pr:modified", body)
    assert isinstance(event, server.PullRequestModifiedEvent)
    assert isinstance(event.previous_target, RestBranch)
    assert event.previous_target.latest_commit == body["previousTarget"]["latestCommit"]
    assert event.previous_target.latest_changeset == body["previousTarget"]["latestChangeset"]


def test_pull_request_author_and_links_are_typed_in_payloads() -> None:
    body = json.loads(load_body("server", "pr:opened"))
    event = parse("pr:opened", body)
    assert isinstance(event, server.PullRequestEvent) and not isinstance(event.pull_request, Unset)
    author = event.pull_request.author
    assert not isinstance(author, Unset) and not isinstance(author.user, Unset)
    assert author.user.name == body["pullRequest"]["author"]["user"]["name"]
    links = event.pull_request.links
    assert not isinstance(links, Unset) and isinstance(links.self_, list)
    assert links.self_ == [RestLink(href=body["pullRequest"]["links"]["self"][0]["href"])]
    repository = event.repository
    assert not isinstance(repository, Unset) and not isinstance(repository.links, Unset)
    assert [link.name for link in repository.links.clone or []] == ["ssh", "http"]


def test_push_changes_carry_typed_refs() -> None:
    event = parse("repo:refs_changed", json.loads(load_body("server", "repo:refs_changed")))
    assert isinstance(event, server.RefsChangedEvent)
    assert all(isinstance(change.ref, RestMinimalRef) for change in event.changes)
    assert all(change.raw for change in event.changes)
