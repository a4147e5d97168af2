"""The request pipeline both clients share: `BaseClient`.

Every request goes through `BaseClient._send` (or `stream`): the URL must stay under the configured base
URL (credentials are never sent elsewhere) and every header must be one HTTP can carry; then the request
is sent, retried as `_retry.decide` says within the call's deadline and wait budget, and a non-2xx
answer becomes a typed error from `_exceptions`, with any credential the server echoed redacted.

The pipeline runs the auth flow and follows redirects itself (rather than letting httpx do it): a
download answers 302 to a storage host, which gets no credentials and none of the caller's headers; a
redirect within the API is authenticated again; a request other than GET or HEAD, and a request the
auth adds (an OAuth token request), never follow one (`_redirects`).
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import warnings
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self, TypeVar

import anyio
import attrs
import httpx

from ._answer import capture
from ._auth import BearerToken, BitbucketAuth, TokenProvider, _HeaderAuth, auth_from_env
from ._exceptions import (
    APIConnectionError,
    APITimeoutError,
    BitbucketError,
    RateLimitError,
    error_from_response,
)
from ._merge import DEADLINE_EXTENSION
from ._pagination import AsyncPaginator, FetchPage, redact_url, why_outside_api
from ._redirects import redirect_target
from ._refs import RefLookup, needs_resolving, resolve_refs
from ._retry import RetryPolicy, decide, sleep
from ._saving import check_destination, save_body
from ._secret import Secret, redact, sent_secrets
from ._types import UNSET, Unset
from ._uploads import Upload, request_form
from ._version import __version__

if TYPE_CHECKING:
    from ._answer import Answer
    from ._request import Request

logger = logging.getLogger("bitbucket_client")


T = TypeVar("T")


DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


# For requests our own auth flow has already authenticated: no second auth from the httpx client.
_NO_AUTH = httpx.Auth()


class BaseClient:
    """What both products share: one `httpx.AsyncClient`, auth, retries, deadlines, errors, pagination."""

    _product: ClassVar[Literal["cloud", "server"]]
    _ref_lookups: ClassVar[tuple[RefLookup, ...]] = ()  # set by the product class from its rules

    def __init__(
        self,
        base_url: str | httpx.URL,
        token: str | TokenProvider | None,
        *,
        auth: httpx.Auth | None,
        timeout: float | httpx.Timeout | None,
        max_retries: int,
        rate_limit_budget: float,
        deadline: float | None,
        headers: Mapping[str, str] | None,
        http_client: httpx.AsyncClient | None,
        transport: httpx.AsyncBaseTransport | None,
    ) -> None:
        if http_client is not None and transport is not None:
            raise ValueError("pass either http_client= or transport=, not both")
        if token is not None and auth is not None:
            raise ValueError("pass either a token or auth=, not both")
        if token is not None:
            if not callable(token) and (not isinstance(token, str) or not token.strip()):
                raise ValueError("token must be a non-empty string, or a callable returning one")
            auth = BearerToken(token)
        elif auth is None:
            auth = auth_from_env(self._product)
        self._base_url = httpx.URL(str(base_url).rstrip("/"))
        self._base_text = str(self._base_url)
        if self._base_url.scheme not in ("http", "https") or not self._base_url.host:
            raise ValueError(f"base_url must be an absolute http(s) URL, got {str(base_url)!r}")
        if isinstance(auth, BitbucketAuth):
            auth.bind_host(self._base_url.host)
        self._auth = auth
        self._retry_policy = RetryPolicy(max_retries=max_retries, rate_limit_budget=rate_limit_budget)
        self._deadline = _checked_deadline(deadline)
        self._timeout: httpx.Timeout | None = None  # set by with_options(timeout=...)
        self._headers = {"User-Agent": f"bitbucket-client-async/{__version__}", **(headers or {})}
        self._owns_http_client = http_client is None
        self._closed = False
        self._http = http_client or httpx.AsyncClient(
            timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
            follow_redirects=True,
            transport=transport,
        )

    def with_options(
        self,
        *,
        deadline: float | Unset | None = UNSET,
        max_retries: int | Unset = UNSET,
        rate_limit_budget: float | Unset = UNSET,
        timeout: float | httpx.Timeout | Unset | None = UNSET,
    ) -> Self:
        """A copy of this client with other options for the calls made through it, sharing its
        connection pool, credentials and headers (cheap: make one per call if you like)::

            pr = await bb.with_options(deadline=5, max_retries=0).pullrequests.get("ws", "repo", 7)

        ``deadline`` (seconds, or None for none) bounds each call as a whole; ``timeout`` is httpx's
        per-phase timeout (connect, read, write, pool). Options not given stay as they are. Closing the
        copy does not close the shared pool: the original owns it.
        """
        clone = object.__new__(type(self))
        # Private state only: the namespaces cached on the original are bound to the original.
        clone.__dict__.update({name: value for name, value in vars(self).items() if name.startswith("_")})
        clone._owns_http_client = False
        clone._closed = False
        if not isinstance(deadline, Unset):
            clone._deadline = _checked_deadline(deadline)
        if not isinstance(max_retries, Unset):
            clone._retry_policy = attrs.evolve(clone._retry_policy, max_retries=max_retries)
        if not isinstance(rate_limit_budget, Unset):
            clone._retry_policy = attrs.evolve(clone._retry_policy, rate_limit_budget=rate_limit_budget)
        if not isinstance(timeout, Unset):
            clone._timeout = httpx.Timeout(timeout)
        return clone

    # ---- lifecycle -----------------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client if this client created it (a client passed in stays open, and so does
        the pool a `with_options` copy shares). Calls made afterwards raise `BitbucketError`."""
        self._closed = True
        if self._owns_http_client:
            await self._http.aclose()

    @property
    def base_url(self) -> httpx.URL:
        """The API root every request stays under."""
        return self._base_url

    def __repr__(self) -> str:
        auth = type(self._auth).__name__ if self._auth is not None else None
        return f"{type(self).__name__}(base_url={str(self._base_url)!r}, auth={auth})"

    # ---- raw access ----------------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        content: bytes | str | None = None,
        files: Mapping[str, Upload | Sequence[Upload]] | Sequence[tuple[str, Upload]] | None = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        deadline: float | Unset | None = UNSET,
    ) -> httpx.Response:
        """Call an endpoint the documents lack: `path` is relative to the base URL (or an absolute URL
        under it). Retries, deadlines and typed errors apply as for every other call; `deadline`
        replaces the client's for this call.

        The body is one of `json=`, `content=` (bytes or text, sent as they are), or a form: `files=`
        (field name to an `Upload` or a list of them, or (field name, upload) pairs) with `data=`
        (plain fields; a list repeats the field) is sent as `multipart/form-data`, and `data=` alone
        as `application/x-www-form-urlencoded`.
        """
        bodies = [
            name
            for name, value in (("json", json), ("content", content), ("files", files))
            if value is not None
        ]
        if len(bodies) > 1 or (data is not None and (json is not None or content is not None)):
            given = ", ".join(f"{name}=" for name in [*bodies, *(["data"] if data is not None else [])])
            raise TypeError(f"pass one body: json=, content=, or a form (files= and/or data=); got {given}")
        kwargs: dict[str, Any] = {"method": method.upper(), "url": path}
        if params is not None:
            kwargs["params"] = dict(params)
        if json is not None:
            kwargs["json"] = json
        if content is not None:
            kwargs["content"] = content
        if files is not None:
            kwargs["files"] = request_form(files, data).multipart()
        elif data is not None:
            kwargs["data"] = request_form(None, data).urlencoded()
        if headers is not None:
            kwargs["headers"] = dict(headers)
        return await self._send(kwargs, deadline=deadline)

    @contextlib.asynccontextmanager
    async def stream(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        deadline: float | Unset | None = UNSET,
    ) -> AsyncIterator[httpx.Response]:
        """Stream a large body (a raw file, an archive, a download) instead of reading it whole:

            async with bb.stream("GET", "/repositories/ws/repo/src/main/big.bin") as response:
                async for chunk in response.aiter_bytes():
                    ...

        The same URL check, redirects, retries (until the answer's headers arrive: a body half handed
        over is not retried) and typed errors apply: a connection lost while reading raises
        `APIConnectionError`. The deadline covers the whole `async with` block, reading included. (A
        typed method whose answer is a file takes `save_to=` instead.)
        """
        kwargs: dict[str, Any] = {"method": method.upper(), "url": path}
        if params is not None:
            kwargs["params"] = dict(params)
        if headers is not None:
            kwargs["headers"] = dict(headers)
        async with self._streaming(kwargs, deadline) as response:
            yield response

    @contextlib.asynccontextmanager
    async def _streaming(
        self, kwargs: dict[str, Any], deadline: float | Unset | None
    ) -> AsyncIterator[httpx.Response]:
        call = self._prepare(kwargs, deadline)
        with anyio.CancelScope(deadline=math.inf if call.deadline_at is None else call.deadline_at) as scope:
            response = await self._attempts(call, stream=True)
            try:
                yield response
            except httpx.RequestError as exc:
                raise _connection_error(call.method, response.request, exc) from _without_frames(exc)
            finally:
                with anyio.CancelScope(shield=True):
                    await response.aclose()
        if scope.cancelled_caught:
            raise call.timed_out()

    # ---- the pipeline --------------------------------------------------------------------------------

    def _url(self, url: str | httpx.URL) -> httpx.URL | str:
        """An absolute URL under the base URL; anything that would leave it is refused before sending."""
        if isinstance(url, str) and url[:1] == "/" and url[1:2] != "/" and "/." not in url and "%" not in url:
            return self._base_text + url  # a generated path, nothing encoded: parsed once, by httpx
        try:
            target = httpx.URL(url) if isinstance(url, str) else url
            if target.is_relative_url:
                # Parsing resolves literal dot-segments; encoded ones are refused below.
                target = httpx.URL(self._base_text + "/" + str(url).lstrip("/"))
        except httpx.InvalidURL as exc:
            raise ValueError(f"refusing to send a request to {redact_url(str(url))}: {exc}") from None
        problem = why_outside_api(target, self._base_url)
        if problem is not None:
            raise ValueError(
                f"refusing to send a request to {redact_url(str(target))}: {problem}; credentials must "
                f"not leave {self._base_text}"
            )
        return target

    def _prepare(self, kwargs: dict[str, Any], deadline: float | Unset | None) -> _Call:
        """One call of the pipeline, ready to send: its checked URL and headers, and its deadline."""
        if self._closed or self._http.is_closed:
            raise BitbucketError(
                f"this {type(self).__name__} is closed: make calls inside its `async with` block, or "
                "before aclose()"
            )
        kwargs = dict(kwargs)
        url = self._url(kwargs.pop("url"))
        headers = {**self._headers, **(kwargs.pop("headers", None) or {})}
        method = kwargs.pop("method")
        if self._timeout is not None:
            kwargs.setdefault("timeout", self._timeout)
        budget = self._deadline if isinstance(deadline, Unset) else _checked_deadline(deadline)

        deadline_at = None if budget is None else anyio.current_time() + budget
        if deadline_at is not None:
            # For a transport that cannot be cancelled (the sync client's blocking sends): it cuts its
            # timeouts to the time left.
            kwargs["extensions"] = {**(kwargs.get("extensions") or {}), DEADLINE_EXTENSION: deadline_at}

        def build() -> httpx.Request:
            return self._http.build_request(method, url, headers=headers, **kwargs)

        return _Call(method=method, build=build, request=build(), budget=budget, deadline_at=deadline_at)

    async def _send(
        self, kwargs: dict[str, Any], *, deadline: float | Unset | None = UNSET
    ) -> httpx.Response:
        call = self._prepare(kwargs, deadline)
        if call.deadline_at is None:
            return await self._attempts(call, stream=False)
        with anyio.CancelScope(deadline=call.deadline_at):
            response = await self._attempts(call, stream=False)
            response.extensions[DEADLINE_EXTENSION] = call.deadline_at  # a merge polls within it
            return response
        raise call.timed_out()

    async def _attempts(self, call: _Call, *, stream: bool) -> httpx.Response:
        attempt, waited = 0, 0.0
        while True:
            request = call.request = call.build() if attempt else call.request
            try:
                response = await self._send_authenticated(request, stream=stream)
            except httpx.RequestError as exc:
                decision = decide(
                    policy=self._retry_policy,
                    method=call.method,
                    attempt=attempt,
                    waited=waited,
                    error=exc,
                    time_left=call.time_left(),
                )
                if not decision.retry:
                    raise _connection_error(call.method, request, exc) from _without_frames(exc)
            else:
                if response.is_success:
                    return response
                await response.aread()
                decision = decide(
                    policy=self._retry_policy,
                    method=call.method,
                    attempt=attempt,
                    waited=waited,
                    status=response.status_code,
                    headers=response.headers,
                    time_left=call.time_left(),
                )
                if not decision.retry:
                    error = error_from_response(response, secrets=self._known_secrets())
                    if isinstance(error, RateLimitError):
                        error.waited = waited
                    raise error
            self._log_retry(call.method, request.url, decision.reason, decision.delay, attempt)
            waited += decision.delay
            await sleep(decision.delay)
            attempt += 1

    async def _send_authenticated(self, request: httpx.Request, *, stream: bool) -> httpx.Response:
        """Send `request` and follow the redirects `_redirects` allows: within the API authenticated
        again, elsewhere without credentials. Intermediate answers are closed."""
        response = await self._send_once(request, stream=stream)
        hops = 0
        while response.is_redirect:
            try:
                redirect = redirect_target(response, self._base_url, hops)
            finally:
                await response.aclose()
            hops += 1
            following = redirect.request(response.request)
            if redirect.within_api:
                response = await self._send_once(following, stream=stream)
            else:
                response = await self._http.send(
                    following, auth=_NO_AUTH, stream=stream, follow_redirects=False
                )
        return response

    async def _send_once(self, request: httpx.Request, *, stream: bool) -> httpx.Response:
        auth = self._auth
        if auth is None or isinstance(auth, _HeaderAuth):
            # One header, checked when the credential is read, and no request of its own: httpx runs it.
            _check_headers(request)
            return await self._http.send(
                request, auth=auth or httpx.USE_CLIENT_DEFAULT, stream=stream, follow_redirects=False
            )
        flow = auth.async_auth_flow(request)
        try:
            outgoing = await flow.__anext__()
            while True:
                ours = outgoing is request  # else the auth's own request, such as a token request
                _check_headers(outgoing)
                try:
                    response = await self._http.send(
                        outgoing, auth=_NO_AUTH, stream=True, follow_redirects=False
                    )
                except Exception as error:
                    if not ours:
                        await flow.athrow(error)  # the auth shares this failure with its waiters
                    raise
                try:
                    outgoing = await flow.asend(response)
                except StopAsyncIteration:
                    if not stream:
                        await response.aread()
                    return response
                except BaseException:
                    await response.aclose()
                    raise
                await response.aread()  # an answer the auth flow has dealt with: let its connection go
        finally:
            await flow.aclose()

    def _known_secrets(self) -> list[Secret]:
        return self._auth._known_secrets() if isinstance(self._auth, BitbucketAuth) else []

    @staticmethod
    def _log_retry(method: str, url: httpx.URL, reason: str, delay: float, attempt: int) -> None:
        # The URL has no credentials (auth is in headers, which are never logged).
        logger.warning(
            "Retrying %s %s in %.1fs (retry %d): %s",
            method,
            url.copy_with(query=None),
            delay,
            attempt + 1,
            reason,
        )

    async def _call(self, request: Request, answer: Answer[T]) -> T:
        """The one call of a generated method: send `request` through the pipeline, decode the answer
        (or stream it into the answer's `save_to` file)."""
        if needs_resolving(request):
            request = await resolve_refs(self, request, self._ref_lookups)
        if answer.save_to is not None:
            return await self._save(request, answer.save_to)  # type: ignore[return-value]
        return await answer.finish(self, await self._send(request.to_httpx()))

    async def _save(self, request: Request, destination: str | os.PathLike[str]) -> Path:
        check_destination(destination)  # before anything is sent
        async with self._streaming(request.to_httpx(), UNSET) as response:
            capture(response)
            return await save_body(response, destination)

    def _list(
        self,
        request: Request,
        decode_item: Callable[[Any], T],
        *,
        page_size: int | None,
        max_items: int | None,
        prefetch: int,
        items_key: str = "values",
    ) -> AsyncPaginator[T]:
        """The one call of a generated list method: a paginator over the pages of `request` (whose
        items are the envelope's `items_key`)."""
        first = request.to_httpx()
        return AsyncPaginator(
            fetch=self._resolving_fetch(request, first["url"]) if needs_resolving(request) else self._send,
            first_request=first,
            style=self._product,
            decode_item=decode_item,
            base_url=self._base_url,
            page_size=page_size,
            max_items=max_items,
            prefetch=prefetch,
            items_key=items_key,
        )

    def _resolving_fetch(self, request: Request, unresolved: str) -> FetchPage:
        """`_send`, except that the first page's URL gets its branch names resolved to commit hashes
        first (once: the later pages follow the server's links, or repeat the resolved URL)."""
        resolved: list[str] = []

        async def fetch(kwargs: dict[str, Any]) -> httpx.Response:
            if kwargs.get("url") == unresolved:
                if not resolved:
                    resolved.append(
                        str((await resolve_refs(self, request, self._ref_lookups)).to_httpx()["url"])
                    )
                kwargs = {**kwargs, "url": resolved[0]}
            return await self._send(kwargs)

        return fetch

    def _warn_deprecated(self, operation: str) -> None:
        # Python's warning filters decide how often it shows (by default once per calling line).
        warnings.warn(f"{operation} is deprecated by Atlassian", DeprecationWarning, stacklevel=3)


