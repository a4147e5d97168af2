"""Per-request CPU profile of scenario 2 without the network: bitbucket_client against raw httpx +
json.loads, both on httpx.MockTransport (no sockets, so only client-side Python work is left).

    python bench/profile_request.py {cloud,dc}

Prints the unprofiled CPU µs per request of each, then the functions whose self time differs most,
scaled so that the profiled difference matches the unprofiled one.
"""

from __future__ import annotations

import asyncio
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parents[1]
ROOT = str(BENCH.parent)
sys.path[:0] = [str(BENCH), ROOT]

import data  # noqa: E402
import httpx  # noqa: E402

from bitbucket_client import BitbucketCloud, BitbucketServer  # noqa: E402

N = 5000
Call = Callable[[], Awaitable[Any]]


async def cpu_per_call(call: Call) -> float:
    for _ in range(300):
        await call()
    samples = []
    for _ in range(5):
        start = time.process_time()
        for _ in range(N):
            await call()
        samples.append((time.process_time() - start) / N * 1e6)
    return statistics.median(samples)


async def profile(call: Call) -> dict[Any, Any]:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(N):
        await call()
    profiler.disable()
    return pstats.Stats(profiler).stats  # type: ignore[attr-defined,no-any-return]


async def main(style: str) -> None:
    body = data.dumps(data.dc_pr(7) if style == "dc" else data.cloud_pr(7, detail=True))
    headers = {"Content-Type": "application/json;charset=UTF-8"}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body, headers=headers))
    raw = httpx.AsyncClient(transport=transport)
    auth = {"Authorization": "Bearer tok"}
    if style == "dc":
        server = BitbucketServer("http://127.0.0.1:1", "tok", transport=transport)
        url = "http://127.0.0.1:1/rest/api/latest/projects/PROJ/repos/repo/pull-requests/7"

        def ours() -> Awaitable[Any]:
            return server.pullrequests.get("PROJ", "repo", 7)
    else:
        cloud = BitbucketCloud("tok", base_url="http://127.0.0.1:1/2.0", transport=transport)
        url = "http://127.0.0.1:1/2.0/repositories/ws/repo/pullrequests/7"

        def ours() -> Awaitable[Any]:
            return cloud.pullrequests.get("ws", "repo", 7)

    async def raw_call() -> Any:
        return json.loads((await raw.get(url, headers=auth)).content)

    t_raw, t_ours = await cpu_per_call(raw_call), await cpu_per_call(ours)
    print(
        f"{style}: CPU per request on MockTransport: raw httpx + json.loads {t_raw:.0f} µs, "
        f"bitbucket_client {t_ours:.0f} µs, difference {t_ours - t_raw:.0f} µs"
    )
    a, b = await profile(raw_call), await profile(ours)
    total_a, total_b = sum(v[2] for v in a.values()), sum(v[2] for v in b.values())
    scale = (t_ours - t_raw) / ((total_b - total_a) / N * 1e6)
    rows = []
    for key in set(a) | set(b):
        calls_a, self_a = (a[key][1], a[key][2]) if key in a else (0, 0.0)
        calls_b, self_b = (b[key][1], b[key][2]) if key in b else (0, 0.0)
        rows.append(((self_b - self_a) / N * 1e6 * scale, calls_a / N, calls_b / N, key))
    print(f"{'function':62} {'calls/req raw':>13} {'ours':>6} {'extra µs/req':>12}")
    for extra, calls_a, calls_b, (path, line, name) in sorted(rows, key=lambda row: -row[0])[:16]:
        where = f"{_short(path)}:{line}({name})"
        print(f"{where[-62:]:62} {calls_a:13.1f} {calls_b:6.1f} {extra:12.1f}")


def _short(path: str) -> str:
    return os.path.relpath(path, ROOT) if path.startswith(ROOT) else os.path.basename(path)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "dc"))
