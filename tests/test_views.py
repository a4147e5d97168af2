"""Views derived from the namespaces (`_views`): `client.with_raw_response`, and the blocking views of
`bitbucket_client.sync`."""

from __future__ import annotations

import asyncio
import inspect

import httpx
import pytest

from bitbucket_client import BitbucketCloud, BitbucketServer, MergeTask, Page, Response
from bitbucket_client._views import NamespaceView, SyncNamespaceView, raw_response
from bitbucket_client.cloud._generated.namespaces.pullrequests import (
    PullrequestsNamespace,
    PullrequestsRawNamespace,
)
from bitbucket_client.cloud.models import Pullrequest
from bitbucket_client.server.models import RestRepository
from bitbucket_client.sync import BitbucketCloud as SyncBitbucketCloud

CLOUD = "https://api.bitbucket.org/2.0"
PR = f"{CLOUD}/repositories/ws/repo/pullrequests/7"


def _transport(routes: dict[tuple[str, str], httpx.Response]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        return routes[(request.method, str(request.url.copy_with(query=None)))]

    return httpx.MockTransport(handler)


def test_a_raw_method_keeps_the_methods_name_and_documentation() -> None:
    assert issubclass(PullrequestsRawNamespace, NamespaceView)
    raw_get = PullrequestsRawNamespace.get
    assert raw_get.__name__ == "get"
    assert raw_get.__doc__ == PullrequestsNamespace.get.__doc__
    assert "Reference: https://developer.atlassian.com/" in (raw_get.__doc__ or "")
    assert list(inspect.signature(raw_get).parameters) == [
        "self",
        "workspace",
        "repo_slug",
        "pull_request_id",
    ]


async def test_a_raw_call_gives_the_response_and_the_decoded_value() -> None:
    answer = httpx.Response(200, json={"id": 7, "title": "T"}, headers={"X-Request-Id": "abc"})
    async with BitbucketCloud("T", transport=_transport({("GET", PR): answer})) as bb:
        result = await bb.with_raw_response.pullrequests.get("ws", "repo", 7)
    assert isinstance(result, Response) and result.status_code == 200
    assert result.headers["x-request-id"] == "abc"
    assert isinstance(result.parsed, Pullrequest) and result.parsed.title == "T"


async def test_a_raw_list_gives_the_first_page_and_its_response() -> None:
    page = httpx.Response(
        200,
        json={
            "values": [{"slug": "a"}, {"slug": "b"}],
            "size": 2,
            "limit": 2,
            "isLastPage": False,
            "nextPageStart": 2,
        },
    )
    repos = "https://bb.example.com/rest/api/latest/projects/P/repos"
    async with BitbucketServer(
        "https://bb.example.com", "T", transport=_transport({("GET", repos): page})
    ) as bb:
        result = await bb.with_raw_response.repositories.list("P", page_size=2)
        with pytest.raises(ValueError, match="max_items=0"):
            await bb.with_raw_response.repositories.list("P", max_items=0)
    assert isinstance(result.parsed, Page)
    assert [repo.slug for repo in result.parsed.items] == ["a", "b"]
    assert all(isinstance(repo, RestRepository) for repo in result.parsed.items)
    assert result.parsed.next_page_start == 2
    assert result.http_response.request.url.params["limit"] == "2"


async def test_a_raw_merge_gives_the_merge_answer_and_the_task() -> None:
    task_url = f"{PR}/merge/task-status/abc"
    routes = {("POST", f"{PR}/merge"): httpx.Response(202, headers={"Location": task_url})}
    async with BitbucketCloud("T", transport=_transport(routes)) as bb:
        result = await bb.with_raw_response.pullrequests.merge("ws", "repo", 7, wait=False)
    assert result.status_code == 202
    assert isinstance(result.parsed, MergeTask) and result.parsed.location == task_url


async def test_concurrent_raw_calls_each_get_their_own_response() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        number = int(request.url.path.rsplit("/", 1)[1])
        await asyncio.sleep(0.01 * (3 - number))  # answer in the reverse order
        return httpx.Response(200, json={"id": number}, headers={"X-Number": str(number)})

    async with BitbucketCloud("T", transport=httpx.MockTransport(handler)) as bb:
        raw = bb.with_raw_response.pullrequests
        results = await asyncio.gather(*(raw.get("ws", "repo", n) for n in (1, 2, 3)))
    assert [(r.headers["x-number"], r.parsed.id) for r in results] == [("1", 1), ("2", 2), ("3", 3)]


async def test_a_method_that_sends_nothing_is_reported() -> None:
    class Namespace:
        async def nothing(self) -> int:
            return 1

    class View(NamespaceView[Namespace]):
        nothing = raw_response(Namespace.nothing)

    with pytest.raises(RuntimeError, match="without sending its request"):
        await View(Namespace()).nothing()


# ---- the synchronous views --------------------------------------------------------------------------


@pytest.mark.parametrize("product", ["cloud", "server"])
def test_every_operation_has_its_blocking_and_raw_blocking_method(product: str) -> None:
    import importlib

    operations = importlib.import_module(f"bitbucket_client.{product}").OPERATIONS
    namespaces = importlib.import_module(f"bitbucket_client.{product}._generated.namespaces")
    missing = []
    for qualified in operations:
        namespace, method = qualified.split(".")
        module = importlib.import_module(f"{namespaces.__name__}.{namespace}")
        prefix = namespaces._CLASS_PREFIXES[namespace]
        for suffix in ("SyncNamespace", "SyncRawNamespace"):
            view = getattr(module, prefix + suffix)
            if not (issubclass(view, SyncNamespaceView) and callable(getattr(view, method, None))):
                missing.append(f"{prefix}{suffix}.{method}")
    assert missing == []


def test_a_blocking_method_keeps_the_methods_name_documentation_and_parameters() -> None:
    from bitbucket_client.cloud._generated.namespaces.pullrequests import PullrequestsSyncNamespace

    for name in ("get", "list", "merge"):
        blocking = getattr(PullrequestsSyncNamespace, name)
        original = getattr(PullrequestsNamespace, name)
        assert blocking.__name__ == name
        assert blocking.__doc__ == original.__doc__
        assert inspect.signature(blocking) == inspect.signature(original)
        assert not inspect.iscoroutinefunction(blocking)


def test_the_sync_views_run_through_the_runtime_of_their_client() -> None:
    answer = httpx.Response(200, json={"id": 7, "title": "T"})
    with SyncBitbucketCloud("T", transport=_transport({("GET", PR): answer})) as bb:
        assert isinstance(bb.pullrequests, SyncNamespaceView)
        assert bb.pullrequests is bb.pullrequests  # made once per client
        assert bb.pullrequests.get("ws", "repo", 7).title == "T"
        raw = bb.with_raw_response.pullrequests.get("ws", "repo", 7)
    assert isinstance(raw, Response) and isinstance(raw.parsed, Pullrequest)
