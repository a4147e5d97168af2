"""Credentials for Bitbucket Cloud and Data Center, as ``httpx.Auth`` classes.

Which class for which credential:

* :class:`BearerToken` - Cloud repository/project/workspace access tokens, OAuth access tokens you manage
  yourself, Data Center HTTP access tokens.
* :class:`ApiToken` - Cloud API tokens: Basic auth with the Atlassian account *e-mail* as user.
* :class:`AppPassword` - Cloud app passwords (removed by Atlassian in July 2026; deprecated here).
* :class:`BasicAuth` - Data Center username and password (or personal access token as password).
* :class:`OAuth2ClientCredentials`, :class:`OAuth2RefreshToken` - Cloud OAuth 2.0 consumers; they fetch and
  renew access tokens themselves, so they work with the package's clients (``bitbucket_client`` and
  ``bitbucket_client.sync``) or an ``httpx.AsyncClient``, not with a plain ``httpx.Client``.

The secret of :class:`BearerToken`, :class:`ApiToken` and :class:`BasicAuth` may be a callable (sync or
async) instead of a string: it is called for every request, so a vault or a rotating secret feeds the
client without rebuilding it (cache inside the callable if reading it is slow).

:func:`auth_from_env` picks one from the environment, first match wins:

* ``cloud``: ``BITBUCKET_TOKEN`` (BearerToken); ``BITBUCKET_EMAIL`` + ``BITBUCKET_API_TOKEN`` (ApiToken);
  ``BITBUCKET_CLIENT_ID`` + ``BITBUCKET_CLIENT_SECRET`` (OAuth2ClientCredentials);
  ``BITBUCKET_USERNAME`` + ``BITBUCKET_APP_PASSWORD`` (AppPassword).
* ``server``: ``BITBUCKET_SERVER_TOKEN`` (BearerToken);
  ``BITBUCKET_SERVER_USERNAME`` + ``BITBUCKET_SERVER_PASSWORD`` (BasicAuth).

Host pinning: every class accepts ``allowed_host`` and has :meth:`BitbucketAuth.bind_host`, which the
client calls with its base URL's host. Once bound, a request to any other host (an absolute ``next`` link,
a ``Location`` to poll) is sent *without* credentials and a warning is logged. Only the host is compared,
case-insensitively; scheme and port are not. The OAuth token URL is used for the token request only.

Secrets live in :class:`~bitbucket_client._secret.Secret` and are revealed only inside the expression that
builds the ``Authorization`` header, so they stay out of reprs, logs and tracebacks with captured locals.

OAuth token requests never follow redirects: the client sends them without following, and a token is only
accepted from the token URL itself. Their body can be sent once only, so an ``httpx.AsyncClient`` of your
own that follows redirects cannot replay the refresh token to a redirect target either.
"""

from __future__ import annotations

import base64
import inspect
import json
import logging
import os
import re
import time
import warnings
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Generator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Literal, NoReturn, TypeAlias
from urllib.parse import urlencode

import attrs
import httpx

from ._exceptions import APIStatusError, AuthenticationError, BitbucketError, error_from_response
from ._secret import Secret
from ._shared_lock import SharedLock

__all__ = [
    "DEFAULT_TOKEN_URL",
    "ApiToken",
    "AppPassword",
    "BasicAuth",
    "BearerToken",
    "BitbucketAuth",
    "OAuth2ClientCredentials",
    "OAuth2RefreshToken",
    "TokenProvider",
    "TokenSet",
    "auth_from_env",
]

TokenProvider: TypeAlias = Callable[[], str] | Callable[[], Awaitable[str]]
"""A callable (sync or async) returning the current secret; called for every request."""

logger = logging.getLogger(__name__)

DEFAULT_TOKEN_URL = "https://bitbucket.org/site/oauth2/access_token"


