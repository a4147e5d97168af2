"""`SyncPaginator`: a list operation for synchronous code, over the async client's `AsyncPaginator`.

    for pr in bb.pullrequests.list("ws", "repo", max_items=50):        # items
        ...
    for page in bb.pullrequests.list("ws", "repo").pages():            # whole pages
        ...

Every rule of the async paginator holds, because it does the work: nothing is sent until iteration
starts, each iteration starts again from the first page, `page_size`, `max_items`, the stop rules and
the checks on `next` links. One loop run fetches one page (items are handed out from it without
touching the loop again). With `prefetch=N`, N pages are fetched ahead in worker threads while the
caller's code runs.

An iteration belongs to the thread that started it (its prefetches run on that thread's loop); another
thread starts an iteration of its own. Leaving a `for` loop early (`break`, an exception) closes the
iteration at once, prefetches included; so do `close()` and a `with` block around the paginator.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Generator, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Generic, Self, TypeVar

from ._pagination import AsyncPageIterator, AsyncPaginator, Page
from ._sync_http import sending_in_threads

if TYPE_CHECKING:
    from ._sync_runtime import SyncRuntime

__all__ = ["SyncPaginator"]

T = TypeVar("T")


class SyncPaginator(Generic[T]):
    """The pages of one list operation, as an iterable of items (``for``) or of :class:`Page` objects
    (:meth:`pages`). Made by the list methods of `bitbucket_client.sync` clients."""

    def __init__(self, paginator: AsyncPaginator[T], runtime: SyncRuntime) -> None:
        self._paginator = paginator
        self._runtime = runtime
        self._iterations: weakref.WeakSet[Generator[Page[T], None, None]] = weakref.WeakSet()

    def __iter__(self) -> Iterator[T]:
        pages = self.pages()
        try:
            for page in pages:
                yield from page.items
        finally:
            pages.close()

    def pages(self) -> Generator[Page[T], None, None]:
        """Iterate over whole pages instead of items (each with its items, envelope and response)."""
        iteration = self._iterate_pages()
        self._iterations.add(iteration)
        return iteration

    def close(self) -> None:
        """Stop every iteration started from this paginator, and its prefetches."""
        for iteration in list(self._iterations):
            iteration.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SyncPaginator({self._paginator._settings.first_request.get('url')!r})"

    def _iterate_pages(self) -> Generator[Page[T], None, None]:
        runtime = self._runtime
        runtime.check_open()
        pages = self._paginator.pages()
        owner = runtime.loop_thread()
        # Prefetches must run while the caller's code does: their sends go to worker threads.
        in_threads = self._paginator._settings.prefetch > 0
        try:
            while True:
                if runtime.loop_thread() != owner:
                    raise RuntimeError(
                        "this iteration of a SyncPaginator was started in another thread, whose event "
                        "loop holds its state; iterate the paginator again in this thread instead"
                    )
                page = self._next_page(pages, in_threads)
                if page is None:
                    return
                yield page
        finally:
            # Closed from another thread (by the garbage collector): the async iteration's own
            # finalizer cancels its prefetches, thread-safely.
            if not runtime.closed and _current_loop_thread(runtime) == owner:
                runtime.run(pages.aclose(), stacklevel=2)

    def _next_page(self, pages: AsyncPageIterator[T], in_threads: bool) -> Page[T] | None:
        with sending_in_threads() if in_threads else contextlib.nullcontext():
            try:
                return self._runtime.run(pages.__anext__(), stacklevel=4)
            except StopAsyncIteration:
                return None


def _current_loop_thread(runtime: SyncRuntime) -> int | None:
    try:
        return runtime.loop_thread()
    except RuntimeError:  # on the helper thread, in a callback: not the owner
        return threading.get_ident()
