"""Session fixtures of the contract suite: Prism, installed from this folder's lockfile, serving each
official document on a free loopback port.

Prism is installed with `npm ci` into `tests/contract/node_modules` (never globally) when that folder is
missing or was installed from another lockfile. Each product gets one Prism process per session, serving
a copy of the upstream document written to a temporary folder (see `served_document`); the process is
stopped by its PID at the end of the session. The whole suite is skipped, with the reason, when `node`
or `npm` is not installed or the documents are not beside the repository.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from .documents import PRODUCTS, load_document, served_document, spec_path
from .report import RESULTS, summary_lines, write_json

HERE = Path(__file__).resolve().parent
PRISM_BIN = HERE / "node_modules" / ".bin" / "prism"
STARTUP_TIMEOUT = 90.0


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not RESULTS:
        return
    if os.environ.get("CONTRACT_REPORT"):
        write_json(Path(os.environ["CONTRACT_REPORT"]))
    terminalreporter.section("contract summary (Prism)")
    for line in summary_lines():
        terminalreporter.write_line(line)


def _installed_from_lock() -> bool:
    """Whether node_modules holds exactly the versions package-lock.json pins (what `npm ci` makes)."""
    lock = json.loads((HERE / "package-lock.json").read_text())
    for location, entry in lock.get("packages", {}).items():
        if not location or "version" not in entry:
            continue
        manifest = HERE / location / "package.json"
        if not manifest.is_file():
            if entry.get("optional"):
                continue  # another platform's optional dependency (fsevents), which npm skips
            return False
        if json.loads(manifest.read_text()).get("version") != entry["version"]:
            return False
    return PRISM_BIN.exists()


def _install_prism() -> None:
    """`npm ci` into this folder unless node_modules already matches the lockfile."""
    if _installed_from_lock():
        return
    npm = shutil.which("npm")
    assert npm is not None
    result = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0 or not _installed_from_lock():
        pytest.fail(f"npm ci in {HERE} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrismProcess:
    """One `prism mock` process serving one document."""

    def __init__(self, product: str, document: Path, log: Path) -> None:
        self.product = product
        self.port = _free_port()
        self.log = log
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(
            [str(PRISM_BIN), "mock", str(document), "-p", str(self.port), "-h", "127.0.0.1"],
            cwd=HERE,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def wait_ready(self, deadline: float) -> None:
        """Poll the port until Prism answers HTTP (any status)."""
        while True:
            if self.process.poll() is not None:
                pytest.fail(
                    f"Prism ({self.product}) exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            with contextlib.suppress(httpx.TransportError):
                httpx.get(f"{self.root}/__contract_ready__", timeout=1.0)
                return
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"Prism ({self.product}) did not listen within {STARTUP_TIMEOUT}s")
            time.sleep(0.1)

    def stop(self) -> None:
        """Stop the process by its PID: SIGTERM, then SIGKILL if it lingers."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log_file.close()


@pytest.fixture(scope="session")
def prism(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, PrismProcess]]:
    """Both Prism servers, started together (the test asks for the one of its product)."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"contract tests need Node.js and npm to run Prism; not found: {', '.join(missing)}")
    for product in PRODUCTS:
        if load_document(product) is None:
            pytest.skip(f"the official {product} document is not available ({spec_path(product)})")
    _install_prism()
    folder = tmp_path_factory.mktemp("prism")
    servers: dict[str, PrismProcess] = {}
    try:
        for product in PRODUCTS:
            path = folder / f"{product}.json"
            path.write_text(json.dumps(served_document(product)))
            servers[product] = PrismProcess(product, path, folder / f"{product}.log")
        deadline = time.monotonic() + STARTUP_TIMEOUT
        for server in servers.values():
            server.wait_ready(deadline)
        yield servers
    finally:
        for server in servers.values():
            server.stop()
