"""mypy --strict on the raw view: exact types, and mistakes flagged where they are."""

from __future__ import annotations

import re

from conftest import ROOT, mypy_strict


def test_the_raw_view_is_typed_like_its_methods() -> None:
    script = ROOT / "tests" / "typing" / "raw_view.py"
    result = mypy_strict(script)
    flagged = {int(line) for line in re.findall(r"raw_view\.py:(\d+): error", result.stdout)}
    assert flagged == {25, 26, 27}, result.stdout
