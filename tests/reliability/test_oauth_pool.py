"""OAuth renewal under load, over a real connection pool (issue #11, items 1 and 5)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio
import pytest

from bitbucket_client import AuthenticationError, BitbucketCloud, OAuth2RefreshToken

from .fault_server import FaultServer, Reply, Request, json_reply
from .faultkit import BACKENDS, run, stopwatch

TOKEN_PATH = "/site/oauth2/access_token"
FRESH = "fresh-access-Ff"


def oauth_client(server: FaultServer) -> BitbucketCloud:
    auth = OAuth2RefreshToken(
        "key",
        "secret-Ss",
        "refresh-Rr",
        access_token="stale-access-Aa",  # restored without expires_at: renewed on the first 401
        token_url=server.url + TOKEN_PATH,
    )
    return BitbucketCloud(auth=auth, base_url=server.url + "/2.0", timeout=3.0, max_retries=0)


async def all_at_once(
    server: FaultServer, call: Callable[[BitbucketCloud], Awaitable[None]], count: int
) -> None:
    async with oauth_client(server) as bb:
        with anyio.fail_after(20):  # a pool deadlock fails the test instead of hanging it
            async with anyio.create_task_group() as group:
                for _ in range(count):
                    group.start_soon(call, bb)


def api(request: Request) -> Reply:
    if request.headers.get("authorization") == f"Bearer {FRESH}":
        return json_reply(200, '{"type": "user"}')
    return Reply(401, {"Content-Type": "text/plain"}, b"Access token expired", delay=0.05)


@pytest.mark.parametrize("backend", BACKENDS)
def test_150_concurrent_401s_renew_once_without_starving_the_pool(server: FaultServer, backend: str) -> None:
    server.respond_with("GET", "/2.0/user", api)
    server.script("POST", TOKEN_PATH, json_reply(200, f'{{"access_token": "{FRESH}", "expires_in": 7200}}'))
    statuses: list[int] = []

    async def call(bb: BitbucketCloud) -> None:
        statuses.append((await bb.request("GET", "/user")).status_code)

    with stopwatch() as watch:
        run(backend, lambda: all_at_once(server, call, 150))

    assert statuses == [200] * 150
    assert server.hits("POST", TOKEN_PATH) == 1
    assert watch.elapsed < 10


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_rejected_refresh_fails_every_waiting_call_with_one_token_request(
    server: FaultServer, backend: str
) -> None:
    server.respond_with("GET", "/2.0/user", api)
    server.script(
        "POST",
        TOKEN_PATH,
        json_reply(400, '{"error": "invalid_grant", "error_description": "Invalid refresh_token"}'),
    )
    failures: list[BaseException] = []

    async def call(bb: BitbucketCloud) -> None:
        try:
            await bb.request("GET", "/user")
        except AuthenticationError as error:
            failures.append(error)

    with stopwatch() as watch:
        run(backend, lambda: all_at_once(server, call, 200))

    assert len(failures) == 200 and all("invalid_grant" in str(error) for error in failures)
    assert server.hits("POST", TOKEN_PATH) == 1
    assert watch.elapsed < 10
