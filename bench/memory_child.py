"""One fresh process of the memory scenario: iterate a whole list, keep nothing, print `items seconds`.

    python bench/memory_child.py {ours,raw} {cloud,dc} PORT [--page-size 100] [--prefetch 8]

`ours` iterates `bb.pullrequests.list(...)` (typed models); `raw` is the floor: httpx + json.loads,
following `next` (Cloud) or `nextPageStart` (Data Center). The last line is this process's peak RSS
(VmHWM, kB).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

TOKEN = "bench-token-0123456789"


async def ours(style: str, base: str, page_size: int, prefetch: int) -> int:
    from bitbucket_client import BitbucketCloud, BitbucketServer

    count = 0
    if style == "cloud":
        async with BitbucketCloud(TOKEN, base_url=f"{base}/2.0") as cloud:
            async for pr in cloud.pullrequests.list("ws", "repo", page_size=page_size, prefetch=prefetch):
                count += pr.id is not None
    else:
        async with BitbucketServer(base, TOKEN) as server:
            async for pr in server.pullrequests.list("PROJ", "repo", page_size=page_size, prefetch=prefetch):
                count += pr.id is not None
    return count


async def raw(style: str, base: str, page_size: int) -> int:
    import httpx

    headers = {"Authorization": f"Bearer {TOKEN}"}
    count = 0
    async with httpx.AsyncClient() as client:
        if style == "cloud":
            url: str | None = f"{base}/2.0/repositories/ws/repo/pullrequests?pagelen={page_size}"
            while url:
                body = json.loads((await client.get(url, headers=headers)).content)
                for pr in body["values"]:
                    count += pr["id"] is not None
                url = body.get("next")
        else:
            url = f"{base}/rest/api/latest/projects/PROJ/repos/repo/pull-requests"
            start = 0
            while True:
                params = {"start": start, "limit": page_size}
                body = json.loads((await client.get(url, params=params, headers=headers)).content)
                for pr in body["values"]:
                    count += pr["id"] is not None
                if body.get("isLastPage", True):
                    break
                start = body["nextPageStart"]
    return count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("client", choices=["ours", "raw"])
    parser.add_argument("style", choices=["cloud", "dc"])
    parser.add_argument("port", type=int)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--prefetch", type=int, default=8)
    args = parser.parse_args()
    base = f"http://127.0.0.1:{args.port}"
    start = time.perf_counter()
    if args.client == "ours":
        count = asyncio.run(ours(args.style, base, args.page_size, args.prefetch))
    else:
        count = asyncio.run(raw(args.style, base, args.page_size))
    print(count, time.perf_counter() - start)
    with open("/proc/self/status") as status:  # this process's peak RSS, in kB
        print("VMHWM", status.read().split("VmHWM:")[1].split()[0])


if __name__ == "__main__":
    main()
