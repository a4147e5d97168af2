"""The paginator against a fake Bitbucket served by httpx.MockTransport through a real AsyncClient."""

from __future__ import annotations

import asyncio
import importlib.util
import inspect
import logging
import random
from collections.abc import AsyncIterable, Awaitable, Callable, Coroutine
from contextlib import aclosing
from typing import Any, TypeVar

import anyio
import httpx
import pytest

from bitbucket_client._exceptions import (
    APIConnectionError,
    BitbucketError,
    NotFoundError,
    PaginationError,
    ServerError,
    UnexpectedResponseError,
    error_from_response,
)
from bitbucket_client._pagination import AsyncPaginator, Page

CLOUD = "https://api.bitbucket.org/2.0"
PRS = "/repositories/ws/repo/pullrequests"
PRS_URL = CLOUD + PRS

DC = "https://bitbucket.example.com/rest"
DC_PRS = "/api/latest/projects/PRJ/repos/repo/pull-requests"

BACKENDS = [
    "asyncio",
    pytest.param(
        "trio", marks=pytest.mark.skipif(importlib.util.find_spec("trio") is None, reason="trio missing")
    ),
]

X = TypeVar("X")
Responder = Callable[[httpx.Request], httpx.Response]
Handler = Callable[[httpx.Request], httpx.Response | Awaitable[httpx.Response]]