@attrs.define(eq=False)
class _Call:
    """One call: how to build its request (again, for a retry), its latest request, its deadline."""

    method: str
    build: Callable[[], httpx.Request] = attrs.field(repr=False)
    request: httpx.Request
    budget: float | None
    deadline_at: float | None  # on anyio's clock

    def time_left(self) -> float | None:
        return None if self.deadline_at is None else self.deadline_at - anyio.current_time()

    def timed_out(self) -> APITimeoutError:
        return APITimeoutError(
            f"{self.method} {self.request.url.path} did not finish within its deadline of {self.budget:g}s",
            request=self.request,
        )


def _checked_deadline(deadline: object) -> float | None:
    if deadline is None:
        return None
    if isinstance(deadline, bool) or not isinstance(deadline, int | float) or not 0 < deadline < math.inf:
        raise ValueError(f"deadline must be a positive number of seconds, or None for none; got {deadline!r}")
    return float(deadline)


def _connection_error(method: str, request: httpx.Request, error: httpx.RequestError) -> APIConnectionError:
    error_class = APITimeoutError if isinstance(error, httpx.TimeoutException) else APIConnectionError
    # Some low-level messages quote what was being sent: keep the credentials out of ours.
    cause = redact(repr(error), sent_secrets(request))
    return error_class(f"{method} {request.url.path} failed: {cause}", request=request)


def _without_frames(error: BaseException) -> BaseException:
    """``error`` and the errors it chains to, without their tracebacks: frames inside httpx, httpcore
    and h11 hold the request's headers, Authorization included, as locals that crash reporters record."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.__traceback__ = None
        current = current.__cause__ or current.__context__
    return error


# What HTTP (and h11, which would otherwise raise with the headers in its locals) accepts.
_HEADER_NAME = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


_HEADER_VALUE = re.compile(rb"(?:[^\x00\s]+(?:[ \t]+[^\x00\s]+)*)?")


def _check_headers(request: httpx.Request) -> None:
    bad = next(
        (
            name
            for name, value in request.headers.raw
            if _HEADER_NAME.fullmatch(name) is None or _HEADER_VALUE.fullmatch(value) is None
        ),
        None,
    )
    if bad is not None:
        raise ValueError(
            f"refusing to send the header {bad.decode('latin-1')!r}: its name or value has a line break, a "
            "NUL or whitespace at either end, which HTTP does not allow (the value is not shown: it may be "
            "a credential)"
        )


def _port(url: httpx.URL) -> int | None:
    return url.port or {"https": 443, "http": 80}.get(url.scheme)


__all__ = ["DEFAULT_TIMEOUT", "BaseClient"]
