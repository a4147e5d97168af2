"""`bitbucket_client.sync` clients: a plain script, a running event loop (Jupyter), threads sharing one
client, `close()` leaving no thread or connection behind, a fork, and the raw access."""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio
from conftest import ROOT
from reliability.fault_server import FaultServer, json_reply

from bitbucket_client.cloud.models import Pullrequest
from bitbucket_client.sync import (
    BitbucketCloud,
    BitbucketError,
    BitbucketServer,
    NotFoundError,
    Response,
    SyncPaginator,
)
from bitbucket_client.testing import FakeBitbucketCloud

TOKEN = "sync-secret-token-Qv7"
PR = "/2.0/repositories/ws/repo/pullrequests"


def pull_request(number: int) -> dict[str, Any]:
    return {"type": "pullrequest", "id": number, "title": f"PR {number}", "state": "OPEN"}


@pytest.fixture
def cloud(server: FaultServer) -> Iterator[BitbucketCloud]:
    with BitbucketCloud(TOKEN, base_url=server.url + "/2.0", timeout=3.0) as bb:
        yield bb


def sync_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("bitbucket-client")]


# ---- a plain script ---------------------------------------------------------------------------------


def test_a_plain_script_runs_ten_operations_against_the_fake(tmp_path: Path) -> None:
    """The user's-eye view: `python script.py`, no event loop in sight (tests/typing/sync_user_script.py,
    which mypy --strict checks too)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "typing" / "sync_user_script.py")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "error::ResourceWarning"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "me: Fake User",
        "workspace: acme",
        "repositories: shop",
        "branches: feature, main",
        "created #1 Add a cart",
        "approved by Fake User",
        "comments: Looks good",
        "open: #1 Add a cart",
        "merged #1 MERGED",
        "hooks: https://ci.example.com/hook",
        "commits: 2",
        "threads left: 0",
    ]


# ---- inside a running event loop --------------------------------------------------------------------


def test_calls_work_inside_a_running_asyncio_loop_like_a_notebook_cell() -> None:
    fake = FakeBitbucketCloud(page_size=2)
    fake.add_repository("acme", "shop")
    for number in range(1, 6):
        fake.add_pull_request("acme", "shop", title=f"PR {number}")
    bb = BitbucketCloud("token", transport=fake)  # made at module level, outside any loop

    async def cell() -> tuple[str, list[int]]:
        pr = bb.pullrequests.get("acme", "shop", 3)
        return str(pr.title), [p.id for p in bb.pullrequests.list("acme", "shop", max_items=3)]

    # Each asyncio.run() is a new loop: the async client's "Event loop is closed" trap does not apply.
    assert asyncio.run(cell()) == ("PR 3", [5, 4, 3])
    assert asyncio.run(cell()) == ("PR 3", [5, 4, 3])
    bb.close()
    assert sync_threads() == []


def test_calls_work_inside_trio_too() -> None:
    fake = FakeBitbucketCloud()
    fake.add_repository("acme", "shop")
    with BitbucketCloud("token", transport=fake) as bb:

        async def cell() -> str:
            return str(bb.repositories.get("acme", "shop").full_name)

        assert trio.run(cell) == "acme/shop"


# ---- threads ----------------------------------------------------------------------------------------


def test_eight_threads_share_one_client(server: FaultServer) -> None:
    server.respond_with("GET", PR + "/7", lambda request: json_reply(200, json.dumps(pull_request(7))))
    server.script("GET", "/2.0/user", json_reply(200, '{"type": "user", "display_name": "Ada"}'))
    barrier = threading.Barrier(8)
    results: list[tuple[int, ...]] = []
    errors: list[BaseException] = []

    def worker(bb: BitbucketCloud) -> None:
        try:
            barrier.wait(5)
            ids = tuple(bb.pullrequests.get("ws", "repo", 7).id for _ in range(10))
            names = tuple(1 for _ in range(5) if bb.users.get_current().display_name == "Ada")
            results.append(ids + names)
        except BaseException as error:
            errors.append(error)

    with BitbucketCloud(TOKEN, base_url=server.url + "/2.0", timeout=5.0) as bb:
        threads = [threading.Thread(target=worker, args=(bb,)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert errors == []
    assert results == [(7,) * 10 + (1,) * 5] * 8
    assert server.hits("GET", PR + "/7") == 80
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in server.requests)


# ---- close --------------------------------------------------------------------------------------------


def test_close_leaves_no_thread_and_no_connection_behind(server: FaultServer) -> None:
    server.respond_with("GET", PR + "/7", lambda request: json_reply(200, json.dumps(pull_request(7))))
    before = set(threading.enumerate())
    bb = BitbucketCloud(TOKEN, base_url=server.url + "/2.0", timeout=3.0)

    async def cell() -> int:  # the helper thread
        return bb.pullrequests.get("ws", "repo", 7).id

    assert asyncio.run(cell()) == 7
    workers = [threading.Thread(target=lambda: bb.pullrequests.get("ws", "repo", 7)) for _ in range(3)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert sync_threads()
    assert server._open  # connections in the pool
    bb.close()
    assert set(threading.enumerate()) == before
    deadline = time.monotonic() + 5
    while server._open and time.monotonic() < deadline:  # the server sees each connection end
        time.sleep(0.01)
    assert not server._open
    with pytest.raises(BitbucketError, match="closed: make calls inside its `with` block"):
        bb.pullrequests.get("ws", "repo", 7)


def test_a_with_options_copy_shares_the_pool_and_closes_alone(
    cloud: BitbucketCloud, server: FaultServer
) -> None:
    server.respond_with("GET", PR + "/7", lambda request: json_reply(200, json.dumps(pull_request(7))))
    hurried = cloud.with_options(deadline=2, max_retries=0)
    assert type(hurried) is BitbucketCloud and hurried.base_url == cloud.base_url
    assert hurried.pullrequests.get("ws", "repo", 7).id == 7
    hurried.close()
    with pytest.raises(BitbucketError):
        hurried.pullrequests.get("ws", "repo", 7)
    assert cloud.pullrequests.get("ws", "repo", 7).id == 7


def test_a_client_of_the_users_stays_open(server: FaultServer) -> None:
    server.respond_with("GET", PR + "/7", lambda request: json_reply(200, json.dumps(pull_request(7))))
    mine = httpx.Client(timeout=4.0)
    with BitbucketCloud(TOKEN, base_url=server.url + "/2.0", http_client=mine) as bb:
        assert bb.pullrequests.get("ws", "repo", 7).id == 7
    assert not mine.is_closed
    mine.close()


# ---- fork ---------------------------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_after_a_fork_the_child_uses_connections_of_its_own(server: FaultServer) -> None:
    def port_of(response: httpx.Response) -> int:
        return int(response.extensions["network_stream"].get_extra_info("client_addr")[1])

    server.respond_with("GET", "/2.0/user", lambda request: json_reply(200, '{"type": "user"}'))
    bb = BitbucketCloud(TOKEN, base_url=server.url + "/2.0", timeout=3.0)
    parent_port = port_of(bb.request("GET", "/user"))
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: a fresh pool, a fresh loop, a fresh helper thread
        code = 1
        try:

            async def cell() -> int:
                return port_of(bb.request("GET", "/user"))

            ports = [port_of(bb.request("GET", "/user")), asyncio.run(cell())]
            os.write(writing, json.dumps(ports).encode())
            bb.close()
            code = 0
        finally:
            os._exit(code)
    os.close(writing)
    _, status = os.waitpid(pid, 0)
    child_ports = json.loads(os.read(reading, 100))
    os.close(reading)
    assert os.waitstatus_to_exitcode(status) == 0
    assert parent_port not in child_ports
    assert port_of(bb.request("GET", "/user")) == parent_port  # the parent's connection is intact
    bb.close()


# ---- raw access and construction ------------------------------------------------------------------------


def test_the_raw_view_request_and_errors(cloud: BitbucketCloud, server: FaultServer) -> None:
    server.respond_with(
        "GET",
        PR + "/7",
        lambda request: json_reply(200, json.dumps(pull_request(7)), **{"X-Request-Id": "r1"}),
    )
    raw = cloud.with_raw_response.pullrequests.get("ws", "repo", 7)
    assert isinstance(raw, Response) and raw.status_code == 200 and raw.headers["x-request-id"] == "r1"
    assert isinstance(raw.parsed, Pullrequest) and raw.parsed.id == 7
    response = cloud.request("GET", "/repositories/ws/repo/pullrequests/7", params={"fields": "id"})
    assert response.json()["id"] == 7
    with pytest.raises(NotFoundError):
        cloud.request("GET", "/repositories/ws/repo/missing")
    assert isinstance(cloud.pullrequests.list("ws", "repo"), SyncPaginator)


def test_the_raw_list_gives_its_first_page(cloud: BitbucketCloud, server: FaultServer) -> None:
    body = {
        "values": [pull_request(1), pull_request(2)],
        "page": 1,
        "pagelen": 2,
        "next": server.url + PR + "?page=2",
    }
    server.script("GET", PR, json_reply(200, json.dumps(body)))
    first = cloud.with_raw_response.pullrequests.list("ws", "repo", page_size=2)
    assert [pr.id for pr in first.parsed.items] == [1, 2]
    assert first.parsed.next == server.url + PR + "?page=2"
    assert server.hits("GET", PR) == 1


def test_credentials_stay_out_of_the_repr_and_pickles() -> None:
    bb = BitbucketServer("https://bitbucket.example.com", TOKEN)
    assert repr(bb) == "BitbucketServer(base_url='https://bitbucket.example.com/rest', auth=BearerToken)"
    with pytest.raises(TypeError):
        pickle.dumps(bb)
    bb.close()


def test_constructor_mistakes_are_named() -> None:
    with pytest.raises(TypeError, match=r"httpx\.Client"):
        BitbucketCloud("t", http_client=httpx.AsyncClient())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"httpx\.HTTPTransport"):
        BitbucketCloud("t", transport=httpx.AsyncHTTPTransport())
    with pytest.raises(ValueError, match="either http_client= or transport="):
        BitbucketCloud("t", http_client=httpx.Client(), transport=httpx.HTTPTransport())
    with pytest.raises(ValueError, match="token must be a non-empty string"):
        BitbucketCloud("")
    assert sync_threads() == []
