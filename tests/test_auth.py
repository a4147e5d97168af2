"""Authentication: headers, host pinning, OAuth renewal, and secrets staying secret."""

from __future__ import annotations

import asyncio
import base64
import logging
import pickle
import sys
import traceback
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from bitbucket_client import BitbucketCloud
from bitbucket_client._auth import (
    DEFAULT_TOKEN_URL,
    ApiToken,
    AppPassword,
    BasicAuth,
    BearerToken,
    BitbucketAuth,
    OAuth2ClientCredentials,
    OAuth2RefreshToken,
    TokenSet,
    auth_from_env,
)
from bitbucket_client._exceptions import (
    APIConnectionError,
    AuthenticationError,
    BitbucketError,
    RateLimitError,
    ServerError,
)
from bitbucket_client._secret import Secret

API_HOST = "api.bitbucket.org"
USER_URL = f"https://{API_HOST}/2.0/user"
COMMENTS_URL = f"https://{API_HOST}/2.0/repositories/acme/widgets/pullrequests/7/comments"

TOKEN = "BBDC-NjY0Mzk5-bearer-secret"
API_TOKEN = "ATATT3xFfGF0-api-token-secret"
PASSWORD = "hunter2-password-secret"
CONSUMER_KEY = "consumer-key-visible"
CONSUMER_SECRET = "consumer-secret-Zq81x"
FIRST_REFRESH_TOKEN = "refresh-0-initial-Kp9"


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def secret_forms(*secrets: str) -> list[str]:
    """A secret and the encodings it could leak in (raw, inside a Basic header, form-encoded)."""
    forms = []
    for secret in secrets:
        forms += [secret, base64.b64encode(secret.encode()).decode()]
    forms.append(basic(CONSUMER_KEY, CONSUMER_SECRET).removeprefix("Basic "))
    return forms


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _fresh_app_password_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(AppPassword, "_warned", False)


# --------------------------------------------------------------------------------------------------------
# Static credentials
# --------------------------------------------------------------------------------------------------------


