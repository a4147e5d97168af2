"""A repository's files at a branch, tag or commit, written into a local folder, without git.

* :func:`fetch_tree` (Cloud) walks ``src`` folder by folder and downloads the files, a bounded number at
  a time. It reads everything at the commit the ref pointed to when the walk started, so a push during
  the walk cannot mix two versions.
* :func:`fetch_archive` (Data Center) streams the repository's zip archive to disk, then extracts it.

Both refuse any entry that would land outside the folder (``..``, absolute paths), do not create
symbolic links (they are listed in ``skipped``), keep the executable bit, and call ``progress`` after
each file. Files already in the folder are replaced; files the tree does not have are left alone.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import anyio
import attrs

from ._types import UNSET

if TYPE_CHECKING:
    from bitbucket_client.cloud.models import Treeentry

    from ._client import BitbucketCloud, BitbucketServer

__all__ = ["FetchProgress", "FetchedTree", "fetch_archive", "fetch_tree"]

FetchProgress = Callable[[str, int], None]
"""Called after each file is written, with its path (relative to the folder) and its size in bytes, in the
event loop's thread."""


@attrs.frozen
class FetchedTree:
    """What :func:`fetch_tree` or :func:`fetch_archive` wrote."""

    folder: Path
    """The folder the files were written into."""
    commit: str | None
    """The commit the files come from (Cloud: the one the ref pointed to when the walk started; Data
    Center: ``None`` unless the ref was a commit hash). ``None`` too for an empty folder."""
    files: tuple[str, ...]
    """The files written, as paths relative to ``folder`` with ``/`` separators, sorted."""
    size: int
    """The bytes written in all."""
    skipped: tuple[str, ...] = ()
    """Entries not written, each ``"<path>: <why>"`` (symbolic links, submodules)."""


async def fetch_tree(
    bb: BitbucketCloud,
    workspace: str,
    repo_slug: str,
    ref: str,
    folder: str | os.PathLike[str],
    *,
    path: str = "",
    concurrency: int = 8,
    progress: FetchProgress | None = None,
) -> FetchedTree:
    """Write the files of a Cloud repository at ``ref`` (a branch, tag or commit) into ``folder``.

    ``path`` fetches one folder of the repository instead of the whole tree; its files land directly in
    ``folder`` (``path="docs"`` writes ``docs/guide.md`` as ``folder/guide.md``). At most
    ``concurrency`` requests are in flight at once. Each file is streamed to disk (``save_to=``).
    """
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    written = _Written(Path(folder), progress)
    limiter = anyio.CapacityLimiter(concurrency)
    await _CloudWalk(bb, workspace, repo_slug, path.strip("/"), limiter, written).run(ref)
    return written.result()


@attrs.define
class _Written:
    """What has been written so far, and the progress calls."""

    folder: Path
    progress: FetchProgress | None
    commit: str | None = None
    files: dict[str, int] = attrs.Factory(dict)
    skipped: list[str] = attrs.Factory(list)

    def add(self, relative: str, size: int) -> None:
        self.files[relative] = size
        if self.progress is not None:
            self.progress(relative, size)

    def result(self) -> FetchedTree:
        return FetchedTree(
            folder=self.folder,
            commit=self.commit,
            files=tuple(sorted(self.files)),
            size=sum(self.files.values()),
            skipped=tuple(sorted(self.skipped)),
        )


@attrs.define
class _CloudWalk:
    bb: BitbucketCloud
    workspace: str
    repo_slug: str
    root: str
    limiter: anyio.CapacityLimiter
    written: _Written

    async def run(self, ref: str) -> None:
        self.written.folder.mkdir(parents=True, exist_ok=True)
        # One small page names the commit the ref points to; every later request names that commit, so
        # a push during the walk cannot mix two versions of the tree.
        first = self.bb.source.list_directory(
            self.workspace, self.repo_slug, ref, self.root, page_size=1, max_items=1
        )
        async for entry in first:
            if entry.commit is not UNSET and isinstance(entry.commit.hash_, str):
                self.written.commit = entry.commit.hash_
        if self.written.commit is None:
            return  # an empty folder
        try:
            async with anyio.create_task_group() as group:
                await self._walk(group, self.written.commit, self.root)
        except ExceptionGroup as failed:
            # The first failure cancels the rest: raise it as itself (a NotFoundError, a ValueError, ...).
            cause: BaseException = failed.exceptions[0]
            while isinstance(cause, BaseExceptionGroup):
                cause = cause.exceptions[0]
            raise cause from None

    async def _walk(self, group: anyio.abc.TaskGroup, commit: str, path: str) -> None:
        async with self.limiter:
            listing = self.bb.source.list_directory(self.workspace, self.repo_slug, commit, path)
            entries = [entry async for entry in listing]
        for entry in entries:
            if not isinstance(entry.path, str) or not entry.path:
                continue
            if entry.type_ == "commit_directory":
                group.start_soon(self._walk, group, commit, entry.path)
            elif entry.type_ == "commit_file":
                self._file(group, commit, entry)

    def _file(self, group: anyio.abc.TaskGroup, revision: str, entry: Treeentry) -> None:
        assert isinstance(entry.path, str)
        attributes = {str(attribute) for attribute in entry.attributes or []}
        relative = _relative(entry.path, self.root)
        if "link" in attributes:
            self.written.skipped.append(f"{relative}: a symbolic link")
        elif "subrepository" in attributes:
            self.written.skipped.append(f"{relative}: a submodule")
        else:
            group.start_soon(self._download, revision, entry.path, relative, "executable" in attributes)

    async def _download(self, revision: str, path: str, relative: str, executable: bool) -> None:
        target = _inside(self.written.folder, relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        async with self.limiter:
            await self.bb.source.get_file(self.workspace, self.repo_slug, revision, path, save_to=target)
        if executable:
            target.chmod(target.stat().st_mode | 0o111)
        self.written.add(relative, target.stat().st_size)


async def fetch_archive(
    bb: BitbucketServer,
    project_key: str,
    repository_slug: str,
    ref: str,
    folder: str | os.PathLike[str],
    *,
    path: str | None = None,
    progress: FetchProgress | None = None,
) -> FetchedTree:
    """Write the files of a Data Center repository at ``ref`` (a branch, tag or commit) into ``folder``.

    The zip archive is streamed into a temporary file next to ``folder`` (never held in memory), then
    extracted. ``path`` fetches one folder of the repository; its files land directly in ``folder``.
    """
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    root = (path or "").strip("/")
    with tempfile.TemporaryDirectory(prefix=".bitbucket-archive-", dir=target.parent) as scratch:
        archive = await bb.source.get_archive(
            project_key,
            repository_slug,
            at=ref,
            format_="zip",
            path=root or UNSET,
            save_to=Path(scratch) / "archive.zip",
        )
        # Extraction blocks, so it runs in a worker thread; progress is reported back in the loop's thread.
        report = None if progress is None else _from_thread(progress)
        written = _Written(target, report, commit=ref if _is_hash(ref) else None)
        await anyio.to_thread.run_sync(_extract, archive, root, written)
    return written.result()


def _extract(archive: Path, root: str, written: _Written) -> None:
    with zipfile.ZipFile(archive) as opened:
        for info in opened.infolist():
            if info.is_dir():
                continue
            relative = _relative(info.filename, root)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                written.skipped.append(f"{relative}: a symbolic link")
                continue
            target = _inside(written.folder, relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            with opened.open(info) as source, target.open("wb") as sink:
                shutil.copyfileobj(source, sink)
            if mode & 0o111:
                target.chmod(target.stat().st_mode | 0o111)
            written.add(relative, info.file_size)


def _from_thread(progress: FetchProgress) -> FetchProgress:
    def report(path: str, size: int) -> None:
        anyio.from_thread.run_sync(progress, path, size)

    return report


def _relative(path: str, root: str) -> str:
    """``path`` relative to the fetched folder ``root`` (both from the repository's root)."""
    if root and path.startswith(root + "/"):
        return path[len(root) + 1 :]
    return path


def _inside(folder: Path, relative: str) -> Path:
    """Where ``relative`` goes in ``folder``; a path that would leave it is a server fault, refused."""
    parts = PurePosixPath(relative).parts
    if (
        not parts
        or relative.startswith("/")
        or "\\" in relative
        or any(part in ("..", ".") for part in parts)
    ):
        raise ValueError(f"refusing to write {relative!r}: it is not a plain path inside {folder}")
    target = folder.joinpath(*parts)
    if not target.resolve().is_relative_to(folder.resolve()):  # a symbolic link already in the folder
        raise ValueError(f"refusing to write {relative!r}: a symbolic link in {folder} leads outside it")
    return target


def _is_hash(ref: str) -> bool:
    return 7 <= len(ref) <= 64 and all(c in "0123456789abcdef" for c in ref.lower())
