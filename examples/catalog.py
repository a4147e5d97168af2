"""Every Data Center project, repository, pull request and user in a local SQLite catalog (what Port's
Bitbucket integration ingests), then kept current by webhooks.

Ingestion runs in stages (users, projects, each project's repositories, each repository's pull
requests), up to eight requests at a time, with a progress line. Each finished item is recorded in the
``ingested`` table in the same transaction as its rows, so a run that crashes (or is stopped) resumes
where it was: finished items are not fetched again. ``--restart`` starts over.

Webhooks keep the catalog current between runs: ``create_app`` is an ASGI receiver that applies pull
request, repository and project events (``apply_event``).

Run it:
    export BITBUCKET_SERVER_URL=https://git.example.com BITBUCKET_SERVER_TOKEN=...
    python examples/catalog.py catalog.db
    python examples/catalog.py --fake /tmp/catalog.db        # against an in-memory fake
"""

from __future__ import annotations

import argparse
import datetime
import enum
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import anyio

from bitbucket_client import UNSET, BitbucketServer
from bitbucket_client.server.models import RestApplicationUser, RestProject, RestPullRequest, RestRepository
from bitbucket_client.testing import FakeBitbucketServer
from bitbucket_client.webhooks import WebhookApp, WebhookEvent, server

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    slug TEXT PRIMARY KEY, name TEXT, display_name TEXT, email TEXT, active INTEGER);
CREATE TABLE IF NOT EXISTS projects (
    key TEXT PRIMARY KEY, id INTEGER, name TEXT, description TEXT, public INTEGER);
CREATE TABLE IF NOT EXISTS repositories (
    project TEXT, slug TEXT, id INTEGER, name TEXT, state TEXT, public INTEGER, PRIMARY KEY (project, slug));
CREATE TABLE IF NOT EXISTS pull_requests (
    project TEXT, repository TEXT, id INTEGER, title TEXT, state TEXT, author TEXT, source TEXT, target TEXT,
    updated TEXT, PRIMARY KEY (project, repository, id));
CREATE TABLE IF NOT EXISTS ingested (item TEXT PRIMARY KEY, at TEXT);
"""

Progress = Callable[[str, int, int], None]
"""Called as work finishes: the stage, how many of its items are done, and how many there are."""


def open_catalog(path: str | os.PathLike[str]) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    return db


def progress_line(stage: str, done: int, total: int) -> None:
    sys.stderr.write(f"\r{stage:<14} {done:6d}/{total:<6d}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


async def ingest(
    bs: BitbucketServer, db: sqlite3.Connection, *, concurrency: int = 8, progress: Progress = progress_line
) -> None:
    """Fill the catalog; resumes a run that stopped, fetching again only what it had not finished."""
    limiter = anyio.CapacityLimiter(concurrency)

    if not _done(db, "users"):
        users = [user async for user in bs.users.list(page_size=1000)]
        with db:
            db.executemany("INSERT OR REPLACE INTO users VALUES (?, ?, ?, ?, ?)", map(_user_row, users))
            _mark(db, "users")
    progress("users", 1, 1)

    if not _done(db, "projects"):
        projects = [project async for project in bs.projects.list(page_size=1000)]
        with db:
            db.executemany(
                "INSERT OR REPLACE INTO projects VALUES (?, ?, ?, ?, ?)", map(_project_row, projects)
            )
            _mark(db, "projects")
    keys = [key for (key,) in db.execute("SELECT key FROM projects ORDER BY key")]
    await _each(keys, "repositories", lambda key: _repositories(bs, db, key), limiter, progress, db)

    repos = [
        f"{project}/{slug}"
        for project, slug in db.execute("SELECT project, slug FROM repositories ORDER BY 1, 2")
    ]
    await _each(repos, "pull requests", lambda name: _pull_requests(bs, db, name), limiter, progress, db)


async def _each(
    items: list[str],
    stage: str,
    work: Callable[[str], Any],
    limiter: anyio.CapacityLimiter,
    progress: Progress,
    db: sqlite3.Connection,
) -> None:
    """``work`` on every item not yet ingested for ``stage``, a bounded number at a time."""
    done = sum(1 for item in items if _done(db, f"{stage}:{item}"))
    progress(stage, done, len(items))

    async def one(item: str) -> None:
        nonlocal done
        async with limiter:
            await work(item)
        done += 1
        progress(stage, done, len(items))

    async with anyio.create_task_group() as group:
        for item in items:
            if not _done(db, f"{stage}:{item}"):
                group.start_soon(one, item)


async def _repositories(bs: BitbucketServer, db: sqlite3.Connection, key: str) -> None:
    repos = [repo async for repo in bs.repositories.list(key, page_size=1000)]
    with db:  # the rows and the mark in one transaction: a crash leaves both or neither
        db.executemany(
            "INSERT OR REPLACE INTO repositories VALUES (?, ?, ?, ?, ?, ?)", map(_repository_row, repos)
        )
        _mark(db, f"repositories:{key}")


async def _pull_requests(bs: BitbucketServer, db: sqlite3.Connection, name: str) -> None:
    project, slug = name.split("/", 1)
    pulls = [pr async for pr in bs.pullrequests.list(project, slug, state="ALL", page_size=1000)]
    with db:
        db.executemany(
            "INSERT OR REPLACE INTO pull_requests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [_pull_request_row(project, slug, pr) for pr in pulls],
        )
        _mark(db, f"pull requests:{name}")


def _done(db: sqlite3.Connection, item: str) -> bool:
    return db.execute("SELECT 1 FROM ingested WHERE item = ?", (item,)).fetchone() is not None


def _mark(db: sqlite3.Connection, item: str) -> None:
    now = datetime.datetime.now(datetime.UTC).isoformat()
    db.execute("INSERT OR REPLACE INTO ingested VALUES (?, ?)", (item, now))


# ---- rows: what the catalog keeps of each entity --------------------------------------------------


def _value(value: Any) -> Any:
    """A column value: None for a field the server left out, an enum's value, dates as ISO text."""
    if value is UNSET:
        return None
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def _user_row(user: RestApplicationUser) -> tuple[Any, ...]:
    return tuple(map(_value, (user.slug, user.name, user.display_name, user.email_address, user.active)))