class Recorder:
    """Transport handler that records requests and answers 200."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json={"ok": True})


@pytest.mark.parametrize(
    ("auth_factory", "expected_header"),
    [
        (lambda: BearerToken(TOKEN), f"Bearer {TOKEN}"),
        (lambda: ApiToken("me@example.com", API_TOKEN), basic("me@example.com", API_TOKEN)),
        (lambda: BasicAuth("jdoe", PASSWORD), basic("jdoe", PASSWORD)),
        (lambda: AppPassword("jdoe", PASSWORD), basic("jdoe", PASSWORD)),
    ],
    ids=["bearer", "api-token", "basic", "app-password"],
)
async def test_static_credentials_set_the_authorization_header(
    auth_factory: Callable[[], httpx.Auth], expected_header: str
) -> None:
    recorder = Recorder()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        auth = auth_factory()

    async with httpx.AsyncClient(transport=httpx.MockTransport(recorder), auth=auth) as client:
        await client.get(USER_URL)
    with httpx.Client(transport=httpx.MockTransport(recorder), auth=auth) as sync_client:
        sync_client.get(USER_URL)

    assert [request.headers["Authorization"] for request in recorder.requests] == [expected_header] * 2


def test_api_token_with_a_username_explains_the_email_requirement() -> None:
    with pytest.raises(ValueError, match="e-mail") as caught:
        ApiToken("jdoe", API_TOKEN)

    assert API_TOKEN not in str(caught.value)


def test_app_password_warns_once_per_process() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        AppPassword("jdoe", PASSWORD)
        AppPassword("jdoe", PASSWORD)
        auth = AppPassword("other", PASSWORD)
        request = httpx.Request("GET", USER_URL)
        next(auth.sync_auth_flow(request))

    deprecations = [warning for warning in caught if issubclass(warning.category, DeprecationWarning)]
    assert len(deprecations) == 1
    assert "ApiToken" in str(deprecations[0].message)
    assert deprecations[0].filename == __file__  # points at the caller, not at our module


@pytest.mark.parametrize(
    "build",
    [
        lambda: BearerToken(""),
        lambda: BearerToken("   "),
        lambda: ApiToken("me@example.com", ""),
        lambda: BasicAuth("", PASSWORD),
        lambda: OAuth2ClientCredentials(CONSUMER_KEY, ""),
        lambda: OAuth2RefreshToken(CONSUMER_KEY, CONSUMER_SECRET, ""),
    ],
)
def test_empty_credentials_are_rejected_without_echoing_values(build: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match="non-empty") as caught:
        build()

    assert PASSWORD not in str(caught.value)
    assert CONSUMER_SECRET not in str(caught.value)


# --------------------------------------------------------------------------------------------------------
# Host pinning
# --------------------------------------------------------------------------------------------------------


async def test_bound_auth_withholds_credentials_from_other_hosts(caplog: pytest.LogCaptureFixture) -> None:
    recorder = Recorder()
    auth = BearerToken(TOKEN)
    auth.bind_host("https://API.Bitbucket.org/2.0")  # a URL works too; the host is what counts
    caplog.set_level(logging.DEBUG)

    async with httpx.AsyncClient(transport=httpx.MockTransport(recorder), auth=auth) as client:
        await client.get(USER_URL)
        await client.get("https://evil.example.net/2.0/repositories?page=2")

    on_host, elsewhere = recorder.requests
    assert on_host.headers["Authorization"] == f"Bearer {TOKEN}"
    assert "Authorization" not in elsewhere.headers
    warnings_logged = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings_logged) == 1
    assert "evil.example.net" in warnings_logged[0].getMessage()
    assert all(TOKEN not in record.getMessage() for record in caplog.records)


def test_allowed_host_in_constructor_equals_bind_host() -> None:
    auth = BasicAuth("jdoe", PASSWORD, allowed_host="bitbucket.example.com:7990")
    flow = auth.sync_auth_flow(httpx.Request("GET", "http://elsewhere.example.com/rest/api/1.0/projects"))

    assert auth.allowed_host == "bitbucket.example.com"
    assert "Authorization" not in next(flow).headers


def test_binding_to_a_second_host_is_refused() -> None:
    auth = BearerToken(TOKEN)
    auth.bind_host(API_HOST)
    auth.bind_host(API_HOST.upper())  # same host again is fine

    with pytest.raises(ValueError, match="already bound"):
        auth.bind_host("bitbucket.example.com")


def test_unbound_auth_authenticates_any_host() -> None:
    flow = BearerToken(TOKEN).sync_auth_flow(httpx.Request("GET", "https://anything.example/x"))

    assert next(flow).headers["Authorization"] == f"Bearer {TOKEN}"


# --------------------------------------------------------------------------------------------------------
# OAuth 2.0
# --------------------------------------------------------------------------------------------------------


class FakeBitbucket:
    """The OAuth token endpoint and an API that accepts only the newest access token."""

    def __init__(self, *, expires_in: float | None = 7200, token_delay: float = 0.0) -> None:
        self.expires_in = expires_in
        self.token_delay = token_delay
        self.token_requests: list[httpx.Request] = []
        self.api_requests: list[httpx.Request] = []
        # A replay after a 401 re-sends the same Request object, so record headers as they were on the wire.
        self.api_authorizations: list[str | None] = []
        self.issued: list[str] = []
        self.refresh_tokens = [FIRST_REFRESH_TOKEN]
        self.always_401 = False
        self.token_error: httpx.Response | None = None

    @property
    def all_secrets(self) -> list[str]:
        return [CONSUMER_SECRET, *self.issued, *self.refresh_tokens]

    def revoke_access_tokens(self) -> None:
        self.issued.append("revoked-marker")

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if str(request.url) == DEFAULT_TOKEN_URL:
            return await self._token(request)
        self.api_requests.append(request)
        self.api_authorizations.append(request.headers.get("Authorization"))
        bearer = request.headers.get("Authorization", "")
        if self.always_401 or not self.issued or bearer != f"Bearer {self.issued[-1]}":
            return httpx.Response(401, text="Access token expired")
        return httpx.Response(200, json={"username": "jdoe", "echo": request.content.decode()})

    async def _token(self, request: httpx.Request) -> httpx.Response:
        self.token_requests.append(request)
        if self.token_delay:
            await asyncio.sleep(self.token_delay)  # keep the renewal in flight while other callers arrive
        if self.token_error is not None:
            return self.token_error
        assert request.headers["Authorization"] == basic(CONSUMER_KEY, CONSUMER_SECRET)
        form = {key: values[0] for key, values in parse_qs(request.content.decode()).items()}
        body: dict[str, object] = {
            "access_token": f"access-{len(self.token_requests)}-Hj4",
            "token_type": "bearer",
        }
        if form["grant_type"] == "refresh_token":
            if form["refresh_token"] != self.refresh_tokens[-1]:
                return httpx.Response(
                    400, json={"error": "invalid_grant", "error_description": "Invalid refresh_token"}
                )
            self.refresh_tokens.append(f"refresh-{len(self.token_requests)}-rotated-Qx")
            body["refresh_token"] = self.refresh_tokens[-1]
        if self.expires_in is not None:
            body["expires_in"] = self.expires_in
        self.issued.append(str(body["access_token"]))
        return httpx.Response(200, json=body)


@pytest.fixture
def fake() -> FakeBitbucket:
    return FakeBitbucket()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


class WireTransport(httpx.AsyncBaseTransport):
    """Like MockTransport, but consumes request bodies the way a network transport does.

    MockTransport buffers every body it sees, which would hide a flow that replays a one-shot stream.
    """

    def __init__(self, handler: FakeBitbucket) -> None:
        self.handler = handler

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        wire_body = b"".join([chunk async for chunk in request.stream])
        on_the_wire = httpx.Request(request.method, request.url, headers=request.headers, content=wire_body)
        on_the_wire.extensions = request.extensions
        return await self.handler(on_the_wire)


def client_for(fake: FakeBitbucket, auth: httpx.Auth, **kwargs: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=WireTransport(fake), auth=auth, **kwargs)  # type: ignore[arg-type]


def client_credentials(clock: FakeClock, **kwargs: object) -> OAuth2ClientCredentials:
    return OAuth2ClientCredentials(
        CONSUMER_KEY,
        CONSUMER_SECRET,
        clock=clock,
        allowed_host=API_HOST,
        **kwargs,  # type: ignore[arg-type]
    )


async def test_client_credentials_fetches_a_token_once_and_reuses_it(
    fake: FakeBitbucket, clock: FakeClock
) -> None:
    async with client_for(fake, client_credentials(clock)) as client:
        first = await client.get(USER_URL)
        second = await client.get(USER_URL)

    assert first.status_code == second.status_code == 200
    (token_request,) = fake.token_requests
    assert token_request.method == "POST"
    assert token_request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(token_request.content.decode()) == {"grant_type": ["client_credentials"]}
    assert fake.api_authorizations == ["Bearer access-1-Hj4"] * 2


async def test_concurrent_callers_share_one_token_request(clock: FakeClock) -> None:
    fake = FakeBitbucket(token_delay=0.02)

    async with client_for(fake, client_credentials(clock)) as client:
        responses = await asyncio.gather(*(client.get(USER_URL) for _ in range(8)))

    assert [response.status_code for response in responses] == [200] * 8
    assert len(fake.token_requests) == 1


async def test_token_is_renewed_once_when_it_expires_mid_run(clock: FakeClock) -> None:
    fake = FakeBitbucket(expires_in=3600, token_delay=0.01)

    async with client_for(fake, client_credentials(clock, refresh_margin=60.0)) as client:
        await client.get(USER_URL)
        clock.now += 3600 - 61  # still outside the margin
        await client.get(USER_URL)
        assert len(fake.token_requests) == 1

        clock.now += 2  # inside the margin: renew before the server would reject it
        responses = await asyncio.gather(*(client.get(USER_URL) for _ in range(4)))
        clock.now += 10
        responses.append(await client.get(USER_URL))

    assert [response.status_code for response in responses] == [200] * 5
    assert len(fake.token_requests) == 2
    assert set(fake.api_authorizations[2:]) == {"Bearer access-2-Hj4"}
    assert all(response.status_code == 200 for response in responses)


async def test_a_token_shorter_lived_than_the_margin_is_not_renewed_every_request(clock: FakeClock) -> None:
    fake = FakeBitbucket(expires_in=30)

    async with client_for(fake, client_credentials(clock, refresh_margin=60.0)) as client:
        await client.get(USER_URL)
        clock.now += 10
        await client.get(USER_URL)
        assert len(fake.token_requests) == 1
        clock.now += 10
        await client.get(USER_URL)

    assert len(fake.token_requests) == 2


async def test_without_expires_in_the_token_lives_until_a_401(clock: FakeClock) -> None:
    fake = FakeBitbucket(expires_in=None)

    async with client_for(fake, client_credentials(clock)) as client:
        await client.get(USER_URL)
        clock.now += 10 * 86400
        await client.get(USER_URL)

    assert len(fake.token_requests) == 1


async def streamed_body() -> AsyncIterator[bytes]:
    # A one-shot stream: replaying it after a 401 only works if the flow buffered it first.
    yield b'{"content":'
    yield b'{"raw":"LGTM"}}'


async def test_a_401_triggers_one_renewal_and_one_replay(fake: FakeBitbucket, clock: FakeClock) -> None:
    async with client_for(fake, client_credentials(clock)) as client:
        await client.get(USER_URL)
        fake.revoke_access_tokens()
        response = await client.post(COMMENTS_URL, content=streamed_body())

    assert response.status_code == 200
    assert len(fake.token_requests) == 2
    assert fake.api_authorizations[1:] == ["Bearer access-1-Hj4", "Bearer access-2-Hj4"]
    # The body survived the replay.
    assert response.json()["echo"] == '{"content":{"raw":"LGTM"}}'


async def test_a_second_401_is_returned_without_looping(fake: FakeBitbucket, clock: FakeClock) -> None:
    fake.always_401 = True

    async with client_for(fake, client_credentials(clock)) as client:
        response = await client.get(USER_URL)

    assert response.status_code == 401
    assert len(fake.api_requests) == 2
    assert len(fake.token_requests) == 2


async def test_concurrent_401s_share_one_renewal(clock: FakeClock) -> None:
    fake = FakeBitbucket(token_delay=0.02)

    async with client_for(fake, client_credentials(clock)) as client:
        await client.get(USER_URL)
        fake.revoke_access_tokens()
        responses = await asyncio.gather(*(client.get(USER_URL) for _ in range(5)))

    assert [response.status_code for response in responses] == [200] * 5
    assert len(fake.token_requests) == 2


async def test_requests_to_other_hosts_get_no_token_and_trigger_no_fetch(
    fake: FakeBitbucket, clock: FakeClock
) -> None:
    async with client_for(fake, client_credentials(clock)) as client:
        await client.get("https://bitbucket.org/acme/widgets")

    assert fake.token_requests == []
    assert fake.api_authorizations == [None]


async def test_token_request_uses_the_callers_timeout(fake: FakeBitbucket, clock: FakeClock) -> None:
    async with client_for(fake, client_credentials(clock), timeout=3.5) as client:
        await client.get(USER_URL)

    assert fake.token_requests[0].extensions["timeout"] == httpx.Timeout(3.5).as_dict()


async def test_token_endpoint_rejection_raises_authentication_error(
    fake: FakeBitbucket, clock: FakeClock
) -> None:
    fake.token_error = httpx.Response(
        400,
        json={
            "error": "invalid_client",
            "error_description": f"Invalid OAuth client credentials {CONSUMER_SECRET}",
        },
    )

    async with client_for(fake, client_credentials(clock)) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.get(USER_URL)

    error = caught.value
    assert error.status_code == 400
    assert "invalid_client: Invalid OAuth client credentials" in str(error)
    # The server echoed the secret into its description; we must not repeat it.
    assert CONSUMER_SECRET not in str(error)
    assert CONSUMER_SECRET not in repr(error)
    assert fake.api_requests == []


@pytest.mark.parametrize(
    ("token_response", "expected"),
    [
        (httpx.Response(503, text="<html><title>Service Unavailable</title></html>"), ServerError),
        (httpx.Response(429, text="Rate limit for this resource has been exceeded"), RateLimitError),
        (httpx.Response(200, json={"token_type": "bearer"}), AuthenticationError),
        (httpx.Response(200, text="not json"), AuthenticationError),
        (httpx.Response(200, content=b"[" * 5000), AuthenticationError),
        (httpx.Response(200, content=b'{"access_token": ' + b"[" * 5000), AuthenticationError),
        (httpx.Response(500, content=b'{"error": ' * 2000), ServerError),
    ],
)
async def test_other_token_endpoint_failures(
    fake: FakeBitbucket, clock: FakeClock, token_response: httpx.Response, expected: type[Exception]
) -> None:
    fake.token_error = token_response

    async with client_for(fake, client_credentials(clock)) as client:
        with pytest.raises(expected):
            await client.get(USER_URL)


def test_oauth_refuses_the_sync_client(fake: FakeBitbucket, clock: FakeClock) -> None:
    with httpx.Client(auth=client_credentials(clock)) as client:
        with pytest.raises(RuntimeError, match=r"not httpx\.Client"):
            client.get(USER_URL)


class Persisted:
    def __init__(self) -> None:
        self.saved: list[TokenSet] = []

    def sync(self, tokens: TokenSet) -> None:
        self.saved.append(tokens)

    async def async_(self, tokens: TokenSet) -> None:
        await asyncio.sleep(0)
        self.saved.append(tokens)


@pytest.mark.parametrize("callback_kind", ["sync", "async"])
async def test_refresh_token_rotation_is_kept_and_reported(
    fake: FakeBitbucket, clock: FakeClock, callback_kind: str
) -> None:
    persisted = Persisted()
    auth = OAuth2RefreshToken(
        CONSUMER_KEY,
        CONSUMER_SECRET,
        FIRST_REFRESH_TOKEN,
        on_refresh=persisted.sync if callback_kind == "sync" else persisted.async_,
        clock=clock,
        allowed_host=API_HOST,
    )

    async with client_for(fake, auth) as client:
        await client.get(USER_URL)
        clock.now += 7200
        response = await client.get(USER_URL)

    assert response.status_code == 200
    first_form, second_form = (parse_qs(request.content.decode()) for request in fake.token_requests)
    assert first_form == {"grant_type": ["refresh_token"], "refresh_token": [FIRST_REFRESH_TOKEN]}
    # The second refresh must use the token the first one rotated in, or Bitbucket rejects it.
    assert second_form["refresh_token"] == [fake.refresh_tokens[1]]
    assert [saved.refresh_token for saved in persisted.saved] == fake.refresh_tokens[1:]
    assert [saved.access_token for saved in persisted.saved] == ["access-1-Hj4", "access-2-Hj4"]
    expires_at = persisted.saved[-1].expires_at
    assert expires_at is not None
    assert abs(expires_at - (datetime.now(UTC) + timedelta(seconds=7200))) < timedelta(seconds=30)


async def test_refresh_token_flow_renews_once_on_401(fake: FakeBitbucket, clock: FakeClock) -> None:
    persisted = Persisted()
    auth = OAuth2RefreshToken(
        CONSUMER_KEY, CONSUMER_SECRET, FIRST_REFRESH_TOKEN, on_refresh=persisted.sync, clock=clock
    )

    async with client_for(fake, auth) as client:
        await client.get(USER_URL)
        fake.revoke_access_tokens()
        response = await client.get(USER_URL)

    assert response.status_code == 200
    assert len(fake.token_requests) == 2
    assert len(persisted.saved) == 2


async def test_restored_access_token_is_used_until_it_expires(fake: FakeBitbucket, clock: FakeClock) -> None:
    fake.issued.append("restored-access-Zz")
    auth = OAuth2RefreshToken(
        CONSUMER_KEY,
        CONSUMER_SECRET,
        FIRST_REFRESH_TOKEN,
        access_token="restored-access-Zz",
        expires_at=datetime.now(UTC) + timedelta(seconds=600),
        clock=clock,
    )

    async with client_for(fake, auth) as client:
        await client.get(USER_URL)
        assert fake.token_requests == []
        clock.now += 600
        await client.get(USER_URL)

    assert len(fake.token_requests) == 1
    assert fake.api_authorizations == ["Bearer restored-access-Zz", "Bearer access-1-Hj4"]


# --------------------------------------------------------------------------------------------------------
# Secrets stay secret
# --------------------------------------------------------------------------------------------------------


def every_auth() -> Iterator[tuple[httpx.Auth, list[str]]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield BearerToken(TOKEN), [TOKEN]
        yield ApiToken("me@example.com", API_TOKEN, allowed_host=API_HOST), [API_TOKEN]
        yield AppPassword("jdoe", PASSWORD), [PASSWORD]
        yield BasicAuth("jdoe", PASSWORD), [PASSWORD]
        yield OAuth2ClientCredentials(CONSUMER_KEY, CONSUMER_SECRET), [CONSUMER_SECRET]
        yield (
            OAuth2RefreshToken(
                CONSUMER_KEY, CONSUMER_SECRET, FIRST_REFRESH_TOKEN, access_token="access-x-Yy"
            ),
            [CONSUMER_SECRET, FIRST_REFRESH_TOKEN, "access-x-Yy"],
        )


def test_repr_and_str_show_only_public_fields() -> None:
    reprs = {type(auth).__name__: (repr(auth), str(auth), secrets) for auth, secrets in every_auth()}

    for text, as_str, secrets in reprs.values():
        assert text == as_str
        assert all(secret not in text for secret in secrets), text
    assert (
        reprs["ApiToken"][0]
        == "ApiToken(email='me@example.com', token='***', allowed_host='api.bitbucket.org')"
    )
    assert reprs["BearerToken"][0] == "BearerToken(token='***')"
    assert reprs["OAuth2RefreshToken"][0] == (
        "OAuth2RefreshToken(key='consumer-key-visible', secret='***', refresh_token='***')"
    )


def test_no_instance_attribute_holds_a_plain_secret() -> None:
    for auth, secrets in every_auth():
        plain_values = [value for value in vars(auth).values() if isinstance(value, str)]
        assert not set(plain_values) & set(secrets), type(auth).__name__


def test_token_set_and_secret_reprs_are_masked() -> None:
    tokens = TokenSet(access_token="access-a-Mm", refresh_token="refresh-r-Nn", expires_at=None)
    secret = Secret("plain-secret-Pp")

    assert "access-a-Mm" not in repr(tokens) and "refresh-r-Nn" not in str(tokens)
    assert tokens.access_token == "access-a-Mm"  # the caller still gets the value to persist
    assert repr(secret) == str(secret) == f"{secret}" == "'***'"
    assert secret.reveal() == "plain-secret-Pp"
    assert secret == Secret("plain-secret-Pp") and secret != Secret("other")
    with pytest.raises(TypeError):
        pickle.dumps(secret)


async def test_debug_logs_of_a_whole_oauth_run_contain_no_secret(
    fake: FakeBitbucket, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    auth = OAuth2RefreshToken(
        CONSUMER_KEY, CONSUMER_SECRET, FIRST_REFRESH_TOKEN, clock=clock, allowed_host=API_HOST
    )

    async with client_for(fake, auth) as client:
        await client.get(USER_URL)
        clock.now += 7200  # expiry renewal
        await client.get(USER_URL)
        fake.revoke_access_tokens()  # 401 renewal
        await client.get(USER_URL)
        await client.get("https://elsewhere.example.org/")  # pinning warning

    assert len(fake.token_requests) == 3
    assert any("OAuth access token" in record.getMessage() for record in caplog.records)
    logged = "\n".join(f"{record.getMessage()} {record.args!r}" for record in caplog.records)
    leaked = [form for form in secret_forms(*fake.all_secrets) if form in logged]
    assert leaked == []


def formatted_with_locals(error: BaseException) -> str:
    return "".join(traceback.TracebackException.from_exception(error, capture_locals=True).format())


async def test_traceback_locals_of_a_failed_token_request_contain_no_secret(clock: FakeClock) -> None:
    fake = FakeBitbucket()
    auth = OAuth2RefreshToken(
        CONSUMER_KEY, CONSUMER_SECRET, FIRST_REFRESH_TOKEN, clock=clock, allowed_host=API_HOST
    )

    async with client_for(fake, auth) as client:
        await client.get(USER_URL)
        fake.token_error = httpx.Response(
            400, json={"error": "invalid_grant", "error_description": "revoked"}
        )
        clock.now += 7200
        with pytest.raises(AuthenticationError) as caught:
            await client.get(USER_URL)

    text = formatted_with_locals(caught.value)
    assert "_accept" in text and "self = OAuth2RefreshToken(" in text  # locals really were captured
    leaked = [form for form in secret_forms(*fake.all_secrets) if form in text]
    assert leaked == []


async def test_traceback_locals_of_a_malformed_token_response_contain_no_secret(clock: FakeClock) -> None:
    """The response did carry a token but is unusable, so the parser had it in hand when we raised."""
    fake = FakeBitbucket()
    fake.token_error = httpx.Response(
        200, json={"access_token": "half-access-Rr", "refresh_token": "half-refresh-Ss", "expires_in": "soon"}
    )
    broken_callback_error = RuntimeError("disk full")

    def on_refresh(tokens: TokenSet) -> None:
        raise broken_callback_error

    auth = OAuth2RefreshToken(CONSUMER_KEY, CONSUMER_SECRET, FIRST_REFRESH_TOKEN, on_refresh=on_refresh)

    async with client_for(fake, auth) as client:
        with pytest.raises(RuntimeError, match="disk full") as caught:
            await client.get(USER_URL)

    text = formatted_with_locals(caught.value)
    assert "on_refresh" in text
    leaked = [
        form for form in secret_forms(CONSUMER_SECRET, "half-access-Rr", "half-refresh-Ss") if form in text
    ]
    assert leaked == []


async def test_traceback_locals_of_a_failed_static_request_contain_no_secret() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    auth = BasicAuth("jdoe", PASSWORD)
    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse), auth=auth) as client:
        with pytest.raises(httpx.ConnectError) as caught:
            await client.get(USER_URL)

    text = formatted_with_locals(caught.value)
    assert "request = <Request('GET'" in text
    assert [form for form in secret_forms(PASSWORD, "jdoe:" + PASSWORD) if form in text] == []


# --------------------------------------------------------------------------------------------------------
# Environment
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("product", "environ", "expected_type"),
    [
        ("cloud", {}, None),
        (
            "cloud",
            {"BITBUCKET_TOKEN": TOKEN, "BITBUCKET_EMAIL": "a@b.c", "BITBUCKET_API_TOKEN": "t"},
            BearerToken,
        ),
        (
            "cloud",
            {"BITBUCKET_TOKEN": "  ", "BITBUCKET_EMAIL": "a@b.c", "BITBUCKET_API_TOKEN": "t"},
            ApiToken,
        ),
        (
            "cloud",
            {
                "BITBUCKET_CLIENT_ID": "id",
                "BITBUCKET_CLIENT_SECRET": "s",
                "BITBUCKET_USERNAME": "u",
                "BITBUCKET_APP_PASSWORD": "p",
            },
            OAuth2ClientCredentials,
        ),
        ("cloud", {"BITBUCKET_USERNAME": "u", "BITBUCKET_APP_PASSWORD": "p"}, AppPassword),
        ("cloud", {"BITBUCKET_SERVER_TOKEN": TOKEN}, None),
        ("server", {"BITBUCKET_SERVER_TOKEN": TOKEN, "BITBUCKET_SERVER_USERNAME": "u"}, BearerToken),
        ("server", {"BITBUCKET_SERVER_USERNAME": "u", "BITBUCKET_SERVER_PASSWORD": "p"}, BasicAuth),
        ("server", {"BITBUCKET_TOKEN": TOKEN}, None),
    ],
)
def test_auth_from_env_order(
    product: str, environ: dict[str, str], expected_type: type[BitbucketAuth] | None
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        auth = auth_from_env(product, environ)  # type: ignore[arg-type]

    assert (type(auth) if auth is not None else None) is expected_type


def test_auth_from_env_builds_working_credentials() -> None:
    auth = auth_from_env("cloud", {"BITBUCKET_EMAIL": "me@example.com", "BITBUCKET_API_TOKEN": API_TOKEN})
    assert auth is not None

    request = next(auth.sync_auth_flow(httpx.Request("GET", USER_URL)))

    assert request.headers["Authorization"] == basic("me@example.com", API_TOKEN)


def test_auth_from_env_warns_about_half_a_pair(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        auth = auth_from_env("cloud", {"BITBUCKET_EMAIL": "me@example.com"})

    assert auth is None
    assert "BITBUCKET_API_TOKEN is not set" in caplog.text


def test_auth_from_env_rejects_username_as_api_token_user() -> None:
    with pytest.raises(ValueError, match="e-mail"):
        auth_from_env("cloud", {"BITBUCKET_EMAIL": "jdoe", "BITBUCKET_API_TOKEN": API_TOKEN})


def test_auth_from_env_rejects_unknown_product() -> None:
    with pytest.raises(ValueError, match="cloud"):
        auth_from_env("datacenter", {})  # type: ignore[arg-type]


ENV_VARIABLES = [
    "BITBUCKET_TOKEN",
    "BITBUCKET_EMAIL",
    "BITBUCKET_API_TOKEN",
    "BITBUCKET_CLIENT_ID",
    "BITBUCKET_CLIENT_SECRET",
    "BITBUCKET_USERNAME",
    "BITBUCKET_APP_PASSWORD",
    "BITBUCKET_SERVER_TOKEN",
    "BITBUCKET_SERVER_USERNAME",
    "BITBUCKET_SERVER_PASSWORD",
]


def test_module_docstring_lists_every_variable() -> None:
    doc = sys.modules[auth_from_env.__module__].__doc__ or ""

    assert [name for name in ENV_VARIABLES if name not in doc] == []


# --------------------------------------------------------------------------------------------------------
# Adversarial token endpoints (issue #11)
# --------------------------------------------------------------------------------------------------------

EVIL = "https://evil.example.com/steal"


class RedirectingTokenEndpoint:
    """A token endpoint that redirects elsewhere, and an elsewhere that hands out its own token."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.elsewhere: list[httpx.Request] = []
        self.api_authorizations: list[str | None] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "evil.example.com":
            self.elsewhere.append(request)
            await request.aread()
            return httpx.Response(200, json={"access_token": "evil-access-Ee", "expires_in": 7200})
        if str(request.url) == DEFAULT_TOKEN_URL:
            return httpx.Response(self.status, headers={"Location": EVIL})
        self.api_authorizations.append(request.headers.get("Authorization"))
        return httpx.Response(200, json={"username": "jdoe"})


