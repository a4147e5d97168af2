"""Delivery metadata: who sent an event, which attempt it is, and when; and case-insensitive headers.

Cloud sends ``X-Event-Key``, ``X-Hook-UUID``, ``X-Request-UUID`` and ``X-Attempt-Number``; Data Center
sends ``X-Event-Key`` and ``X-Request-Id`` and repeats ``eventKey``, ``date`` and ``actor`` in the body.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any, Literal

import attrs

__all__ = ["Delivery", "Product", "build_delivery", "get_header"]

Product = Literal["cloud", "server"]

_CLOUD_HEADERS = ("x-hook-uuid", "x-request-uuid", "x-attempt-number")


@attrs.frozen(kw_only=True)
class Delivery:
    """How one event reached the receiver.

    ``request_id`` is unique per delivery (Cloud ``X-Request-UUID``, Data Center ``X-Request-Id``): use
    it to drop redeliveries. ``hook_id`` is the Cloud webhook's ``X-Hook-UUID``. ``attempt`` is Cloud's
    ``X-Attempt-Number`` (1 for the first try). ``date`` is when the event happened (Data Center body
    ``date``, epoch milliseconds or ISO-8601), else the request's ``Date`` header. ``verified`` is true
    only when :func:`~bitbucket_client.webhooks.unwrap` checked the signature. Values the sender did not
    give are ``None``.
    """

    event_key: str
    product: Product | None = None
    request_id: str | None = None
    hook_id: str | None = None
    attempt: int | None = None
    date: datetime.datetime | None = None
    verified: bool = False


def get_header(headers: Mapping[str, str], name: str) -> str | None:
    """``headers[name]`` ignoring case, for any mapping (Starlette, aiohttp, httpx, or a plain dict)."""
    for candidate in (name, name.lower()):
        value = headers.get(candidate)
        if value is not None:
            return value
    lowered = name.lower()
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == lowered:
            return value
    return None


def build_delivery(
    event_key: str,
    headers: Mapping[str, str],
    payload: Mapping[str, Any],
    *,
    product: Product | None,
    verified: bool = False,
) -> Delivery:
    if product is None:
        product = _guess_product(headers, payload)
    request_id = _text(get_header(headers, "X-Request-UUID")) or _text(get_header(headers, "X-Request-Id"))
    # Data Center repeats the event's date in the body; Cloud has none (only, maybe, the HTTP Date header).
    date = _date(payload.get("date")) if product != "cloud" else None
    return Delivery(
        event_key=event_key,
        product=product,
        request_id=request_id,
        hook_id=_text(get_header(headers, "X-Hook-UUID")),
        attempt=_attempt(get_header(headers, "X-Attempt-Number")),
        date=date or _http_date(get_header(headers, "Date")),
        verified=verified,
    )


def _guess_product(headers: Mapping[str, str], payload: Mapping[str, Any]) -> Product | None:
    """For keys neither table knows: Cloud-only headers, or Data Center's ``eventKey`` in the body."""
    if any(get_header(headers, name) is not None for name in _CLOUD_HEADERS):
        return "cloud"
    if "eventKey" in payload or get_header(headers, "X-Request-Id") is not None:
        return "server"
    return None


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _attempt(value: str | None) -> int | None:
    text = _text(value)
    if text is None or not text.isdigit():
        return None
    return int(text)


def _date(value: Any) -> datetime.datetime | None:
    """Data Center's ``date``: ISO-8601 (``2024-05-01T10:00:00+1000``) or epoch milliseconds."""
    if isinstance(value, str):
        try:
            parsed = datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        return parsed
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.datetime.fromtimestamp(value / 1000, tz=datetime.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return None


def _http_date(value: str | None) -> datetime.datetime | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
