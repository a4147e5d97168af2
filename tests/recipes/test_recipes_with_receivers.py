"""The webhook recipes end to end through real subscriptions: a webhook created through the API, each
delivery signed with its secret and posted by the fake to the recipe's ASGI app (`fake.add_receiver`),
pushes included. These run once the fakes deliver per subscription (issue #15, the `fakes` branch)."""

from __future__ import annotations

from typing import Any

import branch_environments as recipe
import catalog
import pytest

from bitbucket_client.cloud.models import HookEventEvent
from bitbucket_client.testing import FakeBitbucketCloud, FakeBitbucketServer

pytestmark = pytest.mark.skipif(
    not hasattr(FakeBitbucketCloud, "add_receiver"),
    reason="needs fake.add_receiver (issue #15, fakes branch)",
)

URL = "https://hooks.example.com/bitbucket"
SECRET = "a-long-webhook-secret"


def previews(environments: recipe.Environments) -> list[tuple[str, str]]:
    return [(a.kind, a.environment) for a in environments.history if a.environment != "main"]


async def test_cloud_environments_follow_branches_pushes_and_pull_requests() -> None:
    environments = recipe.Environments()
    fake: Any = FakeBitbucketCloud()
    fake.add_repository("acme", "shop")
    fake.add_receiver(URL, recipe.create_app(environments, secret=SECRET))
    async with fake.client() as bb:
        await bb.webhooks.create_for_repository(
            "acme", "shop", url=URL, description="environments", active=True, secret=SECRET,
            events=[HookEventEvent(key) for key in recipe.CLOUD_EVENTS],
        )  # fmt: skip
        await bb.source.create_commit(
            "acme", "shop", files={"a.txt": "1\n"}, message="Start", branch="feature/login"
        )
        await bb.source.create_commit(
            "acme", "shop", files={"a.txt": "2\n"}, message="More", branch="feature/login"
        )
        pr = await bb.pullrequests.create(
            "acme", "shop", title="Login", close_source_branch=True,
            source={"branch": {"name": "feature/login"}},
        )  # fmt: skip
        await bb.pullrequests.merge("acme", "shop", int(pr.id or 0))
    assert previews(environments) == [
        ("create", "feature-login"),
        ("rebuild", "feature-login"),
        ("create", "pr-1"),
        ("delete", "pr-1"),
        ("delete", "feature-login"),  # the merge closed the source branch
    ]
    assert {d.status for d in fake.deliveries} == {204} and {d.url for d in fake.deliveries} == {URL}
    assert [name for _, name in environments.running] == ["main"]  # the merge pushed to main


async def test_data_center_environments_follow_branches_pushes_and_pull_requests() -> None:
    environments = recipe.Environments()
    fake: Any = FakeBitbucketServer()
    fake.add_repository("PRJ", "shop")
    fake.add_receiver(URL, recipe.create_app(environments, secret=SECRET))
    async with fake.client() as bs:
        await bs.webhooks.create_for_repository(
            "PRJ", "shop", name="environments", url=URL, active=True, events=recipe.SERVER_EVENTS,
            configuration={"secret": SECRET},
        )  # fmt: skip
        head = await bs.refs.create_branch("PRJ", "shop", name="feature/login", start_point="main")
        await bs.source.edit_file(
            "PRJ", "shop", "a.txt", content="1\n", branch="feature/login", message="Start",
        )  # fmt: skip
        pr = await bs.pullrequests.create(
            "PRJ", "shop", title="Login", from_ref={"id": "refs/heads/feature/login"},
            to_ref={"id": "refs/heads/main"},
        )  # fmt: skip
        await bs.pullrequests.decline("PRJ", "shop", int(pr.id or 0), version=int(pr.version or 0))
        await bs.refs.delete_branch("PRJ", "shop", name="refs/heads/feature/login")
    assert head.display_id == "feature/login"
    assert previews(environments) == [
        ("create", "feature-login"),
        ("rebuild", "feature-login"),
        ("create", "pr-1"),
        ("delete", "pr-1"),
        ("delete", "feature-login"),
    ]
    assert {d.status for d in fake.deliveries} == {204}
    assert environments.running == {}


async def test_catalog_follows_pull_requests_through_a_project_subscription(tmp_path: Any) -> None:
    fake: Any = catalog.seeded_fake()
    db = catalog.open_catalog(tmp_path / "c.db")
    async with fake.client() as bs:
        await catalog.ingest(bs, db, progress=lambda *_: None)
        fake.add_receiver(URL, catalog.create_app(db, secret=SECRET))
        await bs.webhooks.create_for_project(
            "ENG", name="catalog", url=URL, active=True, events=["pr:opened", "pr:merged", "pr:declined"],
            configuration={"secret": SECRET},
        )  # fmt: skip
        fake.add_commit("ENG", "eng-0", "feature", "Work")
        pr = await bs.pullrequests.create(
            "ENG", "eng-0", title="Feature", from_ref={"id": "refs/heads/feature"},
            to_ref={"id": "refs/heads/main"},
        )  # fmt: skip
        assert db.execute("SELECT state FROM pull_requests WHERE repository='eng-0'").fetchall() == [
            ("OPEN",)
        ]
        await bs.pullrequests.merge("ENG", "eng-0", int(pr.id or 0), version=int(pr.version or 0))
    assert db.execute("SELECT state FROM pull_requests WHERE repository='eng-0'").fetchall() == [("MERGED",)]
    assert [d.status for d in fake.deliveries] == [204, 204]
