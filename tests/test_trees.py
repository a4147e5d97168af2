"""fetch_tree (Cloud, walking src) and fetch_archive (Data Center, a streamed zip) against the fakes: the
folder holds what was committed, at one commit, with bounded concurrency, and nothing lands outside it."""

from __future__ import annotations

import io
import json
import stat
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from bitbucket_client import BitbucketCloud, BitbucketServer, NotFoundError, fetch_archive, fetch_tree
from bitbucket_client.testing import FakeBitbucketCloud, FakeBitbucketServer

TREE = {
    "README.md": b"# Shop\n",
    "docs/guide.md": b"Guide\n",
    "docs/deep/er/notes.txt": b"notes\n",
    "bin/run": b"#!/bin/sh\necho run\n",
    "assets/logo.png": bytes(range(256)) * 40,
    "my docs/a#b.md": b"odd name\n",
}


def on_disk(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def cloud() -> FakeBitbucketCloud:
    fake = FakeBitbucketCloud(page_size=2)  # several pages per folder
    fake.add_repository("acme", "shop")
    for path, content in TREE.items():
        fake.add_file("acme", "shop", path, content)
    fake.add_file("acme", "shop", "CHANGES.md", b"1.0\n", tag="v1.0")
    fake.add_file("acme", "shop", "CHANGES.md", b"1.1 unreleased\n")
    return fake


@pytest.fixture
def server() -> FakeBitbucketServer:
    fake = FakeBitbucketServer()
    fake.add_repository("PRJ", "shop")
    for path, content in TREE.items():
        fake.add_file("PRJ", "shop", path, content)
    fake.add_file("PRJ", "shop", "CHANGES.md", b"1.0\n", tag="v1.0")
    fake.add_file("PRJ", "shop", "CHANGES.md", b"1.1 unreleased\n")
    return fake


async def test_cloud_tree_at_a_tag_equals_what_was_committed(
    cloud: FakeBitbucketCloud, tmp_path: Path
) -> None:
    seen: list[tuple[str, int]] = []
    async with cloud.client() as bb:
        fetched = await fetch_tree(
            bb, "acme", "shop", "v1.0", tmp_path / "out", progress=lambda *p: seen.append(p)
        )
    expected = cloud.files("acme", "shop", "v1.0")
    assert on_disk(tmp_path / "out") == expected
    assert expected["CHANGES.md"] == b"1.0\n"
    assert fetched.files == tuple(sorted(expected))
    assert fetched.size == sum(len(content) for content in expected.values())
    assert sorted(seen) == sorted((path, len(content)) for path, content in expected.items())
    assert fetched.commit is not None
    assert fetched.commit in cloud.repository("acme", "shop").commits


async def test_cloud_walk_reads_one_commit_after_the_first_listing(
    cloud: FakeBitbucketCloud, tmp_path: Path
) -> None:
    async with cloud.client() as bb:
        fetched = await fetch_tree(bb, "acme", "shop", "main", tmp_path)
    assert fetched.commit is not None
    src = [r for r in cloud.requests if r.operation and r.operation.startswith("source.")]
    assert "/src/main/" in src[0].path
    assert all(f"/src/{fetched.commit}/" in r.path for r in src[1:]), [r.path for r in src]
    assert on_disk(tmp_path)["CHANGES.md"] == b"1.1 unreleased\n"


async def test_cloud_subfolder_lands_directly_in_the_folder(
    cloud: FakeBitbucketCloud, tmp_path: Path
) -> None:
    async with cloud.client() as bb:
        fetched = await fetch_tree(bb, "acme", "shop", "main", tmp_path, path="docs/")
    assert on_disk(tmp_path) == {"guide.md": b"Guide\n", "deep/er/notes.txt": b"notes\n"}
    assert fetched.files == ("deep/er/notes.txt", "guide.md")


@pytest.mark.parametrize("concurrency", [1, 3])
async def test_cloud_requests_in_flight_stay_within_the_bound(
    cloud: FakeBitbucketCloud, tmp_path: Path, concurrency: int, counting: Any
) -> None:
    transport = counting(cloud)
    async with BitbucketCloud("t", transport=transport) as bb:
        await fetch_tree(bb, "acme", "shop", "main", tmp_path, concurrency=concurrency)
    assert transport.most == concurrency
    assert on_disk(tmp_path) == cloud.files("acme", "shop", "main")


def rewriting(fake: FakeBitbucketCloud, change: Callable[[dict[str, Any]], None]) -> httpx.MockTransport:
    """The fake, with each src listing entry passed through `change` (a server sending odd entries)."""

    async def handle(request: httpx.Request) -> httpx.Response:
        response = await fake.handle(request)
        if "/src/" in request.url.path and response.headers.get("content-type", "").startswith(
            "application/json"
        ):
            body = json.loads(response.content)
            for entry in body.get("values", []):
                change(entry)
            return httpx.Response(response.status_code, json=body)
        return response

    return httpx.MockTransport(handle)


async def test_cloud_links_and_submodules_are_skipped_and_executables_kept(
    cloud: FakeBitbucketCloud, tmp_path: Path
) -> None:
    def attributes(entry: dict[str, Any]) -> None:
        entry["attributes"] = {
            "bin/run": ["executable"],
            "README.md": ["link"],
            "docs/guide.md": ["subrepository"],
        }.get(entry["path"], [])

    async with BitbucketCloud("t", transport=rewriting(cloud, attributes)) as bb:
        fetched = await fetch_tree(bb, "acme", "shop", "main", tmp_path)
    assert fetched.skipped == ("README.md: a symbolic link", "docs/guide.md: a submodule")
    assert not (tmp_path / "README.md").exists() and not (tmp_path / "docs/guide.md").exists()
    assert (tmp_path / "bin/run").stat().st_mode & stat.S_IXUSR
    assert not (tmp_path / "CHANGES.md").stat().st_mode & stat.S_IXUSR


async def test_cloud_entry_leaving_the_folder_is_refused(cloud: FakeBitbucketCloud, tmp_path: Path) -> None:
    def escape(entry: dict[str, Any]) -> None:
        if entry["path"] == "README.md":
            entry["path"] = "../escaped.md"

    async with BitbucketCloud("t", transport=rewriting(cloud, escape)) as bb:
        with pytest.raises(ValueError, match="not a plain path inside"):
            await fetch_tree(bb, "acme", "shop", "main", tmp_path / "out")
    assert not (tmp_path / "escaped.md").exists()


async def test_an_empty_repository_gives_an_empty_folder(tmp_path: Path) -> None:
    fake = FakeBitbucketCloud()
    fake.add_repository("acme", "empty")
    async with fake.client() as bb:
        fetched = await fetch_tree(bb, "acme", "empty", "main", tmp_path / "out")
    assert (fetched.files, fetched.commit, fetched.size) == ((), None, 0)
    assert list((tmp_path / "out").iterdir()) == []


async def test_a_missing_ref_raises_not_found(cloud: FakeBitbucketCloud, tmp_path: Path) -> None:
    async with cloud.client() as bb:
        with pytest.raises(NotFoundError):
            await fetch_tree(bb, "acme", "shop", "no-such-branch", tmp_path)


async def test_a_symbolic_link_already_in_the_folder_is_not_followed(
    cloud: FakeBitbucketCloud, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "docs").symlink_to(outside)
    async with cloud.client() as bb:
        with pytest.raises(ValueError, match="leads outside it"):
            await fetch_tree(bb, "acme", "shop", "main", tmp_path / "out", concurrency=1)
    assert list(outside.iterdir()) == []


async def test_archive_progress_is_reported_in_the_event_loop_thread(
    server: FakeBitbucketServer, tmp_path: Path
) -> None:
    threads: set[int] = set()
    async with server.client() as bb:
        await fetch_archive(
            bb, "PRJ", "shop", "main", tmp_path, progress=lambda *_: threads.add(threading.get_ident())
        )
    assert threads == {threading.get_ident()}


async def test_concurrency_must_be_positive(cloud: FakeBitbucketCloud, tmp_path: Path) -> None:
    async with cloud.client() as bb:
        with pytest.raises(ValueError, match="at least 1"):
            await fetch_tree(bb, "acme", "shop", "main", tmp_path, concurrency=0)


async def test_data_center_archive_at_a_tag_equals_what_was_committed(
    server: FakeBitbucketServer, tmp_path: Path
) -> None:
    seen: list[str] = []
    async with server.client() as bb:
        fetched = await fetch_archive(
            bb, "PRJ", "shop", "refs/tags/v1.0", tmp_path / "out", progress=lambda path, _: seen.append(path)
        )
    expected = server.files("PRJ", "shop", "v1.0")
    assert on_disk(tmp_path / "out") == expected
    assert fetched.files == tuple(sorted(expected)) == tuple(sorted(seen))
    assert fetched.commit is None
    assert [p.name for p in tmp_path.iterdir()] == ["out"], "the archive is removed after extraction"
    archive = server.requests_for("source.get_archive")[0]
    assert archive.params["at"] == "refs/tags/v1.0" and archive.params["format"] == "zip"


async def test_data_center_subfolder_at_a_commit(server: FakeBitbucketServer, tmp_path: Path) -> None:
    head = server.repository("PRJ", "shop").branches["main"]
    async with server.client() as bb:
        fetched = await fetch_archive(bb, "PRJ", "shop", head, tmp_path, path="/docs/")
    assert on_disk(tmp_path) == {"guide.md": b"Guide\n", "deep/er/notes.txt": b"notes\n"}
    assert fetched.commit == head


def zip_answer(entries: list[tuple[str, bytes, int]]) -> httpx.MockTransport:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content, mode in entries:
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            archive.writestr(info, content)
    return httpx.MockTransport(lambda request: httpx.Response(200, content=buffer.getvalue()))


async def test_data_center_archive_modes_links_and_escapes(tmp_path: Path) -> None:
    entries = [
        ("bin/run", b"#!/bin/sh\n", stat.S_IFREG | 0o755),
        ("link", b"/etc/passwd", stat.S_IFLNK | 0o777),
        ("plain.txt", b"x", stat.S_IFREG | 0o644),
    ]
    async with BitbucketServer("https://git.example.com", "t", transport=zip_answer(entries)) as bb:
        fetched = await fetch_archive(bb, "PRJ", "shop", "main", tmp_path / "out")
    assert fetched.skipped == ("link: a symbolic link",)
    assert on_disk(tmp_path / "out") == {"bin/run": b"#!/bin/sh\n", "plain.txt": b"x"}
    assert (tmp_path / "out/bin/run").stat().st_mode & stat.S_IXUSR
    assert not (tmp_path / "out/plain.txt").stat().st_mode & stat.S_IXUSR

    evil = [("../escaped.txt", b"x", stat.S_IFREG | 0o644)]
    async with BitbucketServer("https://git.example.com", "t", transport=zip_answer(evil)) as bb:
        with pytest.raises(ValueError, match="not a plain path inside"):
            await fetch_archive(bb, "PRJ", "shop", "main", tmp_path / "evil")
    assert not (tmp_path / "escaped.txt").exists()


def test_the_blocking_forms_for_the_synchronous_clients(
    cloud: FakeBitbucketCloud, server: FakeBitbucketServer, tmp_path: Path
) -> None:
    from bitbucket_client import sync

    seen: list[str] = []
    with cloud.sync_client() as bb:
        fetched = sync.fetch_tree(
            bb, "acme", "shop", "v1.0", tmp_path / "c", progress=lambda p, _: seen.append(p)
        )
    assert on_disk(tmp_path / "c") == cloud.files("acme", "shop", "v1.0")
    assert sorted(seen) == list(fetched.files)
    with server.sync_client() as bs:
        sync.fetch_archive(bs, "PRJ", "shop", "refs/tags/v1.0", tmp_path / "s", path="docs")
        with pytest.raises(TypeError, match=r"needs a sync\.BitbucketCloud"):
            sync.fetch_tree(bs, "PRJ", "shop", "main", tmp_path)  # type: ignore[arg-type]
    assert on_disk(tmp_path / "s") == {"guide.md": b"Guide\n", "deep/er/notes.txt": b"notes\n"}
