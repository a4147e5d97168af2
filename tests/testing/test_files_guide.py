"""docs/files-and-uploads.md: its examples run as written against the fakes, do what the guide says,
and type-check."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from bitbucket_client.testing import FakeBitbucketCloud, FakeBitbucketServer

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "files-and-uploads.md"
BLOCKS = ("read", "walk", "stream", "upload", "fakes")


def block(marker: str) -> str:
    found = re.search(
        rf"<!-- guide: {marker} -->\n```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.DOTALL
    )
    assert found is not None, f"no python block after <!-- guide: {marker} --> in {GUIDE}"
    return found.group(1)


def run(marker: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": f"guide_{marker}"}
    exec(compile(block(marker), f"{GUIDE.name}:{marker}", "exec"), namespace)
    return namespace


@pytest.fixture
def fakes() -> tuple[FakeBitbucketCloud, FakeBitbucketServer]:
    cloud, server = run("fakes")["seeded"]()
    assert isinstance(cloud, FakeBitbucketCloud) and isinstance(server, FakeBitbucketServer)
    return cloud, server


async def test_reading_a_file_at_a_tag(
    fakes: tuple[FakeBitbucketCloud, FakeBitbucketServer], capsys: pytest.CaptureFixture[str]
) -> None:
    cloud, server = fakes
    cloud.add_file("acme", "widgets", "docs/CHANGES.md", "# Changes\n\n1.1\n")  # main moves on; v1.0 stays
    examples = run("read")
    async with cloud.client() as bb:
        assert await examples["read_release_notes"](bb) == "# Changes\n\n1.0\n"
    async with server.client() as bb:
        assert await examples["read_on_data_center"](bb) == b"# Changes\n\n1.0\n"
    assert capsys.readouterr().out == "docs/CHANGES.md 15 text/markdown\n"
    assert "# docs/CHANGES.md 15 text/markdown" in block("read")


async def test_walking_a_folder(fakes: tuple[FakeBitbucketCloud, FakeBitbucketServer]) -> None:
    cloud, server = fakes
    examples = run("walk")
    async with cloud.client() as bb:
        assert await examples["markdown_files"](bb) == [
            "docs/CHANGES.md",
            "docs/OLD.md",
            "docs/guide/intro.md",
        ]
        assert await examples["top_level"](bb) == ["commit_directory: docs"]
    async with server.client() as bb:
        assert await examples["data_center_folder"](bb) == ["CHANGES.md"]


async def test_uploading_then_streaming_to_disk(
    fakes: tuple[FakeBitbucketCloud, FakeBitbucketServer], tmp_path: Path
) -> None:
    cloud, server = fakes
    uploads, streams = run("upload"), run("stream")
    artifact = tmp_path / "widgets-1.0.tar.gz"
    artifact.write_bytes(b"\x1f\x8b" + b"\0" * 2048)
    async with cloud.client() as bb:
        names = await uploads["publish"](bb, artifact)
        await uploads["commit_files"](bb)
        (tmp_path / "out").mkdir()
        fetched = await streams["fetch_artifact"](bb, tmp_path / "out")
    assert sorted(names) == ["CHECKSUMS.txt", "widgets-1.0.tar.gz"]
    assert fetched.read_bytes() == artifact.read_bytes()
    committed = cloud.files("acme", "widgets", "release/1.1")
    assert committed["docs/CHANGES.md"] == b"# Changes\n\n1.1: faster\n" and "docs/OLD.md" not in committed
    assert "docs/OLD.md" in cloud.files("acme", "widgets"), "main is untouched"

    head = server.repository("PRJ", "widgets").branches["main"]
    async with server.client() as bb:
        backup = await streams["backup"](bb, tmp_path)
        size = await streams["size_while_reading"](bb)
        whole = await bb.source.get_archive("PRJ", "widgets", format_="zip")
        await uploads["edit_on_data_center"](bb, head)
    assert zipfile.ZipFile(backup).namelist() == ["docs/CHANGES.md"], "the archive of v1.0"
    assert size == len(whole) and sorted(zipfile.ZipFile(io.BytesIO(whole)).namelist()) == [
        "README.md",
        "docs/CHANGES.md",
    ]
    assert server.files("PRJ", "widgets")["docs/CHANGES.md"] == b"# Changes\n"
    assert server.avatar("PRJ") == b"\x89PNG..."


def test_the_examples_type_check(tmp_path: Path) -> None:
    files = []
    for marker in BLOCKS:
        target = tmp_path / f"guide_{marker}.py"
        target.write_text(block(marker), encoding="utf-8")
        files.append(str(target))
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--config-file", "/dev/null", *files],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout
