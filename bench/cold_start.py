"""Cold start without a network: import, client, one Data Center call, decoded, in a fresh process.

    python bench/cold_start.py [--runs 15]

Each contender is a fresh `python -c` with compiled .pyc files (every program runs once, unmeasured,
first). `bitbucket_client` imports the package, builds a `BitbucketServer` on an in-process
`httpx.MockTransport`, calls `pullrequests.get` and decodes the typed model; the baseline does the same
GET with raw httpx on the same transport and `json.loads`. Both answer the same 3 KB pull request
(`bench/data.py`). Without sockets and a server process, the figure is the library's own start-up
cost: imports, client construction, the call's code path and decoding. Rounds alternate the order;
every figure is a median (the quartiles show how noisy the machine was), and the ratios compare
figures of the same invocation: wall time (the goal, <= 1.5) and the child's CPU time.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import PEAK_RSS_CODE, TOKEN, child_env, run_fresh

GOAL = 1.5

_TRANSPORT = (
    "import httpx, data\n"
    "BODY = data.dumps(data.dc_pr(7))\n"
    "def answer(request):\n"
    "    return httpx.Response(200, content=BODY, headers={'Content-Type': 'application/json'})\n"
    "TRANSPORT = httpx.MockTransport(answer)\n"
)

PROGRAMS = {
    "raw httpx + json.loads": _TRANSPORT
    + (
        "import asyncio, json\n"
        "async def main():\n"
        "    async with httpx.AsyncClient(transport=TRANSPORT) as client:\n"
        "        response = await client.get(\n"
        "            'https://bitbucket.example.com/rest/api/latest/projects/PROJ/repos/repo/pull-requests/7',\n"
        f"            headers={{'Authorization': 'Bearer {TOKEN}'}},\n"
        "        )\n"
        "        response.raise_for_status()\n"
        "        assert json.loads(response.content)['id'] == 7\n"
        "asyncio.run(main())\n"
    ),
    "bitbucket_client": _TRANSPORT
    + (
        "import asyncio\n"
        "from bitbucket_client import BitbucketServer\n"
        "async def main():\n"
        f"    bb = BitbucketServer('https://bitbucket.example.com', {TOKEN!r}, transport=TRANSPORT)\n"
        "    async with bb:\n"
        "        assert (await bb.pullrequests.get('PROJ', 'repo', 7)).id == 7\n"
        "asyncio.run(main())\n"
    ),
}


def _env() -> dict[str, str]:
    env = child_env()  # without PYTHONDONTWRITEBYTECODE: the warm-up run writes the .pyc files
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parent), env["PYTHONPATH"]])
    return env


def measure(runs: int) -> dict[str, dict[str, list[float]]]:
    """Milliseconds of each program, wall and CPU (the child's user + system time), `runs` fresh
    processes each, in alternating order."""
    env = _env()
    names = list(PROGRAMS)
    for name in names:  # compile .pyc files and warm the OS file cache, unmeasured
        run_fresh(["-c", PROGRAMS[name] + PEAK_RSS_CODE], env=env)
    samples: dict[str, dict[str, list[float]]] = {name: {"wall": [], "cpu": []} for name in names}
    for round_number in range(runs):
        for name in names if round_number % 2 == 0 else reversed(names):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            wall, _rss, _out = run_fresh(["-c", PROGRAMS[name] + PEAK_RSS_CODE], env=env)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
            samples[name]["wall"].append(wall * 1000)
            samples[name]["cpu"].append(cpu * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=31)
    args = parser.parse_args()
    samples = measure(args.runs)
    print(
        f"# {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs; "
        f"{args.runs} fresh processes each: median (quartiles) ms"
    )
    ratios = {}
    for kind in ("wall", "cpu"):
        for name, figures in samples.items():
            low, median, high = statistics.quantiles(figures[kind], n=4)
            print(f"{kind:4} {name:26} {median:8.1f} ({low:.1f} to {high:.1f})")
        medians = {name: statistics.median(figures[kind]) for name, figures in samples.items()}
        ratios[kind] = medians["bitbucket_client"] / medians["raw httpx + json.loads"]
    verdict = "met" if ratios["wall"] <= GOAL else "MISSED"
    print(
        f"bitbucket_client / raw httpx + json.loads: {ratios['wall']:.2f} wall (goal <= {GOAL}: {verdict}), "
        f"{ratios['cpu']:.2f} CPU"
    )


if __name__ == "__main__":
    main()
