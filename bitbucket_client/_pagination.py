"""Pagination for list operations: Bitbucket Cloud's `next` links and Data Center's `nextPageStart`.

Every list method returns an :class:`AsyncPaginator`. It is a plain async iterable: nothing is sent
until iteration starts, and each ``async for`` starts again from the first page::

    async for pr in bb.pullrequests.list("ws", "repo"):          # items, page after page
        ...
    async for page in bb.pullrequests.list("ws", "repo").pages():  # whole pages, with the response
        ...

``prefetch=N`` fetches up to N pages ahead while the caller works on the current one. Those fetches run
detached (see ``_detached``), never in a task group around the caller's code, so every way of leaving
the loop cleans up under asyncio and trio without ``aclosing()``: reaching the end, an error, a
``break`` (the fetches in flight are cancelled when the iterator is garbage-collected, at once in
CPython), and a cancellation or timeout around the loop (cancelled as the caller's wait is). Closing
the iterator (``aclose()``, ``contextlib.aclosing``) also waits until they have ended.
"""

from __future__ import annotations

import functools
import logging
import re
import weakref
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from types import TracebackType
from typing import Any, Generic, Literal, Self, TypeVar

import anyio
import attrs
import httpx

from ._answer import JSON_TOO_DEEP, unexpected_status
from ._detached import Detached, start_detached
from ._exceptions import PaginationError, UnexpectedResponseError

__all__ = [
    "CLOUD_MAX_PAGE_SIZE",
    "AsyncItemIterator",
    "AsyncPageIterator",
    "AsyncPaginator",
    "FetchPage",
    "Page",
    "PaginationStyle",
    "redact_url",
    "why_outside_api",
]

logger = logging.getLogger("bitbucket_client")

T = TypeVar("T")

PaginationStyle = Literal["cloud", "server"]

FetchPage = Callable[[dict[str, Any]], Awaitable[httpx.Response]]
"""Sends one request (``httpx.AsyncClient.request`` keyword arguments) through the client's pipeline and
returns the response, body read. Raises a typed error for a non-2xx status."""

CLOUD_MAX_PAGE_SIZE = 100
"""The largest ``pagelen`` Bitbucket Cloud accepts (some endpoints cap it lower, silently)."""

_DEFAULT_PORTS = {"http": 80, "https": 443}


@attrs.frozen
class Page(Generic[T]):
    """One page of a list.

    ``raw`` is the decoded JSON envelope exactly as the server sent it, ``values`` included (so fields
    the client does not model, and the undecoded items, stay reachable). ``items`` are the decoded
    values; with ``max_items`` the last page's ``items`` are cut short while ``raw`` is not.
    ``next_cursor`` is where the server says the next page is (Cloud: the ``next`` URL; Data Center:
    ``nextPageStart``), or ``None`` on the last page.
    """

    items: list[T]
    raw: dict[str, Any] = attrs.field(repr=False)
    response: httpx.Response = attrs.field(repr=False, eq=False)
    next_cursor: str | int | None = None

    # The envelope's other fields, typed. Each is None when the server left it out (or sent another type).

    @property
    def size(self) -> int | None:
        """Cloud: how many items the whole list has (often absent). Data Center: how many are on this page."""
        return _int_field(self.raw, "size")

    @property
    def page(self) -> int | None:
        """Cloud: this page's number, from 1."""
        return _int_field(self.raw, "page")

    @property
    def pagelen(self) -> int | None:
        """Cloud: the page length the server used (it may lower the one asked for)."""
        return _int_field(self.raw, "pagelen")

    @property
    def next(self) -> str | None:
        """Cloud: the link to the next page, or None on the last page."""
        return _str_field(self.raw, "next")

    @property
    def previous(self) -> str | None:
        """Cloud: the link to the previous page, when the server gives one."""
        return _str_field(self.raw, "previous")

    @property
    def limit(self) -> int | None:
        """Data Center: the page length the server used (an admin-set maximum may lower the one asked for)."""
        return _int_field(self.raw, "limit")

    @property
    def start(self) -> int | None:
        """Data Center: the index of this page's first item."""
        return _int_field(self.raw, "start")

    @property
    def is_last_page(self) -> bool | None:
        """Data Center: whether this is the last page."""
        value = self.raw.get("isLastPage")
        return value if isinstance(value, bool) else None

    @property
    def next_page_start(self) -> int | None:
        """Data Center: the `start` of the next page, or None on the last page."""
        return _int_field(self.raw, "nextPageStart")