def _project_row(project: RestProject) -> tuple[Any, ...]:
    return tuple(map(_value, (project.key, project.id, project.name, project.description, project.public)))


def _repository_row(repo: RestRepository) -> tuple[Any, ...]:
    key = repo.project.key if repo.project is not UNSET else UNSET
    return tuple(map(_value, (key, repo.slug, repo.id, repo.name, repo.state, repo.public)))


def _pull_request_row(project: str, slug: str, pr: RestPullRequest) -> tuple[Any, ...]:
    author = pr.author.user.slug if pr.author is not UNSET and pr.author.user is not UNSET else UNSET
    source = pr.from_ref.display_id if pr.from_ref is not UNSET else UNSET
    target = pr.to_ref.display_id if pr.to_ref is not UNSET else UNSET
    updated = pr.updated_date
    if isinstance(updated, int):  # epoch milliseconds before Data Center 10
        updated = datetime.datetime.fromtimestamp(updated / 1000, datetime.UTC)
    return (project, slug, *map(_value, (pr.id, pr.title, pr.state, author, source, target, updated)))


# ---- webhooks: keep the catalog current between runs ----------------------------------------------


def apply_event(db: sqlite3.Connection, event: WebhookEvent) -> bool:
    """Apply one Data Center event to the catalog; False when the event changes nothing it keeps."""
    with db:
        match event:
            case server.PullRequestEvent(pull_request=pr) if pr is not UNSET and pr.to_ref is not UNSET:
                repo = pr.to_ref.repository
                if repo is UNSET or repo.project is UNSET:
                    return False
                row = _pull_request_row(str(repo.project.key), str(repo.slug), pr)
                if event.event_key == "pr:deleted":
                    db.execute("DELETE FROM pull_requests WHERE project=? AND repository=? AND id=?", row[:3])
                else:
                    db.execute("INSERT OR REPLACE INTO pull_requests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
                return True
            case server.RepositoryModifiedEvent(old=old, new=new) if new is not UNSET:
                if old is not UNSET and (old.slug, _key(old)) != (new.slug, _key(new)):  # renamed or moved
                    db.execute("DELETE FROM repositories WHERE project=? AND slug=?", (_key(old), old.slug))
                    db.execute(
                        "UPDATE pull_requests SET project=?, repository=? WHERE project=? AND repository=?",
                        (_key(new), new.slug, _key(old), old.slug),
                    )
                db.execute(
                    "INSERT OR REPLACE INTO repositories VALUES (?, ?, ?, ?, ?, ?)", _repository_row(new)
                )
                return True
            case server.RepositoryEvent(repository=repo) if (
                event.event_key == "repo:forked" and repo is not UNSET
            ):
                db.execute(
                    "INSERT OR REPLACE INTO repositories VALUES (?, ?, ?, ?, ?, ?)", _repository_row(repo)
                )
                return True
            case server.ProjectModifiedEvent(old=old, new=new) if new is not UNSET:
                if old is not UNSET and old.key != new.key:
                    db.execute("DELETE FROM projects WHERE key=?", (old.key,))
                db.execute("INSERT OR REPLACE INTO projects VALUES (?, ?, ?, ?, ?)", _project_row(new))
                return True
    return False


def _key(repo: RestRepository) -> str | None:
    return repo.project.key if repo.project is not UNSET and isinstance(repo.project.key, str) else None


def create_app(db: sqlite3.Connection, *, secret: str) -> WebhookApp:
    """An ASGI receiver applying each verified event to the catalog."""

    async def handle(event: WebhookEvent) -> None:
        apply_event(db, event)

    return WebhookApp(handle, secret=secret)


# ---- running it ------------------------------------------------------------------------------------


def seeded_fake() -> FakeBitbucketServer:
    """Three projects with a few repositories and pull requests each, for trying the recipe offline."""
    fake = FakeBitbucketServer()
    for project in ("ENG", "OPS", "WEB"):
        for number in range(3):
            fake.add_repository(project, f"{project.lower()}-{number}")
            for change in range(number):
                fake.add_pull_request(
                    project, f"{project.lower()}-{number}", title=f"Change {change}", author="alice"
                )
    fake.state.user("bob")
    return fake


async def run(args: argparse.Namespace) -> None:
    db = open_catalog(args.database)
    if args.restart:
        with db:
            db.execute("DELETE FROM ingested")
    try:
        if args.fake:
            async with seeded_fake().client() as fake_client:
                await ingest(fake_client, db)
        else:
            async with BitbucketServer(os.environ["BITBUCKET_SERVER_URL"]) as bs:
                await ingest(bs, db)
    finally:
        db.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Ingest a Data Center instance into a SQLite catalog.")
    parser.add_argument("database", type=Path)
    parser.add_argument("--fake", action="store_true", help="use an in-memory fake instead of a server")
    parser.add_argument("--restart", action="store_true", help="fetch everything again")
    args = parser.parse_args(argv)
    anyio.run(run, args)
    with sqlite3.connect(args.database) as db:
        counts = {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in _TABLES}
    print(", ".join(f"{count} {table.replace('_', ' ')}" for table, count in counts.items()))
    return 0


_TABLES = ("projects", "repositories", "pull_requests", "users")

if __name__ == "__main__":
    raise SystemExit(main())
