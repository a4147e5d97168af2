"""A Bitbucket webhook receiver for aiohttp.

Run it:
    BITBUCKET_WEBHOOK_SECRET=... python webhook_aiohttp.py
and point the webhook (Cloud or Data Center) at http://<host>:8080/bitbucket/webhook.
"""

from __future__ import annotations

import os

from aiohttp import web

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


def create_app(secret: str, *, max_body_size: int = DEFAULT_MAX_BODY_SIZE) -> web.Application:
    async def receive(request: web.Request) -> web.Response:
        # aiohttp refuses bodies over client_max_size with 413 by itself (its default is only 1 MiB).
        body = await request.read()
        try:
            # Verify the signature on the exact bytes received, then parse. Never json-decode first.
            event = unwrap(request.headers, body, secret, max_body_size=max_body_size)
        except SignatureError:
            return web.Response(text="invalid signature", status=401)
        except PayloadTooLargeError:
            return web.Response(text="payload too large", status=413)
        except InvalidPayloadError as exc:
            return web.Response(text=str(exc), status=400)
        # event.delivery.request_id is unique per delivery: use it to ignore Cloud's retries.
        return web.json_response(
            {"event": event.event_key, "verified": event.delivery.verified, **handle(event)}
        )

    app = web.Application(client_max_size=max_body_size)
    app.router.add_post("/bitbucket/webhook", receive)
    return app


if __name__ == "__main__":
    web.run_app(create_app(os.environ["BITBUCKET_WEBHOOK_SECRET"]))
