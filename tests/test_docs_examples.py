"""Every Python example in README.md and docs/ runs (against a mocked Bitbucket) and type-checks."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from conftest import ROOT, mypy_strict, python_blocks

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Guides whose examples are run by their own tests (with a real ASGI client, or against the fakes).
SEPARATELY_TESTED = {"webhooks.md", "testing.md", "files-and-uploads.md", "writing.md", "sync.md"}
DOCS = [path for path in DOCS if path.name not in SEPARATELY_TESTED]
SKIP_MARK = "<!-- example: not run -->"


EXAMPLES = [(path, index, block) for path in DOCS for index, block in enumerate(python_blocks(path))]


def _cloud_pr(number: int) -> dict[str, Any]:
    return {"type": "pullrequest", "id": number, "title": f"PR {number}", "state": "OPEN"}


def fake_bitbucket(request: httpx.Request) -> httpx.Response:
    """A small stand-in for both products: enough for the documentation examples."""
    path, url = request.url.path, request.url
    if url.host == "bitbucket.org":
        return httpx.Response(200, json={"access_token": "A", "refresh_token": "R", "expires_in": 7200})
    if path.endswith("/merge"):
        return httpx.Response(200, json={"id": 7, "state": "MERGED", "version": 4})
    if re.search(r"/pullrequests$", path):
        if url.params.get("page") == "2":
            return httpx.Response(200, json={"values": [_cloud_pr(3)], "page": 2, "pagelen": 2, "size": 3})
        nxt = str(url.copy_merge_params({"page": "2"}))
        return httpx.Response(
            200,
            json={"values": [_cloud_pr(1), _cloud_pr(2)], "page": 1, "pagelen": 2, "size": 3, "next": nxt},
        )
    if re.search(r"/pullrequests/\d+$", path):
        return httpx.Response(200, json=_cloud_pr(int(path.rsplit("/", 1)[1])))
    if path.endswith("/2.0/user"):
        return httpx.Response(200, json={"type": "user", "display_name": "Ada"})
    if path.endswith("/src") and request.method == "POST":
        assert b'name="docs/notes.md"' in request.read(), "the file goes as a form field named by its path"
        return httpx.Response(201)
    if "/src/" in path:
        return httpx.Response(200, content=b"# README\n")
    if path.endswith("/refs/branches"):
        return httpx.Response(200, json={"values": [{"name": "fix"}]})
    if path.endswith("/rest/api/latest/projects"):
        return httpx.Response(200, json={"values": [{"key": "PROJ"}], "isLastPage": True, "start": 0})
    if re.search(r"/rest/api/latest/projects/[^/]+$", path):
        return httpx.Response(200, json={"key": "PROJ"})
    if path.endswith("/repos"):
        return httpx.Response(200, json={"values": [{"slug": "repo"}], "isLastPage": True, "start": 0})
    return httpx.Response(404, json={"type": "error", "error": {"message": f"no example data for {path}"}})


@pytest.mark.parametrize(
    ("path", "index", "block"), EXAMPLES, ids=[f"{p.relative_to(ROOT)}#{i}" for p, i, _ in EXAMPLES]
)
async def test_documentation_example_runs(path: Path, index: int, block: str) -> None:
    namespace: dict[str, Any] = {"__name__": f"doc_example_{index}"}
    exec(compile(block, f"{path.name}#{index}", "exec"), namespace)
    functions = [
        value
        for name, value in namespace.items()
        if callable(value)
        and getattr(value, "__module__", None) == namespace["__name__"]
        and getattr(value, "__code__", None) is not None
        and value.__code__.co_argcount == 0
        and value.__code__.co_flags & 0x80
    ]  # coroutine functions taking no arguments
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as router:
        router.route().mock(side_effect=fake_bitbucket)
        for function in functions:
            await function()


def test_documentation_examples_type_check(tmp_path: Path) -> None:
    files = []
    for path, index, block in EXAMPLES:
        target = tmp_path / f"{path.stem.replace('-', '_')}_{index}.py"
        target.write_text(textwrap.dedent(block))
        files.append(str(target))
    result = mypy_strict(*files)
    assert result.returncode == 0, result.stdout