@pytest.mark.parametrize("via", ["the client", "an httpx client following redirects"])
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_a_redirecting_token_endpoint_gets_no_secret_and_gives_no_token(
    status: int, via: str, clock: FakeClock
) -> None:
    endpoint = RedirectingTokenEndpoint(status)
    auth = OAuth2RefreshToken(CONSUMER_KEY, CONSUMER_SECRET, FIRST_REFRESH_TOKEN, clock=clock)

    if via == "the client":  # never follows a token request's redirect
        async with BitbucketCloud(auth=auth, transport=httpx.MockTransport(endpoint)) as bb:
            with pytest.raises(AuthenticationError, match="redirect") as caught:
                await bb.request("GET", "/user")
        assert endpoint.elsewhere == [] and EVIL in str(caught.value)
    else:  # follows it, but cannot replay the body, and refuses a token from elsewhere
        transport = WireTransport(endpoint)  # type: ignore[arg-type]  # sends bodies as a network would
        async with httpx.AsyncClient(transport=transport, auth=auth, follow_redirects=True) as client:
            with pytest.raises(BitbucketError, match="redirect"):
                await client.get(USER_URL)

    for request in endpoint.elsewhere:
        wire = request.content.decode() + repr(request.headers.raw)
        assert not [form for form in secret_forms(FIRST_REFRESH_TOKEN, CONSUMER_SECRET) if form in wire]
    assert endpoint.api_authorizations == []


