"""Scenario 6 of `bench/run.py`: the per-call overhead of the synchronous client (`bitbucket_client.sync`).

    python bench/run.py --scenario 6            # with the other scenarios' machinery and tables
    python bench/sync_overhead.py [--quick]     # this scenario alone

Sequential GETs of one pull request over a keep-alive connection to the loopback bench server, each
decoded: `bitbucket_client.sync` (typed model) against raw `httpx.Client` + `json.loads` (the floor:
the sync client sends through an `httpx.Client`) and atlassian-python-api (dicts), side by side in
rotating rounds of the same run. Goal: sync / raw httpx <= 1.3.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import TOKEN, bench_server
from scenarios import Config, Figure, Result, _log, atlassian_loops, measure_per_request, pull_request_urls

SYNC = "bitbucket_client.sync"
RAW = "raw httpx.Client + json.loads"
ATLASSIAN = "atlassian-python-api"


def sync_overhead(config: Config) -> Result:
    import httpx

    from bitbucket_client.sync import BitbucketCloud, BitbucketServer

    n = config.requests
    result = Result(
        6,
        "Synchronous per-call overhead",
        f"{n:,} sequential GETs of one pull request over a keep-alive connection from blocking code, "
        "each decoded (typed model for bitbucket_client.sync, dict for the others); figure: wall µs per "
        "request (client CPU µs per request in the notes)",
    )
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with bench_server(total=100) as port:
        base, dc_url, cloud_url = pull_request_urls(port)
        raw = httpx.Client()
        server = BitbucketServer(base, TOKEN)
        cloud = BitbucketCloud(TOKEN, base_url=f"{base}/2.0")
        atl_dc_loop, atl_cloud_loop = atlassian_loops(base)

        def raw_loop(url: str) -> Callable[[int], None]:
            def run(count: int) -> None:
                for _ in range(count):
                    json.loads(raw.get(url, headers=headers).content)

            return run

        def sync_dc(count: int) -> None:
            for _ in range(count):
                server.pullrequests.get("PROJ", "repo", 7)

        def sync_cloud(count: int) -> None:
            for _ in range(count):
                cloud.pullrequests.get("ws", "repo", 7)

        contenders: dict[tuple[str, str], Callable[[int], Any]] = {
            ("Data Center", RAW): raw_loop(dc_url),
            ("Data Center", SYNC): sync_dc,
            ("Data Center", ATLASSIAN): atl_dc_loop,
            ("Cloud", RAW): raw_loop(cloud_url),
            ("Cloud", SYNC): sync_cloud,
            ("Cloud", ATLASSIAN): atl_cloud_loop,
        }
        walls, cpus = measure_per_request(contenders, n, config.runs)
        raw.close()
        server.close()
        cloud.close()
    for (style, contender), values in walls.items():
        cpu = cpus[(style, contender)]
        result.figures.append(Figure(6, style, contender, "µs/req", values, cpu_samples=cpu))
    result.figure("Cloud", ATLASSIAN).note = "Cloud(...).repositories.get(...).pullrequests.get(7)"
    result.figure("Data Center", ATLASSIAN).note = "Bitbucket(...).get_pull_request(...)"
    for style in ("Data Center", "Cloud"):
        result.ratio(style, SYNC, RAW, at_most=1.3)
        result.ratio(style, SYNC, ATLASSIAN)
    return result


def main() -> None:
    import run as bench_run

    quick = "--quick" in sys.argv
    config = Config.quick_config() if quick else Config()
    bench_run.QUICK[0] = quick
    _log("# scenario 6 ...")
    bench_run.print_text([sync_overhead(config)])


if __name__ == "__main__":
    main()
