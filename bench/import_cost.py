"""Cold import cost: a fresh `python -c` that imports the package and one Data Center endpoint.

    python bench/import_cost.py [--runs 9]

Each figure is the median over fresh processes: wall time from spawn to exit, and peak RSS (VmHWM,
read by the child itself: wait4's ru_maxrss can report the parent's high-water mark, inherited at
exec). Baselines run in the same invocation, interleaved, so the ratios compare like with like: the
bare interpreter, and `import httpx` (which the client needs anyway).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time

SCENARIOS = {
    "python -c pass": "pass",
    "import httpx": "import httpx",
    "import bitbucket_client": "import bitbucket_client",
    "package + DC pullrequests namespace + model": (
        "import bitbucket_client\n"
        "from bitbucket_client.server._generated.namespaces import pullrequests\n"
        "from bitbucket_client.server._generated.models import RestPullRequest\n"
        "RestPullRequest.from_dict({'id': 1, 'fromRef': {'id': 'refs/heads/x'}})"
    ),
}


# Cold imports read compiled .pyc files (the unmeasured warm-up run writes them), as installs have.
_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}

_REPORT_PEAK_RSS = (
    "\nimport sys\n"
    "sys.stderr.write([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])\n"
)


def run_once(code: str) -> tuple[float, float]:
    """(seconds, peak RSS in MiB) of one fresh interpreter running `code`."""
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", code + _REPORT_PEAK_RSS], capture_output=True, text=True, env=_ENV
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"scenario failed: {code!r}\n{result.stderr}")
    return elapsed, int(result.stderr.strip().splitlines()[-1]) / 1024  # VmHWM is in KiB


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in SCENARIOS}
    for code in SCENARIOS.values():  # warm the OS file cache once, unmeasured
        run_once(code)
    for _ in range(args.runs):
        for name, code in SCENARIOS.items():
            samples[name].append(run_once(code))
    baseline = statistics.median(t for t, _ in samples["import httpx"])
    print(
        f"# {platform.python_implementation()} {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs; median of {args.runs} fresh processes"
    )
    print(f"{'scenario':42} {'wall s':>8} {'peak RSS MiB':>13} {'x import httpx':>15}")
    for name, values in samples.items():
        wall = statistics.median(t for t, _ in values)
        rss = statistics.median(r for _, r in values)
        print(f"{name:42} {wall:8.3f} {rss:13.1f} {wall / baseline:15.2f}")


if __name__ == "__main__":
    main()
