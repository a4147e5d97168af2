"""Running the async pipeline for synchronous callers: `SyncRuntime`, behind `bitbucket_client.sync`.

The synchronous client is the async client's pipeline, driven from blocking code. The rules (docs/sync.md
repeats them for users):

* **Each thread runs its calls on an event loop of its own**, created on its first call and closed when
  the thread ends. A call never hops to another thread: it runs on the caller's stack, and costs one
  `run_until_complete` more than the async call. Nothing lives on a loop between calls but what a
  paginator iteration of that thread keeps (its prefetches), so one client serves any number of threads
  at once: they share its connection pool (an `httpx.Client`, see `_sync_http`) and its
  credentials (an OAuth token renewed in one thread serves all: `_shared_lock`).
* **A thread whose own event loop is running** (Jupyter, an async framework calling sync code) cannot
  block on a loop of its own: its calls run on the client's helper thread, one at a time, and it waits
  for them. A call made from inside one of the helper's own calls (a callback) would wait for itself,
  so it raises instead.
* **After a fork**, the child starts afresh: new loops, a new helper thread, a new connection pool
  (unless the pool is the user's `http_client`); what it inherited is left alone, because the parent
  still uses it.
* **`close()`** closes the connection pool and waits for the helper thread to end, and for sends that a
  paginator runs in worker threads; calls made afterwards raise `BitbucketError`. Calls still running in
  other threads when it is called fail as their connections close: close a client shared by threads
  once they are done with it.

Deprecation warnings raised inside a call are raised again once it returns, from the caller's line:
inside the loop the caller's frames are not on the stack.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import inspect
import os
import selectors
import sys
import threading
import warnings
import weakref
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import httpx

from ._exceptions import BitbucketError
from ._sync_http import BlockingClient

__all__ = ["SyncResources", "SyncRuntime", "defer_deprecation", "thread_loop"]

R = TypeVar("R")

_DEFERRED: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "bitbucket_client_deferred_deprecations", default=None
)


def defer_deprecation(message: str) -> bool:
    """Keep a deprecation warning for the synchronous caller to raise; False outside a synchronous call."""
    deferred = _DEFERRED.get()
    if deferred is None:
        return False
    deferred.append(message)
    return True


# ---- one loop per thread ------------------------------------------------------------------------


class _ThreadLoop:
    """A thread's private event loop, closed when the thread ends (and this holder with it)."""

    def __init__(self) -> None:
        self.loop = asyncio.SelectorEventLoop(_QuietSelector())
        self.pid = os.getpid()

    def __del__(self) -> None:
        loop = self.loop
        if self.pid != os.getpid() or loop.is_closed() or loop.is_running():
            return  # a forked child must not unregister anything from the parent's selector
        try:
            tasks = asyncio.all_tasks(loop)
            for task in tasks:
                task.cancel()  # left by an abandoned paginator: let them release what they hold
            if tasks:
                loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()


class _QuietSelector(selectors.DefaultSelector):
    """Skips the zero-timeout poll of each loop pass while nothing but the loop's own wake-up pipe is
    registered (the sync client's sends block; they register no socket): a callback another thread
    queues is already in the loop's ready queue, and the pipe is drained by the next real wait. Two
    system calls fewer per call."""

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout is not None and timeout <= 0 and len(self.get_map()) <= 1:
            return []
        return super().select(timeout)


_local = threading.local()
_inherited: list[object] = []  # a forked child's inherited loops: kept, never closed


def thread_loop() -> asyncio.AbstractEventLoop:
    """This thread's private event loop (made on first use)."""
    holder: _ThreadLoop | None = getattr(_local, "holder", None)
    if holder is None:
        holder = _local.holder = _ThreadLoop()
    return holder.loop


def _loop_running_here() -> bool:
    if asyncio.events._get_running_loop() is not None:
        return True
    trio = sys.modules.get("trio")
    return trio is not None and bool(trio.lowlevel.in_trio_run())


def _run_to_end(coroutine: Coroutine[Any, Any, R]) -> R:
    """Run `coroutine` on this thread's loop until it ends; interrupted (Ctrl-C), it is cancelled and
    allowed to clean up (close its response, stop its prefetches) before the interruption goes on."""
    loop = thread_loop()
    task = loop.create_task(coroutine)
    try:
        return loop.run_until_complete(task)
    except BaseException:
        if not task.done():
            task.cancel()
            with contextlib.suppress(BaseException):
                loop.run_until_complete(task)
        raise


# ---- what a client and its `with_options` copies share -----------------------------------------


