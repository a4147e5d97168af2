"""Blocking :func:`fetch_tree` and :func:`fetch_archive` for the synchronous clients: the async ones
(``bitbucket_client.fetch_tree``/``fetch_archive``) run to their end on the client's engine."""

from __future__ import annotations

import os

from .._client import BitbucketCloud as AsyncBitbucketCloud
from .._client import BitbucketServer as AsyncBitbucketServer
from .._trees import FetchedTree, FetchProgress
from .._trees import fetch_archive as fetch_archive_async
from .._trees import fetch_tree as fetch_tree_async
from ._client import BitbucketCloud, BitbucketServer

__all__ = ["fetch_archive", "fetch_tree"]


def fetch_tree(
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
    """Write the files of a Cloud repository at ``ref`` into ``folder`` and return when done: the
    blocking form of :func:`bitbucket_client.fetch_tree` (same arguments, the same concurrent walk)."""
    engine = bb._engine
    if not isinstance(engine, AsyncBitbucketCloud):
        raise TypeError(f"fetch_tree needs a sync.BitbucketCloud, not {type(bb).__name__}")
    walk = fetch_tree_async(
        engine, workspace, repo_slug, ref, folder, path=path, concurrency=concurrency, progress=progress
    )
    return bb._runtime.run(walk)


def fetch_archive(
    bb: BitbucketServer,
    project_key: str,
    repository_slug: str,
    ref: str,
    folder: str | os.PathLike[str],
    *,
    path: str | None = None,
    progress: FetchProgress | None = None,
) -> FetchedTree:
    """Write the files of a Data Center repository at ``ref`` into ``folder`` and return when done: the
    blocking form of :func:`bitbucket_client.fetch_archive`."""
    engine = bb._engine
    if not isinstance(engine, AsyncBitbucketServer):
        raise TypeError(
            f"fetch_archive needs a bitbucket_client.sync.BitbucketServer, not {type(bb).__name__}"
        )
    return bb._runtime.run(
        fetch_archive_async(engine, project_key, repository_slug, ref, folder, path=path, progress=progress)
    )