class BitbucketAuth(httpx.Auth):
    """Base of every auth class here: knows which host may receive its credentials."""

    def __init__(self, *, allowed_host: str | None = None) -> None:
        self._allowed_host = None if allowed_host is None else _normalize_host(allowed_host)

    @property
    def allowed_host(self) -> str | None:
        return self._allowed_host

    def bind_host(self, host: str) -> None:
        """Send credentials only to ``host`` (a host name or a URL). Binding twice to another host fails."""
        host = _normalize_host(host)
        if self._allowed_host is not None and self._allowed_host != host:
            raise ValueError(
                f"{type(self).__name__} is already bound to {self._allowed_host!r}; "
                f"refusing to also send its credentials to {host!r}"
            )
        self._allowed_host = host

    def _may_authenticate(self, request: httpx.Request) -> bool:
        if self._allowed_host is None or request.url.host == self._allowed_host:
            return True
        logger.warning(
            "Not sending %s credentials to %r: they are bound to %r",
            type(self).__name__,
            request.url.host,
            self._allowed_host,
        )
        return False

    def _public_fields(self) -> dict[str, object]:
        """Fields shown by repr(); secrets appear as their Secret wrapper, i.e. '***'."""
        return {}

    def _known_secrets(self) -> list[Secret]:
        """Every secret this auth holds now, for redaction from what a server echoes back."""
        return []

    def __repr__(self) -> str:
        fields = dict(self._public_fields())
        if self._allowed_host is not None:
            fields["allowed_host"] = self._allowed_host
        return f"{type(self).__name__}({', '.join(f'{name}={value!r}' for name, value in fields.items())})"

    __str__ = __repr__


class _Credential:
    """A secret given as a string, or as a callable evaluated for every request (the vault case)."""

    def __init__(self, value: str | TokenProvider, name: str, *, sent_as_is: bool) -> None:
        self._name = name
        self._sent_as_is = sent_as_is  # a Bearer token goes into the header unencoded
        self._provider: TokenProvider | None = None
        self._current: Secret | None = None  # the fixed value, or the provider's latest
        if callable(value):
            self._provider = value
        else:
            self._current = self._accept(_required(value, name), given=True)

    def now(self) -> Secret:
        """The secret, for a sync client: an async provider cannot be awaited there."""
        if self._provider is None:
            assert self._current is not None
            return self._current
        outcome = self._provider()
        if inspect.isawaitable(outcome):
            _close(outcome)
            raise TypeError(
                f"the {self._name} callable is async: use it with httpx.AsyncClient or the package's "
                "clients, or pass a sync callable"
            )
        return self._accept(outcome)

    async def now_async(self) -> Secret:
        if self._provider is None:
            assert self._current is not None
            return self._current
        return self._accept(await _awaited(self._provider()))

    def _accept(self, value: object, *, given: bool = False) -> Secret:
        # The value is wrapped before anything can raise, so no frame of a traceback holds it in plain.
        kind, secret = type(value).__name__, Secret(value) if isinstance(value, str) else None
        del value
        source = self._name if given else f"the {self._name} callable's value"
        if secret is None:
            raise TypeError(f"{source} is a {kind}, not a str")
        problem = _header_problem(secret) if self._sent_as_is else _empty_problem(secret)
        if problem is not None:
            raise ValueError(f"{source} {problem}")
        self._current = secret
        return secret

    def known(self) -> list[Secret]:
        return [] if self._current is None else [self._current]

    def __repr__(self) -> str:
        return "'***'" if self._provider is None else "<callable>"


async def _awaited(outcome: object) -> object:
    return await outcome if inspect.isawaitable(outcome) else outcome


def _close(awaitable: object) -> None:
    close = getattr(awaitable, "close", None)  # a coroutine never awaited would warn
    if close is not None:
        close()


