"""The receivers of docs/webhooks.md run for real: Starlette over ASGI, aiohttp over its test server."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from aiohttp.test_utils import TestClient, TestServer
from webhook_testkit import SECRET, cloud_headers, load_body, server_headers

from bitbucket_client.webhooks import sign

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
URL = "/bitbucket/webhook"


def load_example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"docs_examples_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


Post = Callable[[dict[str, str], bytes], Awaitable[tuple[int, str]]]


@pytest.fixture
async def starlette_post() -> AsyncIterator[Post]:
    app = load_example("webhook_starlette").create_app(SECRET, max_body_size=64 * 1024)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://receiver") as client:

        async def post(headers: dict[str, str], body: bytes) -> tuple[int, str]:
            response = await client.post(URL, headers=headers, content=body)
            return response.status_code, response.text

        yield post


@pytest.fixture
async def aiohttp_post() -> AsyncIterator[Post]:
    app = load_example("webhook_aiohttp").create_app(SECRET, max_body_size=64 * 1024)
    async with TestClient(TestServer(app)) as client:

        async def post(headers: dict[str, str], body: bytes) -> tuple[int, str]:
            response = await client.post(URL, headers=headers, data=body)
            return response.status, await response.text()

        yield post


@pytest.fixture(params=["starlette", "aiohttp"])
def post(request: pytest.FixtureRequest) -> Post:
    fixture: Post = request.getfixturevalue(f"{request.param}_post")
    return fixture


def as_json(text: str) -> dict[str, Any]:
    data = json.loads(text)
    assert isinstance(data, dict)
    return data


async def test_a_signed_cloud_push(post: Post) -> None:
    body = load_body("cloud", "repo:push")
    status, text = await post(cloud_headers("repo:push", body), body)
    assert status == 200
    assert as_json(text) == {
        "event": "repo:push",
        "verified": True,
        "refs": ["main", "v1.0", "feature/old-mill"],
    }


async def test_a_signed_data_center_pull_request(post: Post) -> None:
    body = load_body("server", "pr:merged")
    status, text = await post(server_headers("pr:merged", body), body)
    assert status == 200
    assert as_json(text) == {"event": "pr:merged", "verified": True, "pull_request": 42}


async def test_a_signed_data_center_push(post: Post) -> None:
    body = load_body("server", "repo:refs_changed")
    status, text = await post(server_headers("repo:refs_changed", body), body)
    assert status == 200
    assert as_json(text)["refs"] == ["refs/heads/main", "refs/tags/v1.0", "refs/heads/feature/old-mill"]


async def test_the_unsigned_test_connection_ping(post: Post) -> None:
    status, text = await post({"X-Event-Key": "diagnostics:ping", "X-Request-Id": "r-1"}, b'{"test": true}')
    assert status == 200
    assert as_json(text) == {"event": "diagnostics:ping", "verified": False, "ping": True}


async def test_an_unknown_event_is_accepted(post: Post) -> None:
    body = b'{"actor": {"display_name": "Ada"}}'
    status, text = await post(cloud_headers("repo:something_new", body), body)
    assert status == 200 and as_json(text) == {"event": "repo:something_new", "verified": True}


@pytest.mark.parametrize(
    "tamper",
    [
        lambda headers, body: (headers, body + b" "),  # body changed after signing
        lambda headers, body: (headers | {"X-Hub-Signature": sign("wrong secret", body)}, body),
        lambda headers, body: ({k: v for k, v in headers.items() if k != "X-Hub-Signature"}, body),
        lambda headers, body: (headers | {"X-Hub-Signature": "sha1=" + "0" * 40}, body),
    ],
    ids=["tampered-body", "wrong-secret", "missing-header", "sha1"],
)
async def test_bad_signatures_get_401(
    post: Post, tamper: Callable[[dict[str, str], bytes], tuple[dict[str, str], bytes]]
) -> None:
    body = load_body("cloud", "pullrequest:created")
    headers, sent = tamper(cloud_headers("pullrequest:created", body), body)
    status, text = await post(headers, sent)
    assert status == 401 and SECRET not in text


async def test_signed_garbage_gets_400(post: Post) -> None:
    for body in (b"", b"not json", b"[1, 2, 3]"):
        status, _ = await post(cloud_headers("repo:push", body), body)
        assert status == 400


async def test_too_large_gets_413(post: Post) -> None:
    body = b'{"padding": "' + b"x" * (64 * 1024) + b'"}'
    status, _ = await post(cloud_headers("repo:push", body), body)
    assert status == 413


def test_the_guide_quotes_the_example_files_verbatim() -> None:
    """The receiver snippets in docs/webhooks.md are excerpts of the files run above, not drifting copies."""
    guide = (EXAMPLES.parent / "webhooks.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", guide, flags=re.S)
    receivers = [block for block in blocks if "async def receive(" in block]
    assert len(receivers) == 2
    for block in receivers:
        name = "webhook_aiohttp" if "web.Request" in block else "webhook_starlette"
        source = {line.strip() for line in (EXAMPLES / f"{name}.py").read_text().splitlines()}
        missing = [line for line in block.splitlines() if line.strip() and line.strip() not in source]
        assert missing == [], f"{name}.py lacks lines the guide shows"
