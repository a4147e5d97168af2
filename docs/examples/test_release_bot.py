"""Tests of release_bot.py against FakeBitbucketCloud: no account, no network, no mocks to maintain."""

from __future__ import annotations

import pytest
from release_bot import release

from bitbucket_client.testing import FakeBitbucketCloud


@pytest.fixture
def fake() -> FakeBitbucketCloud:
    fake = FakeBitbucketCloud(page_size=5)
    fake.add_repository("acme", "shop")
    return fake


async def test_merges_ready_pull_requests_and_skips_the_rest(fake: FakeBitbucketCloud) -> None:
    ready = fake.add_pull_request("acme", "shop", title="Add a cart", author="alice")
    fake.add_approval("acme", "shop", ready.id, by="bob")
    draft = fake.add_pull_request("acme", "shop", title="New checkout", author="alice", draft=True)
    fake.add_approval("acme", "shop", draft.id, by="bob")
    wip = fake.add_pull_request("acme", "shop", title="WIP: payments", author="carol")
    unreviewed = fake.add_pull_request("acme", "shop", title="Fix a typo", author="dave")

    async with fake.client() as bb:
        report = await release(bb, "acme", "shop")

    assert report.merged == [ready.id]
    assert report.skipped == {
        draft.id: "draft",
        wip.id: "work in progress",
        unreviewed.id: "needs 1 approval(s), has 0",
    }
    # The fake's state says what happened...
    assert ready.state == "MERGED"
    assert "pr/1" not in fake.repository("acme", "shop").branches  # the source branch was closed
    # ... and its request log says how.
    (merge,) = fake.requests_for("pullrequests.merge")
    assert merge.json == {
        "type": "pullrequest_merge_parameters",
        "merge_strategy": "squash",
        "close_source_branch": True,
    }


async def test_sees_every_page_of_pull_requests(fake: FakeBitbucketCloud) -> None:
    for number in range(12):
        pr = fake.add_pull_request("acme", "shop", title=f"Change {number}", author="alice")
        fake.add_approval("acme", "shop", pr.id, by="bob")

    async with fake.client() as bb:
        report = await release(bb, "acme", "shop")

    assert len(report.merged) == 12
    assert len(fake.requests_for("pullrequests.list")) == 3  # pages of 5


async def test_rides_out_a_rate_limit_and_an_asynchronous_merge() -> None:
    fake = FakeBitbucketCloud(async_merge=True)  # merges answer 202; the client polls the task
    fake.add_repository("acme", "shop")
    pr = fake.add_pull_request("acme", "shop", title="Add a cart", author="alice")
    fake.add_approval("acme", "shop", pr.id, by="bob")
    fake.faults.rate_limit(times=1, retry_after=0, operation="pullrequests.list")

    async with fake.client() as bb:
        report = await release(bb, "acme", "shop")

    assert report.merged == [pr.id]
    assert [r.status for r in fake.requests_for("pullrequests.list")] == [429, 200]
    assert [r.status for r in fake.requests_for("pullrequests.merge")] == [202]


async def test_a_refused_merge_is_reported_not_fatal(fake: FakeBitbucketCloud) -> None:
    conflicted = fake.add_pull_request("acme", "shop", title="Rename", author="alice", conflicted=True)
    fake.add_approval("acme", "shop", conflicted.id, by="bob")
    fine = fake.add_pull_request("acme", "shop", title="Docs", author="alice")
    fake.add_approval("acme", "shop", fine.id, by="bob")

    async with fake.client() as bb:
        report = await release(bb, "acme", "shop")

    assert report.merged == [fine.id]
    assert report.skipped == {conflicted.id: "merge refused: Conflicts during merge."}
    assert conflicted.state == "OPEN"
