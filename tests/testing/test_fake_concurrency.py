"""Both fakes under 200 concurrent calls mixing writes and reads: nothing is lost, ids stay unique and
Data Center versions only go up, even while webhook receivers yield in the middle of deliveries."""

from __future__ import annotations

import anyio
import pytest

from bitbucket_client import ConflictError
from bitbucket_client.cloud.models import CommitSummaryInput
from bitbucket_client.testing import FakeBitbucketCloud, FakeBitbucketServer

CALLS = 200
HOOK = "https://ci.example.com/hooks"


async def slow_receiver(headers: dict[str, str], body: bytes) -> None:
    await anyio.sleep(0)  # another task runs in the middle of every delivery


async def test_cloud_state_stays_consistent_under_concurrent_calls() -> None:
    fake = FakeBitbucketCloud()
    fake.add_repository("acme", "shop")
    prs = [fake.add_pull_request("acme", "shop", title=f"PR {n}") for n in range(4)]
    fake.add_webhook("acme", "shop", url=HOOK, events=["pullrequest:comment_created", "repo:push"])
    fake.add_receiver(HOOK, slow_receiver)
    comment_ids: list[int] = []
    reads: list[int] = []

    async with fake.client() as bb:

        async def comment(number: int) -> None:
            pr = prs[number % len(prs)]
            made = await bb.pullrequests.create_comment(
                "acme", "shop", pr.id, content=CommitSummaryInput(raw=f"comment {number}")
            )
            assert isinstance(made.id, int)
            comment_ids.append(made.id)

        async def branch(number: int) -> None:
            body = {"name": f"topic-{number}", "target": {"hash": "main"}}
            await bb.request("POST", "repositories/acme/shop/refs/branches", json=body)

        async def read(number: int) -> None:
            pr = prs[number % len(prs)]
            reads.append(len([c async for c in bb.pullrequests.list_comments("acme", "shop", pr.id)]))

        async with anyio.create_task_group() as group:
            for number in range(CALLS):
                job = (comment, comment, branch, read)[number % 4]
                group.start_soon(job, number)

    assert len(comment_ids) == CALLS // 2 and len(set(comment_ids)) == CALLS // 2
    assert sum(len(pr.comments) for pr in prs) == CALLS // 2  # no comment lost
    assert all(0 <= count <= CALLS // 2 for count in reads)
    branches = fake.repository("acme", "shop").branches
    assert {f"topic-{n}" for n in range(2, CALLS, 4)} <= set(branches)
    deliveries = [d.event_key for d in fake.deliveries]
    assert deliveries.count("pullrequest:comment_created") == CALLS // 2
    assert deliveries.count("repo:push") == CALLS // 4
    assert all(d.status == 200 for d in fake.deliveries)


async def test_data_center_versions_only_go_up_under_concurrent_updates() -> None:
    fake = FakeBitbucketServer(tokens={"t-alice": "alice", "t-bob": "bob"})
    fake.add_repository("PRJ", "shop")
    pr = fake.add_pull_request("PRJ", "shop", title="Busy", author="alice")
    fake.add_webhook("PRJ", None, url=HOOK, events=["pr:modified", "pr:comment:added"])
    fake.add_receiver(HOOK, slow_receiver)
    versions: list[int] = []
    conflicts: list[int] = []
    comment_ids: list[int] = []

    async with fake.client("t-alice") as alice, fake.client("t-bob") as bob:

        async def update(number: int) -> None:
            seen = (await alice.pullrequests.get("PRJ", "shop", pr.id)).version
            assert isinstance(seen, int)
            try:
                updated = await alice.pullrequests.update(
                    "PRJ", "shop", pr.id, title=f"v{number}", version=seen
                )
            except ConflictError:
                conflicts.append(number)
                return
            assert isinstance(updated.version, int)
            versions.append(updated.version)

        async def comment(number: int) -> None:
            made = await bob.pullrequests.create_comment("PRJ", "shop", pr.id, text=f"note {number}")
            assert isinstance(made.id, int)
            comment_ids.append(made.id)

        async with anyio.create_task_group() as group:
            for number in range(CALLS):
                group.start_soon(update if number % 2 else comment, number)

    assert len(versions) + len(conflicts) == CALLS // 2
    assert sorted(versions) == list(range(1, len(versions) + 1))  # each success one step, none twice
    assert pr.version == len(versions)
    assert len(set(comment_ids)) == len(pr.comments) == CALLS // 2


@pytest.mark.parametrize("product", ["cloud", "server"])
async def test_concurrent_repository_creation_gives_unique_ids(product: str) -> None:
    fake: FakeBitbucketCloud | FakeBitbucketServer = (
        FakeBitbucketCloud() if product == "cloud" else FakeBitbucketServer()
    )
    owner = "acme" if product == "cloud" else "PRJ"
    fake.add_repository(owner, "seed")

    async with anyio.create_task_group() as group:
        for number in range(CALLS):
            group.start_soon(_create_repository, fake, owner, number)

    repos = list(fake.state.find_owner(owner).repositories.values())  # type: ignore[union-attr]
    assert len(repos) == CALLS + 1
    assert len({r.id for r in repos}) == len({r.uuid for r in repos}) == CALLS + 1


async def _create_repository(fake: FakeBitbucketCloud | FakeBitbucketServer, owner: str, number: int) -> None:
    if isinstance(fake, FakeBitbucketCloud):
        async with fake.client() as bb:
            await bb.repositories.create(owner, f"repo-{number}")
    else:
        async with fake.client() as bb:
            await bb.repositories.create(owner, name=f"repo-{number}")
