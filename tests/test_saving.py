"""`_saving` and `save_to=`: a file answer streamed into a file, never held whole, and never left half
written."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import respx

from bitbucket_client import APIConnectionError, BitbucketCloud, BitbucketServer

CLOUD = "https://api.bitbucket.org/2.0"
DC = "https://bb.example.com"
ARCHIVE = f"{DC}/rest/api/latest/projects/P/repos/r/archive"


class _Chunks(httpx.AsyncByteStream):
    """A body sent in chunks, optionally failing after some of them (a connection lost mid-body)."""

    def __init__(self, chunks: list[bytes], fail_after: int | None = None) -> None:
        self.chunks, self.fail_after, self.sent = chunks, fail_after, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for index, chunk in enumerate(self.chunks):
            if self.fail_after is not None and index >= self.fail_after:
                raise httpx.ReadError("connection reset by peer")
            self.sent += 1
            yield chunk


@respx.mock
async def test_an_archive_is_streamed_into_the_file(tmp_path: Path) -> None:
    stream = _Chunks([b"a" * 65_536] * 16)
    respx.get(ARCHIVE).respond(stream=stream, headers={"Content-Type": "application/zip"})
    target = tmp_path / "r.zip"
    async with BitbucketServer(DC, "T") as bb:
        written = await bb.source.get_archive("P", "r", format_="zip", save_to=target)
    assert written == target and target.stat().st_size == 16 * 65_536
    assert stream.sent == 16
    assert [p.name for p in tmp_path.iterdir()] == ["r.zip"], "no temporary file is left behind"


@respx.mock
async def test_a_broken_download_leaves_the_old_file_and_no_part(tmp_path: Path) -> None:
    respx.get(ARCHIVE).respond(stream=_Chunks([b"new"] * 4, fail_after=2))
    target = tmp_path / "r.zip"
    target.write_bytes(b"old archive")
    async with BitbucketServer(DC, "T") as bb:
        with pytest.raises(APIConnectionError, match="connection reset"):
            await bb.source.get_archive("P", "r", save_to=str(target))
    assert target.read_bytes() == b"old archive"
    assert [p.name for p in tmp_path.iterdir()] == ["r.zip"]


@respx.mock
async def test_a_download_behind_a_redirect_is_saved(tmp_path: Path) -> None:
    respx.get(f"{CLOUD}/repositories/ws/repo/downloads/app.zip").respond(
        302, headers={"Location": "https://storage.example.com/app.zip?sig=1"}
    )
    respx.get("https://storage.example.com/app.zip").respond(content=b"PK\x03\x04")
    async with BitbucketCloud("T") as bb:
        path = await bb.downloads.get("ws", "repo", "app.zip", save_to=tmp_path / "app.zip")
    assert path.read_bytes() == b"PK\x03\x04"


@respx.mock
async def test_text_answers_are_saved_as_sent(tmp_path: Path) -> None:
    diff = "diff --git a/é b/é\n".encode()
    respx.get(f"{CLOUD}/repositories/ws/repo/diff/a..b").respond(
        content=diff, headers={"Content-Type": "text/plain"}
    )
    async with BitbucketCloud("T") as bb:
        assert await bb.commits.get_diff("ws", "repo", "a..b") == diff.decode()
        path = await bb.commits.get_diff("ws", "repo", "a..b", save_to=tmp_path / "change.diff")
    assert path.read_bytes() == diff


@respx.mock
async def test_the_raw_view_gives_the_response_and_the_path(tmp_path: Path) -> None:
    respx.get(f"{CLOUD}/repositories/ws/repo/src/main/logo.png").respond(
        content=b"\x89PNG", headers={"Content-Type": "image/png"}
    )
    async with BitbucketCloud("T") as bb:
        response = await bb.with_raw_response.source.get_file(
            "ws", "repo", "main", "logo.png", save_to=tmp_path / "l.png"
        )
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert response.parsed == tmp_path / "l.png" and response.content == b""


async def test_save_to_must_be_a_file_path(tmp_path: Path) -> None:
    async with BitbucketCloud(
        "T", transport=httpx.MockTransport(lambda r: httpx.Response(200, content=b"x"))
    ) as bb:
        with pytest.raises(TypeError, match="save_to must be a path"):
            await bb.source.get_file("ws", "repo", "main", "a", save_to=3)  # type: ignore[call-overload]
        with pytest.raises(IsADirectoryError, match="is a folder"):
            await bb.source.get_file("ws", "repo", "main", "a", save_to=tmp_path)
        with pytest.raises(FileNotFoundError, match=r"the folder .* does not exist"):
            await bb.source.get_file("ws", "repo", "main", "a", save_to=tmp_path / "missing" / "a")


@respx.mock
async def test_an_error_answer_is_raised_and_writes_nothing(tmp_path: Path) -> None:
    from bitbucket_client import NotFoundError

    respx.get(f"{CLOUD}/repositories/ws/repo/src/main/gone.txt").respond(
        404, json={"type": "error", "error": {"message": "No such file or directory: gone.txt"}}
    )
    async with BitbucketCloud("T") as bb:
        with pytest.raises(NotFoundError, match="No such file"):
            await bb.source.get_file("ws", "repo", "main", "gone.txt", save_to=tmp_path / "gone.txt")
    assert list(tmp_path.iterdir()) == []
