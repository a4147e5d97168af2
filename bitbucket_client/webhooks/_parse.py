"""From headers and raw body to a typed event: :func:`parse_event`; :func:`unwrap` verifies, then parses."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from . import _cloud_events, _server_events
from ._base import GenericEvent, WebhookEvent
from ._delivery import Product, build_delivery, get_header
from ._errors import InvalidPayloadError, MissingEventKeyError, PayloadTooLargeError, SecretRequiredError
from ._signature import verify_signature

__all__ = ["DEFAULT_MAX_BODY_SIZE", "PING_EVENT_KEY", "parse_event", "unwrap"]

DEFAULT_MAX_BODY_SIZE = 10 * 1024 * 1024
"""10 MB. Bitbucket's own payloads stay far below it (push payloads list at most a few commits)."""

PING_EVENT_KEY = "diagnostics:ping"

_TABLES: tuple[tuple[Product, Mapping[str, type[WebhookEvent]]], ...] = (
    ("cloud", _cloud_events.EVENT_CLASSES),
    ("server", _server_events.EVENT_CLASSES),
)


def parse_event(
    headers: Mapping[str, str], body: bytes, *, max_body_size: int | None = DEFAULT_MAX_BODY_SIZE
) -> WebhookEvent:
    """The typed event for one delivery, chosen by ``X-Event-Key`` (or the body's ``eventKey``).

    Does NOT check the signature: use :func:`unwrap` for requests from the network. An unknown key gives
    a :class:`GenericEvent`. Odd values inside the payload never raise (they stay in ``event.raw`` and the
    models' ``additional_properties``). Raises :class:`PayloadTooLargeError` for a body over
    ``max_body_size`` bytes (``None``: no limit), :class:`InvalidPayloadError` for an empty body, bad
    JSON or a JSON value that is not an object, and :class:`MissingEventKeyError` when nothing names the
    event.
    """
    _check_size(body, max_body_size)
    return _parse(headers, body, verified=False)


def unwrap(
    headers: Mapping[str, str],
    body: bytes,
    secret: str | bytes | None = None,
    *,
    allow_unsigned: bool = False,
    allow_unsigned_ping: bool = True,
    max_body_size: int | None = DEFAULT_MAX_BODY_SIZE,
) -> WebhookEvent:
    """Check the size, verify ``X-Hub-Signature`` against ``secret``, then parse: the one call a
    receiver needs.

    Without a secret it raises :class:`SecretRequiredError`, unless ``allow_unsigned=True`` (for hooks
    configured without a secret; anyone who can reach the URL can then forge events). With a secret, every
    delivery must carry a valid signature, except a Data Center ``diagnostics:ping`` sent without any
    signature header while ``allow_unsigned_ping`` is true: it is returned as a ``PingEvent`` whose
    ``delivery.verified`` is false, so acting only on verified events stays safe. A ping with a bad
    signature still fails. See :func:`verify_signature` and :func:`parse_event` for the errors.
    """
    _check_size(body, max_body_size)
    if secret is None or (isinstance(secret, str | bytes) and not secret):
        if not allow_unsigned:
            raise SecretRequiredError(
                "no webhook secret given: pass the hook's secret, or allow_unsigned=True to accept "
                "deliveries nobody can authenticate"
            )
        return _parse(headers, body, verified=False)
    signature = get_header(headers, "X-Hub-Signature")
    if allow_unsigned_ping and not (signature or "").strip() and _is_ping(headers, body):
        return _parse(headers, body, verified=False)
    verify_signature(secret, body, signature)
    return _parse(headers, body, verified=True)


def _check_size(body: bytes, limit: int | None) -> None:
    if limit is not None and len(body) > limit:
        raise PayloadTooLargeError(len(body), limit)


def _is_ping(headers: Mapping[str, str], body: bytes) -> bool:
    key = get_header(headers, "X-Event-Key")
    # A ping body is {"test": true}: cap what an unsigned ping may make us parse.
    return key is not None and key.strip() == PING_EVENT_KEY and len(body) <= 1024


def _parse(headers: Mapping[str, str], body: bytes, *, verified: bool) -> WebhookEvent:
    payload = _load_object(body)
    event_key = _event_key(headers, payload)
    for product, table in _TABLES:
        event_class = table.get(event_key)
        if event_class is not None:
            delivery = build_delivery(event_key, headers, payload, product=product, verified=verified)
            return event_class.from_payload(payload, delivery)
    delivery = build_delivery(event_key, headers, payload, product=None, verified=verified)
    return GenericEvent.from_payload(payload, delivery)


def _load_object(body: bytes) -> dict[str, Any]:
    if not isinstance(body, bytes | bytearray | memoryview):
        raise TypeError(f"the body must be the raw request bytes, not {type(body).__name__}")
    data = bytes(body)
    if not data.strip():
        raise InvalidPayloadError("the webhook body is empty")
    try:
        payload = json.loads(data)
    except UnicodeDecodeError:
        raise InvalidPayloadError("the webhook body is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InvalidPayloadError(
            f"the webhook body is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    except RecursionError:
        raise InvalidPayloadError("the webhook body is JSON nested too deeply to read") from None
    if not isinstance(payload, dict):
        raise InvalidPayloadError(f"the webhook body must be a JSON object, not {_json_type_name(payload)}")
    return payload


def _event_key(headers: Mapping[str, str], payload: Mapping[str, Any]) -> str:
    header = get_header(headers, "X-Event-Key")
    if header is not None and header.strip():
        return header.strip()
    body_key = payload.get("eventKey")
    if isinstance(body_key, str) and body_key.strip():
        return body_key.strip()
    raise MissingEventKeyError("the delivery has no X-Event-Key header and no eventKey in its body")


def _json_type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array"
