"""mypy --strict on users' code: a correct script passes and mistakes are flagged where they are."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT

TYPING = ROOT / "tests" / "typing"


def _mypy(path: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--config-file", "/dev/null", path],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_user_script_calling_the_facade_type_checks() -> None:
    result = _mypy(str(TYPING / "user_script.py"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_wrong_arguments_are_flagged() -> None:
    result = _mypy(str(TYPING / "wrong_argument.py"))
    assert result.returncode == 1
    flagged = {int(line) for line in re.findall(r"wrong_argument\.py:(\d+): error", result.stdout)}
    assert flagged == {10, 11, 12}, result.stdout
