"""parse_event and unwrap: unknown keys, headers of every shape, bad bodies, size limits, leniency."""

from __future__ import annotations

import datetime
import json
from typing import Any

import attrs
import httpx
import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from starlette.datastructures import Headers
from webhook_testkit import SECRET, cloud_headers, load_body, server_headers

from bitbucket_client._types import Unset
from bitbucket_client.webhooks import (
    DEFAULT_MAX_BODY_SIZE,
    GenericEvent,
    InvalidPayloadError,
    MissingEventKeyError,
    MissingSignatureError,
    PayloadTooLargeError,
    SecretRequiredError,
    SignatureMismatchError,
    WebhookEvent,
    cloud,
    parse_event,
    server,
    sign,
    unwrap,
)

PUSH = load_body("cloud", "repo:push")
PING = b'{"test": true}'


# ---- unknown keys ----------------------------------------------------------------------------------


def test_an_unknown_cloud_key_gives_a_generic_event_with_the_raw_payload() -> None:
    body = json.dumps({"actor": {"display_name": "Ada"}, "widget": {"id": 1}}).encode()
    event = parse_event(cloud_headers("repo:widget_polished"), body)
    assert type(event) is GenericEvent
    assert event.event_key == "repo:widget_polished"
    assert event.raw == {"actor": {"display_name": "Ada"}, "widget": {"id": 1}}
    assert event.delivery.product == "cloud" and event.delivery.attempt == 1


def test_an_unknown_data_center_key_is_recognised_by_its_body() -> None:
    body = json.dumps({"eventKey": "pr:reaction:added", "date": "2025-01-02T03:04:05+0100"}).encode()
    event = parse_event({"X-Event-Key": "pr:reaction:added"}, body)
    assert type(event) is GenericEvent and event.product == "server"
    assert event.delivery.date == datetime.datetime.fromisoformat("2025-01-02T03:04:05+01:00")


def test_an_unknown_key_from_an_unknown_sender() -> None:
    event = parse_event({"X-Event-Key": "thing:happened"}, b"{}")
    assert type(event) is GenericEvent and event.product is None and event.raw == {}


# ---- headers ---------------------------------------------------------------------------------------


def header_shapes(headers: dict[str, str]) -> list[Any]:
    return [
        headers,
        {k.lower(): v for k, v in headers.items()},
        {k.upper(): v for k, v in headers.items()},
        httpx.Headers(headers),
        Headers(headers=headers),
        CIMultiDictProxy(CIMultiDict(headers)),
    ]


@pytest.mark.parametrize("shape", range(6))
def test_headers_are_read_case_insensitively_from_any_mapping(shape: int) -> None:
    headers = header_shapes(cloud_headers("repo:push", PUSH))[shape]
    event = unwrap(headers, PUSH, SECRET)
    assert isinstance(event, cloud.RepoPushEvent)
    assert event.delivery.request_id == "{e1d2c3b4-a596-4877-8695-a4b3c2d1e0f9}"
    assert event.delivery.hook_id == "{3f9d2b1c-6a5e-4d7f-8b0a-1c2d3e4f5a6b}"


def test_mixed_case_header_names_in_a_plain_dict() -> None:
    headers = {"x-EVENT-key": "repo:push", "X-hub-SIGNATURE": sign(SECRET, PUSH), "x-attempt-NUMBER": " 3 "}
    event = unwrap(headers, PUSH, SECRET)
    assert isinstance(event, cloud.RepoPushEvent) and event.delivery.attempt == 3


def test_the_event_key_falls_back_to_the_data_center_body() -> None:
    body = load_body("server", "pr:opened")
    event = parse_event({}, body)
    assert isinstance(event, server.PullRequestEvent) and event.event_key == "pr:opened"


def test_no_event_key_anywhere_is_an_error() -> None:
    with pytest.raises(MissingEventKeyError):
        parse_event({"X-Event-Key": "  "}, b'{"a": 1}')
    assert issubclass(MissingEventKeyError, InvalidPayloadError)


