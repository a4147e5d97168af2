"""Webhook deliveries of the fakes: per subscription, filtered, signed, sent to registered receivers."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import pytest

from bitbucket_client import BitbucketCloud
from bitbucket_client.cloud.models import PullRequestBranchInput, PullrequestEndpointInput
from bitbucket_client.testing import FakeBitbucketCloud, FakeBitbucketServer
from bitbucket_client.webhooks import unwrap

HOOK = "https://ci.example.com/hooks"

Message = MutableMapping[str, Any]


async def create_branch(bb: BitbucketCloud, name: str) -> None:
    body = {"name": name, "target": {"hash": "main"}}
    await bb.request("POST", "repositories/acme/shop/refs/branches", json=body)


class Recorder:
    """A receiver function: keeps what it got, answers `status`."""

    def __init__(self, status: int | None = None) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.status = status

    def __call__(self, headers: dict[str, str], body: bytes) -> int | None:
        self.received.append((headers, body))
        return self.status

    @property
    def keys(self) -> list[str]:
        return [headers["X-Event-Key"] for headers, _ in self.received]


def listen(
    fake: FakeBitbucketCloud | FakeBitbucketServer,
    owner: str,
    slug: str | None,
    events: list[str],
    *,
    secret: str | None = None,
) -> Recorder:
    """A subscription to `events` at HOOK, answered by a new Recorder."""
    fake.add_webhook(owner, slug, url=HOOK, events=events, secret=secret)
    receiver = Recorder()
    fake.add_receiver(HOOK, receiver)
    return receiver


def asgi_app(
    received: list[bytes], status: int
) -> Callable[
    [Message, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]
]:
    async def app(
        scope: Message, receive: Callable[[], Awaitable[Message]], send: Callable[[Message], Awaitable[None]]
    ) -> None:
        assert scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == "/hooks"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        received.append(body)
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    return app


async def test_cloud_subscriptions_get_signed_deliveries_of_their_events_only() -> None:
    fake = FakeBitbucketCloud()
    fake.add_repository("acme", "shop")
    receiver, other = Recorder(), Recorder(status=500)
    fake.add_receiver(HOOK, receiver)
    fake.add_receiver("https://other.example.com/", other)
    async with fake.client() as bb:
        pushes = await bb.webhooks.create_for_repository(
            "acme", "shop", url=HOOK, events=["repo:push"], description="ci", secret="s3cret", active=True
        )
        await bb.webhooks.create_for_repository(
            "acme", "shop", url="https://other.example.com/", events=["pullrequest:created"], description="x"
        )
        await bb.webhooks.create_for_repository(
            "acme", "shop", url=HOOK, events=["repo:push"], description="off", active=False
        )
        await create_branch(bb, "feature")
        await bb.pullrequests.create(
            "acme",
            "shop",
            title="Feature",
            source=PullrequestEndpointInput(branch=PullRequestBranchInput(name="feature")),
        )
    assert receiver.keys == ["repo:push"]  # the inactive subscription heard nothing
    assert other.keys == ["pullrequest:created"]
    headers, body = receiver.received[0]
    event = unwrap(headers, body, "s3cret")
    assert event.delivery.verified
    assert headers["X-Hook-UUID"] == str(pushes.uuid).strip("{}")
    change = json.loads(body)["push"]["changes"][0]
    assert change["created"] is True and change["new"]["name"] == "feature"
    assert [(d.event_key, d.url, d.status) for d in fake.deliveries] == [
        ("repo:push", HOOK, 200),
        ("pullrequest:created", "https://other.example.com/", 500),
    ]
    assert "X-Hub-Signature" not in other.received[0][0]  # no secret, no signature


async def test_a_merge_that_closes_the_source_branch_pushes_its_deletion() -> None:
    fake = FakeBitbucketCloud()
    fake.add_repository("acme", "shop")
    pr = fake.add_pull_request("acme", "shop", title="Cart", source="cart")
    receiver = listen(fake, "acme", "shop", events=["repo:push", "pullrequest:fulfilled"])
    async with fake.client() as bb:
        await bb.pullrequests.merge("acme", "shop", pr.id, close_source_branch=True)
    assert receiver.keys == ["pullrequest:fulfilled", "repo:push"]
    changes = json.loads(receiver.received[1][1])["push"]["changes"]
    by_branch = {(c["old"] or c["new"])["name"]: c for c in changes}
    assert by_branch["cart"]["closed"] is True and by_branch["cart"]["new"] is None
    assert by_branch["cart"]["old"]["target"]["hash"] == pr.source_commit
    main = by_branch["main"]
    assert main["new"]["target"]["hash"] == fake.repository("acme", "shop").branches["main"]
    assert main["commits"][0]["hash"] == main["new"]["target"]["hash"]


async def test_branch_deletion_and_a_commit_through_the_api_push() -> None:
    fake = FakeBitbucketCloud()
    fake.add_repository("acme", "shop")
    fake.add_branch("acme", "shop", "old")
    receiver = listen(fake, "acme", "shop", events=["repo:push"])
    async with fake.client() as bb:
        await bb.refs.delete_branch("acme", "shop", "old")
        await bb.source.create_commit(
            "acme", "shop", files={"README.md": b"hi"}, message="Docs", branch="main"
        )
    deleted, committed = (json.loads(body)["push"]["changes"] for _, body in receiver.received)
    assert deleted[0]["closed"] is True and deleted[0]["old"]["name"] == "old"
    assert committed[0]["new"]["name"] == "main" and committed[0]["commits"][0]["message"] == "Docs"


async def test_an_asgi_app_receives_deliveries_in_process() -> None:
    fake = FakeBitbucketServer()
    fake.add_repository("PRJ", "shop")
    fake.add_webhook("PRJ", "shop", url=HOOK, events=["repo:refs_changed"], secret="k")
    bodies: list[bytes] = []
    fake.add_receiver(HOOK, asgi_app(bodies, 204))
    async with fake.client() as bb:
        await bb.refs.create_branch("PRJ", "shop", name="topic", start_point="main")
    (delivery,) = fake.deliveries
    assert delivery.status == 204 and bodies == [delivery.body]
    assert unwrap(delivery.headers, delivery.body, "k").delivery.verified


async def test_an_async_receiver_and_a_url_nobody_answers() -> None:
    fake = FakeBitbucketCloud()
    fake.add_repository("acme", "shop")
    fake.add_webhook("acme", "shop", url=HOOK, events=["repo:push"])
    fake.add_webhook("acme", "shop", url="https://nobody.example.com/", events=["repo:push"])
    got: list[bytes] = []

    async def receiver(headers: dict[str, str], body: bytes) -> int:
        got.append(body)
        return 201

    fake.add_receiver(HOOK, receiver)
    async with fake.client() as bb:
        await create_branch(bb, "x")
    assert [(d.url, d.status) for d in fake.deliveries] == [
        (HOOK, 201),
        ("https://nobody.example.com/", None),
    ]
    assert got == [fake.deliveries[0].body]


async def test_data_center_project_webhooks_hear_every_repository() -> None:
    fake = FakeBitbucketServer()
    fake.add_repository("PRJ", "one")
    fake.add_repository("PRJ", "two")
    fake.add_webhook("PRJ", None, url=HOOK, events=["repo:refs_changed", "pr:merged"])
    fake.add_webhook("PRJ", "two", url=HOOK, events=["pr:opened"])
    pr = fake.add_pull_request("PRJ", "one", title="Fix", source="fix", close_source_branch=True)
    receiver = Recorder()
    fake.add_receiver(HOOK, receiver)
    async with fake.client() as bb:
        await bb.refs.delete_branch("PRJ", "two", name="main", dry_run=True)  # a dry run changes nothing
        await bb.pullrequests.merge("PRJ", "one", pr.id, version=pr.version)
    assert receiver.keys == ["pr:merged", "repo:refs_changed"]
    changes = json.loads(receiver.received[1][1])["changes"]
    assert sorted((c["refId"], c["type"]) for c in changes) == [
        ("refs/heads/fix", "DELETE"),
        ("refs/heads/main", "UPDATE"),
    ]


def test_receivers_are_checked_when_registered() -> None:
    fake = FakeBitbucketCloud()
    with pytest.raises(ValueError, match="absolute"):
        fake.add_receiver("/hooks", Recorder())
    with pytest.raises(TypeError, match="callable"):
        fake.add_receiver(HOOK, "not a function")  # type: ignore[arg-type]
    with pytest.raises(LookupError, match="no receiver"):
        fake.remove_receiver(HOOK)
    with pytest.raises(LookupError, match="no workspace"):
        fake.add_webhook("acme", None, url=HOOK, events=["repo:push"])


async def test_a_receiver_that_raises_fails_the_api_call() -> None:
    fake = FakeBitbucketCloud()
    fake.add_repository("acme", "shop")
    fake.add_webhook("acme", "shop", url=HOOK, events=["repo:push"])

    def broken(headers: dict[str, str], body: bytes) -> None:
        raise RuntimeError("receiver bug")

    fake.add_receiver(HOOK, broken)
    async with fake.client() as bb:
        with pytest.raises(RuntimeError, match="receiver bug"):
            await create_branch(bb, "x")


async def test_data_center_project_webhooks_through_the_api() -> None:
    from bitbucket_client import NotFoundError
    from bitbucket_client.server.models import RestWebhookConfigurationInput

    fake = FakeBitbucketServer()
    fake.add_repository("PRJ", "shop")
    receiver = Recorder()
    fake.add_receiver(HOOK, receiver)
    async with fake.client() as bb:
        hook = await bb.webhooks.create_for_project(
            "PRJ",
            name="ci",
            url=HOOK,
            events=["pr:opened"],
            configuration=RestWebhookConfigurationInput(secret="k"),
        )
        assert hook.scope_type == "project" and hook.name == "ci"
        assert [h.id async for h in bb.webhooks.list_for_project("PRJ")] == [hook.id]
        assert [h.id async for h in bb.webhooks.list_for_repository("PRJ", "shop")] == []
        assert hook.id is not None
        updated = await bb.webhooks.update_for_project(
            "PRJ", str(hook.id), events=["repo:refs_changed"], url=HOOK, name="ci2"
        )
        assert updated.events == ["repo:refs_changed"] and updated.name == "ci2"
        await bb.refs.create_branch("PRJ", "shop", name="topic", start_point="main")
        await bb.webhooks.delete_for_project("PRJ", str(hook.id))
        with pytest.raises(NotFoundError, match="Webhook"):
            await bb.webhooks.get_for_project("PRJ", str(hook.id))
        await bb.refs.create_branch("PRJ", "shop", name="later", start_point="main")
    assert receiver.keys == ["repo:refs_changed"]  # the deleted hook heard nothing more
    assert unwrap(*receiver.received[0], "k").delivery.verified


async def test_a_receiver_may_call_the_api_it_hears_from() -> None:
    """The environment-per-branch job: a webhook receiver that creates and deletes environments."""
    fake = FakeBitbucketCloud()
    fake.add_repository("acme", "shop")
    fake.add_webhook("acme", "shop", url=HOOK, events=["repo:push"])

    async def receiver(headers: dict[str, str], body: bytes) -> int:
        async with fake.client() as bb:
            for change in json.loads(body)["push"]["changes"]:
                if change["created"]:
                    await bb.deployments.create_environment(
                        "acme", "shop", name=change["new"]["name"], environment_type=_test_type()
                    )
                elif change["closed"]:
                    for environment in fake.environments("acme", "shop"):
                        if environment.name == change["old"]["name"]:
                            await bb.deployments.delete_environment("acme", "shop", environment.uuid)
        return 204

    fake.add_receiver(HOOK, receiver)
    async with fake.client() as bb:
        await create_branch(bb, "feature")
        await create_branch(bb, "other")
        assert [e.name for e in fake.environments("acme", "shop")] == ["feature", "other"]
        await bb.refs.delete_branch("acme", "shop", "feature")
    assert [e.name for e in fake.environments("acme", "shop")] == ["other"]
    assert [d.status for d in fake.deliveries] == [204, 204, 204]


def _test_type() -> Any:
    from bitbucket_client.cloud.models import DeploymentEnvironmentEnvironmentTypeInput

    return DeploymentEnvironmentEnvironmentTypeInput(type_="deployment_environment_type", name="Test")


async def test_a_push_to_a_pull_requests_source_updates_it() -> None:
    fake = FakeBitbucketServer()
    fake.add_repository("PRJ", "shop")
    pr = fake.add_pull_request("PRJ", "shop", title="Work", source="work")
    before = pr.source_commit
    receiver = listen(fake, "PRJ", "shop", events=["repo:refs_changed", "pr:from_ref_updated"], secret="k")
    async with fake.client() as bb:
        await bb.source.edit_file("PRJ", "shop", "notes.md", branch="work", content=b"more", message="More")
        got = await bb.pullrequests.get("PRJ", "shop", pr.id)
    assert receiver.keys == ["repo:refs_changed", "pr:from_ref_updated"]
    event = unwrap(*receiver.received[1], "k")
    assert json.loads(receiver.received[1][1])["previousFromHash"] == before
    assert type(event).__name__ == "PullRequestRefUpdatedEvent"
    assert got.from_ref and got.from_ref.latest_commit == fake.repository("PRJ", "shop").branches["work"]


async def test_a_cloud_push_to_a_pull_requests_source_sends_pullrequest_updated() -> None:
    fake = FakeBitbucketCloud()
    fake.add_repository("acme", "shop")
    pr = fake.add_pull_request("acme", "shop", title="Work", source="work")
    receiver = listen(fake, "acme", "shop", events=["repo:push", "pullrequest:updated"])
    async with fake.client() as bb:
        await bb.source.create_commit("acme", "shop", files={"a.txt": b"a"}, message="A", branch="work")
    assert receiver.keys == ["repo:push", "pullrequest:updated"]
    updated = json.loads(receiver.received[1][1])["pullrequest"]
    head = fake.repository("acme", "shop").branches["work"]
    assert pr.source_commit == head and head.startswith(
        updated["source"]["commit"]["hash"]
    )  # Cloud shortens it


async def test_cloud_workspace_webhooks_hear_every_repository() -> None:
    fake = FakeBitbucketCloud()
    fake.add_repository("acme", "one")
    fake.add_repository("acme", "two")
    receiver = Recorder()
    fake.add_receiver(HOOK, receiver)
    async with fake.client() as bb:
        hook = await bb.webhooks.create_for_workspace(
            "acme", url=HOOK, events=["repo:push"], description="all", active=True
        )
        assert hook.subject_type == "workspace" and hook.uuid is not None
        assert [h.uuid async for h in bb.webhooks.list_for_workspace("acme")] == [hook.uuid]
        for slug in ("one", "two"):
            body = {"name": "x", "target": {"hash": "main"}}
            await bb.request("POST", f"repositories/acme/{slug}/refs/branches", json=body)
        await bb.webhooks.delete_for_workspace("acme", hook.uuid)
        await bb.request(
            "POST", "repositories/acme/one/refs/branches", json={"name": "y", "target": {"hash": "main"}}
        )
    names = [json.loads(body)["repository"]["name"] for _, body in receiver.received]
    assert names == ["one", "two"]


async def test_data_center_reviewer_changes_are_their_own_event() -> None:
    fake = FakeBitbucketServer()
    fake.add_repository("PRJ", "shop")
    for name in ("alice", "bob"):
        fake.state.user(name)
    pr = fake.add_pull_request("PRJ", "shop", title="Work", reviewers=["alice"])
    receiver = listen(fake, "PRJ", "shop", events=["pr:modified", "pr:reviewer:updated"])
    async with fake.client() as bb:
        await bb.request(
            "PUT",
            f"api/latest/projects/PRJ/repos/shop/pull-requests/{pr.id}",
            json={"version": 0, "reviewers": [{"user": {"name": "bob"}}]},
        )
        await bb.pullrequests.update("PRJ", "shop", pr.id, title="Renamed", version=1)
    assert receiver.keys == ["pr:reviewer:updated", "pr:modified"]
    event = unwrap(*receiver.received[0], None, allow_unsigned=True)
    assert type(event).__name__ == "PullRequestReviewersUpdatedEvent"
    assert [u.name for u in event.added_reviewers] == ["bob"]  # type: ignore[attr-defined]
    assert [u.name for u in event.removed_reviewers] == ["alice"]  # type: ignore[attr-defined]


async def test_cloud_tags_and_commit_statuses_send_their_events() -> None:
    fake = FakeBitbucketCloud()
    fake.add_repository("acme", "shop")
    fake.add_webhook(
        "acme",
        "shop",
        url=HOOK,
        events=["repo:push", "repo:commit_status_created", "repo:commit_status_updated"],
    )
    receiver = Recorder()
    fake.add_receiver(HOOK, receiver)
    head = fake.repository("acme", "shop").branches["main"]
    async with fake.client() as bb:
        await bb.refs.create_tag("acme", "shop", name="v1.0", target={"hash": head})
        for state in ("INPROGRESS", "SUCCESSFUL"):
            await bb.commit_statuses.create(
                "acme", "shop", head, key="ci", state=state, url="https://ci.example.com/1"
            )
    assert receiver.keys == ["repo:push", "repo:commit_status_created", "repo:commit_status_updated"]
    tag_change = json.loads(receiver.received[0][1])["push"]["changes"][0]
    assert tag_change["new"]["type"] == "tag" and tag_change["new"]["name"] == "v1.0"
    for headers, body in receiver.received[1:]:
        event = unwrap(headers, body, None, allow_unsigned=True)
        assert type(event).__name__ == "CommitStatusEvent", type(event).__name__
    assert json.loads(receiver.received[2][1])["commit_status"]["state"] == "SUCCESSFUL"


async def test_a_data_center_tag_created_through_the_api_changes_refs() -> None:
    fake = FakeBitbucketServer()
    fake.add_repository("PRJ", "shop")
    receiver = listen(fake, "PRJ", "shop", events=["repo:refs_changed"])
    async with fake.client() as bb:
        await bb.refs.create_tag("PRJ", "shop", name="v1.0", start_point="main", message="Release")
    (change,) = json.loads(receiver.received[0][1])["changes"]
    assert change["refId"] == "refs/tags/v1.0" and change["type"] == "ADD" and change["ref"]["type"] == "TAG"
    event = unwrap(*receiver.received[0], None, allow_unsigned=True)
    assert type(event).__name__ == "RefsChangedEvent"


def test_the_blocking_client_drives_receivers_too() -> None:
    fake = FakeBitbucketServer()
    fake.add_repository("PRJ", "shop")
    fake.add_webhook("PRJ", "shop", url=HOOK, events=["repo:refs_changed"])
    receiver = Recorder(status=202)
    fake.add_receiver(HOOK, receiver)
    with fake.sync_client() as bb:
        bb.refs.create_branch("PRJ", "shop", name="x", start_point="main")
    assert receiver.keys == ["repo:refs_changed"]
    assert [d.status for d in fake.deliveries] == [202]