class _HeaderAuth(BitbucketAuth):
    """Credentials that are one header: work with both httpx.Client and httpx.AsyncClient."""

    _secret: _Credential

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._may_authenticate(request):
            request.headers["Authorization"] = self._header(self._secret.now())
        yield request

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if self._may_authenticate(request):
            request.headers["Authorization"] = self._header(await self._secret.now_async())
        yield request

    def _header(self, secret: Secret) -> str:
        raise NotImplementedError

    def _known_secrets(self) -> list[Secret]:
        return self._secret.known()


class BearerToken(_HeaderAuth):
    """``Authorization: Bearer <token>`` (access tokens on Cloud, HTTP access tokens on Data Center).

    ``token`` may be a callable (sync or async) returning the current token, called for every request.
    """

    def __init__(self, token: str | TokenProvider, *, allowed_host: str | None = None) -> None:
        super().__init__(allowed_host=allowed_host)
        self._secret = _Credential(token, "token", sent_as_is=True)

    def _header(self, secret: Secret) -> str:
        return f"Bearer {secret.reveal()}"

    def _public_fields(self) -> dict[str, object]:
        return {"token": self._secret}


class ApiToken(_HeaderAuth):
    """Cloud API token: Basic auth with the Atlassian account e-mail (not the username) as user.

    ``token`` may be a callable (sync or async) returning the current token, called for every request.
    """

    def __init__(self, email: str, token: str | TokenProvider, *, allowed_host: str | None = None) -> None:
        super().__init__(allowed_host=allowed_host)
        email = _required(email, "email")
        if "@" not in email:
            raise ValueError(
                f"ApiToken needs the Atlassian account e-mail address as the user, got {email!r}. "
                "Bitbucket API tokens are rejected when sent with the Bitbucket username, "
                "the most common setup mistake."
            )
        self._email = email
        self._secret = _Credential(token, "token", sent_as_is=False)

    @property
    def email(self) -> str:
        """The Atlassian account e-mail sent as the Basic user."""
        return self._email

    def _header(self, secret: Secret) -> str:
        return _basic_authorization(self._email, secret)

    def _public_fields(self) -> dict[str, object]:
        return {"email": self._email, "token": self._secret}


class AppPassword(_HeaderAuth):
    """Cloud app password (Basic ``username:app_password``). Deprecated: removed by Atlassian in July 2026."""

    # One warning per process: old configs build a client per job, and a warning per job is noise.
    _warned: ClassVar[bool] = False

    def __init__(self, username: str, password: str, *, allowed_host: str | None = None) -> None:
        super().__init__(allowed_host=allowed_host)
        if not AppPassword._warned:
            AppPassword._warned = True
            warnings.warn(
                "Bitbucket Cloud app passwords were removed in July 2026; "
                "use bitbucket_client.ApiToken(email, token) with an API token instead.",
                DeprecationWarning,
                stacklevel=2,
            )
        self._username = _required(username, "username")
        self._secret = _Credential(password, "password", sent_as_is=False)

    def _header(self, secret: Secret) -> str:
        return _basic_authorization(self._username, secret)

    def _public_fields(self) -> dict[str, object]:
        return {"username": self._username, "password": self._secret}


class BasicAuth(_HeaderAuth):
    """Data Center Basic auth: username with password or personal access token.

    ``password_or_token`` may be a callable (sync or async) returning the current value, called for
    every request.
    """

    def __init__(
        self, username: str, password_or_token: str | TokenProvider, *, allowed_host: str | None = None
    ) -> None:
        super().__init__(allowed_host=allowed_host)
        self._username = _required(username, "username")
        self._secret = _Credential(password_or_token, "password_or_token", sent_as_is=False)

    def _header(self, secret: Secret) -> str:
        return _basic_authorization(self._username, secret)

    def _public_fields(self) -> dict[str, object]:
        return {"username": self._username, "password_or_token": self._secret}


def _mask(_value: object) -> str:
    return "'***'"


