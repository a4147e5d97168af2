"""FakeBitbucketCloud: snippets, forks and watchers, as Bitbucket Cloud answers them."""

from __future__ import annotations

import json

import httpx
import pytest

from bitbucket_client import NotFoundError
from bitbucket_client.cloud.models import Repository
from bitbucket_client.testing import FakeBitbucketCloud


def raw(fake: FakeBitbucketCloud) -> httpx.AsyncClient:
    """What the typed client does not send: form bodies with files, a fork into another workspace."""
    return httpx.AsyncClient(
        transport=fake, base_url="https://api.bitbucket.org/2.0/", headers={"Authorization": "Bearer t"}
    )


@pytest.fixture
def fake() -> FakeBitbucketCloud:
    fake = FakeBitbucketCloud(page_size=2)
    fake.add_repository("acme", "shop")
    return fake


async def test_snippets_with_files_are_created_read_changed_and_deleted(fake: FakeBitbucketCloud) -> None:
    async with fake.client() as bb:
        created = await bb.snippets.create("acme", title="Empty", is_private=True)
        assert created.id is not None
        answer = await raw(fake).post(
            "snippets/acme",
            files=[("file", ("deploy.sh", b"#!/bin/sh\necho hi\n")), ("file", ("notes.md", b"# Notes"))],
            data={"title": "Deploy script"},
        )
        assert answer.status_code == 201
        snippet_id = answer.json()["id"]
        got = await bb.snippets.get("acme", snippet_id)
        content = await bb.snippets.get_file("acme", snippet_id, "deploy.sh")
        listed = [s.title async for s in bb.snippets.list("acme")]
        await bb.snippets.delete("acme", created.id)
        with pytest.raises(NotFoundError):
            await bb.snippets.get("acme", created.id)
    assert got.title == "Deploy script" and got.is_private is False
    assert sorted(json.loads(answer.content)["files"]) == ["deploy.sh", "notes.md"]
    assert content == b"#!/bin/sh\necho hi\n"
    assert listed == ["Empty", "Deploy script"]
    assert [r.status for r in fake.requests_for("snippets.get_file")] == [302]  # then the revision's file
    assert fake.requests_for("snippets.get_revision_file")[0].status == 200
    assert fake.snippet("acme", snippet_id).files["notes.md"] == b"# Notes"


async def test_a_snippet_update_replaces_files_and_moves_the_revision(fake: FakeBitbucketCloud) -> None:
    seeded = fake.add_snippet("acme", "Config", {"app.toml": "a = 1"})
    before = seeded.revision
    async with fake.client() as bb:
        answer = await raw(fake).put(
            f"snippets/acme/{seeded.encoded_id}",
            files=[("file", ("app.toml", b"a = 2"))],
            data={"title": "Config 2"},
        )
        assert answer.status_code == 200
        assert await bb.snippets.get_file("acme", seeded.encoded_id, "app.toml") == b"a = 2"
    assert seeded.title == "Config 2" and seeded.revision != before


async def test_a_fork_copies_the_repository_and_is_listed_with_its_parent(fake: FakeBitbucketCloud) -> None:
    fake.add_commit("acme", "shop", "feature", "Work")
    fake.add_workspace("alice")
    fake.add_webhook("acme", "shop", url="https://ci.example.com/", events=["repo:fork"])
    heard: list[bytes] = []
    fake.add_receiver("https://ci.example.com/", lambda headers, body: heard.append(body))
    async with fake.client() as bb:
        answer = await raw(fake).post(
            "repositories/acme/shop/forks", json={"name": "shop-fork", "workspace": {"slug": "alice"}}
        )
        assert answer.status_code == 201
        fork = Repository.from_dict(answer.json())
        forks = [r.full_name async for r in bb.repositories.list_forks("acme", "shop")]
        again = await bb.repositories.get("alice", "shop-fork")
        watchers = [u.nickname async for u in bb.repositories.list_watchers("alice", "shop-fork")]
        with pytest.raises(RuntimeError, match="already exists"):
            await _fork_again(raw(fake))
    assert fork.full_name == "alice/shop-fork" and forks == ["alice/shop-fork"]
    assert again.parent and again.parent.full_name == "acme/shop"
    assert fake.repository("alice", "shop-fork").branches == fake.repository("acme", "shop").branches
    assert watchers == ["fake-user"]
    (event,) = (json.loads(body) for body in heard)
    assert event["repository"]["full_name"] == "acme/shop" and event["fork"]["full_name"] == "alice/shop-fork"


async def _fork_again(raw: httpx.AsyncClient) -> None:
    answer = await raw.post(
        "repositories/acme/shop/forks", json={"name": "shop-fork", "workspace": {"slug": "alice"}}
    )
    raise RuntimeError(answer.json()["error"]["message"])


async def test_watchers_are_listed_in_pages(fake: FakeBitbucketCloud) -> None:
    for name in ("alice", "bob", "carol"):
        fake.add_watcher("acme", "shop", name)
    async with fake.client() as bb:
        watchers = [u.nickname async for u in bb.repositories.list_watchers("acme", "shop")]
    assert watchers == ["alice", "bob", "carol"]
    assert len(fake.requests_for("repositories.list_watchers")) == 2


async def test_forking_into_a_workspace_that_does_not_exist_gets_404(fake: FakeBitbucketCloud) -> None:
    answer = await raw(fake).post("repositories/acme/shop/forks", json={"workspace": {"slug": "nobody"}})
    assert answer.status_code == 404
    mine = await raw(fake).post("repositories/acme/shop/forks", json={})  # into the caller's own workspace
    assert mine.status_code == 201 and mine.json()["full_name"] == "fake-user/shop"
