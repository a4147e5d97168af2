"""docs/testing.md: its examples run, the files it shows are the files in docs/examples, and its list of
what the fakes implement is the fakes' own."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bitbucket_client.testing import FakeBitbucketCloud, FakeBitbucketServer

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "testing.md"


def guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def block_after(marker: str) -> str:
    """The fenced Python block right after an HTML comment marker in the guide."""
    found = re.search(re.escape(f"<!-- {marker} -->") + r"\n```python\n(.*?)```", guide(), re.DOTALL)
    assert found is not None, f"no python block after <!-- {marker} --> in {GUIDE}"
    return found.group(1)


def clean_environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("BITBUCKET_")}
    env["PYTHONIOENCODING"] = "utf-8"
    return env


@pytest.mark.parametrize("path", ["docs/examples/release_bot.py", "docs/examples/test_release_bot.py"])
def test_the_guide_shows_the_example_files_as_they_are(path: str) -> None:
    assert block_after(f"file: {path}") == (ROOT / path).read_text(encoding="utf-8")


def test_the_guides_example_tests_pass() -> None:
    """The user's-eye view: pytest on the example test file, which imports the example service."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "docs/examples/test_release_bot.py"],
        cwd=ROOT,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout


def test_the_first_look_example_prints_what_the_guide_says(tmp_path: Path) -> None:
    script = tmp_path / "first_look.py"
    script.write_text(block_after("example: first-look"), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)],
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["1 Add a cart OPEN", "pullrequests.list 200"]
    assert "prints `1 Add a cart OPEN`, then `pullrequests.list 200`" in guide()


def test_the_receiver_example_prints_what_the_guide_says(tmp_path: Path) -> None:
    script = tmp_path / "receiver.py"
    script.write_text(block_after("example: receiver"), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)], env=clean_environment(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["['repo:refs_changed'] [202]"]
    assert "prints `['repo:refs_changed'] [202]`" in guide()


def test_the_guide_lists_exactly_what_each_fake_implements() -> None:
    text = guide()
    cloud = text.split("<!-- operations: cloud -->", 1)[1].split("<!-- operations: server -->", 1)[0]
    server = text.split("<!-- operations: server -->", 1)[1].split("Everything else", 1)[0]
    names = re.compile(r"`([a-z_]+\.[a-z_]+)`")
    assert names.findall(cloud) == FakeBitbucketCloud().implemented_operations
    assert names.findall(server) == FakeBitbucketServer().implemented_operations