class SyncResources:
    """The pipeline's HTTP client (a `BlockingClient`, or an `httpx.AsyncClient` over the async
    transport the user gave) and the helper thread for callers whose own loop is running."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.closed = False
        self._helper: concurrent.futures.ThreadPoolExecutor | None = None
        self._helper_thread: int | None = None
        self._lock = threading.Lock()
        _ALL.add(self)

    def on_helper(self, function: Callable[[], R]) -> R:
        """`function()` on the helper thread, with the caller's context variables; waits for it."""
        if threading.get_ident() == self._helper_thread:
            raise RuntimeError(
                "a call of the synchronous client was made from inside another of its calls running on "
                "its helper thread (a callback?): it would wait for itself. Use the async client there."
            )
        context = contextvars.copy_context()
        return self._helper_pool().submit(context.run, function).result()

    def _helper_pool(self) -> concurrent.futures.ThreadPoolExecutor:
        with self._lock:
            if self._helper is None:
                self._helper = concurrent.futures.ThreadPoolExecutor(
                    max_workers=1, thread_name_prefix="bitbucket-client-sync"
                )
                self._helper_thread = self._helper.submit(threading.get_ident).result()
            return self._helper

    def close(self) -> None:
        """Close the HTTP client (its connections) and end the helper and worker threads."""
        if self.closed:
            return
        self.closed = True
        close = self.http.aclose()
        if _loop_running_here():
            self.on_helper(lambda: _run_to_end(close))
        else:
            _run_to_end(close)
        self._stop_helper()

    def close_when_collected(self) -> None:
        """What a client collected without `close()` can still close: no loop, no waiting."""
        if not self.closed:
            self.closed = True
            if isinstance(self.http, BlockingClient):
                self.http.close()
            self._stop_helper(wait=False)

    def _stop_helper(self, *, wait: bool = True) -> None:
        with self._lock:
            helper, self._helper = self._helper, None
        if helper is not None:
            helper.shutdown(wait=wait and threading.get_ident() != self._helper_thread)

    def _forget_after_fork(self) -> None:
        _inherited.append(self._helper)
        self._helper, self._helper_thread, self._lock = None, None, threading.Lock()


_ALL: weakref.WeakSet[SyncResources] = weakref.WeakSet()


class SyncRuntime:
    """How one synchronous client runs its calls; `with_options` copies get their own, sharing the
    resources of the client they were made from."""

    __slots__ = ("_closed", "_name", "_owns_resources", "resources")

    def __init__(self, resources: SyncResources, name: str, *, owns_resources: bool) -> None:
        self.resources = resources
        self._name = name
        self._owns_resources = owns_resources
        self._closed = False

    def copy(self) -> SyncRuntime:
        """A runtime sharing these resources, for a `with_options` copy of the client."""
        return SyncRuntime(self.resources, self._name, owns_resources=False)

    def run(self, coroutine: Coroutine[Any, Any, R], *, stacklevel: int = 3) -> R:
        """Run a coroutine of the async pipeline to its end for a synchronous caller (see the module
        docstring). ``stacklevel`` locates the caller for deprecation warnings, as `warnings.warn`."""
        deferred: list[str] = []
        token = _DEFERRED.set(deferred)
        try:
            self.check_open()
            if _loop_running_here():
                return self.resources.on_helper(lambda: _run_to_end(coroutine))
            return _run_to_end(coroutine)
        finally:
            if inspect.getcoroutinestate(coroutine) == inspect.CORO_CREATED:
                coroutine.close()  # it never ran (closed client): else it would warn it was never awaited
            _DEFERRED.reset(token)
            _raise_deferred(deferred, stacklevel + 1)

    def call(self, function: Callable[[], R], *, stacklevel: int = 3) -> R:
        """`function()` (a list method: it sends nothing yet), its deprecation warnings from the caller."""
        deferred: list[str] = []
        token = _DEFERRED.set(deferred)
        try:
            self.check_open()
            return function()
        finally:
            _DEFERRED.reset(token)
            _raise_deferred(deferred, stacklevel + 1)

    def loop_thread(self) -> int:
        """The thread whose loop runs the calls made from this thread now (this one, or the helper)."""
        if _loop_running_here():
            return self.resources.on_helper(threading.get_ident)
        return threading.get_ident()

    def check_open(self) -> None:
        if self._closed or self.resources.closed:
            raise BitbucketError(
                f"this {self._name} is closed: make calls inside its `with` block, or before close()"
            )

    @property
    def closed(self) -> bool:
        return self._closed or self.resources.closed

    def close(self) -> None:
        """Close the client: the resources too, unless it is a `with_options` copy."""
        self._closed = True
        if self._owns_resources:
            self.resources.close()


def _raise_deferred(messages: list[str], stacklevel: int) -> None:
    for message in messages:
        warnings.warn(message, DeprecationWarning, stacklevel=stacklevel)


def _after_fork_in_child() -> None:
    global _local
    _inherited.append(_local)
    _local = threading.local()
    for resources in list(_ALL):
        resources._forget_after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
