"""docs/sync.md: every example runs against the fakes and passes mypy --strict."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from bitbucket_client.testing import FakeBitbucketCloud, FakeBitbucketServer

GUIDE = ROOT / "docs" / "sync.md"


def blocks() -> dict[str, str]:
    found = re.findall(r"<!-- example: ([a-z]+) -->\n```python\n(.*?)```", GUIDE.read_text(), re.DOTALL)
    return dict(found)


def run_block(name: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": f"sync_guide_{name}"}  # not "__main__": no real Bitbucket
    exec(compile(blocks()[name], f"sync.md#{name}", "exec"), namespace)
    return namespace


def shop(**options: Any) -> FakeBitbucketCloud:
    fake = FakeBitbucketCloud(**options)
    fake.add_repository("acme", "shop")
    for title, author in (("Add a cart", "alice"), ("Fix the total", "bob"), ("Pay by card", "carol")):
        fake.add_pull_request("acme", "shop", title=title, author=author)
    return fake


def test_every_python_block_of_the_guide_is_named_and_tested() -> None:
    text = GUIDE.read_text()
    assert text.count("```python") == len(blocks()) == 5
    assert set(blocks()) == {"quickstart", "threads", "features", "atlassian", "testing"}


def test_the_quickstart() -> None:
    with shop().sync_client() as bb:
        lines = run_block("quickstart")["open_pull_requests"](bb)
    assert lines == [
        "#3 Pay by card by Carol",
        "#2 Fix the total by Bob",
        "#1 Add a cart by Alice",
        "first: Add a cart (OPEN)",
    ]


def test_threads_and_a_notebook_cell() -> None:
    namespace = run_block("threads")
    with shop().sync_client() as bb:
        assert namespace["titles"](bb, [3, 1, 2]) == ["Pay by card", "Add a cart", "Fix the total"]
        assert asyncio.run(namespace["notebook_cell"](bb)) == "acme/shop"


def test_lists_merges_and_raw_access() -> None:
    with shop(async_merge=True, page_size=2).sync_client() as bb:
        lines = run_block("features")["tour"](bb)
    assert lines == [
        "page 1: [3, 2]",
        "page 2: [1]",
        "merged #1: MERGED",
        "200 application/json Fix the total",
        "me: Fake User",
        "hurried: 2",
    ]


def test_the_fifteen_calls_coming_from_atlassian_python_api() -> None:
    fake = FakeBitbucketServer()
    fake.add_repository("SHOP", "cart", name="Cart")
    fake.add_repository("SHOP", "checkout")
    fake.add_branch("SHOP", "cart", "release/1.0")
    fake.add_branch("SHOP", "cart", "feature")
    fake.add_pull_request("SHOP", "cart", title="Old idea", source="idea")
    fake.add_pull_request("SHOP", "cart", title="Ready", source="ready")
    commit = fake.add_tag("SHOP", "cart", "v1.0")
    fake.add_build_status(commit, key="CI", url="https://ci.example.com/1")
    fake.add_webhook(
        "SHOP", "cart", url="https://deploy.example.com", events=["pr:merged"], description="Deploy"
    )
    fake.state.user("alice")
    with fake.sync_client() as dc, pytest.warns(DeprecationWarning, match="list_statuses_legacy"):
        lines = run_block("atlassian")["fifteen_calls"](dc, commit)
    assert lines == [
        "1 cart, checkout",
        "2 Cart",
        "3 #2, #1",
        "4 Old idea",
        "5 release/1.0",
        "6 v1.0",
        "7 1 commits",
        "8 CI=SUCCESSFUL",
        "9 #3 OPEN",
        "10 MERGED",
        "11 DECLINED",
        "12 Ship it",
        "13 Deploy",
        "14 CI ['repo:refs_changed']",
        "15 alice",
    ]


def test_the_testing_example() -> None:
    run_block("testing")["test_the_report_lists_open_pull_requests"]()


def test_the_guides_examples_type_check(tmp_path: Path) -> None:
    files = []
    for name, block in blocks().items():
        target = tmp_path / f"sync_guide_{name}.py"
        target.write_text(block)
        files.append(str(target))
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--config-file", "/dev/null", *files],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout
