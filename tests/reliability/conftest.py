"""Fixtures of the fault suite: one loopback `FaultServer` for the whole run, emptied between tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .fault_server import FaultServer


@pytest.fixture(scope="session")
def _fault_server() -> Iterator[FaultServer]:
    with FaultServer.running() as server:
        yield server


@pytest.fixture
def server(_fault_server: FaultServer) -> Iterator[FaultServer]:
    _fault_server.reset()
    yield _fault_server
    _fault_server.drop_connections()
