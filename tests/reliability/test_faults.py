"""The fault matrix: every misbehaviour of a real server, for GET, POST, PUT and DELETE.

Each case says what the client must raise (or return), how many times the server may see the request
(a POST after a 5xx or a broken connection exactly once: no duplicate writes), and how long the call
may take. The server is a real loopback HTTP server (`fault_server`), not a mock transport.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import attrs
import pytest

from bitbucket_client import (
    APIConnectionError,
    APITimeoutError,
    BitbucketCloud,
    BitbucketError,
    RateLimitError,
    ServerError,
    UnexpectedResponseError,
)

from .fault_server import FaultServer, Reply, json_reply
from .faultkit import BACKENDS, cloud_client, run, stopwatch

PR_PATH = "/2.0/repositories/ws/repo/pullrequests/7"
PRS_PATH = "/2.0/repositories/ws/repo/pullrequests"
COMMENT_PATH = "/2.0/repositories/ws/repo/pullrequests/7/comments/1"
PR_JSON = '{"type": "pullrequest", "id": 7, "title": "Fix"}'


@attrs.frozen
class Call:
    method: str
    path: str
    send: Callable[[BitbucketCloud], Awaitable[Any]]
    success: Reply


CALLS = {
    "GET": Call("GET", PR_PATH, lambda bb: bb.pullrequests.get("ws", "repo", 7), json_reply(200, PR_JSON)),
    "POST": Call(
        "POST",
        PRS_PATH,
        lambda bb: bb.pullrequests.create("ws", "repo", title="Fix", source={"branch": {"name": "fix"}}),
        json_reply(201, PR_JSON),
    ),
    "PUT": Call(
        "PUT",
        PR_PATH,
        lambda bb: bb.pullrequests.update("ws", "repo", 7, title="Fix"),
        json_reply(200, PR_JSON),
    ),
    "DELETE": Call(
        "DELETE", COMMENT_PATH, lambda bb: bb.pullrequests.delete_comment("ws", "repo", 7, 1), Reply(204)
    ),
}


@attrs.frozen
class Outcome:
    error: type[BitbucketError] | None
    hits: int
    max_seconds: float
    message: str = ""


@attrs.frozen
class Fault:
    replies: tuple[Reply | str, ...]  # "success": the call's own success answer
    idempotent: Outcome
    post: Outcome | None = None  # None: like the idempotent methods
    deadline: float | None = None
    methods: tuple[str, ...] = ("GET", "POST", "PUT", "DELETE")


RATE_LIMIT_TEXT = Reply(
    429, {"Content-Type": "text/plain"}, b"Rate limit for this resource has been exceeded"
)
PROXY_PAGE = Reply(
    503,
    {"Content-Type": "text/html"},
    b"<html><head><title>503 Service Unavailable</title></head><body>upstream down</body></html>",
)
RESET_MID_BODY = Reply(200, {"Content-Type": "application/json"}, PR_JSON.encode(), reset="during")
CUT_SHORT = Reply(
    200, {"Content-Type": "application/json"}, PR_JSON.encode()[:20], declared_length=len(PR_JSON)
)

FAULTS = {
    "429 Retry-After 0, then success": Fault(
        (Reply(429, {"Retry-After": "0"}), "success"), Outcome(None, 2, 1.5)
    ),
    "429 with an HTTP date in the past, then success": Fault(
        (Reply(429, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}), "success"), Outcome(None, 2, 1.5)
    ),
    "429 as Cloud sends it (text, no Retry-After), forever": Fault(
        (RATE_LIMIT_TEXT,), Outcome(RateLimitError, 2, 1.5, "Rate limit for this resource has been exceeded")
    ),
    "429 asking for more than the budget": Fault(
        (Reply(429, {"Retry-After": "120"}),), Outcome(RateLimitError, 1, 0.5)
    ),
    "503 HTML page from a proxy, forever": Fault(
        (PROXY_PAGE,),
        Outcome(ServerError, 3, 1.5, "HTML error page from a proxy: 503 Service Unavailable"),
        post=Outcome(ServerError, 1, 0.5, "HTML error page from a proxy"),
    ),
    "503 with a Retry-After beyond the budget": Fault(
        (Reply(503, {"Retry-After": "120"}),), Outcome(ServerError, 1, 0.5)
    ),
    "502 once, then success": Fault(
        (Reply(502), "success"), Outcome(None, 2, 1.0), post=Outcome(ServerError, 1, 0.5)
    ),
    "connection reset before the answer": Fault(
        (Reply(reset="before"),),
        Outcome(APIConnectionError, 3, 1.5),
        post=Outcome(APIConnectionError, 1, 0.5),
    ),
    "connection reset during the body": Fault(
        (RESET_MID_BODY,),
        Outcome(APIConnectionError, 3, 1.5),
        post=Outcome(APIConnectionError, 1, 0.5),
    ),
    "body shorter than its Content-Length": Fault(
        (CUT_SHORT,),
        Outcome(APIConnectionError, 3, 1.5),
        post=Outcome(APIConnectionError, 1, 0.5),
    ),
    "truncated JSON in a complete answer": Fault(
        (Reply(200, {"Content-Type": "application/json"}, b'{"id": 7, "tit'),),
        Outcome(UnexpectedResponseError, 1, 0.5, "not valid JSON"),
        post=Outcome(UnexpectedResponseError, 1, 0.5, "not valid JSON"),
        methods=("GET", "PUT"),
    ),
    "black hole": Fault(
        (Reply(black_hole=True),),
        Outcome(APITimeoutError, 3, 2.0),
        post=Outcome(APITimeoutError, 1, 0.8),
    ),
    "black hole, 0.5 s deadline": Fault(
        (Reply(black_hole=True),),
        Outcome(APITimeoutError, 2, 0.9, "deadline"),  # the retry after the read timeout hits it
        post=Outcome(APITimeoutError, 1, 0.8, "ReadTimeout"),  # not retried: the read timeout comes first
        deadline=0.5,
    ),
    "a body trickled past the deadline": Fault(
        (Reply(200, {"Content-Type": "application/json"}, PR_JSON.encode(), trickle=0.05),),
        Outcome(APITimeoutError, 1, 0.9, "deadline"),
        deadline=0.5,
    ),
}

CASES = [
    pytest.param(name, method, backend, id=f"{name}-{method}-{backend}")
    for name, fault in FAULTS.items()
    for method in fault.methods
    for backend in BACKENDS
    if backend == "asyncio" or method in ("GET", "POST")
]


@pytest.mark.parametrize(("fault_name", "method", "backend"), CASES)
def test_fault(server: FaultServer, fault_name: str, method: str, backend: str) -> None:
    fault, call = FAULTS[fault_name], CALLS[method]
    outcome = fault.post if method == "POST" and fault.post is not None else fault.idempotent
    replies = [call.success if reply == "success" else reply for reply in fault.replies]
    server.script(call.method, call.path, *[reply for reply in replies if isinstance(reply, Reply)])
    caught: list[BaseException] = []

    async def scenario() -> None:
        async with cloud_client(server, rate_limit_budget=0.9, deadline=fault.deadline) as bb:
            with anyio.fail_after(10):  # a broken client must fail this test, not hang it
                try:
                    await call.send(bb)
                except BitbucketError as error:
                    caught.append(error)

    with stopwatch() as watch:
        run(backend, scenario)

    if outcome.error is None:
        assert caught == []
    else:
        assert len(caught) == 1 and type(caught[0]) is outcome.error, caught
        assert outcome.message in str(caught[0])
        assert method in str(caught[0]) or isinstance(caught[0], RateLimitError | ServerError)
    if outcome.error is APITimeoutError and fault.deadline is not None:
        assert server.hits(call.method, call.path) <= outcome.hits
    else:
        assert server.hits(call.method, call.path) == outcome.hits
    assert watch.elapsed < outcome.max_seconds


def test_a_429_beyond_the_budget_reports_what_the_server_asked(server: FaultServer) -> None:
    server.script("GET", PR_PATH, Reply(429, {"Retry-After": "120", "X-RateLimit-Limit": "1000"}))
    caught: list[RateLimitError] = []

    async def scenario() -> None:
        async with cloud_client(server) as bb:
            with pytest.raises(RateLimitError) as info:
                await bb.pullrequests.get("ws", "repo", 7)
            caught.append(info.value)

    run("asyncio", scenario)
    assert caught[0].retry_after == 120
    assert caught[0].rate_limit == {"x-ratelimit-limit": "1000"}