@pytest.mark.parametrize("restored", [False, True], ids=["no-token-yet", "401-on-a-restored-token"])
async def test_a_failed_renewal_is_shared_by_every_caller_waiting_for_it(
    restored: bool, clock: FakeClock
) -> None:
    fake = FakeBitbucket(token_delay=0.02)
    fake.token_error = httpx.Response(
        400, json={"error": "invalid_grant", "error_description": "Invalid refresh_token"}
    )
    auth = OAuth2RefreshToken(
        CONSUMER_KEY,
        CONSUMER_SECRET,
        FIRST_REFRESH_TOKEN,
        access_token="restored-but-revoked" if restored else None,
        clock=clock,
        allowed_host=API_HOST,
    )

    async with client_for(fake, auth) as client:
        results = await asyncio.gather(*(client.get(USER_URL) for _ in range(200)), return_exceptions=True)
        assert len(fake.token_requests) == 1
        assert all(isinstance(result, AuthenticationError) for result in results)
        assert all("invalid_grant" in str(result) for result in results)
        assert len({id(result) for result in results}) == 200  # each caller raises its own object

        await asyncio.gather(*(client.get(USER_URL) for _ in range(5)), return_exceptions=True)
        assert len(fake.token_requests) == 2  # a later wave tries again, once


async def test_a_token_request_that_never_connects_is_shared_too(clock: FakeClock) -> None:
    token_attempts: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        if str(request.url) == DEFAULT_TOKEN_URL:
            token_attempts.append(request)
            await asyncio.sleep(0.02)
            raise httpx.ConnectError("connection refused")
        return httpx.Response(200)

    auth = OAuth2ClientCredentials(CONSUMER_KEY, CONSUMER_SECRET, clock=clock)
    async with BitbucketCloud(auth=auth, transport=httpx.MockTransport(handler), max_retries=0) as bb:
        results = await asyncio.gather(
            *(bb.request("GET", "/user") for _ in range(50)), return_exceptions=True
        )

    assert len(token_attempts) == 1
    assert all(type(result) is APIConnectionError for result in results)


