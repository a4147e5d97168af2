"""mypy --strict on the raw view: exact types, and mistakes flagged where they are."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT


def test_the_raw_view_is_typed_like_its_methods() -> None:
    script = ROOT / "tests" / "typing" / "raw_view.py"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--config-file",
            "/dev/null",
            str(script),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    flagged = {int(line) for line in re.findall(r"raw_view\.py:(\d+): error", result.stdout)}
    assert flagged == {25, 26, 27}, result.stdout
