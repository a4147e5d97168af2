"""WebhookApp, the plain ASGI receiver: answers by what is wrong with a delivery, hands each verified event
to the handler once (redeliveries dropped), and retries stay possible after a handler failure."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from bitbucket_client.webhooks import WebhookApp, WebhookEvent, cloud, server, sign

SECRET = "s3cret-for-tests"
PUSH = json.dumps(
    {"push": {"changes": [{"new": {"type": "branch", "name": "feature"}, "old": None}]}}
).encode()


def cloud_headers(body: bytes, *, request_id: str = "req-1", secret: str = SECRET) -> dict[str, str]:
    return {
        "X-Event-Key": "repo:push",
        "X-Request-UUID": request_id,
        "X-Hook-UUID": "hook-1",
        "X-Hub-Signature": sign(secret, body),
        "Content-Type": "application/json",
    }


class Recorder:
    def __init__(self, fail: int = 0) -> None:
        self.events: list[WebhookEvent] = []
        self.fail = fail

    async def __call__(self, event: WebhookEvent) -> None:
        if self.fail:
            self.fail -= 1
            raise RuntimeError("the environment API is down")
        self.events.append(event)


def client(app: WebhookApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://receiver")


async def test_a_signed_delivery_reaches_the_handler_as_a_typed_event() -> None:
    handler = Recorder()
    app = WebhookApp(handler, secret=SECRET)
    async with client(app) as http:
        response = await http.post("/hook", content=PUSH, headers=cloud_headers(PUSH))
    assert response.status_code == 204
    [event] = handler.events
    assert isinstance(event, cloud.RepoPushEvent)
    assert event.delivery.verified and [c.ref_name for c in event.changes] == ["feature"]
    assert app.handled == 1


async def test_a_data_center_delivery_too() -> None:
    handler = Recorder()
    body = json.dumps({"eventKey": "pr:opened", "pullRequest": {"id": 7, "title": "Cart"}}).encode()
    headers = {"X-Event-Key": "pr:opened", "X-Request-Id": "dc-1", "X-Hub-Signature": sign(SECRET, body)}
    async with client(WebhookApp(handler, secret=SECRET)) as http:
        assert (await http.post("/", content=body, headers=headers)).status_code == 204
    [event] = handler.events
    assert isinstance(event, server.PullRequestEvent) and event.pull_request
    assert event.pull_request.id == 7


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({"X-Event-Key": "repo:push"}, PUSH, 401),  # no signature
        (cloud_headers(PUSH, secret="wrong"), PUSH, 401),
        (cloud_headers(b"not json"), b"not json", 400),
        ({"X-Hub-Signature": sign(SECRET, b"{}")}, b"{}", 400),  # no event key
    ],
)
async def test_bad_deliveries_get_their_status_and_never_reach_the_handler(
    headers: dict[str, str], body: bytes, status: int
) -> None:
    handler = Recorder()
    async with client(WebhookApp(handler, secret=SECRET)) as http:
        response = await http.post("/", content=body, headers=headers)
    assert response.status_code == status
    assert SECRET not in response.text
    assert handler.events == []


async def test_a_body_over_the_limit_is_cut_off_with_413() -> None:
    handler = Recorder()

    async def chunks() -> Any:
        for _ in range(10):
            yield b"x" * 100

    async with client(WebhookApp(handler, secret=SECRET, max_body_size=500)) as http:
        response = await http.post("/", content=chunks(), headers={"X-Event-Key": "repo:push"})
    assert response.status_code == 413
    assert handler.events == []


async def test_other_methods_get_405() -> None:
    async with client(WebhookApp(Recorder(), secret=SECRET)) as http:
        response = await http.get("/")
    assert response.status_code == 405 and response.headers["allow"] == "POST"


async def test_a_redelivery_is_answered_without_handling_it_twice() -> None:
    handler = Recorder()
    async with client(WebhookApp(handler, secret=SECRET)) as http:
        for _ in range(2):
            assert (await http.post("/", content=PUSH, headers=cloud_headers(PUSH))).status_code == 204
        await http.post("/", content=PUSH, headers=cloud_headers(PUSH, request_id="req-2"))
    assert len(handler.events) == 2


async def test_a_redelivery_arriving_while_the_first_is_handled_is_not_handled_twice() -> None:
    started, release = anyio.Event(), anyio.Event()
    calls: list[str] = []

    async def slow(event: WebhookEvent) -> None:
        calls.append(event.event_key)
        started.set()
        await release.wait()

    statuses: list[int] = []
    async with client(WebhookApp(slow, secret=SECRET)) as http:

        async def post() -> None:
            statuses.append((await http.post("/", content=PUSH, headers=cloud_headers(PUSH))).status_code)

        async with anyio.create_task_group() as group:
            group.start_soon(post)
            await started.wait()
            await post()  # the redelivery, while the first is still being handled
            release.set()
    assert calls == ["repo:push"] and statuses == [204, 204]


async def test_a_failing_handler_answers_500_and_the_retry_is_handled(
    caplog: pytest.LogCaptureFixture,
) -> None:
    handler = Recorder(fail=1)
    async with client(WebhookApp(handler, secret=SECRET)) as http:
        with caplog.at_level(logging.ERROR, logger="bitbucket_client.webhooks"):
            first = await http.post("/", content=PUSH, headers=cloud_headers(PUSH))
        second = await http.post("/", content=PUSH, headers=cloud_headers(PUSH))
    assert (first.status_code, second.status_code) == (500, 204)
    assert "the webhook handler failed on repo:push" in caplog.text
    assert len(handler.events) == 1


async def test_unsigned_deliveries_only_when_allowed() -> None:
    with pytest.raises(ValueError, match="secret"):
        WebhookApp(Recorder(), secret=None)
    handler = Recorder()
    app = WebhookApp(handler, secret=None, allow_unsigned=True)
    async with client(app) as http:
        response = await http.post("/", content=PUSH, headers={"X-Event-Key": "repo:push"})
    assert response.status_code == 204 and not handler.events[0].delivery.verified
    assert "s3cret" not in repr(WebhookApp(handler, secret=SECRET))


async def test_lifespan_messages_are_answered() -> None:
    sent: list[dict[str, Any]] = []
    messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])

    async def receive() -> dict[str, Any]:
        return next(messages)

    async def send(message: Any) -> None:
        sent.append(dict(message))

    await WebhookApp(Recorder(), secret=SECRET)({"type": "lifespan"}, receive, send)
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


async def test_the_guides_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    guide = (Path(__file__).resolve().parents[2] / "docs" / "webhooks.md").read_text()
    [block] = [b for b in re.findall(r"```python\n(.*?)```", guide, flags=re.S) if "WebhookApp(" in b]
    namespace: dict[str, Any] = {}
    exec(compile(block, "webhooks.md#WebhookApp", "exec"), namespace)
    async with client(namespace["app"]) as http:
        response = await http.post(
            "/", content=PUSH, headers=cloud_headers(PUSH, secret="the webhook's secret")
        )
    assert response.status_code == 204
    assert capsys.readouterr().out == "['feature']\n"
