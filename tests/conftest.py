"""Shared test helpers: the generator package on sys.path, the upstream documents when present, the
Python examples of a guide, and mypy --strict on users' code."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
# The recipes under examples/ are programs, not a package: their tests (tests/recipes/) import them by name.
sys.path.insert(0, str(ROOT / "examples"))

SPEC_FILES = {"cloud": "bitbucket-cloud-2.0.json", "server": "bitbucket-datacenter-9.4.json"}


def python_blocks(path: Path) -> list[str]:
    """The Python blocks of a Markdown guide that run (not those marked `<!-- example: not run -->`)."""
    found = re.finditer(r"(<!-- example: not run -->\n)?```python\n(.*?)```", path.read_text(), flags=re.S)
    return [match.group(2) for match in found if not match.group(1)]


def mypy_strict(*files: str | Path) -> subprocess.CompletedProcess[str]:
    """mypy --strict on files as a user's project would check them: without the project's config."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--config-file",
            "/dev/null",
            *map(str, files),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def shared_spec_path(product: str) -> Path:
    return ROOT.parent / "shared" / "specs" / SPEC_FILES[product]


@pytest.fixture(scope="session")
def upstream_documents() -> dict[str, dict[str, Any]]:
    """The two official documents, read from ../shared/specs (skips when they are not beside the repo)."""
    docs = {}
    for product in SPEC_FILES:
        path = shared_spec_path(product)
        if not path.is_file():
            pytest.skip(f"{path} is not available")
        docs[product] = json.loads(path.read_text())
    return docs


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """Record the client's retry waits instead of sleeping them."""
    import bitbucket_client._base_client as client_module

    delays: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        delays.append(seconds)

    monkeypatch.setattr(client_module, "sleep", fake_sleep)
    yield delays


class CountingTransport(httpx.AsyncBaseTransport):
    """Wraps a transport (a fake), counting the requests in flight at once; each is held a moment so that
    concurrent ones overlap."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner, self.in_flight, self.most = inner, 0, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        try:
            await anyio.sleep(0.002)
            return await self.inner.handle_async_request(request)
        finally:
            self.in_flight -= 1


@pytest.fixture
def counting() -> type[CountingTransport]:
    """The class of a transport wrapper counting the most requests in flight at once."""
    return CountingTransport
