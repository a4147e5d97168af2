"""`BlockingClient`: the sync client's pipeline sends through an `httpx.Client`, blocking, on the caller's
thread; deadlines cut the timeouts; `sending_in_threads` moves sends to worker threads."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import anyio
import httpx
import pytest

from bitbucket_client import BearerToken
from bitbucket_client._merge import DEADLINE_EXTENSION
from bitbucket_client._sync_http import BlockingClient, sending_in_threads

URL = "https://api.bitbucket.org/2.0/user"


class Recorder(httpx.BaseTransport):
    """A sync transport that answers 200 and remembers each request and the thread that sent it."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.threads: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        self.threads.append(threading.get_ident())
        return httpx.Response(200, json={"ok": True}, headers={"Set-Cookie": "session=abc; Path=/"})


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def blocking(recorder: Recorder) -> Iterator[BlockingClient]:
    client = BlockingClient(httpx.Client(transport=recorder), timeout=7.0, owned=True)
    yield client
    client.close()


def test_a_send_runs_on_the_callers_thread_and_reads_both_ways(
    blocking: BlockingClient, recorder: Recorder
) -> None:
    async def call() -> tuple[bytes, bytes]:
        response = await blocking.send(blocking.build_request("GET", URL))
        streamed = await blocking.send(blocking.build_request("GET", URL), stream=True)
        chunks = b"".join([chunk async for chunk in streamed.aiter_bytes()])
        await streamed.aclose()
        return await response.aread(), chunks

    body, chunks = asyncio.run(call())
    assert body == chunks == b'{"ok":true}'
    assert recorder.threads == [threading.get_ident()] * 2
    assert recorder.requests[0].extensions["timeout"]["read"] == 7.0


def test_requests_carry_the_cookies_the_blocking_client_received(
    blocking: BlockingClient, recorder: Recorder
) -> None:
    async def twice() -> None:
        for _ in range(2):
            await blocking.send(blocking.build_request("GET", URL))

    asyncio.run(twice())
    assert "cookie" not in recorder.requests[0].headers
    assert recorder.requests[1].headers["cookie"] == "session=abc"


def test_an_auth_flow_runs_async_so_an_async_token_provider_works(
    blocking: BlockingClient, recorder: Recorder
) -> None:
    async def token() -> str:
        return "from-a-vault"

    async def call() -> None:
        await blocking.send(blocking.build_request("GET", URL), auth=BearerToken(token))

    asyncio.run(call())
    assert recorder.requests[0].headers["authorization"] == "Bearer from-a-vault"


def test_an_async_body_is_read_before_the_blocking_send(blocking: BlockingClient, recorder: Recorder) -> None:
    class AsyncBody(httpx.AsyncByteStream):
        async def __aiter__(self):  # type: ignore[no-untyped-def]
            yield b"grant_type=client_credentials"

    async def call() -> None:
        request = httpx.Request("POST", URL, stream=AsyncBody(), headers={"Content-Length": "29"})
        await blocking.send(request, follow_redirects=False)

    asyncio.run(call())
    assert recorder.requests[0].content == b"grant_type=client_credentials"


def test_the_event_hooks_of_a_users_client_see_every_request(recorder: Recorder) -> None:
    seen: list[str] = []
    users = httpx.Client(transport=recorder, event_hooks={"request": [lambda r: seen.append(r.url.path)]})
    client = BlockingClient(users, timeout=5.0, owned=False)

    async def call() -> None:
        await client.send(client.build_request("GET", URL))

    asyncio.run(call())
    client.close()
    assert seen == ["/2.0/user"]
    assert not users.is_closed  # the user's client stays theirs
    users.close()


def test_a_request_with_a_deadline_has_every_timeout_cut_to_the_time_left(
    blocking: BlockingClient, recorder: Recorder
) -> None:
    async def call() -> None:
        deadline = {DEADLINE_EXTENSION: anyio.current_time() + 2.0}  # as the pipeline marks it
        await blocking.send(blocking.build_request("GET", URL, extensions=deadline))
        await blocking.send(blocking.build_request("GET", URL))

    asyncio.run(call())
    timeouts = recorder.requests[0].extensions["timeout"]
    assert set(timeouts) == {"connect", "read", "write", "pool"}
    assert all(1.5 < value <= 2.0 for value in timeouts.values())
    assert recorder.requests[1].extensions["timeout"]["read"] == 7.0


def test_sending_in_threads_moves_sends_off_the_loop(blocking: BlockingClient, recorder: Recorder) -> None:
    async def call() -> bytes:
        with sending_in_threads():
            responses = await asyncio.gather(
                *(blocking.send(blocking.build_request("GET", URL)) for _ in range(3))
            )
        return b"".join(r.content for r in responses)

    assert asyncio.run(call()) == b'{"ok":true}' * 3
    assert threading.get_ident() not in recorder.threads
    workers = {t for t in threading.enumerate() if t.name.startswith("bitbucket-client-send")}
    assert workers
    blocking.close()
    assert not any(t.is_alive() for t in workers)


def test_a_closed_client_refuses_to_send(recorder: Recorder) -> None:
    users = httpx.Client(transport=recorder)
    client = BlockingClient(users, timeout=5.0, owned=True)

    async def call() -> None:
        await client.aclose()
        await client.send(client.build_request("GET", URL))

    with pytest.raises(RuntimeError, match="closed"):
        asyncio.run(call())
    assert users.is_closed
