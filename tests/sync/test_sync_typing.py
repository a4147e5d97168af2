"""mypy --strict on users' blocking code: a script calling many operations passes, and each mistake is
flagged on its line (typed exactly as the async methods, overloads of the merge included)."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT

TYPING = ROOT / "tests" / "typing"


def _mypy(*paths: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--config-file", "/dev/null", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_blocking_script_and_its_mistakes_type_check_as_expected() -> None:
    result = _mypy(str(TYPING / "sync_user_script.py"), str(TYPING / "sync_wrong_argument.py"))
    assert "sync_user_script.py" not in result.stdout, result.stdout
    flagged = {int(line) for line in re.findall(r"sync_wrong_argument\.py:(\d+): error", result.stdout)}
    assert flagged == {10, 11, 12, 13, 15, 17, 18, 19}, result.stdout