@attrs.frozen
class TokenSet:
    """What to persist after a refresh: Bitbucket rotates the refresh token on every use."""

    access_token: str = attrs.field(repr=_mask)
    refresh_token: str = attrs.field(repr=_mask)
    expires_at: datetime | None
    """Wall-clock (UTC) expiry, or ``None`` when the server did not say."""


@attrs.frozen
class _Grant:
    access_token: Secret
    refresh_token: Secret | None
    expires_in: float | None


class _OAuth2(BitbucketAuth):
    """Shared machinery: fetch a token inside the auth flow, renew it early, and once more on a 401.

    The token request is yielded from the flow, so it goes through the caller's client (transport,
    proxies, timeouts). A lock held across that request makes concurrent callers share one renewal,
    whatever event loop or thread they run on (a `SharedLock`: the synchronous client runs each thread's
    calls on that thread's own loop, and one renewed token serves them all). ``_generation`` tells a
    caller that saw a 401 whether someone else already renewed, and callers that waited while a renewal
    failed raise that failure instead of trying again.
    """

    _grant_type: ClassVar[str]

    def __init__(
        self,
        key: str,
        secret: str,
        *,
        token_url: str,
        refresh_margin: float,
        clock: Callable[[], float],
        allowed_host: str | None,
    ) -> None:
        super().__init__(allowed_host=allowed_host)
        self._key = _required(key, "key")
        self._secret = Secret(_required(secret, "secret"))
        self._token_url = httpx.URL(token_url)
        self._refresh_margin = refresh_margin
        self._clock = clock
        self._access_token: Secret | None = None
        self._renew_at: float | None = None  # clock() reading after which we renew; None: only on a 401
        self._generation = 0
        self._renewals_finished = 0
        self._last_failure: Callable[[], Exception] | None = None  # of the last renewal that finished
        self._lock = SharedLock()

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        _async_only(self)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        _async_only(self)

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if not self._may_authenticate(request):
            yield request
            return
        # After a 401 the same request is sent again, so a streamed body must be buffered first.
        await request.aread()

        renew = self._needs_renewal()
        sent_with: int | None = None  # the token generation the request went out with
        # A renewal that ends after this point and fails would fail again for this request: share it.
        finished_before = self._renewals_finished
        for replay in (False, True):
            if renew:
                async with self._lock:
                    if self._still_to_renew(finished_before, sent_with):
                        try:
                            token_response = yield self._token_request(request)
                        except Exception as error:  # the client could not complete the token request
                            self._finish_renewal(failure=_repeatable(error))
                            raise
                        await self._accept(token_response)
            sent_with = self._generation
            request.headers["Authorization"] = self._bearer()
            response = yield request
            if replay or response.status_code != 401:
                return  # a second 401 is returned to the caller as is: no loop
            # Read the 401 before queueing for the lock: a burst of 401s would otherwise hold every
            # pooled connection, and the token request would wait for one forever.
            await response.aread()
            logger.debug("401 from %s; renewing the OAuth access token once", request.url.host)
            renew = True

    def _needs_renewal(self) -> bool:
        if self._access_token is None:
            return True
        return self._renew_at is not None and self._clock() >= self._renew_at

    def _still_to_renew(self, finished_before: int, sent_with: int | None) -> bool:
        """Whether this caller, now holding the lock, must renew; raises the failure of a renewal that
        ended since the caller started (one failed refresh is not repeated by every caller of a burst)."""
        if self._renewals_finished != finished_before and self._last_failure is not None:
            raise self._last_failure()
        if sent_with is None:
            return self._needs_renewal()
        return self._generation == sent_with  # else someone renewed after our request went out

    def _finish_renewal(self, *, failure: Callable[[], Exception] | None) -> None:
        self._renewals_finished += 1
        self._last_failure = failure

    def _bearer(self) -> str:
        if self._access_token is None:
            raise RuntimeError("no OAuth access token after a successful token request")
        return f"Bearer {self._access_token.reveal()}"

    def _grant_form(self) -> dict[str, str]:
        return {"grant_type": self._grant_type}

    def _token_request(self, original: httpx.Request) -> httpx.Request:
        logger.debug(
            "Requesting an OAuth access token (grant_type=%s) from %s", self._grant_type, self._token_url
        )
        # Requests we build skip the client's merge step, so carry the caller's timeout over explicitly.
        extensions = {"timeout": original.extensions["timeout"]} if "timeout" in original.extensions else {}
        body = urlencode(self._grant_form()).encode()
        return httpx.Request(
            "POST",
            self._token_url,
            headers={
                # httpx adds Host only to requests it encodes itself, and this one brings its own stream.
                "Host": self._token_url.netloc.decode("ascii"),
                "Authorization": _basic_authorization(self._key, self._secret),
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded",
                "Content-Length": str(len(body)),
            },
            stream=_SentOnce(body),
            extensions=extensions,
        )

    async def _accept(self, response: httpx.Response) -> None:
        await response.aread()
        outcome = self._grant_or_error(response)
        if isinstance(outcome, Exception):
            self._finish_renewal(failure=lambda: self._same_error(response))
            raise outcome
        self._access_token = outcome.access_token
        self._renew_at = None
        if outcome.expires_in is not None:
            # A token shorter-lived than the margin would otherwise be renewed before every request.
            margin = min(self._refresh_margin, outcome.expires_in / 2)
            self._renew_at = self._clock() + outcome.expires_in - margin
        self._generation += 1
        self._finish_renewal(failure=None)
        logger.debug("OAuth access token renewed (expires in %s s)", outcome.expires_in)
        await self._after_grant(outcome)

    def _grant_or_error(self, response: httpx.Response) -> _Grant | APIStatusError:
        if response.request.url != self._token_url:  # httpx followed a redirect: not our answer
            return AuthenticationError(
                f"the OAuth token request was redirected to {response.request.url.copy_with(query=None)}; "
                f"a token is only accepted from the token URL {self._token_url}",
                response=response,
            )
        if response.status_code != 200:
            return self._token_error(response)
        grant = _parse_grant(response)
        if grant is None:
            return AuthenticationError(
                "OAuth token endpoint answered without an access_token", response=response
            )
        return grant

    def _same_error(self, response: httpx.Response) -> Exception:
        outcome = self._grant_or_error(response)  # the same answer gives the same error, as a new object
        assert isinstance(outcome, Exception)
        return outcome

    async def _after_grant(self, grant: _Grant) -> None:
        pass

    def _token_error(self, response: httpx.Response) -> APIStatusError:
        error = error_from_response(response, secrets=self._known_secrets())
        # Throttled or broken token endpoint: keep the status-specific class so callers can retry it.
        if response.status_code == 429 or response.status_code >= 500:
            return error
        if response.is_redirect:
            message = (
                f"the token endpoint answered {response.status_code} with a redirect to "
                f"{response.headers.get('Location', '(no Location)')}; token requests never follow redirects"
            )
        else:
            message = f"OAuth token request failed: {error.message}"
        return AuthenticationError(
            message,
            response=response,
            details=error.details,
            request_id=error.request_id,
        )

    def _known_secrets(self) -> list[Secret]:
        return [self._secret] + ([self._access_token] if self._access_token is not None else [])

    def _public_fields(self) -> dict[str, object]:
        return {"key": self._key, "secret": self._secret}


