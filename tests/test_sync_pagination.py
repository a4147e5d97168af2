"""`SyncPaginator`: items, pages, `max_items`, `page_size`, `prefetch` in worker threads, early exits, and
iterations that belong to one thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest

from bitbucket_client import BitbucketError
from bitbucket_client.sync import BitbucketCloud, BitbucketServer, Page, SyncPaginator
from bitbucket_client.testing import FakeBitbucketCloud, FakeBitbucketServer


@pytest.fixture
def fake() -> FakeBitbucketCloud:
    fake = FakeBitbucketCloud(page_size=3)
    fake.add_repository("acme", "shop")
    for number in range(1, 11):
        fake.add_pull_request("acme", "shop", title=f"PR {number}")
    return fake


@pytest.fixture
def bb(fake: FakeBitbucketCloud) -> Iterator[BitbucketCloud]:
    with BitbucketCloud("token", transport=fake) as client:
        yield client


def page_requests(fake: FakeBitbucketCloud) -> list[str | None]:
    return [r.params.get("page") for r in fake.requests_for("pullrequests.list")]


def test_items_come_page_after_page_and_nothing_is_sent_before_iterating(
    bb: BitbucketCloud, fake: FakeBitbucketCloud
) -> None:
    listing = bb.pullrequests.list("acme", "shop")
    assert isinstance(listing, SyncPaginator)
    assert fake.requests == []
    assert [pr.id for pr in listing] == list(range(10, 0, -1))
    assert page_requests(fake) == [None, "2", "3", "4"]
    assert [pr.id for pr in listing][:2] == [10, 9]  # each iteration starts again


def test_pages_carry_their_envelope_and_response(bb: BitbucketCloud) -> None:
    pages = list(bb.pullrequests.list("acme", "shop", page_size=4).pages())
    assert all(isinstance(page, Page) for page in pages)
    assert [len(page.items) for page in pages] == [4, 4, 2]
    assert [page.page for page in pages] == [1, 2, 3]
    assert pages[0].size == 10 and pages[-1].next is None
    assert pages[0].response.request.url.params["pagelen"] == "4"


def test_max_items_stops_without_fetching_further_pages(bb: BitbucketCloud, fake: FakeBitbucketCloud) -> None:
    assert [pr.id for pr in bb.pullrequests.list("acme", "shop", max_items=4)] == [10, 9, 8, 7]
    assert page_requests(fake) == [None, "2"]
    assert list(bb.pullrequests.list("acme", "shop", max_items=0)) == []


def test_a_bad_page_size_is_refused_when_the_method_is_called(bb: BitbucketCloud) -> None:
    with pytest.raises(ValueError, match="page_size must be between 1 and 100"):
        bb.pullrequests.list("acme", "shop", page_size=500)


def test_data_center_pages_follow_next_page_start() -> None:
    fake = FakeBitbucketServer(page_size=2)
    for slug in ("a", "b", "c", "d", "e"):
        fake.add_repository("PROJ", slug)
    with BitbucketServer(fake.base_url, "token", transport=fake) as dc:
        assert [repo.slug for repo in dc.repositories.list("PROJ")] == ["a", "b", "c", "d", "e"]
    starts = [r.params.get("start") for r in fake.requests_for("repositories.list")]
    assert starts == [None, "2", "4"]


def test_prefetch_fetches_ahead_in_worker_threads() -> None:
    sent_from: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent_from.append(threading.get_ident())
        page = int(request.url.params.get("page", "1"))
        body = {"values": [{"id": page}], "page": page, "pagelen": 1, "size": 4}
        if page < 4:
            body["next"] = str(request.url.copy_set_param("page", str(page + 1)))
        return httpx.Response(200, json=body)

    class Pages(httpx.BaseTransport):  # a sync transport: sends go through the httpx.Client
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            return answer(request)

    with BitbucketCloud("token", transport=Pages()) as bb:
        ids = [pr.id for pr in bb.pullrequests.list("acme", "shop", prefetch=3)]
        sequential = [pr.id for pr in bb.pullrequests.list("acme", "shop")]
    assert ids == sequential == [1, 2, 3, 4]
    assert threading.get_ident() not in sent_from[:4]  # prefetching: worker threads
    assert sent_from[4:] == [threading.get_ident()] * 4  # sequential: the caller's thread


def test_breaking_out_closes_the_iteration(bb: BitbucketCloud, fake: FakeBitbucketCloud) -> None:
    for pr in bb.pullrequests.list("acme", "shop", prefetch=2):
        if pr.id == 9:
            break
    sent = len(fake.requests)
    assert bb.pullrequests.get("acme", "shop", 1).id == 1  # the loop runs again: nothing left over
    assert len(fake.requests) == sent + 1


def test_an_iteration_belongs_to_the_thread_that_started_it(bb: BitbucketCloud) -> None:
    pages = bb.pullrequests.list("acme", "shop").pages()
    next(pages)
    errors: list[BaseException] = []

    def elsewhere() -> None:
        try:
            next(pages)
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert isinstance(errors[0], RuntimeError) and "another thread" in str(errors[0])
    assert [pr.id for pr in bb.pullrequests.list("acme", "shop", max_items=1)] == [10]


def test_close_stops_every_iteration(bb: BitbucketCloud) -> None:
    listing = bb.pullrequests.list("acme", "shop")
    with listing:
        pages = listing.pages()
        next(pages)
    with pytest.raises(StopIteration):
        next(pages)


def test_a_closed_client_refuses_to_iterate(fake: FakeBitbucketCloud) -> None:
    bb = BitbucketCloud("token", transport=fake)
    listing = bb.pullrequests.list("acme", "shop")
    bb.close()
    with pytest.raises(BitbucketError, match="closed"):
        list(listing)
