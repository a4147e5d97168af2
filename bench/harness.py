"""Shared benchmark machinery: the server process, fresh-process runs, medians, the machine's description."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
TOKEN = "bench-token-0123456789"

# The bench runs from a checkout: import the package from it (whether or not it is installed), here
# and in every child process.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(1, str(REPO_ROOT))


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # fresh processes read compiled .pyc files, as installs have
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


@contextmanager
def bench_server(*, total: int = 5000, latency_ms: float = 0.0) -> Iterator[int]:
    """Start `bench/server.py` in its own process; yields its port."""
    process = subprocess.Popen(
        [
            sys.executable,
            str(BENCH_DIR / "server.py"),
            "--total",
            str(total),
            "--latency-ms",
            str(latency_ms),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"the bench server did not start: {line!r}")
        yield int(line.split()[1])
    finally:
        process.terminate()
        process.wait(timeout=10)


PEAK_RSS_CODE = (
    "\nimport sys as _s\n"
    "_s.stdout.write('\\nVMHWM ' + open('/proc/self/status').read().split('VmHWM:')[1].split()[0] + '\\n')\n"
)
"""Appended to a `python -c` program: prints the process's own peak RSS (kB) as its last line."""


def run_fresh(args: list[str], *, env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MiB, stdout) of one fresh interpreter run with `args`.

    The program must end by printing `VMHWM <kB>` (VmHWM from /proc/self/status: see PEAK_RSS_CODE).
    Not ru_maxrss from wait4, as bench/import_cost.py does: on Linux a child spawned with vfork (as
    subprocess does) inherits the parent's RSS high-water mark at exec, so wait4 reports at least the
    size of the benchmark process itself, whatever the child used.
    """
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, *args], stdout=subprocess.PIPE, env=env or child_env(), text=True
    )
    out, _ = process.communicate()
    elapsed = time.perf_counter() - start
    if process.returncode != 0:
        raise RuntimeError(f"benchmark child failed ({process.returncode}): {args!r}")
    lines = out.rstrip().splitlines()
    if not lines or not lines[-1].startswith("VMHWM "):
        raise RuntimeError(f"benchmark child did not report its peak RSS: {args!r}")
    return elapsed, int(lines[-1].split()[1]) / 1024, "\n".join(lines[:-1])


def median(values: list[float]) -> float:
    return statistics.median(values)


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        pass
    import httpx

    versions = [f"httpx {httpx.__version__}"]
    try:
        from importlib.metadata import version

        versions += [
            f"{name} {version(name)}" for name in ("atlassian-python-api", "requests", "anyio", "attrs")
        ]
    except Exception:
        pass
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "status", "--porcelain", "--", "bitbucket_client"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        commit = f"{head}{' + uncommitted changes in bitbucket_client/' if dirty else ''}"
    except OSError:
        commit = "unknown"
    return {
        "commit": commit,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": f"{platform.system()} {platform.release()} {platform.machine()}",
        "cpu": f"{cpu}, {os.cpu_count()} cores" + (f", {mem}" if mem else ""),
        "libraries": ", ".join(versions),
    }
