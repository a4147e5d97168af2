"""The client's request pipeline: retries, errors, safety, raw access and argument handling."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import respx

from bitbucket_client import (
    APIConnectionError,
    APITimeoutError,
    ApiToken,
    AuthenticationError,
    BitbucketCloud,
    BitbucketServer,
    ConflictError,
    NotFoundError,
    PaginationError,
    RateLimitError,
    Response,
    ServerError,
)
from bitbucket_client.cloud.models import Pullrequest, PullrequestMergeParameters

CLOUD = "https://api.bitbucket.org/2.0"
PR = f"{CLOUD}/repositories/ws/repo/pullrequests/7"
DC = "https://bb.example.com/rest"


# ---- retries --------------------------------------------------------------------------------------


@respx.mock
async def test_cloud_555_is_retried_for_a_get(sleeps: list[float]) -> None:
    route = respx.get(PR).mock(
        side_effect=[httpx.Response(555, text="try later"), httpx.Response(200, json={"id": 7})]
    )
    async with BitbucketCloud("T") as bb:
        pr = await bb.pullrequests.get("ws", "repo", 7)
    assert pr.id == 7
    assert route.call_count == 2
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= 1.0


@respx.mock
async def test_a_post_that_gets_a_503_is_not_retried(sleeps: list[float]) -> None:
    route = respx.post(f"{PR}/comments").respond(503, text="<html><title>Service Unavailable</title></html>")
    async with BitbucketCloud("T") as bb:
        with pytest.raises(ServerError) as caught:
            await bb.pullrequests.create_comment("ws", "repo", 7, content={"raw": "LGTM"})
    assert route.call_count == 1
    assert sleeps == []
    assert caught.value.status_code == 503


@respx.mock
async def test_429_with_retry_after_waits_that_long(sleeps: list[float]) -> None:
    route = respx.get(PR).mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json={"id": 7})]
    )
    async with BitbucketCloud("T") as bb:
        await bb.pullrequests.get("ws", "repo", 7)
    assert sleeps == [7.0]
    assert route.call_count == 2


@respx.mock
async def test_429_without_retry_after_backs_off_then_gives_up_with_the_headers_seen(
    sleeps: list[float],
) -> None:
    limited = httpx.Response(
        429,
        text="Rate limit for this resource has been exceeded",
        headers={"X-RateLimit-Limit": "1000", "X-RateLimit-Resource": "api"},
    )
    route = respx.post(f"{PR}/approve").mock(return_value=limited)
    async with BitbucketCloud("T", rate_limit_budget=5.0) as bb:
        with pytest.raises(RateLimitError) as caught:
            await bb.pullrequests.approve("ws", "repo", 7)  # a POST: 429 is retried for every method
    assert route.call_count == len(sleeps) + 1 >= 2
    assert sum(sleeps) <= 5.0
    assert caught.value.rate_limit["x-ratelimit-limit"] == "1000"
    assert caught.value.waited == pytest.approx(sum(sleeps))
    assert "Rate limit for this resource has been exceeded" in str(caught.value)


@respx.mock
async def test_409_is_never_retried_and_carries_the_merge_vetoes(sleeps: list[float]) -> None:
    veto = {
        "errors": [
            {
                "message": "Merging the pull request has been vetoed.",
                "exceptionName": "com.atlassian.bitbucket.pull.PullRequestMergeVetoedException",
                "conflicted": False,
                "vetoes": [
                    {"summaryMessage": "Not enough approvals", "detailedMessage": "2 approvals are required"}
                ],
            }
        ]
    }
    route = respx.post(f"{DC}/api/latest/projects/P/repos/r/pull-requests/7/merge").respond(409, json=veto)
    async with BitbucketServer("https://bb.example.com", "T") as bb:
        with pytest.raises(ConflictError) as caught:
            await bb.pullrequests.merge("P", "r", 7, version=2)
    assert route.call_count == 1 and sleeps == []
    assert [v.summary_message for v in caught.value.vetoes] == ["Not enough approvals"]


@respx.mock
async def test_connection_errors_are_retried_for_gets_then_raised(sleeps: list[float]) -> None:
    route = respx.get(PR).mock(side_effect=httpx.ConnectError("refused"))
    async with BitbucketCloud("T", max_retries=2) as bb:
        with pytest.raises(APIConnectionError):
            await bb.pullrequests.get("ws", "repo", 7)
    assert route.call_count == 3 and len(sleeps) == 2


@respx.mock
async def test_retries_are_logged_without_credentials(
    sleeps: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    respx.get(PR).mock(side_effect=[httpx.Response(502), httpx.Response(200, json={"id": 7})])
    caplog.set_level(logging.DEBUG)
    async with BitbucketCloud("SECRET-TOKEN-123") as bb:
        await bb.pullrequests.get("ws", "repo", 7)
        text = repr(bb) + str(bb)
    warnings_logged = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings_logged) == 1 and "Retrying GET" in warnings_logged[0].getMessage()
    assert "SECRET-TOKEN-123" not in caplog.text
    assert "SECRET-TOKEN-123" not in text


# ---- safety ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("workspace", "repo", "raw_path"),
    [
        ("my ws", "a/b", "/2.0/repositories/my%20ws/a%2Fb/pullrequests/7"),
        ("ws", "x?y#z", "/2.0/repositories/ws/x%3Fy%23z/pullrequests/7"),
    ],
)
@respx.mock
async def test_path_parameters_stay_inside_their_segment(workspace: str, repo: str, raw_path: str) -> None:
    route = respx.get(url__regex=r".*").respond(json={"id": 7})
    async with BitbucketCloud("T") as bb:
        await bb.pullrequests.get(workspace, repo, 7)
    assert route.calls.last.request.url.raw_path == raw_path.encode()


@respx.mock
async def test_a_next_link_to_another_host_raises_and_sends_nothing() -> None:
    evil = respx.get("https://evil.example.com/2.0/next").respond(json={"values": []})
    respx.get(f"{CLOUD}/repositories/ws/repo/pullrequests").respond(
        json={"values": [{"id": 1}], "next": "https://evil.example.com/2.0/next"}
    )
    seen = []
    async with BitbucketCloud("T") as bb:
        with pytest.raises(PaginationError):
            async for pr in bb.pullrequests.list("ws", "repo"):
                seen.append(pr.id)
    assert evil.call_count == 0
    assert seen == [1]


@respx.mock
async def test_stale_next_links_stop_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    first = f"{CLOUD}/repositories/ws/repo/pullrequests?page=2"
    respx.get(f"{CLOUD}/repositories/ws/repo/pullrequests", params={"page": "2"}).respond(
        json={"values": [{"id": 2}], "next": first}
    )  # points at itself: a stale cursor
    respx.get(f"{CLOUD}/repositories/ws/repo/pullrequests").respond(
        json={"values": [{"id": 1}], "next": first}
    )
    async with BitbucketCloud("T") as bb:
        ids = [pr.id async for pr in bb.pullrequests.list("ws", "repo")]
    assert ids == [1, 2]
    assert any(r.levelno == logging.WARNING for r in caplog.records)


async def test_raw_requests_to_other_hosts_are_refused() -> None:
    async with BitbucketCloud("T") as bb:
        with pytest.raises(ValueError, match="refusing"):
            await bb.request("GET", "https://evil.example.com/2.0/user")
        with pytest.raises(ValueError, match="refusing"):
            await bb.request("GET", "http://api.bitbucket.org/2.0/user")  # another scheme


# ---- results and raw access -----------------------------------------------------------------------


@respx.mock
async def test_with_raw_response_gives_status_headers_body_and_model() -> None:
    respx.get(PR).respond(json={"id": 7}, headers={"X-Request-Id": "abc"})
    async with BitbucketCloud("T") as bb:
        result = await bb.with_raw_response.pullrequests.get("ws", "repo", 7)
    assert isinstance(result, Response)
    assert result.status_code == 200
    assert result.headers["x-request-id"] == "abc"
    assert json.loads(result.content) == {"id": 7}
    assert isinstance(result.parsed, Pullrequest) and result.parsed.id == 7


@respx.mock
async def test_request_covers_endpoints_the_documents_lack() -> None:
    route = respx.get(f"{CLOUD}/internal/thing", params={"q": "1"}).respond(json={"ok": True})
    async with BitbucketCloud("T") as bb:
        response = await bb.request("GET", "/internal/thing", params={"q": "1"})
    assert response.json() == {"ok": True}
    assert route.calls.last.request.headers["Authorization"] == "Bearer T"


@respx.mock
async def test_errors_are_typed_with_the_bitbucket_message() -> None:
    respx.get(PR).respond(404, json={"type": "error", "error": {"message": "Pull request not found"}})
    async with BitbucketCloud("T") as bb:
        with pytest.raises(NotFoundError, match="Pull request not found") as caught:
            await bb.pullrequests.get("ws", "repo", 7)
    assert caught.value.status_code == 404


@respx.mock
async def test_a_204_returns_none() -> None:
    respx.delete(f"{PR}/approve").respond(204)
    async with BitbucketCloud("T") as bb:
        assert await bb.pullrequests.unapprove("ws", "repo", 7) is None


async def test_a_client_passed_in_is_used_and_left_open() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"id": 7})

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with BitbucketCloud("T", http_client=http) as bb:
        await bb.pullrequests.get("ws", "repo", 7)
    assert not http.is_closed
    assert seen == [PR]
    await http.aclose()


# ---- arguments ------------------------------------------------------------------------------------


@respx.mock
async def test_a_body_may_be_the_request_model_but_not_also_keyword_fields() -> None:
    route = respx.post(f"{PR}/merge").respond(json={"id": 7, "state": "MERGED"})
    async with BitbucketCloud("T") as bb:
        await bb.pullrequests.merge("ws", "repo", 7, body=PullrequestMergeParameters(message="Ship"))
        assert json.loads(route.calls.last.request.content) == {
            "type": "pullrequest_merge_parameters",
            "message": "Ship",
        }
        with pytest.raises(TypeError, match="either as body= or as keyword fields"):
            await bb.pullrequests.merge("ws", "repo", 7, body=PullrequestMergeParameters(), message="x")
        with pytest.raises(
            ValueError, match=r"merge_strategy: expected one of 'merge_commit', .*got 'octopus'"
        ):
            await bb.pullrequests.merge("ws", "repo", 7, merge_strategy="octopus")  # type: ignore[arg-type]


def test_token_and_auth_are_exclusive_and_base_url_must_be_absolute() -> None:
    with pytest.raises(ValueError, match="either a token or auth"):
        BitbucketCloud("T", auth=httpx.BasicAuth("a", "b"))
    with pytest.raises(ValueError, match="absolute"):
        BitbucketServer("bitbucket.example.com", "T")


@respx.mock
async def test_credentials_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BITBUCKET_SERVER_TOKEN", "FROM-ENV")
    route = respx.get(f"{DC}/api/latest/projects/P").respond(json={"key": "P"})
    async with BitbucketServer("https://bb.example.com") as bb:
        await bb.projects.get("P")
    assert route.calls.last.request.headers["Authorization"] == "Bearer FROM-ENV"


@respx.mock
async def test_deprecated_operations_warn_at_the_callers_line() -> None:
    respx.get(f"{CLOUD}/repositories").respond(json={"values": []})
    async with BitbucketCloud("T") as bb:
        with pytest.warns(DeprecationWarning, match="repositories.list_public is deprecated") as caught:
            assert [r async for r in bb.repositories.list_public()] == []
    assert caught[0].filename == __file__


# ---- transports, streams and raw paths ------------------------------------------------------------


async def test_a_transport_can_be_wired_in_directly() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"id": 7}))
    async with BitbucketCloud("T", transport=transport) as bb:
        pr = await bb.pullrequests.get("ws", "repo", 7)
    assert pr.id == 7
    with pytest.raises(ValueError, match="http_client= or transport="):
        BitbucketCloud("T", transport=transport, http_client=httpx.AsyncClient())


@respx.mock
async def test_large_bodies_can_be_streamed() -> None:
    respx.get(f"{CLOUD}/repositories/ws/repo/src/main/big.bin").respond(content=b"x" * 100_000)
    respx.get(f"{CLOUD}/repositories/ws/repo/src/main/missing").respond(
        404, json={"type": "error", "error": {"message": "No such file"}}
    )
    async with BitbucketCloud("T") as bb:
        async with bb.stream("GET", "/repositories/ws/repo/src/main/big.bin") as response:
            size = sum([len(chunk) async for chunk in response.aiter_bytes()])
        with pytest.raises(NotFoundError, match="No such file"):
            async with bb.stream("GET", "/repositories/ws/repo/src/main/missing"):
                pass
        with pytest.raises(ValueError, match="refusing"):
            async with bb.stream("GET", "https://evil.example.com/x"):
                pass
    assert size == 100_000


@respx.mock
async def test_a_redirect_to_another_host_does_not_carry_the_credentials() -> None:
    # Cloud answers downloads with a redirect to a storage host.
    respx.get(f"{CLOUD}/repositories/ws/repo/downloads/app.zip").respond(
        302, headers={"Location": "https://storage.example.com/app.zip?signature=abc"}
    )
    storage = respx.get("https://storage.example.com/app.zip").respond(
        content=b"PK", headers={"Content-Type": "application/zip"}
    )
    async with BitbucketCloud("SECRET-TOKEN") as bb:
        body = await bb.downloads.get("ws", "repo", "app.zip")
    assert body == b"PK"
    assert "Authorization" not in storage.calls.last.request.headers


async def test_raw_paths_cannot_climb_out_of_the_base_path() -> None:
    async with BitbucketServer("https://bb.example.com", "T") as bb:
        for path in ("/../admin", "../admin", "api/../../admin"):
            with pytest.raises(ValueError, match="outside"):
                await bb.request("GET", path)


# ---- paths that would leave the API root (issue #11, item 9) ------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/%2e%2e/internal",
        "/%2E%2E/internal",
        "/..%2finternal",
        "/repositories/%2e%2e/%2e%2e/%2e%2e/internal",
        "/a/%2e%2e%2f%2e%2e%2f/internal",
        "/%2e/../../internal",
        f"{CLOUD}/%2e%2e/internal",
        f"{CLOUD}/..%2Finternal",
    ],
)
@respx.mock
async def test_encoded_dot_segments_are_refused_before_anything_is_sent(path: str) -> None:
    route = respx.route().respond(json={})
    async with BitbucketCloud("SECRET-TOKEN") as bb:
        with pytest.raises(ValueError, match="refusing"):
            await bb.request("GET", path)
        with pytest.raises(ValueError, match="refusing"):
            async with bb.stream("GET", path):
                pass
    assert route.call_count == 0


@respx.mock
async def test_a_path_parameter_that_is_a_dot_segment_is_refused() -> None:
    route = respx.route().respond(json={"id": 7})
    async with BitbucketCloud("T") as bb:
        for workspace in ("..", "."):
            with pytest.raises(ValueError, match="refusing"):
                await bb.pullrequests.get(workspace, "repo", 7)
        await bb.pullrequests.get("...", "repo", 7)  # three dots is a name, not a dot-segment
    assert [call.request.url.raw_path for call in route.calls] == [
        b"/2.0/repositories/.../repo/pullrequests/7"
    ]


@pytest.mark.parametrize(
    ("url", "sent"),
    [
        (f"{CLOUD}?fields=x", "/2.0?fields=x"),
        (f"{CLOUD}/user?fields=a%2Cb", "/2.0/user?fields=a%2Cb"),
        ("/user?fields=x", "/2.0/user?fields=x"),
    ],
)
@respx.mock
async def test_absolute_and_relative_urls_with_a_query_are_accepted(url: str, sent: str) -> None:
    route = respx.route().respond(json={})
    async with BitbucketCloud("T") as bb:
        await bb.request("GET", url)
    assert route.calls.last.request.url.raw_path == sent.encode()


# ---- stream() errors are typed like every other call (issue #11, item 8) ------------------------------


class BrokenBody(httpx.AsyncByteStream):
    """Half a body, then the connection breaks."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"x" * 100
        raise self.error


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (httpx.ConnectError("connection refused"), APIConnectionError),
        (httpx.ReadTimeout("timed out"), APITimeoutError),
        (httpx.RemoteProtocolError("peer reset"), APIConnectionError),
    ],
)
async def test_stream_raises_typed_errors_before_and_during_the_body(
    failure: Exception, expected: type[Exception], sleeps: list[float]
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise failure

    async with BitbucketCloud("T", transport=httpx.MockTransport(refuse), max_retries=1) as bb:
        with pytest.raises(expected) as caught:
            async with bb.stream("GET", "/repositories/ws/repo/src/main/big.bin"):
                pass
    assert type(caught.value) is expected and "GET /2.0/repositories/ws/repo/src/main/big.bin" in str(
        caught.value
    )
    assert len(sleeps) == 1  # like any GET, retried before the body was handed over

    def break_mid_body(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=BrokenBody(failure))

    async with BitbucketCloud("T", transport=httpx.MockTransport(break_mid_body)) as bb:
        with pytest.raises(expected):
            async with bb.stream("GET", "/repositories/ws/repo/src/main/big.bin") as response:
                async for _chunk in response.aiter_bytes():
                    pass


# ---- header values and credentials in tracebacks (issue #11, item 6) --------------------------------


def _locals_text(error: BaseException) -> str:
    """Every local of every frame of the error's traceback and of its causes, as a crash reporter
    that captures locals would record them (but this test module's own frames)."""
    seen: list[str] = []
    current: BaseException | None = error
    while current is not None:
        traceback = current.__traceback__
        while traceback is not None:
            frame = traceback.tb_frame
            if frame.f_code.co_filename != __file__:
                seen += [
                    f"{frame.f_code.co_name}: {name}={value!r}" for name, value in frame.f_locals.items()
                ]
            traceback = traceback.tb_next
        current = current.__cause__ or current.__context__
    return "\n".join(seen)


@pytest.mark.parametrize("value", ["a\r\nX-Injected: 1", "a\nb", "a\x00b", " leading", "trailing\t"])
@respx.mock
async def test_a_header_value_h11_would_reject_is_refused_before_sending(value: str) -> None:
    route = respx.route().respond(json={})
    async with BitbucketCloud("SECRET-TOKEN-42") as bb:
        with pytest.raises(ValueError, match="X-Trace") as caught:
            await bb.request("GET", "/user", headers={"X-Trace": value})
    assert route.call_count == 0
    assert "SECRET-TOKEN-42" not in _locals_text(caught.value)
    assert "SECRET-TOKEN-42" not in str(caught.value)


async def test_a_transport_failure_keeps_the_authorization_header_out_of_traceback_locals() -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        authorization = request.headers["Authorization"]  # a local, as inside h11 or httpcore
        raise httpx.WriteError(f"write failed ({len(authorization)} bytes of auth)")

    async with BitbucketCloud("SECRET-TOKEN-42", transport=httpx.MockTransport(fail), max_retries=0) as bb:
        with pytest.raises(APIConnectionError) as caught:
            await bb.request("POST", "/user", json={})
    assert "SECRET-TOKEN-42" not in _locals_text(caught.value)
    assert isinstance(caught.value.__cause__, httpx.WriteError)  # the cause is kept, its frames are not


# ---- credentials echoed by the server (issue #11, item 7) ---------------------------------------------


@pytest.mark.parametrize(
    ("auth_kwargs", "sent_secret"),
    [
        ({"token": "SECRET-TOKEN-42"}, "SECRET-TOKEN-42"),
        ({"auth": ApiToken("me@example.com", "API-TOKEN-SECRET-7")}, "API-TOKEN-SECRET-7"),
    ],
)
@respx.mock
async def test_credentials_echoed_in_an_error_body_are_redacted(
    auth_kwargs: dict[str, Any], sent_secret: str
) -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        authorization = request.headers["Authorization"]
        return httpx.Response(
            401,
            json={
                "type": "error",
                "error": {
                    "message": f"Invalid credentials: {authorization}",
                    "detail": {"sent": authorization, "secret": sent_secret},
                },
            },
        )

    respx.route().mock(side_effect=echo)
    async with BitbucketCloud(**auth_kwargs) as bb:
        with pytest.raises(AuthenticationError) as caught:
            await bb.request("GET", "/user")
    error = caught.value
    basic = base64.b64encode(f"me@example.com:{sent_secret}".encode()).decode()
    for text in (str(error), repr(error), error.message, repr(error.details), repr(error.args)):
        assert sent_secret not in text and basic not in text
    assert "Invalid credentials: " in str(error) and "***" in str(error)
