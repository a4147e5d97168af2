"""`blocking_stream`: the async client's `stream()` for synchronous code.

The async `stream()` is a context manager whose deadline (a cancel scope) covers the whole block, body
reading included, and which turns a connection lost while reading into `APIConnectionError`. A cancel
scope must be left by the task that entered it, so one task (the holder) enters the async context
manager and stays inside it until the synchronous `with` block ends. The body is read by the holder
too, a chunk at a time when the caller asks (`response.iter_bytes()`, `.read()`...): each read runs
the thread's loop until the holder has the chunk, so the deadline is checked between chunks, and an
error in the caller's block goes into the async block, to come out as it would there.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from ._sync_runtime import SyncRuntime

__all__ = ["blocking_stream"]


@contextlib.contextmanager
def blocking_stream(
    runtime: SyncRuntime, manager: AbstractAsyncContextManager[httpx.Response]
) -> Iterator[httpx.Response]:
    """Enter `manager` (the async client's `stream(...)`) for a synchronous caller; the response it
    yields reads its body with blocking reads."""
    holder = _Holder(manager)
    response = runtime.run(holder.enter(), stacklevel=4)
    response.stream = _HeldBody(holder, runtime)
    try:
        yield response
    except Exception as error:
        outcome = runtime.run(holder.leave(error), stacklevel=4)
        if outcome is not None and outcome is not error:
            # The async block's own error for it (APIConnectionError...), with the cause it gave.
            raise outcome from outcome.__cause__
        raise
    except BaseException:  # KeyboardInterrupt, GeneratorExit: stop reading, let go of the connection
        runtime.run(holder.leave(None, cancel=True), stacklevel=4)
        raise
    outcome = runtime.run(holder.leave(None), stacklevel=4)
    if outcome is not None:
        raise outcome  # a deadline that passed while the block ran


_FINISHED = object()


class _Holder:
    """The task inside the async context manager: it hands out the response, then reads chunks on
    request until told to leave (with the caller's error, if any)."""

    def __init__(self, manager: AbstractAsyncContextManager[httpx.Response]) -> None:
        self._manager = manager
        self._requests: asyncio.Queue[Any] = asyncio.Queue()
        self._entered: asyncio.Future[httpx.Response] | None = None
        self._task: asyncio.Task[None] | None = None

    async def enter(self) -> httpx.Response:
        loop = asyncio.get_running_loop()
        self._entered = loop.create_future()
        self._task = loop.create_task(self._hold())
        try:
            await _first_of(self._entered, self._task)
        except BaseException:  # interrupted while connecting: the holder must not stay behind
            self._task.cancel()
            await asyncio.wait({self._task})
            raise
        if not self._entered.done():
            self._entered.cancel()
            self._task.result()  # raises what entering raised
        return self._entered.result()

    async def next_chunk(self) -> bytes:
        """The next raw chunk; `StopAsyncIteration` at the end."""
        assert self._task is not None
        chunk: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._requests.put_nowait(chunk)
        await _first_of(chunk, self._task)
        if chunk.done():
            return chunk.result()
        chunk.cancel()
        self._task.result()  # the holder ended first: its error (a deadline) is the read's
        raise StopAsyncIteration

    async def leave(self, error: Exception | None, *, cancel: bool = False) -> BaseException | None:
        """Leave the async block (raising `error` inside it); what it raised in the end, if anything."""
        assert self._task is not None
        if cancel:
            self._task.cancel()
        elif not self._task.done():
            self._requests.put_nowait(error if error is not None else _FINISHED)
        await asyncio.wait({self._task})
        if self._task.cancelled():
            return None
        return self._task.exception()

    async def _hold(self) -> None:
        assert self._entered is not None
        async with self._manager as response:
            body = response.stream
            assert isinstance(body, httpx.AsyncByteStream)
            chunks: AsyncIterator[bytes] = body.__aiter__()
            self._entered.set_result(response)
            try:
                await self._serve(chunks)
            finally:
                response.stream = body  # the async block closes the body it gave

    async def _serve(self, chunks: AsyncIterator[bytes]) -> None:
        while True:
            request = await self._requests.get()
            if request is _FINISHED:
                return
            if isinstance(request, Exception):
                raise request
            try:
                request.set_result(await chunks.__anext__())
            except Exception as error:  # StopAsyncIteration included; a read error is raised to
                request.set_exception(error)  # the caller, whose block hands it back to leave()


async def _first_of(*futures: asyncio.Future[Any]) -> None:
    await asyncio.wait(futures, return_when=asyncio.FIRST_COMPLETED)


class _HeldBody(httpx.SyncByteStream):
    """The response body for the synchronous caller: each chunk is read by the holder."""

    def __init__(self, holder: _Holder, runtime: SyncRuntime) -> None:
        self._holder = holder
        self._runtime = runtime

    def __iter__(self) -> Iterator[bytes]:
        while True:
            try:
                yield self._runtime.run(self._holder.next_chunk(), stacklevel=4)
            except StopAsyncIteration:
                return

    def close(self) -> None:
        pass  # the connection is let go when the `with` block ends
