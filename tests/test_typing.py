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


def test_a_model_has_no_catch_all_attribute_for_type_checkers() -> None:
    # Response models load nested fields through `__getattr__` at run time (`_lenient`); type checkers
    # must not see it, or any misspelt field would pass.
    result = _mypy(str(TYPING / "unknown_attribute.py"))
    assert result.returncode == 1
    assert re.findall(r"unknown_attribute\.py:(\d+): error", result.stdout) == ["9"], result.stdout
    assert 'has no attribute "titel"' in result.stdout