class _SentOnce(httpx.AsyncByteStream):
    """The token request's body. A client that follows a redirect would send it again, refresh token
    and all, to wherever the redirect points: the second send fails instead."""

    def __init__(self, body: bytes) -> None:
        self._body = body
        self._sent = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._sent:
            raise BitbucketError(
                "refusing to send the OAuth token request again (a redirect?): token requests never "
                "follow redirects, so use an httpx.AsyncClient with follow_redirects=False"
            )
        self._sent = True
        yield self._body


def _repeatable(error: Exception) -> Callable[[], Exception]:
    """How the callers that waited for a failed token request raise the same failure, each its own."""
    if isinstance(error, httpx.RequestError):
        try:
            request: httpx.Request | None = error.request
        except RuntimeError:
            request = None
        return lambda: type(error)(str(error), request=request)
    return lambda: error


class OAuth2ClientCredentials(_OAuth2):
    """Cloud OAuth consumer, client-credentials grant: the consumer acts as its owner. For the package's
    clients, async and sync (not for a plain httpx.Client)."""

    _grant_type = "client_credentials"

    def __init__(
        self,
        key: str,
        secret: str,
        *,
        token_url: str = DEFAULT_TOKEN_URL,
        refresh_margin: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        allowed_host: str | None = None,
    ) -> None:
        super().__init__(
            key,
            secret,
            token_url=token_url,
            refresh_margin=refresh_margin,
            clock=clock,
            allowed_host=allowed_host,
        )


