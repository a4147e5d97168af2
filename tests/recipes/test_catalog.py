"""examples/catalog.py against FakeBitbucketServer: every project, repository, pull request (all states)
and user lands in SQLite, a bounded number of requests at a time; a crashed run resumes without fetching
finished items again; webhooks (delivered by the fake, or Atlassian-shaped payloads) keep it current."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import catalog
import httpx
import pytest

from bitbucket_client import BitbucketServer, ServerError
from bitbucket_client.server.models import RestPullRequestRefInputDict
from bitbucket_client.testing import FakeBitbucketServer
from bitbucket_client.webhooks import parse_event, sign

PAYLOADS = Path(__file__).resolve().parents[1] / "webhooks" / "payloads" / "server"


def quiet(stage: str, done: int, total: int) -> None:
    pass


def pull_requests_in(fake: FakeBitbucketServer) -> set[tuple[str, str, int, str]]:
    return {
        (owner.key, repo.slug, pr.id, pr.state)
        for owner in fake.state.owners.values()
        for repo in owner.repositories.values()
        for pr in repo.pull_requests.values()
    }


def rows(db: sqlite3.Connection, sql: str) -> set[tuple[Any, ...]]:
    return set(db.execute(sql).fetchall())


@pytest.fixture
def fake() -> FakeBitbucketServer:
    fake = catalog.seeded_fake()
    fake.page_size = 2  # several pages everywhere
    return fake


async def test_everything_lands_in_the_catalog(fake: FakeBitbucketServer, tmp_path: Path) -> None:
    async with fake.client() as bs:
        declined = await bs.pullrequests.get("ENG", "eng-2", 1)
        await bs.pullrequests.decline("ENG", "eng-2", 1, version=int(declined.version or 0))
    db = catalog.open_catalog(tmp_path / "c.db")
    async with fake.client() as bs:
        await catalog.ingest(bs, db, progress=quiet)
    assert rows(db, "SELECT project, repository, id, state FROM pull_requests") == pull_requests_in(fake)
    assert ("ENG", "eng-2", 1, "DECLINED") in pull_requests_in(fake)
    assert rows(db, "SELECT project, slug FROM repositories") == {
        (owner.key, slug) for owner in fake.state.owners.values() for slug in owner.repositories
    }
    assert rows(db, "SELECT key FROM projects") == {("ENG",), ("OPS",), ("WEB",)}
    assert rows(db, "SELECT slug FROM users") == {(slug,) for slug in fake.state.users}
    assert db.execute("SELECT author, source, target FROM pull_requests LIMIT 1").fetchone() == (
        "alice",
        "pr/1",
        "main",
    )


async def test_requests_in_flight_stay_within_the_bound(
    fake: FakeBitbucketServer, tmp_path: Path, counting: Any
) -> None:
    transport = counting(fake)
    async with BitbucketServer("https://bitbucket.example.com", "t", transport=transport) as bs:
        await catalog.ingest(bs, catalog.open_catalog(tmp_path / "c.db"), concurrency=3, progress=quiet)
    assert transport.most == 3


class Crash(Exception):
    pass


async def test_a_crashed_run_resumes_where_it_stopped(fake: FakeBitbucketServer, tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []

    def crash_after_four(stage: str, done: int, total: int) -> None:
        seen.append((stage, done, total))
        if stage == "pull requests" and done == 4:
            raise Crash

    db = catalog.open_catalog(tmp_path / "c.db")
    async with fake.client() as bs:
        with pytest.raises(BaseExceptionGroup) as crashed:
            await catalog.ingest(bs, db, concurrency=1, progress=crash_after_four)
    assert crashed.group_contains(Crash)
    assert ("repositories", 3, 3) in seen
    first_run = len(fake.requests)
    finished = db.execute("SELECT count(*) FROM ingested WHERE item LIKE 'pull requests:%'").fetchone()[0]
    assert 4 <= finished < 9  # tasks that had their answer when the crash came finished too

    resumed: list[tuple[str, int, int]] = []
    async with fake.client() as bs:
        await catalog.ingest(bs, db, progress=lambda *p: resumed.append(p))
    again = fake.requests[first_run:]
    assert {r.operation for r in again} == {"pullrequests.list"}, (
        "users, projects, repositories not fetched again"
    )
    assert len(again) == 9 - finished
    assert resumed[-1] == ("pull requests", 9, 9)
    assert rows(db, "SELECT project, repository, id, state FROM pull_requests") == pull_requests_in(fake)


async def test_a_server_failure_stops_the_run_and_the_next_run_completes(
    fake: FakeBitbucketServer, tmp_path: Path
) -> None:
    fake.faults.server_error(status=500, times=1, operation="pullrequests.list")  # 500 is not retried
    db = catalog.open_catalog(tmp_path / "c.db")
    async with fake.client() as bs:
        with pytest.raises(BaseExceptionGroup) as failed:
            await catalog.ingest(bs, db, concurrency=1, progress=quiet)
        assert failed.group_contains(ServerError)
        await catalog.ingest(bs, db, progress=quiet)
    assert rows(db, "SELECT project, repository, id, state FROM pull_requests") == pull_requests_in(fake)


async def test_webhooks_from_the_fake_keep_the_catalog_current(
    fake: FakeBitbucketServer, tmp_path: Path
) -> None:
    db = catalog.open_catalog(tmp_path / "c.db")
    async with fake.client() as bs:
        await catalog.ingest(bs, db, progress=quiet)
    app = catalog.create_app(db, secret="catalog-secret")

    async def deliver(headers: dict[str, str], body: bytes) -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://r") as http:
            (await http.post("/", content=body, headers=headers)).raise_for_status()

    fake.webhook_callback, fake.webhook_secret = deliver, "catalog-secret"
    fake.add_commit("OPS", "ops-0", "feature", "Work")
    fake.add_commit("OPS", "ops-0", "spike", "Try")
    async with fake.client() as bs:
        merged = await bs.pullrequests.create(
            "OPS", "ops-0", title="Feature", from_ref=ref("feature"), to_ref=ref("main")
        )
        deleted = await bs.pullrequests.create(
            "OPS", "ops-0", title="Spike", from_ref=ref("spike"), to_ref=ref("main")
        )
        assert pr_rows(db) == {(merged.id, "Feature", "OPEN"), (deleted.id, "Spike", "OPEN")}
        await bs.pullrequests.merge("OPS", "ops-0", int(merged.id or 0), version=int(merged.version or 0))
        await bs.pullrequests.delete("OPS", "ops-0", int(deleted.id or 0), version=int(deleted.version or 0))
    assert pr_rows(db) == {(merged.id, "Feature", "MERGED")}
    pull_request_events = [d.event_key for d in fake.deliveries if d.event_key.startswith("pr:")]
    assert pull_request_events == ["pr:opened", "pr:opened", "pr:merged", "pr:deleted"]
    assert app.handled == len(fake.deliveries)


def ref(branch: str) -> RestPullRequestRefInputDict:
    return {"id": f"refs/heads/{branch}"}


def pr_rows(db: sqlite3.Connection) -> set[tuple[Any, ...]]:
    return rows(
        db, "SELECT id, title, state FROM pull_requests WHERE project = 'OPS' AND repository = 'ops-0'"
    )


def event(name: str) -> Any:
    body = (PAYLOADS / name).read_text().encode()
    return parse_event(
        {"X-Event-Key": json.loads(body)["eventKey"], "X-Hub-Signature": sign("s", body)}, body
    )


def test_repository_and_project_events(tmp_path: Path) -> None:
    db = catalog.open_catalog(tmp_path / "c.db")
    db.execute("INSERT INTO repositories VALUES ('ENG', 'engine', 11, 'engine', 'AVAILABLE', 0)")
    db.execute("INSERT INTO pull_requests VALUES ('ENG', 'engine', 1, 't', 'OPEN', 'ada', 'f', 'main', NULL)")
    db.execute("INSERT INTO projects VALUES ('ENG', 1, 'Engines', '', 0)")

    assert catalog.apply_event(db, event("repo.modified.json"))  # renamed engine -> analytical-engine
    assert rows(db, "SELECT project, slug, name FROM repositories") == {
        ("ENG", "analytical-engine", "analytical-engine")
    }
    assert rows(db, "SELECT project, repository FROM pull_requests") == {("ENG", "analytical-engine")}

    assert catalog.apply_event(db, event("project.modified.json"))
    assert rows(db, "SELECT key, name FROM projects") == {("ENG", "Engines and Mills")}

    assert catalog.apply_event(db, event("repo.forked.json"))
    assert ("~CHARLES", "engine") in rows(db, "SELECT project, slug FROM repositories")

    assert not catalog.apply_event(db, event("repo.refs_changed.json"))


def test_main_against_the_fake_resumes_and_restarts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = str(tmp_path / "c.db")
    assert catalog.main(["--fake", database]) == 0
    out, err = capsys.readouterr()
    assert out == "3 projects, 9 repositories, 9 pull requests, 3 users\n"
    assert "pull requests       9/9" in err
    assert catalog.main(["--fake", database]) == 0
    assert "pull requests       9/9" in capsys.readouterr().err  # nothing left to do
    assert catalog.main(["--fake", "--restart", database]) == 0
    assert "pull requests       0/9" in capsys.readouterr().err
