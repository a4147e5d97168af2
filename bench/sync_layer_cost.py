"""What the synchronous layer adds per call, without sockets: client CPU µs per GET of one pull request
on `httpx.MockTransport`, for raw `httpx.Client` / `httpx.AsyncClient` + `json.loads`, the async client
and the synchronous client (docs/benchmarks.md, scenario 6).

    python bench/sync_layer_cost.py [cloud|dc]
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent)]

import data  # noqa: E402
import httpx  # noqa: E402

import bitbucket_client  # noqa: E402
import bitbucket_client.sync  # noqa: E402

N = 3000
ROUNDS = 5


def main() -> None:
    style = sys.argv[1] if len(sys.argv) > 1 else "cloud"
    body = data.dumps(data.dc_pr(7) if style == "dc" else data.cloud_pr(7, detail=True))

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    def transport() -> httpx.MockTransport:
        return httpx.MockTransport(answer)

    class BlockingMock(httpx.BaseTransport):
        """A sync-only transport: the synchronous client sends through its `httpx.Client`, as on sockets
        (a `MockTransport`, being async too, would be driven through an `httpx.AsyncClient`)."""

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            return answer(request)

    product = "server" if style == "dc" else "cloud"
    base = "http://bench" if style == "dc" else "http://bench/2.0"
    owner = "PROJ" if style == "dc" else "ws"
    if style == "dc":
        url = f"{base}/rest/api/latest/projects/PROJ/repos/repo/pull-requests/7"
        sync_client: Any = bitbucket_client.sync.BitbucketServer(base, "T", transport=BlockingMock())
    else:
        url = f"{base}/repositories/ws/repo/pullrequests/7"
        sync_client = bitbucket_client.sync.BitbucketCloud("T", base_url=base, transport=BlockingMock())

    def make_async() -> Any:
        if product == "server":
            return bitbucket_client.BitbucketServer(base, "T", transport=transport())
        return bitbucket_client.BitbucketCloud("T", base_url=base, transport=transport())

    headers = {"Authorization": "Bearer T"}
    runner = asyncio.Runner()

    async def build() -> tuple[Any, httpx.AsyncClient]:
        return make_async(), httpx.AsyncClient(transport=transport())

    async_client, raw_async = runner.run(build())
    raw_sync = httpx.Client(transport=transport())

    async def async_calls(count: int) -> None:
        for _ in range(count):
            await async_client.pullrequests.get(owner, "repo", 7)

    async def raw_async_calls(count: int) -> None:
        for _ in range(count):
            json.loads((await raw_async.get(url, headers=headers)).content)

    def raw_sync_calls(count: int) -> None:
        for _ in range(count):
            json.loads(raw_sync.get(url, headers=headers).content)

    def sync_calls(count: int) -> None:
        for _ in range(count):
            sync_client.pullrequests.get(owner, "repo", 7)

    contenders: dict[str, Callable[[int], object]] = {
        "raw httpx.Client + json.loads": raw_sync_calls,
        "raw httpx.AsyncClient + json.loads": lambda count: runner.run(raw_async_calls(count)),
        "async client": lambda count: runner.run(async_calls(count)),
        "sync client": sync_calls,
    }
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for run in contenders.values():
        run(300)
    for _ in range(ROUNDS):
        for name, run in contenders.items():
            cpu0 = time.process_time()
            run(N)
            samples[name].append((time.process_time() - cpu0) / N * 1e6)
    for name, values in samples.items():
        print(f"{style}: {name:36} {statistics.median(values):6.0f} µs CPU per call")
    sync_client.close()
    raw_sync.close()
    runner.run(async_client.aclose())
    runner.run(raw_async.aclose())
    runner.close()


if __name__ == "__main__":
    main()
