"""Shared test helpers: the generator package on sys.path, and the upstream documents when present."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

SPEC_FILES = {"cloud": "bitbucket-cloud-2.0.json", "server": "bitbucket-datacenter-9.4.json"}


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
