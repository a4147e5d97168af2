"""Events narrow properly for type checkers: mypy --strict on a sample of user code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = Path(__file__).resolve().parent / "webhook_typing_sample.py"

# Each revealed type as the set of its union members' short names (module paths are the generator's
# business, and mypy may order a union differently).
EXPECTED = {
    "R1": {"list[PushChange]"},
    "R2": {"Branch", "Tag", "AnyRef", "None"},
    "R3": {"str", "Unset"},
    "R4": {"str", "Unset"},
    "R5": {"bool", "Unset"},
    "R6": {"RestPullRequest", "Unset"},
    "R7": {"RestRepository", "Unset"},
    "R8": {"int", "Unset"},
    "R9": {"Account", "Unset"},
    "R10": {"int", "None"},
    "R11": {"WebhookEvent"},
}


def short(revealed: str) -> set[str]:
    return {re.sub(r"[\w.]*\.(\w+)", r"\1", member) for member in revealed.split(" | ")}


def test_match_and_isinstance_give_typed_attributes() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", str(SAMPLE)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    revealed: dict[str, set[str]] = {}
    problems: list[str] = []
    lines = SAMPLE.read_text().splitlines()
    for line in result.stdout.splitlines():
        match = re.match(r".*?:(\d+): note: Revealed type is \"(.*)\"$", line)
        if match:
            marker = re.search(r"# (R\d+)", lines[int(match.group(1)) - 1])
            assert marker is not None, line
            revealed[marker.group(1)] = short(match.group(2))
        elif ": error:" in line:
            problems.append(line)
    assert problems == [], "\n".join(problems) + result.stderr
    assert revealed == EXPECTED
