"""docs/recipes: a page per program of examples/, all in the index, quoting their program verbatim."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "docs" / "recipes"
PROGRAMS = sorted((ROOT / "examples").glob("*.py"))


def page_of(program: Path) -> Path:
    return PAGES / f"{program.stem.replace('_', '-')}.md"


def test_every_program_has_a_page_in_the_index() -> None:
    index = (PAGES / "README.md").read_text()
    assert PROGRAMS
    for program in PROGRAMS:
        assert page_of(program).is_file(), f"{program.name} has no page"
        assert f"]({page_of(program).name})" in index
        assert f"](../../examples/{program.name})" in index
        assert f"examples/{program.name}" in page_of(program).read_text()


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.name)
def test_pages_quote_their_program_verbatim(program: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", page_of(program).read_text(), flags=re.S)
    assert blocks, f"{page_of(program).name} shows no code"
    source = {line.strip() for line in program.read_text().splitlines()}
    for block in blocks:
        missing = [line for line in block.splitlines() if line.strip() and line.strip() not in source]
        assert missing == [], f"{page_of(program).name} shows lines {program.name} does not have"
