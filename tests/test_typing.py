"""mypy --strict on users' code: a correct script passes and mistakes are flagged where they are."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT, mypy_strict

TYPING = ROOT / "tests" / "typing"


@pytest.mark.parametrize("script", ["user_script.py", "bodies.py"])
def test_users_scripts_type_check(script: str) -> None:
    """The facade as users call it; `bodies.py`: bodies as dicts at every depth, dict forms and models."""
    result = mypy_strict(TYPING / script)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("script", "lines"),
    [
        ("wrong_argument.py", {10, 11, 12}),
        # a misspelled key (top, nested), a missing title, a wrong type, a server-set field, body= with
        # fields, an abstract pipeline target type
        ("wrong_body.py", {11, 12, 13, 14, 15, 16, 17}),
    ],
)
def test_mistakes_are_flagged_where_they_are(script: str, lines: set[int]) -> None:
    result = mypy_strict(TYPING / script)
    assert result.returncode == 1
    flagged = {int(line) for line in re.findall(rf"{re.escape(script)}:(\d+): error", result.stdout)}
    assert flagged == lines, result.stdout


def test_a_model_has_no_catch_all_attribute_for_type_checkers() -> None:
    # Response models load nested fields through `__getattr__` at run time (`_lenient`); type checkers
    # must not see it, or any misspelt field would pass.
    result = mypy_strict(TYPING / "unknown_attribute.py")
    assert result.returncode == 1
    assert re.findall(r"unknown_attribute\.py:(\d+): error", result.stdout) == ["9"], result.stdout
    assert 'has no attribute "titel"' in result.stdout