class FakeBitbucket:
    """A real httpx.AsyncClient on a MockTransport, recording every request exactly as sent."""

    def __init__(self, handler: Handler, base_url: str = CLOUD) -> None:
        self.sent: list[httpx.Request] = []
        self._handler = handler
        self.client = httpx.AsyncClient(transport=httpx.MockTransport(self._handle), base_url=base_url)

    async def _handle(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        if len(self.sent) > 50:
            raise AssertionError("the paginator is looping: more than 50 requests")
        result = self._handler(request)
        return await result if inspect.isawaitable(result) else result

    async def fetch(self, request_kwargs: dict[str, Any]) -> httpx.Response:
        """Stands in for the client's `_fetch_page`: sends, and raises a typed error for non-2xx."""
        response = await self.client.request(**request_kwargs)
        if response.is_error:
            raise error_from_response(response)
        return response

    @property
    def urls(self) -> list[str]:
        return [str(request.url) for request in self.sent]


def serve(pages: dict[str, Any]) -> Responder:
    """Answer by exact URL, so a request that is not byte-for-byte expected fails with a 404."""

    def handler(request: httpx.Request) -> httpx.Response:
        if str(request.url) not in pages:
            return httpx.Response(404, json={"error": {"message": f"no page at {request.url}"}})
        return httpx.Response(200, json=pages[str(request.url)])

    return handler


def serve_by_start(pages: dict[str | None, Any]) -> Responder:
    """Data Center: answer by the `start` query parameter (None for the first request)."""

    def handler(request: httpx.Request) -> httpx.Response:
        start = request.url.params.get("start")
        if start not in pages:
            return httpx.Response(404, json={"errors": [{"message": f"no page at start={start}"}]})
        return httpx.Response(200, json=pages[start])

    return handler


def cloud_page(ids: range | list[int], next: str | None = None, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"values": [{"id": i} for i in ids], **fields}
    if next is not None:
        body["next"] = next
    return body


def dc_page(
    ids: range | list[int], start: int, next_page_start: int | None = None, *, is_last: bool | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "values": [{"id": i} for i in ids],
        "size": len(ids),
        "limit": 25,
        "start": start,
        "isLastPage": next_page_start is None if is_last is None else is_last,
    }
    if next_page_start is not None:
        body["nextPageStart"] = next_page_start
    return body


def numbered_pages(total: int, pagelen: int, link: str, first_url: str = PRS_URL) -> dict[str, Any]:
    """A page-numbered Cloud list with `size`: page n lives at link.format(page=n), page 1 at first_url."""
    count = -(-total // pagelen)
    pages = {}
    for number in range(1, count + 1):
        ids = range((number - 1) * pagelen + 1, min(number * pagelen, total) + 1)
        next_link = link.format(page=number + 1) if number < count else None
        url = first_url if number == 1 else link.format(page=number)
        pages[url] = cloud_page(ids, next_link, size=total, pagelen=pagelen, page=number)
    return pages


def decode_id(value: Any) -> int:
    return int(value["id"])


def cloud_list(
    fake: FakeBitbucket, params: dict[str, Any] | None = None, **options: Any
) -> AsyncPaginator[int]:
    return AsyncPaginator(
        fetch=fake.fetch,
        first_request={"method": "GET", "url": options.pop("url", PRS), "params": params or {}},
        style="cloud",
        decode_item=decode_id,
        base_url=httpx.URL(CLOUD),
        **options,
    )


def dc_list(fake: FakeBitbucket, params: dict[str, Any] | None = None, **options: Any) -> AsyncPaginator[int]:
    return AsyncPaginator(
        fetch=fake.fetch,
        first_request={"method": "GET", "url": DC_PRS, "params": params or {}},
        style="server",
        decode_item=decode_id,
        base_url=httpx.URL(DC),
        **options,
    )


async def collect(iterable: AsyncIterable[X]) -> list[X]:
    return [item async for item in iterable]


def run(backend: str, scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    anyio.run(scenario, backend=backend)


def warnings_from(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "bitbucket_client" and record.levelno == logging.WARNING
    ]


def assert_no_leftover_tasks() -> None:
    """Under asyncio, nothing may keep running once the iteration is closed."""
    try:
        current = asyncio.current_task()
    except RuntimeError:  # not asyncio (trio checks its nurseries itself)
        return
    assert asyncio.all_tasks() == {current}


# ---- Cloud --------------------------------------------------------------------------------------


async def test_cloud_follows_next_links_until_a_page_has_none() -> None:
    fake = FakeBitbucket(
        serve(
            {
                PRS_URL + "?state=OPEN": cloud_page([1, 2, 3], PRS_URL + "?state=OPEN&page=2"),
                PRS_URL + "?state=OPEN&page=2": cloud_page([4, 5, 6], PRS_URL + "?state=OPEN&page=3"),
                PRS_URL + "?state=OPEN&page=3": cloud_page([7]),
            }
        )
    )

    assert await collect(cloud_list(fake, {"state": "OPEN"})) == [1, 2, 3, 4, 5, 6, 7]
    assert fake.urls == [
        PRS_URL + "?state=OPEN",
        PRS_URL + "?state=OPEN&page=2",
        PRS_URL + "?state=OPEN&page=3",
    ]


@pytest.mark.parametrize("prefetch", [0, 3])
async def test_cloud_next_links_are_requested_verbatim(prefetch: int) -> None:
    # Commits put a hash in the cursor; a trailing slash or an added parameter would break it.
    commits = CLOUD + "/repositories/ws/repo/commits/main"
    second = commits + "?page=4f2a9c1e7b3d0a8e"
    third = commits + "/?ctx=0a8e&page=9c1e7b3d4f2a&q=message~%22fix%2Fbug%22+AND+x"
    fake = FakeBitbucket(
        serve(
            {
                commits + "?pagelen=2": cloud_page([1, 2], second, pagelen=2),
                second: cloud_page([3, 4], third, pagelen=2),
                third: cloud_page([5], pagelen=2),
            }
        )
    )
    commits_list = cloud_list(fake, url="/repositories/ws/repo/commits/main", page_size=2, prefetch=prefetch)

    assert await collect(commits_list) == [1, 2, 3, 4, 5]
    assert fake.urls == [commits + "?pagelen=2", second, third]


async def test_page_size_becomes_pagelen_on_the_first_request_only() -> None:
    fake = FakeBitbucket(
        serve(
            {
                PRS_URL + "?state=OPEN&pagelen=50": cloud_page([1], PRS_URL + "?page=2&state=OPEN"),
                PRS_URL + "?page=2&state=OPEN": cloud_page([2]),
            }
        )
    )

    assert await collect(cloud_list(fake, {"state": "OPEN"}, page_size=50)) == [1, 2]
    assert fake.urls == [PRS_URL + "?state=OPEN&pagelen=50", PRS_URL + "?page=2&state=OPEN"]


@pytest.mark.parametrize(
    ("style", "page_size"), [("cloud", 0), ("cloud", 101), ("cloud", -1), ("server", 0), ("server", -5)]
)
def test_page_size_out_of_range_is_refused(style: str, page_size: int) -> None:
    make = cloud_list if style == "cloud" else dc_list
    fake = FakeBitbucket(serve({}))
    with pytest.raises(ValueError, match=rf"page_size must .*got {page_size}"):
        make(fake, page_size=page_size)
    assert fake.sent == []


@pytest.mark.parametrize("page_size", [1, 100])
async def test_cloud_page_size_bounds_are_accepted(page_size: int) -> None:
    fake = FakeBitbucket(serve({PRS_URL + f"?pagelen={page_size}": cloud_page([1])}))
    assert await collect(cloud_list(fake, page_size=page_size)) == [1]


@pytest.mark.parametrize("options", [{"prefetch": -1}, {"max_items": -1}, {"style": "gitlab"}])
def test_invalid_options_are_refused(options: dict[str, Any]) -> None:
    fake = FakeBitbucket(serve({}))
    arguments: dict[str, Any] = {
        "fetch": fake.fetch,
        "first_request": {"method": "GET", "url": PRS},
        "style": "cloud",
        "decode_item": decode_id,
        "base_url": CLOUD,
        **options,
    }
    with pytest.raises(ValueError, match=next(iter(options))):
        AsyncPaginator(**arguments)


async def test_nothing_is_sent_until_iteration_starts() -> None:
    fake = FakeBitbucket(serve({PRS_URL: cloud_page([1])}))
    paginator = cloud_list(fake, prefetch=2)
    items = aiter(paginator)
    pages = paginator.pages()
    assert fake.sent == []

    assert await anext(items) == 1
    assert len(fake.sent) == 1
    await pages.aclose()


async def test_every_iteration_starts_again_from_the_first_page() -> None:
    fake = FakeBitbucket(
        serve({PRS_URL: cloud_page([1], PRS_URL + "?page=2"), PRS_URL + "?page=2": cloud_page([2])})
    )
    paginator = cloud_list(fake)

    assert await collect(paginator) == [1, 2]
    assert await collect(paginator) == [1, 2]
    assert fake.urls == [PRS_URL, PRS_URL + "?page=2"] * 2


async def test_an_empty_list_is_one_request_and_no_warning(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeBitbucket(serve({PRS_URL: cloud_page([], size=0, page=1, pagelen=10)}))
    assert await collect(cloud_list(fake, prefetch=4)) == []
    assert len(fake.sent) == 1
    assert warnings_from(caplog) == []


# ---- Data Center --------------------------------------------------------------------------------


async def test_data_center_continues_from_next_page_start_not_from_counts() -> None:
    # Starts are not contiguous, and the server capped `limit` below what was asked: trust the pages.
    fake = FakeBitbucket(
        serve_by_start(
            {
                None: dc_page([1, 2, 3], start=0, next_page_start=17),
                "17": dc_page([4, 5], start=17, next_page_start=40),
                "40": dc_page([6], start=40),
            }
        ),
        base_url=DC,
    )

    items = await collect(dc_list(fake, {"state": "OPEN"}, page_size=1000))

    assert items == [1, 2, 3, 4, 5, 6]
    assert [request.url.params.get("start") for request in fake.sent] == [None, "17", "40"]
    assert [request.url.params.get("limit") for request in fake.sent] == ["1000"] * 3
    assert [request.url.params.get("state") for request in fake.sent] == ["OPEN"] * 3
    assert all(request.url.path == "/rest" + DC_PRS for request in fake.sent)


async def test_data_center_without_page_size_sends_no_limit() -> None:
    fake = FakeBitbucket(serve_by_start({None: dc_page([1], start=0)}), base_url=DC)
    assert await collect(dc_list(fake)) == [1]
    assert fake.urls == [DC + DC_PRS]


async def test_data_center_pages_expose_the_cursor() -> None:
    fake = FakeBitbucket(
        serve_by_start({None: dc_page([1, 2], start=0, next_page_start=2), "2": dc_page([3], start=2)}),
        base_url=DC,
    )
    pages = await collect(dc_list(fake).pages())

    assert [page.items for page in pages] == [[1, 2], [3]]
    assert [page.next_cursor for page in pages] == [2, None]
    assert pages[0].raw["values"] == [{"id": 1}, {"id": 2}]
    assert pages[1].response.request.url.params["start"] == "2"


async def test_a_page_may_name_its_items_otherwise() -> None:
    # Data Center's authentication configuration answers {isLastPage, start, limit, results}.
    def renamed(page: dict[str, Any]) -> dict[str, Any]:
        return {("results" if key == "values" else key): value for key, value in page.items()}

    fake = FakeBitbucket(
        serve_by_start(
            {None: renamed(dc_page([1, 2], start=0, next_page_start=2)), "2": renamed(dc_page([3], start=2))}
        ),
        base_url=DC,
    )
    assert await collect(dc_list(fake, items_key="results")) == [1, 2, 3]
    with pytest.raises(UnexpectedResponseError, match="has no `values`, not a list"):
        await collect(dc_list(fake))


# ---- stopping on server bugs, with a warning ------------------------------------------------------


async def test_a_repeated_next_link_stops_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    stale = PRS_URL + "?page=2"
    fake = FakeBitbucket(serve({PRS_URL: cloud_page([1, 2], stale), stale: cloud_page([3, 4], stale)}))

    assert await collect(cloud_list(fake)) == [1, 2, 3, 4]
    assert fake.urls == [PRS_URL, stale]
    [warning] = warnings_from(caplog)
    assert "already fetched" in warning and stale in warning


async def test_a_next_link_back_to_the_first_page_stops_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = FakeBitbucket(
        serve({PRS_URL: cloud_page([1], PRS_URL + "?page=2"), PRS_URL + "?page=2": cloud_page([2], PRS_URL)})
    )
    assert await collect(cloud_list(fake)) == [1, 2]
    assert len(fake.sent) == 2
    assert len(warnings_from(caplog)) == 1


async def test_a_repeated_next_page_start_stops_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeBitbucket(
        serve_by_start(
            {None: dc_page([1], start=0, next_page_start=5), "5": dc_page([2], start=5, next_page_start=0)}
        ),
        base_url=DC,
    )
    assert await collect(dc_list(fake)) == [1, 2]
    assert len(fake.sent) == 2
    [warning] = warnings_from(caplog)
    assert "already fetched (0)" in warning


async def test_an_empty_page_that_claims_more_stops_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeBitbucket(
        serve(
            {
                PRS_URL: cloud_page([1], PRS_URL + "?page=2"),
                PRS_URL + "?page=2": cloud_page([], PRS_URL + "?page=3"),
                PRS_URL + "?page=3": cloud_page([3]),
            }
        )
    )
    assert await collect(cloud_list(fake)) == [1]
    assert fake.urls == [PRS_URL, PRS_URL + "?page=2"]
    [warning] = warnings_from(caplog)
    assert "empty" in warning


async def test_an_empty_data_center_page_that_is_not_last_stops(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeBitbucket(
        serve_by_start({None: dc_page([], start=0, next_page_start=25), "25": dc_page([1], start=25)}),
        base_url=DC,
    )
    assert await collect(dc_list(fake)) == []
    assert len(fake.sent) == 1
    assert "empty" in warnings_from(caplog)[0]


async def test_not_last_page_without_next_page_start_stops_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = FakeBitbucket(serve_by_start({None: dc_page([1, 2], start=0, is_last=False)}), base_url=DC)
    assert await collect(dc_list(fake)) == [1, 2]
    assert len(fake.sent) == 1
    [warning] = warnings_from(caplog)
    assert "nextPageStart" in warning


async def test_logs_never_show_credentials(caplog: pytest.LogCaptureFixture) -> None:
    # Cloud accepts `access_token=` in the query, and its `next` links repeat the query.
    stale = PRS_URL + "?access_token=tok-SECRET&page=2"
    fake = FakeBitbucket(
        serve({PRS_URL + "?access_token=tok-SECRET": cloud_page([1], stale), stale: cloud_page([2], stale)})
    )
    caplog.set_level(logging.DEBUG, logger="bitbucket_client")

    assert await collect(cloud_list(fake, {"access_token": "tok-SECRET"})) == [1, 2]
    assert warnings_from(caplog)
    assert "tok-SECRET" not in caplog.text
    assert "access_token=[redacted]&page=2" in caplog.text


# ---- next links that leave the API ----------------------------------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example.com/2.0/repositories/ws/repo/pullrequests?page=2",
        "http://api.bitbucket.org/2.0/repositories/ws/repo/pullrequests?page=2",
        "https://api.bitbucket.org:8443/2.0/repositories/ws/repo/pullrequests?page=2",
        "https://api.bitbucket.org/internal/admin?page=2",
        "https://api.bitbucket.org/2.0evil/repositories?page=2",
        "https://api.bitbucket.org/2.0/%2e%2e/internal?page=2",
        "https://attacker:hunter2@api.bitbucket.org/2.0/repositories/ws/repo/pullrequests?page=2",
        "//evil.example.com/2.0/repositories/ws/repo/pullrequests?page=2",
    ],
)
async def test_a_next_link_outside_the_api_raises_and_sends_nothing(link: str) -> None:
    fake = FakeBitbucket(serve({PRS_URL: cloud_page([1, 2], link)}))
    received = []

    with pytest.raises(PaginationError) as caught:
        async for item in cloud_list(fake, prefetch=3):
            received.append(item)

    assert received == [1, 2]  # the page that carried the link was fine
    assert fake.urls == [PRS_URL]
    assert isinstance(caught.value, BitbucketError)
    assert "hunter2" not in str(caught.value) and "hunter2" not in caught.value.url
    assert "Nothing was sent" in str(caught.value) or "not a valid URL" in str(caught.value)


@pytest.mark.parametrize(
    "link",
    [
        "https://API.Bitbucket.ORG:443/2.0/repositories/ws/repo/pullrequests?page=2",
        "/2.0/repositories/ws/repo/pullrequests?page=2",
    ],
)
async def test_same_origin_links_in_other_spellings_are_followed(link: str) -> None:
    fake = FakeBitbucket(serve({PRS_URL: cloud_page([1], link), PRS_URL + "?page=2": cloud_page([2])}))
    assert await collect(cloud_list(fake)) == [1, 2]
    assert fake.urls == [PRS_URL, PRS_URL + "?page=2"]


async def test_a_bad_link_is_not_raised_once_max_items_is_reached() -> None:
    fake = FakeBitbucket(serve({PRS_URL: cloud_page([1, 2], "https://evil.example.com/2.0/x")}))
    assert await collect(cloud_list(fake, max_items=2)) == [1, 2]


# ---- malformed pages and errors -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "problem"),
    [
        (httpx.Response(200, json=[{"id": 1}]), "is a JSON list, not an object"),
        (httpx.Response(200, json={"values": {"id": 1}}), "`values` of type dict, not a list"),
        (httpx.Response(200, json={"size": 3}), "has no `values`"),
        (httpx.Response(200, text="<html>maintenance</html>"), "is not valid JSON"),
        (httpx.Response(200, json={"values": [], "next": 7}), "`next` of type int"),
        (httpx.Response(200, json={"values": ["not an object"]}), "item 0 of the page"),
        (httpx.Response(200, content=b"[" * 5000), "nested too deeply"),
        (httpx.Response(200, content=b'{"values": [' + b"[" * 3000), "nested too deeply"),
    ],
)
async def test_a_malformed_page_raises_naming_the_url(response: httpx.Response, problem: str) -> None:
    fake = FakeBitbucket(lambda request: response)
    with pytest.raises(UnexpectedResponseError) as caught:
        await collect(cloud_list(fake, {"state": "OPEN"}))
    assert problem in str(caught.value)
    assert PRS_URL + "?state=OPEN" in str(caught.value)


async def test_an_error_from_fetch_propagates_unchanged() -> None:
    error = APIConnectionError(request=httpx.Request("GET", PRS_URL))

    async def failing_fetch(request_kwargs: dict[str, Any]) -> httpx.Response:
        raise error

    paginator = AsyncPaginator(
        fetch=failing_fetch,
        first_request={"method": "GET", "url": PRS},
        style="cloud",
        decode_item=decode_id,
        base_url=CLOUD,
    )
    with pytest.raises(APIConnectionError) as caught:
        await collect(paginator)
    assert caught.value is error


async def test_a_later_page_error_comes_after_the_earlier_items() -> None:
    fake = FakeBitbucket(serve({PRS_URL: cloud_page([1, 2], PRS_URL + "?page=2")}))
    received = []
    with pytest.raises(NotFoundError):
        async for item in cloud_list(fake):
            received.append(item)
    assert received == [1, 2]


async def test_an_error_status_is_raised_even_if_fetch_returns_it() -> None:
    fake = FakeBitbucket(lambda request: httpx.Response(503, json={"error": {"message": "down"}}))

    async def fetch_without_raising(request_kwargs: dict[str, Any]) -> httpx.Response:
        return await fake.client.request(**request_kwargs)

    paginator = AsyncPaginator(
        fetch=fetch_without_raising,
        first_request={"method": "GET", "url": PRS},
        style="cloud",
        decode_item=decode_id,
        base_url=CLOUD,
    )
    with pytest.raises(ServerError, match="down"):
        await collect(paginator)


# ---- max_items and pages() ----------------------------------------------------------------------


def three_pages_of_three() -> FakeBitbucket:
    return FakeBitbucket(
        serve(
            {
                PRS_URL: cloud_page([1, 2, 3], PRS_URL + "?page=2"),
                PRS_URL + "?page=2": cloud_page([4, 5, 6], PRS_URL + "?page=3"),
                PRS_URL + "?page=3": cloud_page([7, 8, 9]),
            }
        )
    )


@pytest.mark.parametrize("prefetch", [0, 1, 4])
async def test_max_items_stops_without_fetching_further_pages(prefetch: int) -> None:
    fake = three_pages_of_three()
    assert await collect(cloud_list(fake, max_items=4, prefetch=prefetch)) == [1, 2, 3, 4]
    assert fake.urls == [PRS_URL, PRS_URL + "?page=2"]


async def test_max_items_at_a_page_boundary_fetches_no_extra_page() -> None:
    fake = three_pages_of_three()
    assert await collect(cloud_list(fake, max_items=3)) == [1, 2, 3]
    assert fake.urls == [PRS_URL]


async def test_max_items_zero_sends_nothing() -> None:
    fake = three_pages_of_three()
    assert await collect(cloud_list(fake, max_items=0)) == []
    assert fake.sent == []


async def test_pages_carry_items_raw_envelope_response_and_cursor() -> None:
    fake = three_pages_of_three()
    pages = await collect(cloud_list(fake, max_items=7).pages())

    assert all(isinstance(page, Page) for page in pages)
    assert [page.items for page in pages] == [[1, 2, 3], [4, 5, 6], [7]]  # the last page is cut short
    assert [page.next_cursor for page in pages] == [PRS_URL + "?page=2", PRS_URL + "?page=3", None]
    assert pages[2].raw["values"] == [{"id": 7}, {"id": 8}, {"id": 9}]  # the envelope is as sent
    assert pages[1].response.status_code == 200
    assert str(pages[1].response.request.url) == PRS_URL + "?page=2"


# ---- prefetch -----------------------------------------------------------------------------------


class Concurrency:
    """Counts requests in flight inside the fake server."""

    def __init__(self) -> None:
        self.now = 0
        self.most = 0

    async def around(self, delay: float, respond: Callable[[], httpx.Response]) -> httpx.Response:
        self.now += 1
        self.most = max(self.most, self.now)
        try:
            await anyio.sleep(delay)
        finally:
            self.now -= 1
        return respond()


@pytest.mark.parametrize("backend", BACKENDS)
def test_cloud_numbered_pages_are_fetched_concurrently_and_yielded_in_order(backend: str) -> None:
    link = PRS_URL + "?q=state%3D%22OPEN%22+AND+title~%22a%2Fb%22&page={page}&sort=-updated_on"
    pages = numbered_pages(total=40, pagelen=4, link=link)
    rng = random.Random(7)
    concurrency = Concurrency()

    async def handler(request: httpx.Request) -> httpx.Response:
        return await concurrency.around(rng.uniform(0, 0.01), lambda: serve(pages)(request))

    async def scenario() -> None:
        fake = FakeBitbucket(handler)
        assert await collect(cloud_list(fake, prefetch=3)) == list(range(1, 41))
        # Only the `page` value differs from the first `next` link; everything else is verbatim.
        assert fake.urls[0] == PRS_URL
        assert sorted(fake.urls[1:]) == sorted(link.format(page=n) for n in range(2, 11))
        assert 1 < concurrency.most <= 3
        assert_no_leftover_tasks()

    run(backend, scenario)


async def test_cloud_numbered_pages_respect_max_items() -> None:
    link = PRS_URL + "?page={page}"
    fake = FakeBitbucket(serve(numbered_pages(total=100, pagelen=10, link=link)))
    assert await collect(cloud_list(fake, prefetch=5, max_items=25)) == list(range(1, 26))
    assert sorted(fake.urls) == sorted([PRS_URL, link.format(page=2), link.format(page=3)])


async def test_cloud_numbered_pages_stop_where_the_list_ends_early(caplog: pytest.LogCaptureFixture) -> None:
    # `size` promised 5 pages, but page 3 comes back empty while claiming more: stop, drop the rest.
    link = PRS_URL + "?page={page}"
    pages = numbered_pages(total=50, pagelen=10, link=link)
    pages[link.format(page=3)]["values"] = []
    fake = FakeBitbucket(serve(pages))

    assert await collect(cloud_list(fake, prefetch=2)) == list(range(1, 21))
    assert "empty" in warnings_from(caplog)[0]


async def test_cloud_follows_next_after_the_planned_pages() -> None:
    # `size` was stale: the last planned page still links to more, so the links are followed from there.
    link = PRS_URL + "?page={page}"
    pages = numbered_pages(total=20, pagelen=10, link=link)
    pages[link.format(page=2)]["next"] = link.format(page=3)
    pages[link.format(page=3)] = cloud_page([21], pagelen=10, page=3)
    fake = FakeBitbucket(serve(pages))

    assert await collect(cloud_list(fake, prefetch=4)) == list(range(1, 22))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("style", ["cloud-cursor", "server"])
def test_sequential_cursors_overlap_the_next_fetch_with_the_consumer(backend: str, style: str) -> None:
    concurrency = Concurrency()

    async def scenario() -> None:
        second_page_requested = anyio.Event()
        if style == "server":
            respond = serve_by_start(
                {None: dc_page([1, 2], 0, 7), "7": dc_page([3, 4], 7, 9), "9": dc_page([5], 9)}
            )
        else:  # opaque cursors and no `size`: nothing can be planned
            respond = serve(
                {
                    PRS_URL: cloud_page([1, 2], PRS_URL + "?cursor=a1"),
                    PRS_URL + "?cursor=a1": cloud_page([3, 4], PRS_URL + "?cursor=b2"),
                    PRS_URL + "?cursor=b2": cloud_page([5]),
                }
            )

        async def handler(request: httpx.Request) -> httpx.Response:
            if len(fake.sent) == 2:
                second_page_requested.set()
            return await concurrency.around(0.001, lambda: respond(request))

        fake = FakeBitbucket(handler, base_url=DC if style == "server" else CLOUD)
        make = dc_list if style == "server" else cloud_list
        received = []
        async for item in make(fake, prefetch=4):
            if item == 1:
                # Still holding page 1: page 2 must be on its way (a deadlock guard, not a timing check).
                with anyio.fail_after(5):
                    await second_page_requested.wait()
            received.append(item)

        assert received == [1, 2, 3, 4, 5]
        assert concurrency.most == 1  # a cursor chain cannot be fetched in parallel
        assert_no_leftover_tasks()

    run(backend, scenario)


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_error_fetched_ahead_surfaces_at_its_position(backend: str) -> None:
    link = PRS_URL + "?page={page}"
    pages = numbered_pages(total=12, pagelen=2, link=link)
    rng = random.Random(3)

    async def handler(request: httpx.Request) -> httpx.Response:
        if str(request.url) == link.format(page=3):
            return httpx.Response(500, json={"error": {"message": "page 3 broke"}})  # fails first
        await anyio.sleep(rng.uniform(0.001, 0.01))
        return serve(pages)(request)

    async def scenario() -> None:
        fake = FakeBitbucket(handler)
        received = []
        with pytest.raises(ServerError, match="page 3 broke"):
            async for item in cloud_list(fake, prefetch=4):
                received.append(item)
        assert received == [1, 2, 3, 4]
        assert_no_leftover_tasks()

    run(backend, scenario)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("closing", ["aclosing", "async with", "aclose after break", "pages aclosing"])
def test_stopping_early_cancels_the_fetches_in_flight(backend: str, closing: str) -> None:
    link = PRS_URL + "?page={page}"
    first = numbered_pages(total=50, pagelen=10, link=link)[PRS_URL]
    state = {"waiting": 0, "cancelled": 0}

    async def scenario() -> None:
        all_waiting = anyio.Event()

        async def handler(request: httpx.Request) -> httpx.Response:
            if str(request.url) == PRS_URL:
                return httpx.Response(200, json=first)
            state["waiting"] += 1
            if state["waiting"] == 3:
                all_waiting.set()
            try:
                await anyio.sleep_forever()
            except anyio.get_cancelled_exc_class():
                state["cancelled"] += 1
                raise
            raise AssertionError("unreachable")

        fake = FakeBitbucket(handler)
        paginator = cloud_list(fake, prefetch=3)
        with anyio.fail_after(5):
            if closing == "aclosing":
                async with aclosing(paginator) as items:
                    async for _item in items:
                        await all_waiting.wait()
                        break
            elif closing == "async with":
                async with paginator:
                    async for _item in paginator:
                        await all_waiting.wait()
                        break
            elif closing == "aclose after break":
                async for _item in paginator:
                    await all_waiting.wait()
                    break
                await paginator.aclose()
            else:
                async with aclosing(paginator.pages()) as pages:
                    async for _page in pages:
                        await all_waiting.wait()
                        break

        assert state == {"waiting": 3, "cancelled": 3}
        assert_no_leftover_tasks()

    run(backend, scenario)


async def test_break_without_prefetch_leaves_nothing_running() -> None:
    fake = three_pages_of_three()
    async for _item in cloud_list(fake):
        break
    assert fake.urls == [PRS_URL]
    assert_no_leftover_tasks()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_finished_prefetching_iteration_needs_no_close(backend: str) -> None:
    # Handing out the last page closes the task group, so a plain loop inside the caller's own cancel
    # scope leaves that scope's nesting intact (a leaked group would make its exit fail).
    async def scenario() -> None:
        fake = FakeBitbucket(serve(numbered_pages(total=30, pagelen=10, link=PRS_URL + "?page={page}")))
        received = []
        with anyio.CancelScope():
            async for item in cloud_list(fake, prefetch=3):
                received.append(item)
                if item == 30:
                    break  # on the last item, before the iterator itself sees the end
        assert received == list(range(1, 31))
        assert_no_leftover_tasks()

    run(backend, scenario)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_failed_prefetching_iteration_needs_no_close(backend: str) -> None:
    async def scenario() -> None:
        pages = numbered_pages(total=30, pagelen=10, link=PRS_URL + "?page={page}")
        del pages[PRS_URL + "?page=3"]
        fake = FakeBitbucket(serve(pages))
        with anyio.CancelScope(), pytest.raises(NotFoundError):
            await collect(cloud_list(fake, prefetch=3))
        assert_no_leftover_tasks()

    run(backend, scenario)


# ---- cancellation and early exits without aclosing() ----------------------------------------------

STOPS = ["break", "move_on_after while waiting for a page", "move_on_after in the loop body"]
ASYNCIO_STOPS = ["asyncio.wait_for", "task.cancel()"]


class HangingPages:
    """A first page of a 50-item list, then pages that never come: counts fetches started and cancelled."""

    def __init__(self) -> None:
        self.first = numbered_pages(total=50, pagelen=10, link=PRS_URL + "?page={page}")[PRS_URL]
        self.waiting = 0
        self.cancelled = 0
        self.all_waiting = anyio.Event()

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if str(request.url) == PRS_URL:
            return httpx.Response(200, json=self.first)
        self.waiting += 1
        if self.waiting == 3:
            self.all_waiting.set()
        try:
            await anyio.sleep_forever()
        except anyio.get_cancelled_exc_class():
            self.cancelled += 1
            raise
        raise AssertionError("unreachable")

    async def until_all_cancelled(self) -> None:
        with anyio.fail_after(5):
            while self.cancelled < self.waiting or self.waiting < 3:
                await anyio.sleep(0.005)


async def _stop_early(how: str, pages: HangingPages) -> None:
    fake = FakeBitbucket(pages)

    async def consume() -> None:
        async for _item in cloud_list(fake, prefetch=3):
            await pages.all_waiting.wait()  # then page 2 is asked for and never comes

    if how == "break":
        async for _item in cloud_list(fake, prefetch=3):
            await pages.all_waiting.wait()
            break
    elif how == "move_on_after while waiting for a page":
        with anyio.move_on_after(0.2) as scope:
            await consume()
        assert scope.cancelled_caught
    elif how == "move_on_after in the loop body":
        with anyio.move_on_after(0.2) as scope:
            async for _item in cloud_list(fake, prefetch=3):
                await pages.all_waiting.wait()
                await anyio.sleep(5)
        assert scope.cancelled_caught
    elif how == "asyncio.wait_for":
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(consume(), 0.2)
    else:
        task = asyncio.ensure_future(consume())
        with anyio.fail_after(5):
            await pages.all_waiting.wait()
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


@pytest.mark.parametrize(
    ("backend", "how"),
    [(backend, how) for backend in ("asyncio", "trio") for how in STOPS]
    + [("asyncio", how) for how in ASYNCIO_STOPS],
)
def test_leaving_a_prefetching_iteration_cancels_its_fetches_without_aclosing(backend: str, how: str) -> None:
    pages = HangingPages()

    async def scenario() -> None:
        with anyio.CancelScope():  # an enclosing scope whose nesting must survive the exit
            await _stop_early(how, pages)
        await pages.until_all_cancelled()
        assert_no_leftover_tasks()

    run(backend, scenario)
    assert (pages.waiting, pages.cancelled) == (3, 3)


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_iteration_cancelled_while_waiting_can_go_on_later(backend: str) -> None:
    # A timeout around one `__anext__` cancels the fetches in flight; asking again fetches anew.
    pages = numbered_pages(total=30, pagelen=10, link=PRS_URL + "?page={page}")
    slow = {"on": True}

    async def handler(request: httpx.Request) -> httpx.Response:
        if str(request.url) != PRS_URL and slow["on"]:
            await anyio.sleep_forever()
        return serve(pages)(request)

    async def scenario() -> None:
        fake = FakeBitbucket(handler)
        items = cloud_list(fake, prefetch=2).__aiter__()
        received = [await items.__anext__() for _ in range(10)]
        with anyio.move_on_after(0.1):
            received.append(await items.__anext__())
        assert len(received) == 10
        slow["on"] = False
        received += [item async for item in items]
        assert received == list(range(1, 31))
        assert_no_leftover_tasks()

    run(backend, scenario)
