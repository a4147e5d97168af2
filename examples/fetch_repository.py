"""Fetch a repository at a branch or tag into a folder, without git (what prefect-bitbucket's jobs do).

Cloud walks the repository's ``src`` (``bitbucket_client.fetch_tree``: eight requests at a time, all at
the commit the ref pointed to when it started); Data Center streams the zip archive to disk
(``bitbucket_client.fetch_archive``). With ``--git`` it runs ``git clone`` with an authenticated clone
URL instead (``bitbucket_client.cloud_clone_url``/``server_clone_url``), printed redacted, and leaves
the URL without the credential in ``.git/config``.

Run it:
    python examples/fetch_repository.py cloud WORKSPACE REPO REF FOLDER       # BITBUCKET_TOKEN=...
    python examples/fetch_repository.py server PROJECT REPO REF FOLDER        # BITBUCKET_SERVER_URL=...
    python examples/fetch_repository.py --fake cloud acme shop v1.0 /tmp/shop # the in-memory fake
Credentials come from the environment (docs/auth.md).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal, TextIO

import anyio

from bitbucket_client import (
    BitbucketCloud,
    BitbucketServer,
    CloneUrl,
    FetchedTree,
    GitEnv,
    cloud_clone_url,
    fetch_archive,
    fetch_tree,
    git_bearer_env,
    server_clone_url,
    server_repository_url,
)
from bitbucket_client.testing import FakeBitbucketCloud, FakeBitbucketServer


class ProgressLine:
    """One line on the terminal, rewritten after each file: ``  42 files  1.3 MB  docs/guide.md``."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream, self.files, self.size = stream or sys.stderr, 0, 0

    def __call__(self, path: str, size: int) -> None:
        self.files += 1
        self.size += size
        line = f"{self.files:5d} files {self.size / 1e6:8.1f} MB  {path}"
        self.stream.write("\r" + line[:100].ljust(100))
        self.stream.flush()

    def done(self) -> None:
        self.stream.write("\n")


async def fetch(
    bb: BitbucketCloud | BitbucketServer,
    owner: str,
    repo: str,
    ref: str,
    folder: Path,
    *,
    concurrency: int = 8,
) -> FetchedTree:
    """The recipe: the repository's files at ``ref`` in ``folder``, with a progress line."""
    progress = ProgressLine()
    try:
        if isinstance(bb, BitbucketCloud):
            return await fetch_tree(bb, owner, repo, ref, folder, concurrency=concurrency, progress=progress)
        return await fetch_archive(bb, owner, repo, ref, folder, progress=progress)
    finally:
        progress.done()


def clone_url(product: Literal["cloud", "server"], owner: str, repo: str) -> CloneUrl | tuple[str, GitEnv]:
    """The authenticated clone URL from the same environment variables the client reads; for a Data
    Center project or repository token (no username), the plain URL and the Bearer header for git."""
    env = os.environ.get
    if product == "cloud":
        if token := env("BITBUCKET_TOKEN"):
            return cloud_clone_url(owner, repo, access_token=token)
        if token := env("BITBUCKET_API_TOKEN"):
            return cloud_clone_url(owner, repo, api_token=token, username=env("BITBUCKET_USERNAME"))
        raise SystemExit("set BITBUCKET_TOKEN, or BITBUCKET_API_TOKEN (and BITBUCKET_USERNAME)")
    server, username, token = (
        os.environ["BITBUCKET_SERVER_URL"],
        env("BITBUCKET_SERVER_USERNAME"),
        env("BITBUCKET_SERVER_TOKEN"),
    )
    if not token:
        raise SystemExit("set BITBUCKET_SERVER_TOKEN (and BITBUCKET_SERVER_USERNAME for a personal token)")
    if username:
        return server_clone_url(server, owner, repo, username=username, token=token)
    return server_repository_url(server, owner, repo), git_bearer_env(token)


def seeded_fake(
    product: Literal["cloud", "server"], owner: str, repo: str
) -> FakeBitbucketCloud | FakeBitbucketServer:
    """A fake holding a small repository with a tag ``v1.0``, for trying the recipe without an account."""
    fake: FakeBitbucketCloud | FakeBitbucketServer = (
        FakeBitbucketCloud() if product == "cloud" else FakeBitbucketServer()
    )
    fake.add_repository(owner, repo)
    fake.add_file(owner, repo, "README.md", "# Shop\n")
    fake.add_file(owner, repo, "flows/etl.py", "print('extract, transform, load')\n")
    fake.add_file(owner, repo, "flows/config/prod.yaml", "workers: 4\n", tag="v1.0")
    fake.add_file(owner, repo, "flows/config/prod.yaml", "workers: 8\n")
    return fake


def git_clone(source: CloneUrl | tuple[str, GitEnv], ref: str, folder: str) -> int:
    """``git clone`` a branch or tag, leaving no credential in the clone's remote."""
    extra: Mapping[str, str] = {}
    if isinstance(source, CloneUrl):
        shown, url = str(source), source.reveal()  # shown has *** where the credential is
    else:
        (shown, extra), url = source, source[0]  # the token travels in a header, not in the URL
    print(f"git clone --depth 1 --branch {ref} {shown} {folder}", file=sys.stderr)
    command = ["git", "clone", "--quiet", "--depth", "1", "--branch", ref, url, folder]
    status = subprocess.run(command, env={**os.environ, **extra}, check=False).returncode
    if status == 0 and isinstance(source, CloneUrl):
        subprocess.run(["git", "-C", folder, "remote", "set-url", "origin", source.plain], check=True)
    return status


async def run(args: argparse.Namespace) -> FetchedTree:
    folder = Path(args.folder)
    if args.fake:
        async with seeded_fake(args.product, args.owner, args.repo).client() as fake_client:
            return await fetch(fake_client, args.owner, args.repo, args.ref, folder)
    if args.product == "cloud":
        async with BitbucketCloud() as bb:
            return await fetch(bb, args.owner, args.repo, args.ref, folder)
    async with BitbucketServer(os.environ["BITBUCKET_SERVER_URL"]) as bs:
        return await fetch(bs, args.owner, args.repo, args.ref, folder)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fetch a repository at a branch or tag into a folder.")
    parser.add_argument("product", choices=["cloud", "server"])
    parser.add_argument("owner", help="workspace (Cloud) or project key (Data Center)")
    parser.add_argument("repo")
    parser.add_argument("ref", nargs="?", default="main", help="branch, tag or commit")
    parser.add_argument("folder", nargs="?", default=".")
    parser.add_argument("--fake", action="store_true", help="use the in-memory fake instead of a server")
    parser.add_argument("--git", action="store_true", help="git clone with an authenticated URL instead")
    args = parser.parse_args(argv)
    if args.git:
        return git_clone(clone_url(args.product, args.owner, args.repo), args.ref, args.folder)
    fetched = anyio.run(run, args)
    at = fetched.commit or args.ref
    print(f"{len(fetched.files)} files, {fetched.size} bytes at {at} in {fetched.folder}")
    for skipped in fetched.skipped:
        print(f"skipped {skipped}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
