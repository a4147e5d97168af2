"""A Bitbucket webhook receiver for Starlette (for FastAPI, see docs/webhooks.md: the route body is the same).

Run it (with uvicorn installed):
    BITBUCKET_WEBHOOK_SECRET=... uvicorn --factory webhook_starlette:app_from_env
and point the webhook (Cloud or Data Center) at http://<host>:8000/bitbucket/webhook.
"""

from __future__ import annotations

import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bitbucket_client.webhooks import (
    DEFAULT_MAX_BODY_SIZE,
    InvalidPayloadError,
    PayloadTooLargeError,
    SignatureError,
    WebhookEvent,
    cloud,
    server,
    unwrap,
)


def handle(event: WebhookEvent) -> dict[str, object]:
    """Your logic goes here. Keep it fast: Bitbucket waits about 10 s, then retries (Cloud) or gives up.
    Slow work belongs in a queue. This one returns a summary so the example can be tested."""
    match event:
        case cloud.RepoPushEvent(changes=changes):
            return {"refs": [change.ref_name for change in changes]}
        case server.RefsChangedEvent(changes=changes):
            return {"refs": [change.ref_id for change in changes]}
        case cloud.PullRequestEvent(pullrequest=pr):
            return {"pull_request": pr.id if pr else None}
        case server.PullRequestEvent(pull_request=pr):
            return {"pull_request": pr.id if pr else None}
        case server.PingEvent():
            return {"ping": True}
        case _:
            return {}


async def read_body(request: Request, limit: int) -> bytes | None:
    """The raw body, or None once it grows past ``limit`` (also catches chunked uploads)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def create_app(secret: str, *, max_body_size: int = DEFAULT_MAX_BODY_SIZE) -> Starlette:
    async def receive(request: Request) -> Response:
        body = await read_body(request, max_body_size)
        if body is None:
            return Response("payload too large", status_code=413)
        try:
            # Verify the signature on the exact bytes received, then parse. Never json-decode first.
            event = unwrap(request.headers, body, secret, max_body_size=max_body_size)
        except SignatureError:
            return Response("invalid signature", status_code=401)
        except PayloadTooLargeError:
            return Response("payload too large", status_code=413)
        except InvalidPayloadError as exc:
            return Response(str(exc), status_code=400)
        # event.delivery.request_id is unique per delivery: use it to ignore Cloud's retries.
        return JSONResponse({"event": event.event_key, "verified": event.delivery.verified, **handle(event)})

    return Starlette(routes=[Route("/bitbucket/webhook", receive, methods=["POST"])])


def app_from_env() -> Starlette:
    return create_app(os.environ["BITBUCKET_WEBHOOK_SECRET"])
