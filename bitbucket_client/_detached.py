"""Background work that does not wrap the caller's code in a task group.

A paginator that prefetches must keep fetching while the caller's loop body runs. A task group opened
inside ``__anext__`` would stay open across iterations and enclose the caller's own code, so a timeout
around the loop would exit cancel scopes out of order (asyncio: "Attempted to exit a cancel scope that
isn't the current task's current cancel scope"; trio: "Cancel scope stack corrupted"), and a plain
``break`` would leave the group's tasks running. So each fetch runs detached (asyncio: a task; trio: a
system task inside its own cancel scope) and its owner cancels it explicitly: on close, when the caller
is cancelled, and when the iteration is garbage-collected after a ``break``.

The function given must not raise (store its outcome instead); only cancellation ends it early.
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
import threading
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["Detached", "start_detached"]

# asyncio keeps only weak references to tasks: hold them until they finish.
_RUNNING: set[asyncio.Task[None]] = set()


class Detached:
    """One detached coroutine. ``cancel()`` is synchronous and safe from any thread (even a garbage
    collector's); ``wait()`` returns once it has ended, however it ended."""

    def cancel(self) -> None:
        raise NotImplementedError

    async def wait(self) -> None:
        raise NotImplementedError


def start_detached(function: Callable[[], Awaitable[None]]) -> Detached:
    """Run ``function()`` on the running event loop (asyncio or trio) without waiting for it."""
    trio = sys.modules.get("trio")
    if trio is not None:
        try:
            trio.lowlevel.current_trio_token()
        except RuntimeError:
            pass
        else:
            return _TrioDetached(trio, function)
    return _AsyncioDetached(function)


class _AsyncioDetached(Detached):
    def __init__(self, function: Callable[[], Awaitable[None]]) -> None:
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self._task = self._loop.create_task(_as_coroutine(function))
        _RUNNING.add(self._task)
        self._task.add_done_callback(_RUNNING.discard)

    def cancel(self) -> None:
        if self._task.done():
            return
        if threading.get_ident() == self._thread:
            self._task.cancel()
            return
        try:
            self._loop.call_soon_threadsafe(self._task.cancel)
        except RuntimeError:  # the loop is closed: the task is gone with it
            pass

    async def wait(self) -> None:
        if not self._task.done():
            await asyncio.wait({self._task})


class _TrioDetached(Detached):
    def __init__(self, trio: Any, function: Callable[[], Awaitable[None]]) -> None:
        self._trio = trio
        self._token = trio.lowlevel.current_trio_token()
        self._thread = threading.get_ident()
        self._scope = trio.CancelScope()
        self._finished = trio.Event()
        trio.lowlevel.spawn_system_task(self._run, function, context=contextvars.copy_context())

    async def _run(self, function: Callable[[], Awaitable[None]]) -> None:
        try:
            with self._scope:
                await function()
        finally:
            self._finished.set()

    def cancel(self) -> None:
        if threading.get_ident() == self._thread:
            self._scope.cancel()
            return
        try:
            self._token.run_sync_soon(self._scope.cancel)
        except self._trio.RunFinishedError:
            pass

    async def wait(self) -> None:
        await self._finished.wait()


async def _as_coroutine(function: Callable[[], Awaitable[None]]) -> None:
    await function()
