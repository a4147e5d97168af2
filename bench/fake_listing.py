"""How long the in-memory fakes take to list many repositories through the client.

    python bench/fake_listing.py                 # 10,000 repositories per product, median of 3 rounds
    python bench/fake_listing.py --repos 2500 --rounds 5

Seeds `FakeBitbucketCloud` and `FakeBitbucketServer` with N repositories each, then lists them all with
`bb.repositories.list(...)` at the largest page size each product allows (Cloud 100, Data Center 1000),
and at Data Center's default 25. The goal (issue #15): 10,000 repositories in under 1 s per product.
Each line gives the median wall time (the goal) and the median CPU time of this process, which a busy
machine inflates less.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from bitbucket_client.testing import FakeBitbucketCloud, FakeBitbucketServer


async def list_all(fake: FakeBitbucketCloud | FakeBitbucketServer, owner: str, page_size: int) -> int:
    async with fake.client() as bb:
        count = 0
        async for _repo in bb.repositories.list(owner, page_size=page_size):
            count += 1
        return count


def seed(fake: FakeBitbucketCloud | FakeBitbucketServer, owner: str, repos: int) -> None:
    for number in range(repos):
        fake.add_repository(owner, f"repo-{number:05d}")


def measure(
    fake: FakeBitbucketCloud | FakeBitbucketServer, owner: str, repos: int, page_size: int, rounds: int
) -> tuple[float, float]:
    """Median wall and CPU seconds of listing every repository."""
    walls, cpus = [], []
    for _ in range(rounds):
        started, cpu = time.perf_counter(), time.process_time()
        listed = asyncio.run(list_all(fake, owner, page_size))
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
        assert listed == repos, (listed, repos)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repos", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    cloud = FakeBitbucketCloud(max_page_size=100)
    server = FakeBitbucketServer(max_page_size=1000)
    seed(cloud, "ws", args.repos)
    seed(server, "PRJ", args.repos)
    rows = [
        ("Cloud", cloud, "ws", 100),
        ("Data Center", server, "PRJ", 1000),
        ("Data Center", server, "PRJ", 25),
    ]
    print(f"listing {args.repos:,} repositories through the client (median of {args.rounds} rounds)")
    for product, fake, owner, page_size in rows:
        seconds, cpu = measure(fake, owner, args.repos, page_size, args.rounds)
        verdict = "met" if seconds < 1.0 else "MISSED"
        figures = f"{seconds:6.2f} s (CPU {cpu:.2f} s)"
        print(f"  {product:12} page size {page_size:5}  {figures}   goal < 1 s: {verdict}")


if __name__ == "__main__":
    main()
