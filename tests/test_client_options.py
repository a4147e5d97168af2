"""Per-client and per-call options: deadlines, `with_options`, and a closed client (issue #11, item 10)."""

from __future__ import annotations

import time

import anyio
import httpx
import pytest

from bitbucket_client import (
    APITimeoutError,
    BitbucketCloud,
    BitbucketError,
    BitbucketServer,
    RateLimitError,
    ServerError,
)

CLOUD = "https://api.bitbucket.org/2.0"
PR_PATH = "/2.0/repositories/ws/repo/pullrequests/7"


class Slow:
    """A server that takes `delay` seconds to answer, counting the requests it saw."""

    def __init__(self, delay: float, response: httpx.Response | None = None) -> None:
        self.delay = delay
        self.response = response or httpx.Response(200, json={"id": 7})
        self.seen = 0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen += 1
        await anyio.sleep(self.delay)
        return self.response


class Timer:
    def __init__(self) -> None:
        self.start = time.monotonic()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.start


# ---- deadlines ------------------------------------------------------------------------------------


async def test_a_client_deadline_bounds_every_call() -> None:
    slow = Slow(5.0)
    async with BitbucketCloud("T", transport=httpx.MockTransport(slow), deadline=0.2) as bb:
        timer = Timer()
        with pytest.raises(APITimeoutError, match=r"GET /2.0/repositories/ws/repo/pullrequests/7 .*deadline"):
            await bb.pullrequests.get("ws", "repo", 7)
    assert timer.elapsed < 1.0
    assert slow.seen == 1


async def test_request_and_stream_take_a_deadline_of_their_own() -> None:
    slow = Slow(5.0)
    async with BitbucketCloud("T", transport=httpx.MockTransport(slow)) as bb:
        timer = Timer()
        with pytest.raises(APITimeoutError, match="deadline"):
            await bb.request("GET", "/user", deadline=0.1)
        with pytest.raises(APITimeoutError, match="deadline"):
            async with bb.stream("GET", "/user", deadline=0.1):
                pass
    assert timer.elapsed < 1.5


async def test_a_stream_deadline_covers_reading_the_body() -> None:
    class Trickle(httpx.AsyncByteStream):
        async def __aiter__(self):  # type: ignore[no-untyped-def]
            for _ in range(100):
                await anyio.sleep(0.05)
                yield b"x"

    transport = httpx.MockTransport(lambda request: httpx.Response(200, stream=Trickle()))
    received = []
    async with BitbucketCloud("T", transport=transport) as bb:
        timer = Timer()
        with pytest.raises(APITimeoutError, match="deadline"):
            async with bb.stream("GET", "/repositories/ws/repo/src/main/big.bin", deadline=0.3) as response:
                async for chunk in response.aiter_bytes():
                    received.append(chunk)
    assert timer.elapsed < 1.5
    assert 0 < len(received) < 100


async def test_a_retry_wait_that_would_pass_the_deadline_is_not_waited(sleeps: list[float]) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(429, headers={"Retry-After": "30"}))
    async with BitbucketCloud("T", transport=transport, rate_limit_budget=600, deadline=10) as bb:
        with pytest.raises(RateLimitError) as caught:
            await bb.pullrequests.get("ws", "repo", 7)
    assert sleeps == []  # 30 s would pass the 10 s deadline: give up at once, with the server's answer
    assert caught.value.retry_after == 30


async def test_every_wait_counts_against_the_budget(sleeps: list[float]) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(503, headers={"Retry-After": "20"}))
    async with BitbucketCloud("T", transport=transport, rate_limit_budget=50) as bb:
        with pytest.raises(ServerError):
            await bb.pullrequests.get("ws", "repo", 7)
    assert sleeps == [20, 20]  # a third 20 s wait would pass the 50 s budget


async def test_merge_polling_stays_within_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    task_url = f"{CLOUD}/repositories/ws/repo/pullrequests/7/merge/task-status/1"

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(202, headers={"Location": task_url})
        return httpx.Response(200, json={"task_status": "PENDING"})

    async with BitbucketCloud("T", transport=httpx.MockTransport(handler), deadline=0.4) as bb:
        timer = Timer()
        with pytest.raises(APITimeoutError, match="deadline"):
            await bb.pullrequests.merge("ws", "repo", 7)
    assert timer.elapsed < 1.5


@pytest.mark.parametrize("deadline", [0, -1, float("nan"), float("inf"), "5"])
def test_a_deadline_must_be_a_positive_number_of_seconds(deadline: object) -> None:
    with pytest.raises(ValueError, match="deadline"):
        BitbucketCloud("T", deadline=deadline)  # type: ignore[arg-type]


# ---- with_options -----------------------------------------------------------------------------------


async def test_with_options_is_a_light_copy_sharing_the_connection_pool() -> None:
    slow = Slow(0.3)
    async with BitbucketCloud("T", transport=httpx.MockTransport(slow)) as bb:
        hurried = bb.with_options(deadline=0.1, max_retries=0)
        assert type(hurried) is BitbucketCloud
        assert hurried._http is bb._http
        with pytest.raises(APITimeoutError):
            await hurried.pullrequests.get("ws", "repo", 7)
        pr = await bb.pullrequests.get("ws", "repo", 7)  # the original keeps its own options
        assert pr.id == 7
        assert hurried.with_options(deadline=None)._deadline is None
        await hurried.aclose()  # closing a copy leaves the shared pool to its owner
        assert (await bb.pullrequests.get("ws", "repo", 7)).id == 7
    assert bb._http.is_closed


async def test_with_options_changes_retries_and_budget(sleeps: list[float]) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(503))
    async with BitbucketServer("https://bb.example.com", "T", transport=transport) as bb:
        with pytest.raises(ServerError):
            await bb.with_options(max_retries=1).request("GET", "/api/latest/projects")
        assert len(sleeps) == 1
        with pytest.raises(ServerError):
            await bb.with_options(rate_limit_budget=0).request("GET", "/api/latest/projects")
        assert len(sleeps) == 1


async def test_with_options_can_set_the_per_phase_timeout() -> None:
    seen: list[dict[str, float | None]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200, json={})

    async with BitbucketCloud("T", transport=httpx.MockTransport(handler), timeout=30) as bb:
        await bb.with_options(timeout=2.5).request("GET", "/user")
        await bb.request("GET", "/user")
    assert seen[0] == httpx.Timeout(2.5).as_dict()
    assert seen[1]["read"] == 30


# ---- a closed client ---------------------------------------------------------------------------------


async def test_a_call_after_aclose_raises_a_clear_error() -> None:
    bb = BitbucketCloud("T", transport=httpx.MockTransport(lambda request: httpx.Response(200, json={})))
    await bb.aclose()
    with pytest.raises(BitbucketError, match="closed"):
        await bb.pullrequests.get("ws", "repo", 7)
    with pytest.raises(BitbucketError, match="closed"):
        async with bb.stream("GET", "/user"):
            pass
    with pytest.raises(BitbucketError, match="closed"):
        await bb.with_options(deadline=1).request("GET", "/user")


async def test_a_closed_http_client_passed_in_gives_the_same_clear_error() -> None:
    http = httpx.AsyncClient(transport=httpx.MockTransport(lambda request: httpx.Response(200, json={})))
    bb = BitbucketCloud("T", http_client=http)
    await http.aclose()
    with pytest.raises(BitbucketError, match="closed"):
        await bb.request("GET", "/user")