async def test_token_endpoint_errors_never_echo_the_secrets(fake: FakeBitbucket, clock: FakeClock) -> None:
    echo = f"upstream said: refresh_token={FIRST_REFRESH_TOKEN} client_secret={CONSUMER_SECRET}"
    auth = OAuth2RefreshToken(CONSUMER_KEY, CONSUMER_SECRET, FIRST_REFRESH_TOKEN, clock=clock)
    for status, error_class in ((503, ServerError), (429, RateLimitError), (400, AuthenticationError)):
        fake.token_error = httpx.Response(status, text=echo)
        async with client_for(fake, auth) as client:
            with pytest.raises(error_class) as caught:
                await client.get(USER_URL)
        text = f"{caught.value} {caught.value!r} {caught.value.message} {caught.value.args}"
        assert "upstream said: refresh_token=***" in text
        assert not [form for form in secret_forms(FIRST_REFRESH_TOKEN, CONSUMER_SECRET) if form in text]


async def test_an_oauth_error_pickles_without_the_secrets(fake: FakeBitbucket, clock: FakeClock) -> None:
    fake.token_error = httpx.Response(400, json={"error": "invalid_grant", "error_description": "revoked"})
    auth = OAuth2RefreshToken(CONSUMER_KEY, CONSUMER_SECRET, FIRST_REFRESH_TOKEN, clock=clock)
    async with client_for(fake, auth) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.get(USER_URL)

    data = pickle.dumps(caught.value)
    assert not [form for form in secret_forms(FIRST_REFRESH_TOKEN, CONSUMER_SECRET) if form.encode() in data]
    copy = pickle.loads(data)
    assert type(copy) is AuthenticationError and str(copy) == str(caught.value)
    assert copy.request.method == "POST" and "authorization" not in copy.request.headers


