"""Helpers shared by the fault tests: a client aimed at the loopback server, timing, backends."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import attrs

from bitbucket_client import BitbucketCloud

from .fault_server import FaultServer

BACKENDS = ["asyncio", "trio"]
TOKEN = "loopback-token-Zx81"


def cloud_client(server: FaultServer, **options: Any) -> BitbucketCloud:
    """A Cloud client on the loopback server, with timeouts and backoffs short enough for tests."""
    settings: dict[str, Any] = {"timeout": 0.3, "max_retries": 2, "rate_limit_budget": 1.5}
    settings.update(options)
    client = BitbucketCloud(TOKEN, base_url=server.url + "/2.0", **settings)
    # The real backoff starts near one second; the rules under test are the same at a fiftieth of it.
    client._retry_policy = attrs.evolve(client._retry_policy, backoff_base=0.02)
    return client


def run(backend: str, scenario: Callable[[], Awaitable[None]]) -> None:
    anyio.run(scenario, backend=backend)


class Stopwatch:
    elapsed = 0.0


@contextmanager
def stopwatch() -> Iterator[Stopwatch]:
    watch = Stopwatch()
    start = time.monotonic()
    try:
        yield watch
    finally:
        watch.elapsed = time.monotonic() - start
