"""`BlockingClient`: the `httpx.AsyncClient` of the synchronous client's pipeline, sending through an
`httpx.Client`.

The synchronous client runs the same async pipeline as the async client (auth, retries, deadlines,
errors, pagination, merge polling), each calling thread on its own event loop. Its requests, though,
go through a blocking `httpx.Client`: the sync HTTP stack costs less per request than the async one,
its connection pool serves every thread (it is thread-safe, where an async pool belongs to one loop),
and it reads proxies and certificates from the environment as any httpx script does. The pipeline
builds requests and calls `send` as on any `httpx.AsyncClient`; `send` hands them to the `httpx.Client`
(redirects, cookies and event hooks happen there) and gives back responses whose bodies can be read
with `aread()`/`aiter_bytes()` as well as synchronously.

A blocking send holds the thread's loop, which is right for a call that waits for its answer anyway.
Where several requests should be in flight at once (a paginator's `prefetch`), `sending_in_threads()`
marks the calls made inside it: their sends run in worker threads while the loop goes on.

A deadline (`deadline=`) cannot interrupt a blocking send, so each send's timeouts are cut to the time
left (the pipeline marks its requests with their deadline); a send that times out at the deadline lets
the call's cancel scope end the call, which then raises the same `APITimeoutError` as the async client.

After a fork, the child builds a new `httpx.Client` where the client built its own: the connections it
inherited are the parent's and are left alone (not even closed). An `httpx.Client` of the user's is
kept: httpx's pools are not fork-safe, so such a client should be made after forking.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import math
import os
import threading
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING

import anyio
import httpx

from ._auth import _HeaderAuth
from ._merge import DEADLINE_EXTENSION

if TYPE_CHECKING:
    from httpx._client import UseClientDefault
    from httpx._types import AuthTypes

__all__ = ["BlockingClient", "sending_in_threads"]

_IN_THREADS: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "bitbucket_client_sends_in_threads", default=False
)

# Sends that paginators of one client run in worker threads at once.
_MAX_THREADS = 16

# A send that timed out this close to the deadline timed out because of it.
_DEADLINE_SLACK = 0.05

_ALL: weakref.WeakSet[BlockingClient] = weakref.WeakSet()


@contextlib.contextmanager
def sending_in_threads() -> Iterator[None]:
    """Within the block (and the tasks it starts), sends run in worker threads, not on the loop."""
    token = _IN_THREADS.set(True)
    try:
        yield
    finally:
        _IN_THREADS.reset(token)


class BlockingClient(httpx.AsyncClient):
    """An `httpx.AsyncClient` whose `send` goes through an `httpx.Client` (see the module docstring).

    Requests are built with the client's timeout, default headers and cookie jar. ``owned``: `aclose()`
    closes the `httpx.Client` too. ``rebuild`` makes a new one in a forked child.
    """

    def __init__(
        self,
        client: httpx.Client,
        *,
        timeout: float | httpx.Timeout,
        owned: bool,
        rebuild: Callable[[], httpx.Client] | None = None,
    ) -> None:
        super().__init__(
            timeout=timeout,
            headers=client.headers,
            cookies=client.cookies.jar,  # shared: `send` stores what servers set, requests carry it
            transport=_Unused(),
            trust_env=False,
        )
        self._blocking = client
        self._owned = owned
        self._rebuild = rebuild
        self._workers: concurrent.futures.ThreadPoolExecutor | None = None
        self._workers_lock = threading.Lock()
        self._inherited: list[object] = []  # what a forked child must neither use nor close
        _ALL.add(self)

    @property
    def blocking_client(self) -> httpx.Client:
        """The `httpx.Client` requests go through."""
        return self._blocking

    async def send(
        self,
        request: httpx.Request,
        *,
        stream: bool = False,
        auth: AuthTypes | UseClientDefault | None = httpx.USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = httpx.USE_CLIENT_DEFAULT,
    ) -> httpx.Response:
        if self.is_closed:
            raise RuntimeError("Cannot send a request, as the client has been closed.")
        if isinstance(auth, _HeaderAuth):
            # One header, set by a flow that yields once and sends nothing of its own: the common case.
            flow = auth.async_auth_flow(request)
            request = await flow.__anext__()
            await flow.aclose()
        elif isinstance(auth, httpx.Auth):
            return await self._send_with_auth(request, auth, stream, follow_redirects)
        elif auth is not None and auth is not httpx.USE_CLIENT_DEFAULT:
            raise TypeError(f"BlockingClient.send takes an httpx.Auth, not a {type(auth).__name__}")
        return await self._send(request, stream, follow_redirects)

    async def _send_with_auth(
        self,
        request: httpx.Request,
        auth: httpx.Auth,
        stream: bool,
        follow_redirects: bool | UseClientDefault,
    ) -> httpx.Response:
        # What httpx.AsyncClient.send does with `auth`, the async flow included (an async token provider).
        flow = auth.async_auth_flow(request)
        try:
            request = await flow.__anext__()
            while True:
                response = await self._send(request, stream, follow_redirects)
                try:
                    request = await flow.asend(response)
                except StopAsyncIteration:
                    return response
                await response.aread()
        finally:
            await flow.aclose()

    async def _send(
        self, request: httpx.Request, stream: bool, follow_redirects: bool | UseClientDefault
    ) -> httpx.Response:
        if not isinstance(request.stream, httpx.SyncByteStream):
            await request.aread()  # an async body (the OAuth token request's): bytes the client can send
        deadline: float = request.extensions.get(DEADLINE_EXTENSION, math.inf)
        if deadline != math.inf:
            _cut_timeouts(request, deadline - anyio.current_time())
        try:
            if _IN_THREADS.get():
                response = await self._send_in_a_thread(request, follow_redirects)
            else:
                response = self._blocking.send(
                    request, stream=stream, auth=None, follow_redirects=follow_redirects
                )
        except httpx.TimeoutException:
            if deadline - anyio.current_time() < _DEADLINE_SLACK:
                await anyio.sleep(_DEADLINE_SLACK)  # the call's cancel scope ends the call here
            raise
        # The pipeline reads and closes bodies the async way (`aread`, `aclose`): blocking, on this loop.
        response.stream = _BlockingBody(response.stream)
        return response

    async def _send_in_a_thread(
        self, request: httpx.Request, follow_redirects: bool | UseClientDefault
    ) -> httpx.Response:
        job = self._thread_pool().submit(
            self._blocking.send, request, stream=False, auth=None, follow_redirects=follow_redirects
        )
        try:
            return await asyncio.wrap_future(job)
        except BaseException:
            # Cancelled (or the loop is going away): the thread may still be sending; what it receives
            # is closed (it has read the body already), and nothing else holds its connection.
            job.cancel()
            raise

    def _thread_pool(self) -> concurrent.futures.ThreadPoolExecutor:
        with self._workers_lock:
            if self._workers is None:
                self._workers = concurrent.futures.ThreadPoolExecutor(
                    max_workers=_MAX_THREADS, thread_name_prefix="bitbucket-client-send"
                )
            return self._workers

    async def aclose(self) -> None:
        self.close()
        await super().aclose()

    def close(self) -> None:
        """Stop the worker threads (waiting for sends in progress) and close the `httpx.Client` if it
        is ours. Synchronous: what a client collected without `close()` can still do."""
        with self._workers_lock:
            workers, self._workers = self._workers, None
        if workers is not None:
            workers.shutdown(wait=True, cancel_futures=True)
        if self._owned:
            self._blocking.close()

    def _forget_after_fork(self) -> None:
        self._inherited.append((self._blocking, self._workers))
        self._workers, self._workers_lock = None, threading.Lock()
        if self._rebuild is not None:
            self._blocking = self._rebuild()


class _Unused(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise RuntimeError("BlockingClient sends through its httpx.Client")


class _BlockingBody(httpx.AsyncByteStream, httpx.SyncByteStream):
    """A response body read by blocking reads, through either interface."""

    def __init__(self, stream: httpx.SyncByteStream | httpx.AsyncByteStream) -> None:
        assert isinstance(stream, httpx.SyncByteStream)
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._stream)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._stream:
            yield chunk

    def close(self) -> None:
        self._stream.close()

    async def aclose(self) -> None:
        self._stream.close()


def _cut_timeouts(request: httpx.Request, left: float) -> None:
    left = max(left, 0.001)
    timeouts = request.extensions.get("timeout") or {}
    request.extensions["timeout"] = {
        phase: left if timeouts.get(phase) is None else min(timeouts[phase], left)
        for phase in ("connect", "read", "write", "pool")
    }


def _forget_all_after_fork() -> None:
    for client in list(_ALL):
        client._forget_after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_all_after_fork)
