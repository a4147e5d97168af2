"""The synchronous clients: `bitbucket_client.sync.BitbucketCloud` and `.BitbucketServer`.

Each drives an async client of the same product (its "engine": the whole pipeline) through a
`SyncRuntime`, and inherits the generated synchronous namespaces, views over the engine's namespaces.
Requests go through a blocking `httpx.Client` (`_sync_http`), or through the async transport given
(the fakes of `bitbucket_client.testing`).
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Callable, Iterator, Mapping
from types import TracebackType
from typing import Any, Self

import httpx

from .._auth import TokenProvider
from .._base_client import DEFAULT_TIMEOUT, BaseClient
from .._client import CLOUD_BASE_URL
from .._client import BitbucketCloud as AsyncBitbucketCloud
from .._client import BitbucketServer as AsyncBitbucketServer
from .._sync_http import BlockingClient
from .._sync_runtime import SyncResources, SyncRuntime, defer_deprecation
from .._sync_stream import blocking_stream
from .._types import UNSET, Unset
from ..cloud._generated.namespaces import CloudSyncNamespaces, CloudSyncRawView
from ..server._generated.namespaces import ServerSyncNamespaces, ServerSyncRawView

__all__ = ["BitbucketCloud", "BitbucketServer"]

Transport = httpx.BaseTransport | httpx.AsyncBaseTransport


class _SyncClient:
    """What both synchronous clients share: lifecycle, options, raw access."""

    _engine: BaseClient
    _runtime: SyncRuntime

    def _start(
        self,
        build_engine: Callable[[httpx.AsyncClient], BaseClient],
        timeout: float | httpx.Timeout | None,
        http_client: httpx.Client | None,
        transport: Transport | None,
    ) -> None:
        resources = _resources(timeout, http_client, transport)
        try:
            self._engine = build_engine(resources.http)
        except BaseException:
            resources.close_when_collected()
            raise
        self._runtime = SyncRuntime(resources, type(self).__name__, owns_resources=True)
        # A client dropped without close() still lets its connections and helper thread go.
        weakref.finalize(self, resources.close_when_collected)

    @property
    def base_url(self) -> httpx.URL:
        """The API root every request stays under."""
        return self._engine.base_url

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

            pr = bb.with_options(deadline=5, max_retries=0).pullrequests.get("ws", "repo", 7)

        ``deadline`` (seconds, or None for none) bounds each call as a whole; ``timeout`` is httpx's
        per-phase timeout (connect, read, write, pool). Options not given stay as they are. Closing the
        copy does not close the shared pool: the original owns it.
        """
        clone = object.__new__(type(self))
        clone._engine = self._engine.with_options(
            deadline=deadline, max_retries=max_retries, rate_limit_budget=rate_limit_budget, timeout=timeout
        )
        clone._runtime = self._runtime.copy()
        return clone

    # ---- lifecycle -----------------------------------------------------------------------------------

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool (unless it is an `http_client` you passed in) and end the client's
        helper and worker threads. Calls made afterwards raise `BitbucketError`. A `with_options` copy
        only stops its own calls: the original owns the pool."""
        self._runtime.close()

    def __repr__(self) -> str:
        engine = repr(self._engine)
        return type(self).__name__ + engine[engine.index("(") :]

    # ---- raw access ----------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        content: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        deadline: float | Unset | None = UNSET,
    ) -> httpx.Response:
        """Call an endpoint the documents lack: `path` is relative to the base URL (or an absolute URL
        under it). Retries, deadlines and typed errors apply as for every other call; `deadline`
        replaces the client's for this call. The body is read: `response.json()`, `.content`."""
        return self._runtime.run(
            self._engine.request(
                method, path, params=params, json=json, content=content, headers=headers, deadline=deadline
            )
        )

    @contextlib.contextmanager
    def stream(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        deadline: float | Unset | None = UNSET,
    ) -> Iterator[httpx.Response]:
        """Stream a large body (a raw file, an archive, a download) instead of reading it whole:

            with bb.stream("GET", "/repositories/ws/repo/src/main/big.bin") as response:
                for chunk in response.iter_bytes():
                    ...

        The same URL check, retries (until the answer's headers arrive) and typed errors apply: a
        connection lost while reading raises `APIConnectionError`. The deadline covers the whole `with`
        block, checked between chunks.
        """
        manager = self._engine.stream(method, path, params=params, headers=headers, deadline=deadline)
        with blocking_stream(self._runtime, manager) as response:
            yield response


class _DeferredDeprecations(BaseClient):
    """An engine's deprecation warnings are raised again by the synchronous call, from its caller's line."""

    def _warn_deprecated(self, operation: str) -> None:
        if not defer_deprecation(f"{operation} is deprecated by Atlassian"):
            super()._warn_deprecated(operation)


class _CloudEngine(_DeferredDeprecations, AsyncBitbucketCloud):
    """The async client a synchronous `BitbucketCloud` drives."""


class _ServerEngine(_DeferredDeprecations, AsyncBitbucketServer):
    """The async client a synchronous `BitbucketServer` drives."""


