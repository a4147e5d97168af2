"""Webhook deliveries as Bitbucket sends them: one per subscription that wants the event, signed with the
subscription's secret, POSTed to whatever answers at its URL.

Nothing here touches the network: a test registers a *receiver* for a URL (``fake.add_receiver``), a
callable ``(headers, body)`` or an ASGI application, and the fake calls it in-process before the API call
that caused the event returns.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, TypeAlias, cast

import attrs
import httpx

__all__ = ["ASGIApp", "ReceiverCallable", "Receivers", "WebhookReceiver"]

ReceiverCallable: TypeAlias = Callable[[dict[str, str], bytes], Awaitable[int | None] | int | None]
"""A receiver function, sync or async: gets the headers and the raw body, returns the HTTP status it
answers with (``None`` counts as 200)."""

_Message: TypeAlias = MutableMapping[str, Any]
ASGIApp: TypeAlias = Callable[
    [_Message, Callable[[], Awaitable[_Message]], Callable[[_Message], Awaitable[None]]], Awaitable[None]
]
"""An ASGI 3 application (Starlette, FastAPI, Litestar, a plain coroutine ``app(scope, receive, send)``)."""

WebhookReceiver: TypeAlias = ReceiverCallable | ASGIApp
"""What answers the webhook deliveries sent to one URL."""


@attrs.frozen
class _Registered:
    receiver: WebhookReceiver
    asgi: bool


class Receivers:
    """URL → receiver. A URL is matched exactly, as it is written in the subscription."""

    def __init__(self) -> None:
        self._by_url: dict[str, _Registered] = {}

    def add(self, url: str, receiver: WebhookReceiver, *, asgi: bool | None = None) -> None:
        if not callable(receiver):
            raise TypeError(f"a webhook receiver must be callable, got {receiver!r}")
        if not httpx.URL(url).is_absolute_url:
            raise ValueError(f"a receiver's URL must be absolute (as in a subscription), got {url!r}")
        self._by_url[url] = _Registered(receiver, _looks_like_asgi(receiver) if asgi is None else asgi)

    def remove(self, url: str) -> None:
        if self._by_url.pop(url, None) is None:
            raise LookupError(f"no receiver is registered for {url!r}")

    def __contains__(self, url: str) -> bool:
        return url in self._by_url

    async def send(self, url: str, headers: dict[str, str], body: bytes) -> int | None:
        """POST the delivery to the receiver of `url`: its status, or None when nothing is registered
        there (the delivery is recorded, as Bitbucket records a failed one). A receiver's exception
        propagates, so a broken receiver fails the test that drove it."""
        registered = self._by_url.get(url)
        if registered is None:
            return None
        if registered.asgi:
            return await _post_to_asgi(cast("ASGIApp", registered.receiver), url, headers, body)
        outcome = cast("ReceiverCallable", registered.receiver)(dict(headers), body)
        if inspect.isawaitable(outcome):
            outcome = await outcome
        if outcome is None:
            return 200
        if not isinstance(outcome, int) or isinstance(outcome, bool):
            raise TypeError(f"a webhook receiver returns an HTTP status or None, not {outcome!r}")
        return outcome


async def _post_to_asgi(app: ASGIApp, url: str, headers: dict[str, str], body: bytes) -> int:
    transport = httpx.ASGITransport(app=app)
    request = httpx.Request("POST", url, headers=headers, content=body)
    response = await transport.handle_async_request(request)
    await response.aread()
    return response.status_code


def _looks_like_asgi(receiver: object) -> bool:
    """An ASGI app takes three positional arguments (scope, receive, send); a receiver function two."""
    try:
        signature = inspect.signature(receiver)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    positional = [
        p
        for p in signature.parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    ]
    return len(positional) == 3
