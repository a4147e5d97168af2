"""A webhook receiver as a plain ASGI application: no web framework needed.

``WebhookApp(handle, secret=...)`` answers every POST: it reads the body (stopping past the size limit),
verifies and parses it with :func:`~bitbucket_client.webhooks.unwrap`, drops a redelivery it has already
handled (same ``X-Request-UUID``/``X-Request-Id``), awaits ``handle(event)``, and answers 204. Bad
deliveries get the status each error calls for (401 signature, 400 payload, 413 too large), any other
method 405; an exception in ``handle`` is logged and answered 500, so Bitbucket Cloud tries again.
Serve it with any ASGI server (``uvicorn module:app``) or mount it inside a larger ASGI application.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ._base import WebhookEvent
from ._errors import InvalidPayloadError, PayloadTooLargeError, SignatureError
from ._parse import DEFAULT_MAX_BODY_SIZE, unwrap

__all__ = ["WebhookApp", "WebhookHandler"]

logger = logging.getLogger("bitbucket_client.webhooks")

WebhookHandler = Callable[[WebhookEvent], Awaitable[None]]
"""What :class:`WebhookApp` calls with each verified event."""

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_REMEMBERED_DELIVERIES = 1000


class WebhookApp:
    """An ASGI application that verifies Bitbucket webhook deliveries and hands each event to ``handle``.

    ``secret`` is the webhook's secret; without one, pass ``allow_unsigned=True`` (anyone who can reach
    the URL can then send events). ``handle`` should be quick: Bitbucket waits about ten seconds for the
    answer. ``handled`` counts the events handed over; a redelivery of one of the last thousand, or of
    one still being handled, is answered 204 without calling ``handle`` again.
    """

    def __init__(
        self,
        handle: WebhookHandler,
        *,
        secret: str | bytes | None,
        allow_unsigned: bool = False,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    ) -> None:
        if not secret and not allow_unsigned:
            raise ValueError(
                "give the webhook's secret, or allow_unsigned=True to accept unsigned deliveries"
            )
        self._handle = handle
        self._secret = secret or None
        self._allow_unsigned = allow_unsigned
        self._max_body_size = max_body_size
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._in_flight: set[str] = set()
        self.handled = 0
        """How many events ``handle`` was called with."""

    def __repr__(self) -> str:
        return f"WebhookApp({self._handle!r}, secret={'***' if self._secret else None})"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            raise RuntimeError(f"WebhookApp serves HTTP, not {scope['type']!r}")
        if scope["method"] != "POST":
            await _answer(send, 405, "only POST is accepted", [(b"allow", b"POST")])
            return
        body = await _read_body(receive, self._max_body_size)
        if body is None:
            await _answer(send, 413, "the body is too large")
            return
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        status, text = await self._deliver(headers, body)
        await _answer(send, status, text)

    async def _deliver(self, headers: dict[str, str], body: bytes) -> tuple[int, str]:
        try:
            event = unwrap(
                headers,
                body,
                self._secret,
                allow_unsigned=self._allow_unsigned,
                max_body_size=self._max_body_size,
            )
        except SignatureError as error:
            return 401, str(error)
        except PayloadTooLargeError as error:
            return 413, str(error)
        except InvalidPayloadError as error:
            return 400, str(error)
        request_id = event.delivery.request_id
        if request_id is not None and (request_id in self._seen or request_id in self._in_flight):
            return 204, ""  # handled, or being handled: a redelivery must not act twice
        if request_id is not None:
            self._in_flight.add(request_id)
        try:
            await self._handle(event)
        except Exception:
            logger.exception("the webhook handler failed on %s", event.event_key)
            return 500, "the handler failed"
        finally:
            self._in_flight.discard(request_id or "")
        self.handled += 1
        if request_id is not None:  # remembered only once handled, so a failed delivery is retried
            self._seen[request_id] = None
            if len(self._seen) > _REMEMBERED_DELIVERIES:
                self._seen.popitem(last=False)
        return 204, ""


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None as soon as it grows past ``limit`` (chunked bodies included)."""
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return bytes(body)
        body += message.get("body", b"")
        if len(body) > limit:
            return None
        if not message.get("more_body", False):
            return bytes(body)


async def _answer(
    send: Send, status: int, text: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    content = text.encode()
    response_headers = [(b"content-type", b"text/plain; charset=utf-8"), *(headers or [])]
    if status != 204:
        response_headers.append((b"content-length", str(len(content)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": response_headers})
    await send({"type": "http.response.body", "body": b"" if status == 204 else content})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