class OAuth2RefreshToken(_OAuth2):
    """Cloud OAuth consumer, refresh-token grant. For the package's clients, async and sync (not for a
    plain httpx.Client).

    Bitbucket issues a new refresh token on every refresh and the old one stops working, so the newest one
    is kept here and handed to ``on_refresh`` (sync or async) to persist. ``on_refresh`` runs while other
    requests wait for the renewal; if it raises, the request that triggered the refresh fails, but the new
    tokens are already in use.

    ``access_token``/``expires_at`` restore a previously saved :class:`TokenSet`; without ``expires_at`` a
    restored access token is used until the server answers 401.
    """

    _grant_type = "refresh_token"

    def __init__(
        self,
        key: str,
        secret: str,
        refresh_token: str,
        *,
        access_token: str | None = None,
        expires_at: datetime | None = None,
        on_refresh: Callable[[TokenSet], Awaitable[None] | None] | None = None,
        token_url: str = DEFAULT_TOKEN_URL,
        refresh_margin: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        allowed_host: str | None = None,
    ) -> None:
        super().__init__(
            key,
            secret,
            token_url=token_url,
            refresh_margin=refresh_margin,
            clock=clock,
            allowed_host=allowed_host,
        )
        self._refresh_token = Secret(_required(refresh_token, "refresh_token"))
        self._on_refresh = on_refresh
        if access_token is not None:
            self._access_token = Secret(_required(access_token, "access_token"))
            if expires_at is not None:
                remaining = (_as_utc(expires_at) - datetime.now(UTC)).total_seconds()
                self._renew_at = self._clock() + remaining - refresh_margin

    def _grant_form(self) -> dict[str, str]:
        return {"grant_type": self._grant_type, "refresh_token": self._refresh_token.reveal()}

    async def _after_grant(self, grant: _Grant) -> None:
        if grant.refresh_token is not None:
            self._refresh_token = grant.refresh_token
        if self._on_refresh is None:
            return
        expires_at = (
            None if grant.expires_in is None else datetime.now(UTC) + timedelta(seconds=grant.expires_in)
        )
        token_set = TokenSet(
            access_token=grant.access_token.reveal(),
            refresh_token=self._refresh_token.reveal(),
            expires_at=expires_at,
        )
        outcome = self._on_refresh(token_set)
        if inspect.isawaitable(outcome):
            await outcome

    def _known_secrets(self) -> list[Secret]:
        return [*super()._known_secrets(), self._refresh_token]

    def _public_fields(self) -> dict[str, object]:
        return {**super()._public_fields(), "refresh_token": self._refresh_token}