def test_odd_delivery_headers_are_ignored() -> None:
    headers = cloud_headers("repo:push") | {"X-Attempt-Number": "second", "Date": "not a date"}
    delivery = parse_event(headers, PUSH).delivery
    assert delivery.attempt is None and delivery.date is None


def test_the_http_date_header_is_the_fallback_date() -> None:
    headers = cloud_headers("repo:push") | {"Date": "Wed, 01 May 2024 10:00:00 GMT"}
    assert parse_event(headers, PUSH).delivery.date == datetime.datetime(2024, 5, 1, 10, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (1714557600000, datetime.datetime(2024, 5, 1, 10, tzinfo=datetime.UTC)),
        ("2024-05-01T20:00:00+1000", datetime.datetime(2024, 5, 1, 10, tzinfo=datetime.UTC)),
        ("2024-05-01T10:00:00Z", datetime.datetime(2024, 5, 1, 10, tzinfo=datetime.UTC)),
        ("yesterday", None),
        (True, None),
        (None, None),
    ],
)
def test_data_center_dates(date: object, expected: datetime.datetime | None) -> None:
    body = json.dumps({"eventKey": "pr:opened", "date": date}).encode()
    assert parse_event(server_headers("pr:opened"), body).delivery.date == expected


# ---- bad bodies ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty"),
        (b" \n\t ", "empty"),
        (b"{not json", "not valid JSON"),
        (b'{"a": 1', "not valid JSON"),
        (b"\xff\xfe\xfa", "not"),
        (b"[1, 2]", "not an array"),
        (b'"text"', "not a string"),
        (b"null", "not null"),
        (b"42", "not a number"),
        (b"true", "not a boolean"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_bodies_that_are_not_a_json_object_are_clear_errors(body: bytes, message: str) -> None:
    with pytest.raises(InvalidPayloadError, match=message):
        parse_event(cloud_headers("repo:push"), body)


def test_bad_json_errors_do_not_echo_the_body() -> None:
    with pytest.raises(InvalidPayloadError) as info:
        parse_event(cloud_headers("repo:push"), b'{"password": "hunter2"')
    assert "hunter2" not in str(info.value)


def test_the_default_size_limit_is_10_mb() -> None:
    assert DEFAULT_MAX_BODY_SIZE == 10 * 1024 * 1024
    at_limit = b"{}" + b" " * (DEFAULT_MAX_BODY_SIZE - 2)
    assert isinstance(parse_event(cloud_headers("repo:created"), at_limit), cloud.RepositoryEvent)
    with pytest.raises(PayloadTooLargeError) as info:
        parse_event(cloud_headers("repo:created"), at_limit + b" ")
    assert (info.value.size, info.value.limit) == (DEFAULT_MAX_BODY_SIZE + 1, DEFAULT_MAX_BODY_SIZE)
    assert "10485761 bytes" in str(info.value)


def test_the_size_limit_is_configurable() -> None:
    with pytest.raises(PayloadTooLargeError):
        parse_event(cloud_headers("repo:push"), PUSH, max_body_size=100)
    with pytest.raises(PayloadTooLargeError):
        unwrap(cloud_headers("repo:push", PUSH), PUSH, SECRET, max_body_size=100)
    big = b"{}" + b" " * (DEFAULT_MAX_BODY_SIZE + 10)
    assert isinstance(parse_event(cloud_headers("repo:created"), big, max_body_size=None), WebhookEvent)


def test_unwrap_checks_the_size_before_hashing() -> None:
    headers = cloud_headers("repo:push") | {"X-Hub-Signature": "sha256=" + "0" * 64}
    with pytest.raises(PayloadTooLargeError):
        unwrap(headers, b" " * (DEFAULT_MAX_BODY_SIZE + 1), SECRET)


# ---- leniency --------------------------------------------------------------------------------------


def test_odd_values_never_raise_and_are_kept() -> None:
    payload = {
        "actor": None,
        "repository": "analytical/engine",
        "pullrequest": {"id": "42", "title": 7, "state": "QUEUED", "author": [], "brand_new": {"x": 1}},
        "approval": {"date": "soon", "user": "charles"},
    }
    event = parse_event(cloud_headers("pullrequest:approved"), json.dumps(payload).encode())
    assert isinstance(event, cloud.PullRequestApprovalEvent)
    assert isinstance(event.actor, Unset) and isinstance(event.repository, Unset)
    pr = event.pullrequest
    assert not isinstance(pr, Unset)
    assert isinstance(pr.id, Unset) and pr.additional_properties["id"] == "42"
    assert isinstance(pr.title, Unset) and pr["title"] == 7
    assert pr.state == "QUEUED"  # an undocumented enum value comes through as str
    assert pr["brand_new"] == {"x": 1}
    assert not isinstance(event.approval, Unset)
    assert isinstance(event.approval.date, Unset) and isinstance(event.approval.user, Unset)
    assert event.raw == payload


def test_odd_collections_never_raise() -> None:
    body = json.dumps(
        {"push": {"changes": [None, 3, {"new": "main", "old": {"type": "bookmark", "name": "b"}}]}}
    )
    event = parse_event(cloud_headers("repo:push"), body.encode())
    assert isinstance(event, cloud.RepoPushEvent)
    (change,) = event.changes  # entries that are not objects are skipped, and kept in raw
    assert change.new is None and change.ref_name == "b"
    assert event.raw["push"]["changes"][:2] == [None, 3]

    body = json.dumps({"eventKey": "repo:refs_changed", "changes": {"not": "a list"}, "commits": "x"})
    refs = parse_event({}, body.encode())
    assert isinstance(refs, server.RefsChangedEvent) and refs.changes == [] and refs.commits == []


def test_an_empty_object_parses_into_every_event_class() -> None:
    for table in (cloud.EVENT_CLASSES, server.EVENT_CLASSES):
        for key, event_class in table.items():
            event = parse_event({"X-Event-Key": key}, b"{}")
            assert type(event) is event_class


# ---- unwrap ----------------------------------------------------------------------------------------


def test_unwrap_without_a_secret_refuses() -> None:
    for secret in (None, "", b""):
        with pytest.raises(SecretRequiredError, match="allow_unsigned=True"):
            unwrap(cloud_headers("repo:push", PUSH), PUSH, secret)


def test_unwrap_allow_unsigned() -> None:
    event = unwrap(cloud_headers("repo:push"), PUSH, allow_unsigned=True)
    assert isinstance(event, cloud.RepoPushEvent) and event.delivery.verified is False


def test_allow_unsigned_does_not_weaken_a_configured_secret() -> None:
    with pytest.raises(MissingSignatureError):
        unwrap(cloud_headers("repo:push"), PUSH, SECRET, allow_unsigned=True)


def test_a_ping_without_a_signature() -> None:
    headers = {"X-Event-Key": "diagnostics:ping", "X-Request-Id": "abc"}
    event = unwrap(headers, PING, SECRET)
    assert isinstance(event, server.PingEvent) and event.test is True
    assert event.delivery.verified is False  # accepted, but not authenticated

    with pytest.raises(MissingSignatureError):
        unwrap(headers, PING, SECRET, allow_unsigned_ping=False)


def test_a_signed_ping_is_verified() -> None:
    event = unwrap(server_headers("diagnostics:ping", PING), PING, SECRET)
    assert isinstance(event, server.PingEvent) and event.delivery.verified is True


def test_a_ping_with_a_bad_signature_still_fails() -> None:
    headers = server_headers("diagnostics:ping") | {"X-Hub-Signature": sign("wrong", PING)}
    with pytest.raises(SignatureMismatchError):
        unwrap(headers, PING, SECRET)


def test_the_ping_exemption_cannot_smuggle_a_large_payload() -> None:
    body = json.dumps({"test": True, "padding": "x" * 2000}).encode()
    with pytest.raises(MissingSignatureError):
        unwrap({"X-Event-Key": "diagnostics:ping"}, body, SECRET)


def test_other_unsigned_events_are_refused() -> None:
    body = load_body("server", "pr:merged")
    with pytest.raises(MissingSignatureError):
        unwrap(server_headers("pr:merged"), body, SECRET)


# ---- the event objects -----------------------------------------------------------------------------


def test_events_are_frozen_and_their_repr_is_short() -> None:
    event = unwrap(cloud_headers("repo:push", PUSH), PUSH, SECRET)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        event.event_key = "other"  # type: ignore[misc]
    assert "'push':" not in repr(event)  # the raw payload stays out of repr
    assert SECRET not in repr(event)


def test_match_statements_work_on_events() -> None:
    def describe(event: WebhookEvent) -> str:
        match event:
            case cloud.RepoPushEvent(changes=changes):
                return "push " + ",".join(c.ref_name or "?" for c in changes)
            case cloud.PullRequestEvent(pullrequest=pr) if not isinstance(pr, Unset):
                return f"cloud PR #{pr.id}"
            case server.RefsChangedEvent(changes=changes):
                return "refs " + ",".join(str(c.ref_id) for c in changes)
            case server.PullRequestReviewerEvent(participant=participant, previous_status=previous):
                return (
                    f"review {previous} -> {participant.status if not isinstance(participant, Unset) else ''}"
                )
            case server.PullRequestEvent(pull_request=pr) if not isinstance(pr, Unset):
                return f"DC PR #{pr.id}"
            case server.PingEvent():
                return "ping"
            case GenericEvent(event_key=key):
                return "unknown " + key
            case _:
                return "other"

    def cloud_event(key: str) -> WebhookEvent:
        body = load_body("cloud", key)
        return unwrap(cloud_headers(key, body), body, SECRET)

    def server_event(key: str) -> WebhookEvent:
        body = load_body("server", key)
        return unwrap(server_headers(key, body), body, SECRET)

    assert describe(cloud_event("repo:push")) == "push main,v1.0,feature/old-mill"
    assert describe(cloud_event("pullrequest:comment_created")) == "cloud PR #42"
    assert describe(server_event("repo:refs_changed")).startswith("refs refs/heads/main,refs/tags/v1.0")
    assert describe(server_event("pr:merged")) == "DC PR #42"
    assert describe(server_event("pr:reviewer:needs_work")).startswith("review UNAPPROVED -> ")
    assert describe(server_event("diagnostics:ping")) == "ping"
    assert describe(parse_event({"X-Event-Key": "x:y"}, b"{}")) == "unknown x:y"
    assert describe(cloud_event("repo:created")) == "other"


def _nested_repository(depth: int) -> dict[str, Any]:
    repository: dict[str, Any] = {"type": "repository", "full_name": "ws/r0"}
    for level in range(1, depth + 1):
        repository = {"type": "repository", "full_name": f"ws/r{level}", "parent": repository}
    return repository


@pytest.mark.parametrize("depth", [500, 900])
def test_a_deeply_nested_payload_parses_without_recursion_errors(depth: int) -> None:
    body = json.dumps({"repository": _nested_repository(depth), "push": {"changes": []}}).encode()
    event = unwrap(cloud_headers("repo:push"), body, allow_unsigned=True)
    assert isinstance(event, cloud.RepoPushEvent)
    repository = event.repository
    assert not isinstance(repository, Unset) and repository.full_name == f"ws/r{depth}"
    assert event.raw["repository"]["full_name"] == f"ws/r{depth}"


def test_a_payload_too_deep_for_json_is_an_invalid_payload() -> None:
    with pytest.raises(InvalidPayloadError, match="nested too deeply"):
        unwrap(cloud_headers("repo:push"), b'{"a":' * 100_000, allow_unsigned=True)
