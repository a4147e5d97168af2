"""`blocking_stream`: the sync client's `stream()` reads the body a chunk at a time through the async
block, so its errors and its deadline are the async client's."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from reliability.fault_server import FaultServer, Reply

from bitbucket_client.sync import APIConnectionError, APITimeoutError, BitbucketCloud, NotFoundError

BODY = bytes(range(256)) * 64
PATH = "/2.0/repositories/ws/repo/src/main/big.bin"


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer.running() as server:
        yield server
        server.drop_connections()


def client(server: FaultServer, deadline: float | None = None) -> BitbucketCloud:
    return BitbucketCloud("token", base_url=server.url + "/2.0", max_retries=0, deadline=deadline)


def test_the_body_comes_in_chunks_and_the_connection_is_reused(server: FaultServer) -> None:
    server.script("GET", PATH, Reply(200, {"Content-Type": "application/octet-stream"}, BODY))
    with client(server) as bb:
        with bb.stream("GET", "/repositories/ws/repo/src/main/big.bin") as response:
            assert response.status_code == 200
            chunks = list(response.iter_bytes())
        with bb.stream("GET", "/repositories/ws/repo/src/main/big.bin") as response:
            assert response.read() == BODY
    assert b"".join(chunks) == BODY
    assert server.hits("GET", PATH) == 2


def test_an_error_status_raises_before_the_block(server: FaultServer) -> None:
    error = json.dumps({"type": "error", "error": {"message": "no such file"}}).encode()
    server.script("GET", PATH, Reply(404, {"Content-Type": "application/json"}, error))
    with client(server) as bb, pytest.raises(NotFoundError, match="no such file"):
        with bb.stream("GET", "/repositories/ws/repo/src/main/big.bin"):
            raise AssertionError("the block must not run")


def test_a_connection_lost_while_reading_raises_api_connection_error(server: FaultServer) -> None:
    server.script("GET", PATH, Reply(200, {}, BODY, reset="during"))
    with client(server) as bb, pytest.raises(APIConnectionError) as raised:
        with bb.stream("GET", "/repositories/ws/repo/src/main/big.bin") as response:
            response.read()
    assert "failed" in str(raised.value) and raised.value.__cause__ is not None


def test_the_deadline_covers_reading(server: FaultServer) -> None:
    server.script("GET", PATH, Reply(200, {}, BODY[:40], trickle=0.05))
    with client(server, deadline=0.5) as bb, pytest.raises(APITimeoutError, match="deadline"):
        with bb.stream("GET", "/repositories/ws/repo/src/main/big.bin") as response:
            for _chunk in response.iter_bytes():
                pass


def test_an_error_of_the_callers_block_comes_out_as_it_went_in(server: FaultServer) -> None:
    server.script("GET", PATH, Reply(200, {}, BODY))
    with client(server) as bb:
        with pytest.raises(LookupError, match="mine"):
            with bb.stream("GET", "/repositories/ws/repo/src/main/big.bin"):
                raise LookupError("mine")
        assert bb.request("GET", "/repositories/ws/repo/src/main/big.bin").content == BODY


def test_streaming_works_inside_a_running_event_loop(server: FaultServer) -> None:
    server.script("GET", PATH, Reply(200, {}, BODY))

    async def notebook_cell(bb: BitbucketCloud) -> bytes:
        with bb.stream("GET", "/repositories/ws/repo/src/main/big.bin") as response:
            return b"".join(response.iter_raw())

    with client(server) as bb:
        assert asyncio.run(notebook_cell(bb)) == BODY