class AsyncPaginator(Generic[T]):
    """The pages of one list operation, as an async iterable of items (``async for``) or of
    :class:`Page` objects (:meth:`pages`).

    ``fetch`` sends a request (see :data:`FetchPage`); ``first_request`` is the request for the first
    page; ``decode_item`` turns one element of ``values`` into an item; ``base_url`` is the API root that
    every Cloud ``next`` link must stay under; ``items_key`` is the envelope's list of items (``values``,
    or ``results`` for Data Center's authentication configuration). ``page_size`` becomes ``pagelen``
    (Cloud, 1 to 100) or ``limit`` (Data Center) on the first request; ``max_items`` stops after that
    many items without fetching further pages; ``prefetch`` fetches that many pages ahead (see the
    module docstring).
    """

    def __init__(
        self,
        *,
        fetch: FetchPage,
        first_request: dict[str, Any],
        style: PaginationStyle,
        decode_item: Callable[[Any], T],
        base_url: httpx.URL | str,
        page_size: int | None = None,
        max_items: int | None = None,
        prefetch: int = 0,
        items_key: str = "values",
    ) -> None:
        if style not in ("cloud", "server"):
            raise ValueError(f"style must be 'cloud' or 'server', got {style!r}")
        if max_items is not None and max_items < 0:
            raise ValueError(f"max_items must be None (no limit) or at least 0, got {max_items}")
        if prefetch < 0:
            raise ValueError(f"prefetch must be 0 (no prefetching) or a number of pages, got {prefetch}")
        self._settings = _Settings(
            fetch=fetch,
            first_request=_first_request(first_request, style, page_size),
            style=style,
            decode_item=decode_item,
            base_url=httpx.URL(base_url),
            max_items=max_items,
            prefetch=prefetch,
            items_key=items_key,
        )
        # Weak: a paginator kept around must not keep finished or abandoned iterations alive.
        self._runs: weakref.WeakSet[_Run[T]] = weakref.WeakSet()
        # Every fetch its iterations started: one left by a `break` may still be ending.
        self._fetches: list[_Fetch] = []

    def __aiter__(self) -> AsyncItemIterator[T]:
        return AsyncItemIterator(self._new_run())

    def pages(self) -> AsyncPageIterator[T]:
        """Iterate over whole pages instead of items."""
        return AsyncPageIterator(self._new_run())

    async def aclose(self) -> None:
        """Stop every iteration started from this paginator, cancel its background fetches and wait
        until they have ended."""
        runs, self._runs = list(self._runs), weakref.WeakSet()
        for run in runs:
            await run.aclose()
        fetches, self._fetches = self._fetches, []
        await _cancel_and_wait(fetches)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    def _new_run(self) -> _Run[T]:
        run = _Run(self._settings, self._fetches)
        self._runs.add(run)
        return run


class AsyncItemIterator(Generic[T]):
    """One iteration over the items of a list. ``aclose()`` stops it and cancels prefetches."""

    def __init__(self, run: _Run[T]) -> None:
        self._run = run
        self._items: Iterator[T] = iter(())

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> T:
        while True:
            for item in self._items:  # the rest of the current page
                return item
            page = await self._run.next_page()
            self._items = iter(page.items)

    async def aclose(self) -> None:
        await self._run.aclose()


