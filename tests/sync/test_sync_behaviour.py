"""The sync client behaves as the async one, over real sockets: 429 backoff, writes never retried on 5xx,
deadlines, OAuth renewal shared by every thread, deprecation warnings at the caller's line."""

from __future__ import annotations

import json
import sys
import threading
import warnings

import httpx
import pytest
from reliability.fault_server import FaultServer, Reply, Request, json_reply

from bitbucket_client.sync import (
    APITimeoutError,
    BitbucketCloud,
    BitbucketServer,
    OAuth2ClientCredentials,
    RateLimitError,
    ServerError,
)

PR = "/2.0/repositories/ws/repo/pullrequests/7"
TOKEN_PATH = "/site/oauth2/access_token"
RATE_LIMITED = Reply(429, {"Content-Type": "text/plain"}, b"Rate limit for this resource has been exceeded")


def pr_reply() -> Reply:
    return json_reply(200, json.dumps({"type": "pullrequest", "id": 7, "title": "T"}))


def test_a_429_is_waited_out_and_retried(server: FaultServer, sleeps: list[float]) -> None:
    server.script("GET", PR, RATE_LIMITED, RATE_LIMITED, pr_reply())
    with BitbucketCloud("token", base_url=server.url + "/2.0") as bb:
        assert bb.pullrequests.get("ws", "repo", 7).title == "T"
    assert server.hits("GET", PR) == 3
    assert len(sleeps) == 2 and all(wait >= 0.5 for wait in sleeps)  # jittered backoff, no Retry-After


def test_retry_after_is_honoured_and_the_budget_ends_the_wait(
    server: FaultServer, sleeps: list[float]
) -> None:
    limited = Reply(429, {"Retry-After": "7", "Content-Type": "application/json"}, b'{"errors": []}')
    path = "/rest/api/latest/projects/P/repos/r/pull-requests/7"
    server.script("GET", path, limited)
    with BitbucketServer(server.url, "token", rate_limit_budget=10) as dc:
        with pytest.raises(RateLimitError) as raised:
            dc.pullrequests.get("P", "r", 7)
    assert sleeps == [7.0]
    assert raised.value.waited == 7.0


def test_a_post_answered_with_a_5xx_is_not_sent_again(server: FaultServer, sleeps: list[float]) -> None:
    path = "/2.0/repositories/ws/repo/pullrequests/7/comments"
    server.script("POST", path, json_reply(503, '{"type": "error", "error": {"message": "busy"}}'))
    with BitbucketCloud("token", base_url=server.url + "/2.0") as bb:
        with pytest.raises(ServerError):
            bb.request("POST", "/repositories/ws/repo/pullrequests/7/comments", json={"content": {}})
    assert server.hits("POST", path) == 1
    assert sleeps == []


def test_a_deadline_ends_a_call_the_server_never_answers(server: FaultServer) -> None:
    server.script("GET", PR, Reply(black_hole=True))
    with BitbucketCloud("token", base_url=server.url + "/2.0", deadline=0.3, max_retries=3) as bb:
        with pytest.raises(APITimeoutError, match=r"did not finish within its deadline of 0\.3s"):
            bb.pullrequests.get("ws", "repo", 7)


def test_one_oauth_renewal_serves_every_thread(server: FaultServer) -> None:
    tokens: list[str] = []
    lock = threading.Lock()

    def token_endpoint(request: Request) -> Reply:
        with lock:
            tokens.append(f"access-{len(tokens) + 1}")
            token = tokens[-1]
        return json_reply(
            200, json.dumps({"access_token": token, "expires_in": 3600, "token_type": "bearer"})
        )

    def api(request: Request) -> Reply:
        if request.headers.get("authorization") != f"Bearer {tokens[-1]}":
            return json_reply(401, '{"type": "error", "error": {"message": "expired"}}')
        return pr_reply()

    server.respond_with("POST", TOKEN_PATH, token_endpoint)
    server.respond_with("GET", PR, api)
    now = [1000.0]
    auth = OAuth2ClientCredentials(
        "key", "secret-Ss", token_url=server.url + TOKEN_PATH, clock=lambda: now[0]
    )
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def burst(bb: BitbucketCloud) -> None:
        try:
            barrier.wait(5)
            for _ in range(5):
                assert bb.pullrequests.get("ws", "repo", 7).id == 7
        except BaseException as error:
            errors.append(error)

    def all_threads(bb: BitbucketCloud) -> None:
        threads = [threading.Thread(target=burst, args=(bb,)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)

    with BitbucketCloud(auth=auth, base_url=server.url + "/2.0", timeout=5.0) as bb:
        all_threads(bb)  # the first token: one request for 8 threads, each on its own event loop
        assert tokens == ["access-1"]
        now[0] += 3600  # expired: renewed once more, for all of them
        all_threads(bb)
    assert errors == []
    assert tokens == ["access-1", "access-2"]
    assert server.hits("POST", TOKEN_PATH) == 2
    assert server.hits("GET", PR) == 80


def test_a_deprecated_operation_warns_at_the_callers_line() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"values": []}))
    with BitbucketCloud("token", transport=transport) as bb, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = sys._getframe().f_lineno + 1
        listed = list(bb.repositories.list_public())
    assert listed == []
    assert [(str(w.message), w.filename, w.lineno) for w in caught] == [
        ("repositories.list_public is deprecated by Atlassian", __file__, line)
    ]


def test_a_deprecated_call_warns_at_the_callers_line() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"type": "issue", "id": 1}))
    with BitbucketCloud("token", transport=transport) as bb, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = sys._getframe().f_lineno + 1
        bb.issues.create("ws", "repo", title="Bug")
    assert [(w.filename, w.lineno) for w in caught if "issues.create" in str(w.message)] == [(__file__, line)]


def test_a_redirect_to_a_storage_host_carries_no_credentials() -> None:
    seen: list[tuple[str, str | None]] = []

    class Downloads(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            seen.append((request.url.host, request.headers.get("authorization")))
            if request.url.host == "api.bitbucket.org":
                return httpx.Response(302, headers={"Location": "https://storage.example.net/blob?sig=1"})
            return httpx.Response(200, content=b"file contents")

    with BitbucketCloud("secret-token-Zz", transport=Downloads()) as bb:
        response = bb.request("GET", "/repositories/ws/repo/downloads/file.zip")
    assert response.content == b"file contents"
    assert seen == [("api.bitbucket.org", "Bearer secret-token-Zz"), ("storage.example.net", None)]
