"""Pagination and typed errors, against Prism: a list call reads pages, and the documented error
answers (`Prefer: code=404` / `code=401`) raise `NotFoundError` / `AuthenticationError`."""

from __future__ import annotations

import httpx
import pytest

from bitbucket_client import (
    AuthenticationError,
    BitbucketCloud,
    BitbucketServer,
    NotFoundError,
    Page,
)
from bitbucket_client.cloud.models import Pullrequest
from bitbucket_client.server.models import RestPullRequest

from .checks import Recorder
from .clients import make_client
from .conftest import PrismProcess
from .documents import Document, contract_document
from .report import OPERATIONS

pytestmark = pytest.mark.contract


async def test_cloud_list_reads_a_page_and_its_items(prism: dict[str, PrismProcess]) -> None:
    recorder = Recorder()
    async with httpx.AsyncClient(event_hooks={"response": [recorder.hook]}) as http:
        bb = make_client("cloud", prism["cloud"], http)
        assert isinstance(bb, BitbucketCloud)
        pages: list[Page[Pullrequest]] = []
        async for page in bb.pullrequests.list("ws1", "repo1", state="OPEN", page_size=5).pages():
            pages.append(page)
            break  # Prism's sampled `next` is http://example.com, which the client refuses to follow
        items = [pr async for pr in bb.pullrequests.list("ws1", "repo1", max_items=1)]
    assert pages and pages[0].items and all(isinstance(pr, Pullrequest) for pr in pages[0].items)
    assert pages[0].raw["values"], "the page keeps its raw envelope"
    assert len(items) == 1 and isinstance(items[0], Pullrequest)
    first = recorder.responses[0]
    assert first.status_code == 200 and first.request.url.params["pagelen"] == "5"
    assert first.request.url.params["state"] == "OPEN"
    assert not recorder.request_violations()


async def test_server_list_reads_every_page(prism: dict[str, PrismProcess]) -> None:
    recorder = Recorder()
    async with httpx.AsyncClient(event_hooks={"response": [recorder.hook]}) as http:
        bb = make_client("server", prism["server"], http)
        assert isinstance(bb, BitbucketServer)
        pages = [page async for page in bb.pullrequests.list("PRJ", "repo1", page_size=10).pages()]
    assert pages and all(page.items for page in pages)
    assert all(isinstance(pr, RestPullRequest) for page in pages for pr in page.items)
    assert pages[-1].next_cursor is None, "Prism's sample is the last page (isLastPage: true)"
    assert recorder.responses[0].request.url.params["limit"] == "10"
    assert not recorder.request_violations()


@pytest.mark.parametrize("product", ["cloud", "server"])
@pytest.mark.parametrize(
    ("status", "error"), [(404, NotFoundError), (401, AuthenticationError)], ids=["404", "401"]
)
async def test_documented_errors_raise_typed_exceptions(
    product: str, status: int, error: type[Exception], prism: dict[str, PrismProcess]
) -> None:
    operation = OPERATIONS[product]["pullrequests.get"]
    async with make_client(product, prism[product], headers={"Prefer": f"code={status}"}) as bb:
        with pytest.raises(error) as raised:
            if isinstance(bb, BitbucketCloud):
                await bb.pullrequests.get("ws1", "repo1", 1)
            else:
                assert isinstance(bb, BitbucketServer)
                await bb.pullrequests.get("PRJ", "repo1", 1)
    assert getattr(raised.value, "status_code", None) == status
    documented = Document(contract_document(product)).response_content(
        operation.http_method, operation.path, str(status)
    )
    if documented:
        # The message comes from Prism's sample of the documented error body (Cloud `error.message`,
        # Data Center `errors[].message`), whose strings are all "string".
        assert "string" in str(raised.value)
