"""`scripts/generate.py --check --report` on the real documents: complete, warning-free, up to date."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT, shared_spec_path


@pytest.fixture(scope="module")
def report() -> dict[str, dict[str, int]]:
    if not all(shared_spec_path(p).is_file() for p in ("cloud", "server")):
        pytest.skip("../shared/specs is not available")
    result = subprocess.run(
        [sys.executable, "scripts/generate.py", "--check", "--report"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"--check failed: the committed code is stale\n{result.stderr}"
    data: dict[str, dict[str, int]] = json.loads(result.stdout)
    return data


@pytest.mark.parametrize(("product", "operations"), [("cloud", 331), ("server", 546)])
def test_every_operation_is_generated_without_warnings(
    report: dict[str, dict[str, int]], product: str, operations: int
) -> None:
    entry = report[product]
    assert entry["operations_in_spec"] == operations
    assert entry["operations_generated"] == entry["operations_in_spec"]
    assert entry["warnings"] == 0


def test_the_typed_variants_are_generated_beside_their_operations(report: dict[str, dict[str, int]]) -> None:
    # specs/rules/cloud.json: source.get_file, get_file_meta, list_directory, and the two snippet
    # creations with files.
    assert (report["cloud"]["variants"], report["server"]["variants"]) == (5, 0)


def test_inline_schemas_are_hoisted_into_few_models(report: dict[str, dict[str, int]]) -> None:
    # Without hoisting, openapi-python-client writes 2,215 Data Center model modules.
    assert report["server"]["models"] < 600
    assert report["cloud"]["models"] < 400