class AsyncPageIterator(Generic[T]):
    """One iteration over the pages of a list. ``aclose()`` stops it and cancels prefetches."""

    def __init__(self, run: _Run[T]) -> None:
        self._run = run

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> Page[T]:
        return await self._run.next_page()

    async def aclose(self) -> None:
        await self._run.aclose()


# ---- one iteration ------------------------------------------------------------------------------


@attrs.frozen
class _Settings(Generic[T]):
    fetch: FetchPage
    first_request: dict[str, Any]
    style: PaginationStyle
    decode_item: Callable[[Any], T]
    base_url: httpx.URL
    max_items: int | None
    prefetch: int
    items_key: str = "values"


@attrs.define(eq=False)
class _Fetch:
    """One background fetch and its outcome. The detached task holds this, never the `_Run`, so an
    abandoned iteration can be garbage-collected (and cancel its fetches) while they still run."""

    done: anyio.Event = attrs.field(factory=anyio.Event)
    response: httpx.Response | None = None
    error: Exception | None = None
    task: Detached | None = None


@attrs.define(eq=False)
class _Slot(Generic[T]):
    """One page still to hand out, in list order: its request, and its outcome once known."""

    request: dict[str, Any]
    started: bool = False
    fetch: _Fetch | None = None  # the background fetch of this page, if one was started
    # Pages fetched ahead keep only their response: decoding waits until the page is handed out, so
    # prefetching neither holds several decoded pages in memory nor decodes a wave of them at once.
    response: httpx.Response | None = None
    error: Exception | None = None

    @classmethod
    def failed(cls, error: Exception) -> _Slot[T]:
        """A page that must not be fetched: reaching it raises ``error``."""
        return cls(request={}, started=True, error=error)