class BitbucketCloud(_SyncClient, CloudSyncNamespaces):
    """Client for the Bitbucket Cloud REST API 2.0 whose methods block: for scripts, notebooks, CI
    jobs and threads. The async `bitbucket_client.BitbucketCloud` with every call run to its end.

    With no token or auth, credentials come from the environment (`BITBUCKET_TOKEN`, or
    `BITBUCKET_EMAIL` + `BITBUCKET_API_TOKEN`, or `BITBUCKET_CLIENT_ID` + `BITBUCKET_CLIENT_SECRET`, or
    `BITBUCKET_USERNAME` + `BITBUCKET_APP_PASSWORD`); with none of those, requests are anonymous.
    ``http_client`` is an `httpx.Client` to send through (proxies, certificates, limits); ``transport``
    an httpx transport: a sync one, or an async one bound to no event loop (the fakes of
    `bitbucket_client.testing`).
    """

    def __init__(
        self,
        token: str | TokenProvider | None = None,
        *,
        auth: httpx.Auth | None = None,
        base_url: str | httpx.URL = CLOUD_BASE_URL,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = 4,
        rate_limit_budget: float = 60.0,
        deadline: float | None = None,
        headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
        transport: Transport | None = None,
    ) -> None:
        self._start(
            lambda http: _CloudEngine(
                token,
                auth=auth,
                base_url=base_url,
                max_retries=max_retries,
                rate_limit_budget=rate_limit_budget,
                deadline=deadline,
                headers=headers,
                http_client=http,
            ),
            timeout,
            http_client,
            transport,
        )

    @property
    def with_raw_response(self) -> CloudSyncRawView:
        """The same namespaces, whose methods return the whole `Response` (status, headers, body, model)."""
        return CloudSyncRawView(self)


class BitbucketServer(_SyncClient, ServerSyncNamespaces):
    """Client for the Bitbucket Data Center (Server) REST API whose methods block: for scripts,
    notebooks, CI jobs and threads. The async `bitbucket_client.BitbucketServer` with every call run to
    its end.

    `base_url` is the server's address, with or without `/rest`. With no token or auth, credentials
    come from `BITBUCKET_SERVER_TOKEN`, or `BITBUCKET_SERVER_USERNAME` + `BITBUCKET_SERVER_PASSWORD`.
    ``http_client`` and ``transport`` are as for the synchronous `BitbucketCloud`.
    """

    def __init__(
        self,
        base_url: str | httpx.URL,
        token: str | TokenProvider | None = None,
        *,
        auth: httpx.Auth | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = 4,
        rate_limit_budget: float = 60.0,
        deadline: float | None = None,
        headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
        transport: Transport | None = None,
    ) -> None:
        self._start(
            lambda http: _ServerEngine(
                base_url,
                token,
                auth=auth,
                max_retries=max_retries,
                rate_limit_budget=rate_limit_budget,
                deadline=deadline,
                headers=headers,
                http_client=http,
            ),
            timeout,
            http_client,
            transport,
        )

    @property
    def with_raw_response(self) -> ServerSyncRawView:
        """The same namespaces, whose methods return the whole `Response` (status, headers, body, model)."""
        return ServerSyncRawView(self)


def _resources(
    timeout: float | httpx.Timeout | None, http_client: httpx.Client | None, transport: Transport | None
) -> SyncResources:
    """The engine's `httpx.AsyncClient`: a `BlockingClient` over an `httpx.Client`, or an async client
    over the async transport given."""
    if http_client is not None and transport is not None:
        raise ValueError("pass either http_client= or transport=, not both")
    if http_client is not None and not isinstance(http_client, httpx.Client):
        raise TypeError(
            f"http_client must be an httpx.Client (one pool serves every thread of a synchronous "
            f"client), got {type(http_client).__name__}; an httpx.AsyncClient belongs with the async "
            "bitbucket_client.BitbucketCloud / BitbucketServer"
        )
    if isinstance(transport, httpx.AsyncHTTPTransport):
        raise TypeError(
            "httpx.AsyncHTTPTransport keeps its connections on one event loop, and a synchronous client "
            "runs a loop per thread: pass httpx.HTTPTransport(...) (same options) instead"
        )
    if http_client is not None:
        return SyncResources(BlockingClient(http_client, timeout=timeout or http_client.timeout, owned=False))
    timeout = DEFAULT_TIMEOUT if timeout is None else timeout
    if isinstance(transport, httpx.AsyncBaseTransport):
        # The fakes: bound to no loop. Proxies from the environment would need async transports, which
        # are bound to one: they are the business of the transport given.
        return SyncResources(
            httpx.AsyncClient(timeout=timeout, follow_redirects=True, transport=transport, trust_env=False)
        )
    if transport is not None:
        if not isinstance(transport, httpx.BaseTransport):
            raise TypeError(f"transport must be an httpx transport, got {type(transport).__name__}")
        return SyncResources(
            BlockingClient(httpx.Client(transport=transport, trust_env=False), timeout=timeout, owned=True)
        )
    return SyncResources(BlockingClient(httpx.Client(), timeout=timeout, owned=True, rebuild=httpx.Client))