# --------------------------------------------------------------------------------------------------------
# Credentials from a callable (issue #11, item 11)
# --------------------------------------------------------------------------------------------------------


class Vault:
    """A rotating secret: a new value each time it is read."""

    def __init__(self, prefix: str = "vault-token") -> None:
        self.prefix = prefix
        self.reads = 0

    def read(self) -> str:
        self.reads += 1
        return f"{self.prefix}-{self.reads}-Vv"

    async def read_async(self) -> str:
        await asyncio.sleep(0)
        return self.read()


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_a_token_callable_is_evaluated_for_every_request(kind: str) -> None:
    vault = Vault()
    recorder = Recorder()
    provider = vault.read if kind == "sync" else vault.read_async
    transport = httpx.MockTransport(recorder)
    async with BitbucketCloud(provider, transport=transport) as bb:
        assert vault.reads == 0  # evaluated when needed, not when built
        await bb.request("GET", "/user")
        await bb.request("GET", "/user")
        assert "vault" not in repr(bb)
    assert [r.headers["Authorization"] for r in recorder.requests] == [
        "Bearer vault-token-1-Vv",
        "Bearer vault-token-2-Vv",
    ]


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda provider: ApiToken("me@example.com", provider), basic("me@example.com", "vault-token-1-Vv")),
        (lambda provider: BasicAuth("jdoe", provider), basic("jdoe", "vault-token-1-Vv")),
        (lambda provider: BearerToken(provider), "Bearer vault-token-1-Vv"),
    ],
)
async def test_every_static_credential_accepts_a_callable(
    build: Callable[[Callable[[], str]], httpx.Auth], expected: str
) -> None:
    vault, recorder = Vault(), Recorder()
    auth = build(vault.read)
    async with httpx.AsyncClient(transport=httpx.MockTransport(recorder), auth=auth) as client:
        await client.get(USER_URL)
    with httpx.Client(transport=httpx.MockTransport(recorder), auth=auth) as sync_client:
        sync_client.get(USER_URL)
    assert recorder.requests[0].headers["Authorization"] == expected
    assert "vault" not in repr(auth)
    assert repr(auth).count("<callable>") == 1