class _Run(Generic[T]):
    """The state of one iteration.

    Pages are handed out strictly in order by :meth:`next_page`, which is also the only place that
    decides what comes after a page, so the stop rules (empty page, repeated cursor, max_items) see
    pages in order even when they were fetched concurrently. Background fetches only fetch (pages
    are decoded when handed out) and never raise: their errors are stored and raised when the caller
    reaches that page.
    """

    def __init__(self, settings: _Settings[T], started: list[_Fetch]) -> None:
        self._settings = settings
        self._started = started  # the paginator's list of every fetch started
        self._queue: deque[_Slot[T]] = deque()
        self._begun = False
        self.closed = False
        self._pages_handed_out = 0
        self._items_handed_out = 0
        self._cursors_seen: set[str | int] = set()
        self._in_flight: list[_Fetch] = []

    def __del__(self) -> None:
        # Left by a `break` (or an exception in the loop body) without aclose(): stop the fetches.
        self._cancel_fetches()

    async def next_page(self) -> Page[T]:
        if not self._begun:
            self._begun = True
            self._queue_first_page()
        if self.closed or not self._queue:
            await self.aclose()
            raise StopAsyncIteration
        slot = self._queue[0]
        try:
            await self._wait_for(slot)
        except BaseException:
            # Cancelled (a timeout around the loop): nothing may keep running for a caller that left.
            # The pages stay queued, so asking again fetches them anew.
            self._cancel_fetches()
            raise
        if slot.error is not None:
            await self.aclose()  # cancels the pages fetched ahead: the list ends with this error
            raise slot.error
        assert slot.response is not None
        self._queue.popleft()
        try:
            page = self._apply_max_items(
                _parse_page(
                    slot.response, self._settings.style, self._settings.decode_item, self._settings.items_key
                )
            )
        except Exception:
            await self.aclose()  # a malformed page ends the list, like a failed fetch
            raise
        is_first = self._pages_handed_out == 0
        self._pages_handed_out += 1
        self._items_handed_out += len(page.items)
        self._queue_what_follows(page, is_first)
        if self._queue:
            self._start_prefetches()
        else:
            await self._stop_fetches()  # pages fetched ahead of a stop
        return page

    async def aclose(self) -> None:
        self.closed = True
        self._queue.clear()
        await self._stop_fetches()

    # -- deciding what to fetch

    def _queue_first_page(self) -> None:
        settings = self._settings
        if settings.max_items == 0:
            return
        if settings.style == "server":
            self._cursors_seen.add(_int_param(settings.first_request, "start") or 0)
        self._queue.append(_Slot(settings.first_request))

    def _apply_max_items(self, page: Page[T]) -> Page[T]:
        max_items = self._settings.max_items
        if max_items is None:
            return page
        room = max_items - self._items_handed_out
        return page if len(page.items) <= room else attrs.evolve(page, items=page.items[:room])

    def _queue_what_follows(self, page: Page[T], is_first: bool) -> None:
        settings = self._settings
        if is_first and settings.style == "cloud":
            # Cloud: remember the first URL, so a `next` that leads back to it counts as a repeat.
            self._cursors_seen.add(str(page.response.request.url))
        max_items = settings.max_items
        if max_items is not None and self._items_handed_out >= max_items:
            self._stop()
            return
        if not _claims_more(page, settings.style):
            self._stop()
            return
        where = redact_url(str(page.response.request.url))
        if not page.items:
            logger.warning(
                "Stopping pagination: the page at %s is empty but claims more pages follow "
                "(next: %s); following it could loop forever.",
                where,
                _describe_cursor(page.next_cursor),
            )
            self._stop()
            return
        if self._queue:
            return  # the following pages were planned from the first page's `size`, already queued
        if page.next_cursor is None:
            logger.warning(
                "Stopping pagination: the page at %s says it is not the last page (isLastPage: false) "
                "but gives no nextPageStart; the endpoint may cap its results.",
                where,
            )
            self._stop()
            return
        if settings.style == "server":
            assert isinstance(page.next_cursor, int)
            self._follow_next_page_start(page.next_cursor, where)
        else:
            assert isinstance(page.next_cursor, str)
            self._follow_next_link(page, page.next_cursor, where, is_first)

    def _follow_next_page_start(self, start: int, where: str) -> None:
        if start in self._cursors_seen:
            self._warn_repeated_cursor(where, str(start))
            return
        self._cursors_seen.add(start)
        self._queue.append(_Slot(_with_param(self._settings.first_request, "start", str(start))))

    def _follow_next_link(self, page: Page[T], link: str, where: str, is_first: bool) -> None:
        try:
            target = _checked_next_link(link, page.response.request.url, self._settings.base_url)
        except PaginationError as error:
            # Raised when the caller asks for the next page: this page's items are fine.
            self._queue.append(_Slot.failed(error))
            return
        canonical = str(httpx.URL(target))
        if canonical in self._cursors_seen:
            self._warn_repeated_cursor(where, redact_url(target))
            return
        planned = self._plan_numbered_pages(page, target) if is_first else []
        for url in planned or [target]:
            self._cursors_seen.add(str(httpx.URL(url)))
            self._queue.append(_Slot(self._cloud_request(url)))

    def _plan_numbered_pages(self, first_page: Page[T], next_link: str) -> list[str]:
        """The URLs of all the remaining pages, when the first page says how many there are and its
        `next` link numbers pages; [] otherwise (opaque cursors, no `size`), to follow `next` instead.

        Only worth it when several pages may be fetched at once. The URLs differ from `next` only in
        the `page` value, so everything else Bitbucket put in the link is kept verbatim.
        """
        settings = self._settings
        if settings.prefetch < 2:
            return []
        size = _int_field(first_page.raw, "size")
        pagelen = _int_field(first_page.raw, "pagelen")
        number = _int_field(first_page.raw, "page")
        if size is None or pagelen is None or number is None or pagelen < 1:
            return []
        if _page_param(next_link) != number + 1:
            return []
        last = -(-size // pagelen)
        if settings.max_items is not None:
            still_needed = settings.max_items - self._items_handed_out
            last = min(last, number + -(-still_needed // pagelen))
        return [_with_page_param(next_link, n) for n in range(number + 1, last + 1)]

    def _cloud_request(self, url: str) -> dict[str, Any]:
        # The link carries the whole query: sending the first request's params too would make httpx
        # re-encode it (and duplicate `pagelen`).
        request = {k: v for k, v in self._settings.first_request.items() if k != "params"}
        request["url"] = url
        return request

    def _warn_repeated_cursor(self, where: str, cursor: str) -> None:
        logger.warning(
            "Stopping pagination: the page at %s points to a page already fetched (%s); Bitbucket "
            "sometimes sends a stale cursor, and following it would loop forever.",
            where,
            cursor,
        )
        self._stop()

    def _stop(self) -> None:
        # Pages fetched ahead of a stop are dropped; `next_page` cancels what is still in flight.
        self._queue.clear()

    # -- fetching

    async def _wait_for(self, slot: _Slot[T]) -> None:
        if slot.response is not None or slot.error is not None:
            return
        fetch = slot.fetch
        if fetch is not None:
            await fetch.done.wait()
            slot.fetch, slot.response, slot.error = None, fetch.response, fetch.error
            if slot.response is not None or slot.error is not None:
                return
        # Nothing is fetching this page (the first page, or no prefetch): the caller waits for it anyway.
        slot.started = True
        try:
            slot.response = await _load(self._settings.fetch, slot.request)
        except Exception as error:
            slot.error = error
        except BaseException:
            slot.started = False  # cancelled: a later call fetches it again
            raise

    def _start_prefetches(self) -> None:
        # Pages fetched but not yet handed out count too, so at most `prefetch` requests are in flight.
        room = self._settings.prefetch - sum(1 for slot in self._queue if slot.started)
        self._in_flight = [fetch for fetch in self._in_flight if not fetch.done.is_set()]
        for slot in self._queue:
            if room <= 0:
                break
            if slot.started:
                continue
            fetch = _Fetch()
            fetch.task = start_detached(
                functools.partial(_fetch_into, fetch, self._settings.fetch, slot.request)
            )
            slot.started, slot.fetch = True, fetch
            self._in_flight.append(fetch)
            self._started[:] = [*(started for started in self._started if not started.done.is_set()), fetch]
            room -= 1

    def _cancel_fetches(self) -> list[_Fetch]:
        """Cancel every fetch still running and put its page back to be fetched again; returns them.
        Synchronous, so it works while being cancelled or garbage-collected."""
        in_flight = getattr(self, "_in_flight", [])  # __del__ may run on a half-built object
        self._in_flight = []
        cancelled = _cancel(in_flight)
        for slot in getattr(self, "_queue", ()):
            if slot.fetch in cancelled:
                slot.started, slot.fetch = False, None
        return cancelled

    async def _stop_fetches(self) -> None:
        await _cancel_and_wait(self._cancel_fetches())


def _cancel(fetches: list[_Fetch]) -> list[_Fetch]:
    running = [fetch for fetch in fetches if not fetch.done.is_set()]
    for fetch in running:
        assert fetch.task is not None
        fetch.task.cancel()
    return running


async def _cancel_and_wait(fetches: list[_Fetch]) -> None:
    running = _cancel(fetches)
    if running:
        # Wait until they have let go of their connections, even if the caller is being cancelled.
        with anyio.CancelScope(shield=True):
            for fetch in running:
                assert fetch.task is not None
                await fetch.task.wait()


async def _fetch_into(target: _Fetch, fetch: FetchPage, request: dict[str, Any]) -> None:
    try:
        target.response = await _load(fetch, request)
    except Exception as error:
        target.error = error  # raised by `next_page` when the caller reaches this page
    finally:
        target.done.set()


async def _load(fetch: FetchPage, request: dict[str, Any]) -> httpx.Response:
    logger.debug("Fetching a page: %s", redact_url(str(request.get("url", ""))))
    response = await fetch(request)
    if not response.is_success:  # `fetch` should already have raised; never decode an error body
        raise unexpected_status(response)
    return response


# ---- envelopes ----------------------------------------------------------------------------------


def _parse_page(
    response: httpx.Response,
    style: PaginationStyle,
    decode_item: Callable[[Any], T],
    items_key: str = "values",
) -> Page[T]:
    where = redact_url(str(response.request.url))
    try:
        body = response.json()
    except ValueError as exc:
        raise UnexpectedResponseError(response, f"the page at {where} is not valid JSON ({exc})") from None
    except RecursionError:
        raise UnexpectedResponseError(response, f"the page at {where}: {JSON_TOO_DEEP}") from None
    if not isinstance(body, dict):
        raise UnexpectedResponseError(
            response, f"the page at {where} is a JSON {type(body).__name__}, not an object with `{items_key}`"
        )
    values = body.get(items_key)
    if not isinstance(values, list):
        found = f"no `{items_key}`" if values is None else f"`{items_key}` of type {type(values).__name__}"
        raise UnexpectedResponseError(response, f"the page at {where} has {found}, not a list")
    items = []
    for index, value in enumerate(values):
        try:
            items.append(decode_item(value))
        except Exception as exc:
            raise UnexpectedResponseError(
                response, f"item {index} of the page at {where} could not be decoded ({exc})"
            ) from exc
    cursor = _cloud_cursor(response, body, where) if style == "cloud" else _server_cursor(body)
    return Page(items=items, raw=body, response=response, next_cursor=cursor)


def _cloud_cursor(response: httpx.Response, body: dict[str, Any], where: str) -> str | None:
    link = body.get("next")
    if link is None or link == "":
        return None
    if not isinstance(link, str):
        raise UnexpectedResponseError(
            response, f"the page at {where} has a `next` of type {type(link).__name__}, not a URL"
        )
    return link


def _server_cursor(body: dict[str, Any]) -> int | None:
    if body.get("isLastPage") is True:
        return None
    start = body.get("nextPageStart")
    return start if _is_int(start) else None


def _claims_more(page: Page[Any], style: PaginationStyle) -> bool:
    if page.next_cursor is not None:
        return True
    # Data Center can say "not the last page" without saying where the next one starts.
    return style == "server" and page.raw.get("isLastPage") is False


def _is_int(value: Any) -> bool:
    return type(value) is int  # not bool


def _int_field(envelope: dict[str, Any], key: str) -> int | None:
    value = envelope.get(key)
    return value if _is_int(value) else None


def _str_field(envelope: dict[str, Any], key: str) -> str | None:
    value = envelope.get(key)
    return value if isinstance(value, str) else None


def _describe_cursor(cursor: str | int | None) -> str:
    return redact_url(cursor) if isinstance(cursor, str) else str(cursor)


# ---- requests -----------------------------------------------------------------------------------


def _first_request(request: dict[str, Any], style: PaginationStyle, page_size: int | None) -> dict[str, Any]:
    if page_size is None:
        return dict(request)
    if style == "cloud":
        if not 1 <= page_size <= CLOUD_MAX_PAGE_SIZE:
            raise ValueError(
                f"page_size must be between 1 and {CLOUD_MAX_PAGE_SIZE} on Bitbucket Cloud "
                f"(it is sent as `pagelen`), got {page_size}"
            )
        return _with_param(request, "pagelen", str(page_size))
    if page_size < 1:
        raise ValueError(f"page_size must be at least 1 (it is sent as `limit`), got {page_size}")
    # The server may lower it to an admin-set maximum; the pages say what was used, and are trusted.
    return _with_param(request, "limit", str(page_size))


def _with_param(request: dict[str, Any], name: str, value: str) -> dict[str, Any]:
    params = httpx.QueryParams(request.get("params")).set(name, value)
    return {**request, "params": params}


def _int_param(request: dict[str, Any], name: str) -> int | None:
    value = httpx.QueryParams(request.get("params")).get(name)
    return int(value) if value is not None and re.fullmatch(r"[0-9]+", value) else None


# ---- URLs ---------------------------------------------------------------------------------------


def _checked_next_link(link: str, page_url: httpx.URL, base_url: httpx.URL) -> str:
    """The URL to request for a Cloud `next` link: the link itself, verbatim (or resolved against the
    page's URL if relative). Raises PaginationError if it leaves the API the client talks to."""
    try:
        url = httpx.URL(link)
    except httpx.InvalidURL as exc:
        raise PaginationError(
            f"Refusing to follow the `next` link {redact_url(link)}: it is not a valid URL ({exc})",
            url=redact_url(link),
        ) from None
    target = link
    if url.is_relative_url:
        url = page_url.join(url)
        target = str(url)
    problem = why_outside_api(url, base_url)
    if problem is not None:
        raise PaginationError(
            f"Refusing to follow the `next` link {redact_url(target)}: {problem}. Nothing was sent to it.",
            url=redact_url(target),
        )
    return target


def why_outside_api(url: httpx.URL, base_url: httpx.URL) -> str | None:
    """Why ``url`` is not under ``base_url`` (another scheme, host or port, user info, a path outside
    the base path, or a '.'/'..' segment once percent-decoded), or None when it is."""
    if url.scheme.lower() != base_url.scheme.lower():
        return f"its scheme {url.scheme!r} is not the API's {base_url.scheme!r}"
    if url.host.lower() != base_url.host.lower():
        return f"its host {url.host!r} is not the API's {base_url.host!r}"
    if _effective_port(url) != _effective_port(base_url):
        return f"its port {_effective_port(url)} is not the API's {_effective_port(base_url)}"
    if url.userinfo:
        return "it carries a user name or password"
    base_path = base_url.path.rstrip("/")
    if not (url.path == base_path or url.path.startswith(base_path + "/")):
        return f"its path is outside the API's {base_path}/"
    if any(segment in (".", "..") for segment in url.path.split("/")):
        return "its path has '.' or '..' segments"
    return None


def _effective_port(url: httpx.URL) -> int | None:
    return url.port if url.port is not None else _DEFAULT_PORTS.get(url.scheme.lower())


def _split_query(url: str) -> tuple[str, list[str] | None, str]:
    """(everything before the query, the query's `&`-separated parts or None, '#fragment' or '')."""
    without_fragment, hash_mark, fragment = url.partition("#")
    head, question_mark, query = without_fragment.partition("?")
    return head, query.split("&") if question_mark else None, hash_mark + fragment


def _page_param(url: str) -> int | None:
    _head, parts, _fragment = _split_query(url)
    values = [part[len("page=") :] for part in parts or [] if part.startswith("page=")]
    if len(values) != 1 or not re.fullmatch(r"[0-9]+", values[0]):
        return None
    return int(values[0])


def _with_page_param(url: str, number: int) -> str:
    # Text surgery rather than httpx.URL.copy_merge_params, which would re-encode the whole query.
    head, parts, fragment = _split_query(url)
    assert parts is not None
    query = "&".join(f"page={number}" if part.startswith("page=") else part for part in parts)
    return f"{head}?{query}{fragment}"


_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*:)?//[^/?#]*@")
_SECRET_PARAM = re.compile(r"([?&](?:access_token|jwt)=)[^&#]*", re.IGNORECASE)


def redact_url(url: str) -> str:
    """`url` for logs and messages: without a user:password part, or a token in the query (Cloud
    accepts `access_token=` and Connect apps `jwt=`, and `next` links repeat the query)."""
    url = _USERINFO.sub(lambda match: f"{match.group(1) or ''}//", url)
    return _SECRET_PARAM.sub(r"\1[redacted]", url)
