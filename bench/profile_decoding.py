"""Per-function profile of scenario 3: decoding 5,000 pull requests into models, and reading them.

    python bench/profile_decoding.py {cloud,dc}

Prints the unprofiled µs per pull request for decoding alone (`from_dict`: nested models wait for
their first read) and for decoding then reading the five fields scenario 3 reads (which decodes the
nested models on their path); then cProfile's self time per function of the second, scaled so that the
total matches the unprofiled figure (cProfile itself makes the run several times slower).
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1]
ROOT = str(BENCH.parent)
sys.path[:0] = [str(BENCH), ROOT]

import data  # noqa: E402
from scenarios import _touch_model_cloud, _touch_model_dc  # noqa: E402

from bitbucket_client.cloud.models import Pullrequest  # noqa: E402
from bitbucket_client.server.models import RestPullRequest  # noqa: E402

TOTAL = 5000


def main() -> None:
    style = sys.argv[1] if len(sys.argv) > 1 else "cloud"
    if style == "cloud":
        link = "https://api.bitbucket.org/2.0/repositories/ws/repo/pullrequests"
        pages = [data.dumps(data.cloud_page(p, 50, TOTAL, link)) for p in range(1, TOTAL // 50 + 1)]
        from_dict, touch = Pullrequest.from_dict, _touch_model_cloud
    else:
        pages = [data.dumps(data.dc_page(s, 50, TOTAL)) for s in range(0, TOTAL, 50)]
        from_dict, touch = RestPullRequest.from_dict, _touch_model_dc
    trees = [json.loads(body) for body in pages]

    def decode() -> None:
        for tree in trees:
            for value in tree["values"]:
                from_dict(value)

    def decode_and_read() -> None:
        for tree in trees:
            for value in tree["values"]:
                touch(from_dict(value))

    for label, run in (("decoding alone", decode), ("decoding and reading 5 fields", decode_and_read)):
        run()
        best = min(_seconds(run) for _ in range(5))
        print(f"{style}: {label}, unprofiled: {best / TOTAL * 1e6:.1f} µs per pull request")
    profile = cProfile.Profile()
    profile.enable()
    decode_and_read()
    profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    profiled = sum(row[2] for row in stats.values())
    print(f"{'function':62} {'calls/PR':>9} {'self µs/PR':>11} {'share':>6}")
    for (path, line, name), (_cc, calls, self_time, _cum, _callers) in sorted(
        stats.items(), key=lambda item: -item[1][2]
    )[:14]:
        where = f"{_short(path)}:{line}({name})"
        share = self_time / profiled
        print(f"{where[-62:]:62} {calls / TOTAL:9.1f} {share * best / TOTAL * 1e6:11.2f} {share:6.0%}")


def _seconds(run: Callable[[], None]) -> float:
    start = time.process_time()
    run()
    return time.process_time() - start


def _short(path: str) -> str:
    return os.path.relpath(path, ROOT) if path.startswith(ROOT) else os.path.basename(path)


if __name__ == "__main__":
    main()