def test_an_async_callable_needs_the_async_client() -> None:
    auth = BearerToken(Vault().read_async)
    with httpx.Client(transport=httpx.MockTransport(Recorder()), auth=auth) as client:
        with pytest.raises(TypeError, match="async"):
            client.get(USER_URL)


@pytest.mark.parametrize(
    ("returned", "error", "message"),
    [
        (None, TypeError, "NoneType"),
        (b"bytes-secret-Bb", TypeError, "bytes"),
        ("", ValueError, "empty"),
        ("multi\nline-secret-Mm", ValueError, "line break"),
    ],
)
async def test_a_callable_returning_an_unusable_token_fails_without_echoing_it(
    returned: object, error: type[Exception], message: str
) -> None:
    recorder = Recorder()
    async with BitbucketCloud(lambda: returned, transport=httpx.MockTransport(recorder)) as bb:  # type: ignore[arg-type, return-value]
        with pytest.raises(error, match=message) as caught:
            await bb.request("GET", "/user")
    assert recorder.requests == []
    library_frames = [
        repr(value)
        for frame, _line in traceback.walk_tb(caught.value.__traceback__)
        if frame.f_code.co_filename != __file__  # the test's own frames hold the value it returned
        for value in frame.f_locals.values()
    ]
    assert len(library_frames) > 5
    assert not [text for text in library_frames if "secret-" in text]


@respx.mock
async def test_a_rotated_token_echoed_by_the_server_is_redacted() -> None:
    vault = Vault()
    respx.route().mock(
        side_effect=lambda request: httpx.Response(401, text=f"bad token {request.headers['Authorization']}")
    )
    async with BitbucketCloud(vault.read) as bb:
        with pytest.raises(AuthenticationError) as caught:
            await bb.request("GET", "/user")
    assert "vault-token-1-Vv" not in str(caught.value)
    assert "bad token Bearer ***" in str(caught.value)


@pytest.mark.parametrize("token", ["line\nbreak", "carriage\rreturn", " padded", "nul\x00"])
def test_a_token_that_cannot_be_a_header_is_refused_at_once(token: str) -> None:
    with pytest.raises(ValueError, match="token") as caught:
        BearerToken(token)
    assert token not in str(caught.value)