def auth_from_env(
    product: Literal["cloud", "server"], environ: Mapping[str, str] = os.environ
) -> BitbucketAuth | None:
    """Credentials from environment variables (see the module docstring for names and order), or None.

    Empty variables count as unset. Half of a pair (an e-mail without its token, ...) is skipped with a
    warning naming the missing variable, because silently going anonymous leads to puzzling 401/403s.
    """

    def read(name: str) -> str | None:
        return environ.get(name, "").strip() or None

    def pair(first: str, second: str) -> tuple[str, str] | None:
        values = read(first), read(second)
        if values[0] is not None and values[1] is not None:
            return values[0], values[1]
        if values[0] is not None or values[1] is not None:
            missing = second if values[1] is None else first
            logger.warning("Ignoring %s/%s: %s is not set", first, second, missing)
        return None

    if product == "cloud":
        if token := read("BITBUCKET_TOKEN"):
            return BearerToken(token)
        if found := pair("BITBUCKET_EMAIL", "BITBUCKET_API_TOKEN"):
            return ApiToken(*found)
        if found := pair("BITBUCKET_CLIENT_ID", "BITBUCKET_CLIENT_SECRET"):
            return OAuth2ClientCredentials(*found)
        if found := pair("BITBUCKET_USERNAME", "BITBUCKET_APP_PASSWORD"):
            return AppPassword(*found)
        return None
    if product == "server":
        if token := read("BITBUCKET_SERVER_TOKEN"):
            return BearerToken(token)
        if found := pair("BITBUCKET_SERVER_USERNAME", "BITBUCKET_SERVER_PASSWORD"):
            return BasicAuth(*found)
        return None
    raise ValueError(f"product must be 'cloud' or 'server', not {product!r}")


def _parse_grant(response: httpx.Response) -> _Grant | None:
    try:
        # Token fields are wrapped while parsing, so no plain token ever sits in a local variable.
        payload = json.loads(response.content, object_hook=_wrap_token_fields)
    except (ValueError, RecursionError):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("access_token"), Secret):
        return None
    refresh_token = payload.get("refresh_token")
    return _Grant(
        access_token=payload["access_token"],
        refresh_token=refresh_token if isinstance(refresh_token, Secret) else None,
        expires_in=_positive_seconds(payload.get("expires_in")),
    )


_TOKEN_FIELDS = frozenset({"access_token", "refresh_token", "id_token"})


def _wrap_token_fields(obj: dict[str, Any]) -> dict[str, Any]:
    return {
        key: Secret(value) if key in _TOKEN_FIELDS and isinstance(value, str) else value
        for key, value in obj.items()
    }


def _positive_seconds(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if 0 < seconds < float("inf") else None


def _basic_authorization(user: str, password: Secret) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password.reveal()}".encode()).decode("ascii")


def _required(value: str, name: str) -> str:
    # The value itself never goes into the message: it may be the secret.
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string")
    return value


# What h11 accepts as a header value: no NUL, no line break, no whitespace at either end.
_HEADER_VALUE = re.compile(r"[^\x00\s]+(?:[ \t]+[^\x00\s]+)*")


def _header_problem(secret: Secret) -> str | None:
    """Why ``secret`` cannot be sent as a header value as it is (without saying what it is), or None."""
    if not secret.reveal().strip():
        return "is empty"
    if _HEADER_VALUE.fullmatch(secret.reveal()) is None:
        return "has a line break, a NUL or leading/trailing whitespace, which an HTTP header cannot carry"
    if not secret.reveal().isascii():
        return "has non-ASCII characters, which an HTTP header cannot carry"
    return None


def _empty_problem(secret: Secret) -> str | None:
    return "is empty" if not secret.reveal().strip() else None


def _normalize_host(value: str) -> str:
    host = httpx.URL(value if "://" in value else f"//{value}").host
    if not host:
        raise ValueError(f"not a host name: {value!r}")
    return host


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _async_only(auth: BitbucketAuth) -> NoReturn:
    raise RuntimeError(
        f"{type(auth).__name__} renews tokens with network requests and a lock, so use it with the "
        "package's clients (bitbucket_client or bitbucket_client.sync) or httpx.AsyncClient, "
        "not httpx.Client."
    )
