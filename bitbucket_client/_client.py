"""The two clients and the request pipeline they share.

Every request goes through `BaseClient._send`: the URL must stay on the configured origin (credentials
are never sent elsewhere), then the request is sent, retried as `_retry.decide` says, and a non-2xx
answer becomes a typed error from `_exceptions`.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import AsyncIterator, Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self, TypeVar

import httpx

from ._auth import BearerToken, BitbucketAuth, auth_from_env
from ._exceptions import APIConnectionError, APITimeoutError, RateLimitError, error_from_response
from ._pagination import AsyncPaginator
from ._retry import RetryPolicy, decide, sleep
from ._version import __version__
from .cloud._generated.namespaces import CloudNamespaces, CloudRawView
from .server._generated.namespaces import ServerNamespaces, ServerRawView

if TYPE_CHECKING:
    from ._operation import Answer, Request

logger = logging.getLogger("bitbucket_client")

T = TypeVar("T")

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
CLOUD_BASE_URL = "https://api.bitbucket.org/2.0"


class BaseClient:
    """What both products share: one `httpx.AsyncClient`, auth, retries, errors and pagination."""

    _product: ClassVar[Literal["cloud", "server"]]

    def __init__(
        self,
        base_url: str | httpx.URL,
        token: str | None,
        *,
        auth: httpx.Auth | None,
        timeout: float | httpx.Timeout | None,
        max_retries: int,
        rate_limit_budget: float,
        headers: Mapping[str, str] | None,
        http_client: httpx.AsyncClient | None,
        transport: httpx.AsyncBaseTransport | None,
    ) -> None:
        if http_client is not None and transport is not None:
            raise ValueError("pass either http_client= or transport=, not both")
        if token is not None and auth is not None:
            raise ValueError("pass either a token or auth=, not both")
        if token is not None:
            if not isinstance(token, str) or not token.strip():
                raise ValueError("token must be a non-empty string")
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
        self._headers = {"User-Agent": f"bitbucket-client-async/{__version__}", **(headers or {})}
        self._owns_http_client = http_client is None
        self._http = http_client or httpx.AsyncClient(
            timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
            follow_redirects=True,
            transport=transport,
        )

    # ---- lifecycle -----------------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client if this client created it (a client passed in stays open)."""
        if self._owns_http_client:
            await self._http.aclose()

    @property
    def base_url(self) -> httpx.URL:
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
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Call an endpoint the documents lack: `path` is relative to the base URL (or an absolute URL on
        the same origin). Retries and typed errors apply as for every other call."""
        kwargs: dict[str, Any] = {"method": method.upper(), "url": path}
        if params is not None:
            kwargs["params"] = dict(params)
        if json is not None:
            kwargs["json"] = json
        if content is not None:
            kwargs["content"] = content
        if headers is not None:
            kwargs["headers"] = dict(headers)
        return await self._send(kwargs)

    @contextlib.asynccontextmanager
    async def stream(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> AsyncIterator[httpx.Response]:
        """Stream a large body (a raw file, an archive, a download) instead of reading it whole:

            async with bb.stream("GET", "/repositories/ws/repo/src/main/big.bin") as response:
                async for chunk in response.aiter_bytes():
                    ...

        The same origin check and typed errors apply; a stream is not retried (its body may be half read).
        """
        url = self._url(path)
        request = self._http.build_request(
            method.upper(),
            url,
            params=dict(params) if params is not None else None,
            headers={**self._headers, **(headers or {})},
        )
        response = await self._http.send(request, auth=self._auth_or_default(), stream=True)
        try:
            if not response.is_success:
                await response.aread()
                raise error_from_response(response)
            yield response
        finally:
            await response.aclose()

    def _auth_or_default(self) -> httpx.Auth | httpx._client.UseClientDefault:
        return self._auth if self._auth is not None else httpx.USE_CLIENT_DEFAULT

    # ---- the pipeline --------------------------------------------------------------------------------

    def _url(self, url: str | httpx.URL) -> httpx.URL | str:
        """An absolute URL under the base URL; anything that would leave it is refused before sending."""
        if isinstance(url, str) and url[:1] == "/" and url[1:2] != "/" and "/." not in url:
            return self._base_text + url  # a generated path: parsed once, by httpx
        target = httpx.URL(url) if isinstance(url, str) else url
        if target.is_relative_url:
            # Parsing resolves dot-segments, so the prefix check below sees where it really goes.
            target = httpx.URL(self._base_text + "/" + str(url).lstrip("/"))
        base = self._base_url
        if (target.scheme, target.host.lower(), _port(target)) != (
            base.scheme,
            base.host.lower(),
            _port(base),
        ):
            raise ValueError(
                f"refusing to send a request to {target.scheme}://{target.host}: only "
                f"{base.scheme}://{base.host} is configured, and credentials must not leave it"
            )
        if not (target.raw_path + b"/").startswith(base.raw_path.rstrip(b"/") + b"/"):
            raise ValueError(f"refusing to send a request outside {base}: {target.path}")
        return target

    async def _send(self, kwargs: dict[str, Any]) -> httpx.Response:
        kwargs = dict(kwargs)
        url = self._url(kwargs.pop("url"))
        headers = {**self._headers, **(kwargs.pop("headers", None) or {})}
        method = kwargs.pop("method")
        attempt, waited = 0, 0.0
        while True:
            request = self._http.build_request(method, url, headers=headers, **kwargs)
            try:
                response = await self._http.send(request, auth=self._auth_or_default())
            except httpx.TransportError as exc:
                decision = decide(
                    policy=self._retry_policy, method=method, attempt=attempt, waited=waited, error=exc
                )
                if not decision.retry:
                    error_class = (
                        APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
                    )
                    raise error_class(
                        f"{method} {request.url.path} failed: {exc!r}", request=request
                    ) from exc
                self._log_retry(method, request.url, decision.reason, decision.delay, attempt)
            else:
                if response.is_success:
                    return response
                await response.aread()
                decision = decide(
                    policy=self._retry_policy,
                    method=method,
                    attempt=attempt,
                    waited=waited,
                    status=response.status_code,
                    headers=response.headers,
                )
                if not decision.retry:
                    error = error_from_response(response)
                    if isinstance(error, RateLimitError):
                        error.waited = waited
                    raise error
                self._log_retry(method, request.url, decision.reason, decision.delay, attempt)
                if response.status_code == 429:
                    waited += decision.delay
            await sleep(decision.delay)
            attempt += 1

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

    def _paginate(
        self,
        kwargs: dict[str, Any],
        decode_item: Callable[[Any], T],
        *,
        page_size: int | None,
        max_items: int | None,
        prefetch: int,
    ) -> AsyncPaginator[T]:
        return AsyncPaginator(
            fetch=self._send,
            first_request=kwargs,
            style=self._product,
            decode_item=decode_item,
            base_url=self._base_url,
            page_size=page_size,
            max_items=max_items,
            prefetch=prefetch,
        )

    async def _call(self, request: Request, answer: Answer[T]) -> T:
        """The one call of a generated method: send `request` through the pipeline, decode the answer."""
        return await answer.finish(self, await self._send(request.to_httpx()))

    def _list(
        self,
        request: Request,
        decode_item: Callable[[Any], T],
        *,
        page_size: int | None,
        max_items: int | None,
        prefetch: int,
    ) -> AsyncPaginator[T]:
        """The one call of a generated list method: a paginator over the pages of `request`."""
        return self._paginate(
            request.to_httpx(), decode_item, page_size=page_size, max_items=max_items, prefetch=prefetch
        )

    def _warn_deprecated(self, operation: str) -> None:
        # Python's warning filters decide how often it shows (by default once per calling line).
        warnings.warn(f"{operation} is deprecated by Atlassian", DeprecationWarning, stacklevel=3)


def _port(url: httpx.URL) -> int | None:
    return url.port or {"https": 443, "http": 80}.get(url.scheme)


class BitbucketCloud(BaseClient, CloudNamespaces):
    """Async client for the Bitbucket Cloud REST API 2.0.

    With no token or auth, credentials come from the environment (`BITBUCKET_TOKEN`, or
    `BITBUCKET_EMAIL` + `BITBUCKET_API_TOKEN`, or `BITBUCKET_CLIENT_ID` + `BITBUCKET_CLIENT_SECRET`, or
    `BITBUCKET_USERNAME` + `BITBUCKET_APP_PASSWORD`); with none of those, requests are anonymous.
    """

    _product = "cloud"

    def __init__(
        self,
        token: str | None = None,
        *,
        auth: httpx.Auth | None = None,
        base_url: str | httpx.URL = CLOUD_BASE_URL,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = 4,
        rate_limit_budget: float = 60.0,
        headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(
            base_url,
            token,
            auth=auth,
            timeout=timeout,
            max_retries=max_retries,
            rate_limit_budget=rate_limit_budget,
            headers=headers,
            http_client=http_client,
            transport=transport,
        )

    @property
    def with_raw_response(self) -> CloudRawView:
        """The same namespaces, whose methods return the whole `Response` (status, headers, body, model)."""
        return CloudRawView(self)


class BitbucketServer(BaseClient, ServerNamespaces):
    """Async client for the Bitbucket Data Center (Server) REST API.

    `base_url` is the server's address, with or without `/rest`. With no token or auth, credentials
    come from `BITBUCKET_SERVER_TOKEN`, or `BITBUCKET_SERVER_USERNAME` + `BITBUCKET_SERVER_PASSWORD`.
    """

    _product = "server"

    def __init__(
        self,
        base_url: str | httpx.URL,
        token: str | None = None,
        *,
        auth: httpx.Auth | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = 4,
        rate_limit_budget: float = 60.0,
        headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        root = str(base_url).rstrip("/")
        if not root.endswith("/rest"):
            root += "/rest"
        super().__init__(
            root,
            token,
            auth=auth,
            timeout=timeout,
            max_retries=max_retries,
            rate_limit_budget=rate_limit_budget,
            headers=headers,
            http_client=http_client,
            transport=transport,
        )

    @property
    def with_raw_response(self) -> ServerRawView:
        """The same namespaces, whose methods return the whole `Response` (status, headers, body, model)."""
        return ServerRawView(self)


__all__ = ["BaseClient", "BitbucketCloud", "BitbucketServer"]
