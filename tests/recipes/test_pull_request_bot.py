"""examples/pull_request_bot.py against FakeBitbucketCloud: it opens, comments, waits for a review and the
builds (commit statuses a CI posts), merges only when green, and survives 429s (retried by the client,
and waited out by the bot when they outlast the client's budget)."""

from __future__ import annotations

from typing import Any, Literal

import anyio
import pull_request_bot as bot
import pytest

from bitbucket_client import UNSET, BitbucketCloud
from bitbucket_client.cloud.models import Commitstatus, Pullrequest
from bitbucket_client.testing import FakeBitbucketCloud

BuildState = Literal["FAILED", "INPROGRESS", "STOPPED", "SUCCESSFUL"]


@pytest.fixture
def fake() -> FakeBitbucketCloud:
    fake = FakeBitbucketCloud(tokens={"bot-token": "bot", "reviewer-token": "reviewer"})
    fake.add_repository("acme", "shop")
    return fake


async def report_ci(bb: BitbucketCloud, branch: str, state: BuildState) -> None:
    head = (await bb.refs.get_branch("acme", "shop", branch)).target
    assert head is not UNSET and isinstance(head.hash_, str)
    await bb.commit_statuses.create(
        "acme", "shop", head.hash_, key="ci", state=state, url="https://ci/1", name="CI"
    )


async def test_opens_comments_waits_for_review_and_build_then_merges(fake: FakeBitbucketCloud) -> None:
    verdicts: list[str] = []
    async with fake.client("bot-token") as bb, fake.client("reviewer-token") as reviewer:
        pr = await bot.propose(bb, "acme", "shop", "bot/readme", {"README.md": "new\n", "docs/a.md": "A\n"})
        state = fake.pull_request("acme", "shop", int(pr.id or 0))
        assert [c.text for c in state.comments.values()] == [
            "This pull request changes:\n- `README.md`\n- `docs/a.md`"
        ]
        assert fake.files("acme", "shop", "bot/readme")["README.md"] == b"new\n"

        async def people_and_ci() -> None:
            await anyio.sleep(0.03)
            await reviewer.pullrequests.approve("acme", "shop", int(pr.id or 0))
            await anyio.sleep(0.03)
            await report_ci(reviewer, "bot/readme", "INPROGRESS")
            await anyio.sleep(0.03)
            await report_ci(reviewer, "bot/readme", "SUCCESSFUL")

        async with anyio.create_task_group() as group:
            group.start_soon(people_and_ci)
            merged = await bot.merge_when_green(
                bb,
                "acme",
                "shop",
                int(pr.id or 0),
                poll_every=0.01,
                report=lambda v: verdicts.append(v.reason),
            )
    assert merged
    assert state.state == "MERGED"
    assert "bot/readme" not in fake.repository("acme", "shop").branches  # close_source_branch
    assert fake.requests_for("pullrequests.merge")[0].json["merge_strategy"] == "squash"
    assert verdicts == [
        "0 of 1 approval(s)",
        "no build has reported yet",
        "waiting for CI",
        "1 build(s) passed, 1 approval(s)",
    ]


async def test_a_failed_build_gets_a_comment_and_no_merge(fake: FakeBitbucketCloud) -> None:
    fake.add_pull_request("acme", "shop", title="Risky", source="risky", author="alice")
    fake.add_approval("acme", "shop", 1, by="reviewer")
    async with fake.client("bot-token") as bb:
        await report_ci(bb, "risky", "FAILED")
        assert not await bot.merge_when_green(bb, "acme", "shop", 1, report=lambda v: None)
    pr = fake.pull_request("acme", "shop", 1)
    assert pr.state == "OPEN"
    assert [c.text for c in pr.comments.values()] == ["Not merging: build failed: CI."]


async def test_429s_are_retried_by_the_client(fake: FakeBitbucketCloud, sleeps: list[float]) -> None:
    opening = fake.faults.rate_limit(times=2, operation="pullrequests.create")
    merging = fake.faults.rate_limit(times=1, operation="pullrequests.merge", retry_after=1)
    async with fake.client("bot-token") as bb, fake.client("reviewer-token") as reviewer:
        pr = await bot.propose(bb, "acme", "shop", "bot/x", {"x.txt": "x\n"})
        await reviewer.pullrequests.approve("acme", "shop", int(pr.id or 0))
        await report_ci(reviewer, "bot/x", "SUCCESSFUL")
        assert await bot.merge_when_green(bb, "acme", "shop", int(pr.id or 0), report=lambda v: None)
    assert (opening.triggered, merging.triggered) == (2, 1)
    assert [r.status for r in fake.requests_for("pullrequests.create")] == [429, 429, 201]
    assert len(fake.state.owners["acme"].repositories["shop"].pull_requests) == 1, (
        "a retried POST made one PR"
    )
    assert 1.0 in sleeps  # the merge's Retry-After was honoured
    assert fake.pull_request("acme", "shop", int(pr.id or 0)).state == "MERGED"


async def test_429s_past_the_clients_budget_are_waited_out_by_the_bot(fake: FakeBitbucketCloud) -> None:
    fake.add_pull_request("acme", "shop", title="Ready", source="ready", author="alice")
    fake.add_approval("acme", "shop", 1, by="reviewer")
    refused = fake.faults.rate_limit(times=3, operation="pullrequests.get", retry_after=120)
    waits: list[float] = []
    reasons: list[str] = []

    async def no_wait(seconds: float) -> None:
        waits.append(seconds)

    async with fake.client("bot-token", max_retries=0) as bb:
        await report_ci(bb, "ready", "SUCCESSFUL")
        merged = await bot.merge_when_green(
            bb, "acme", "shop", 1, poll_every=1, sleep=no_wait, report=lambda v: reasons.append(v.reason)
        )
    assert merged and refused.triggered == 3
    assert waits == [120, 120, 120]
    assert reasons[0] == "rate limited, trying again in 120 s" and reasons[-1].startswith("1 build(s) passed")


def a_pr(**fields: Any) -> Pullrequest:
    data = {"id": 1, "state": "OPEN", "author": {"uuid": "{a}"}, **fields}
    return Pullrequest.from_dict(data)


def approved_by(*uuids: str) -> list[dict[str, Any]]:
    return [{"approved": True, "user": {"uuid": uuid}} for uuid in uuids]


@pytest.mark.parametrize(
    ("pr", "states", "expected"),
    [
        (a_pr(participants=approved_by("{a}")), ["SUCCESSFUL"], ("waiting", "0 of 1 approval(s)")),
        (a_pr(participants=approved_by("{b}")), [], ("waiting", "no build has reported yet")),
        (a_pr(participants=approved_by("{b}")), ["SUCCESSFUL", "STOPPED"], ("red", "build failed: CI1")),
        (a_pr(state="DECLINED"), ["SUCCESSFUL"], ("red", "the pull request is DECLINED")),
        (
            a_pr(participants=approved_by("{b}")),
            ["SUCCESSFUL"],
            ("green", "1 build(s) passed, 1 approval(s)"),
        ),
    ],
)
def test_verdict(pr: Pullrequest, states: list[str], expected: tuple[str, str]) -> None:
    statuses = [
        Commitstatus.from_dict({"key": f"ci{i}", "name": f"CI{i}", "state": s}) for i, s in enumerate(states)
    ]
    assert bot.verdict(pr, statuses, approvals_needed=1) == bot.Verdict(*expected)


def test_main_against_the_fake(capsys: pytest.CaptureFixture[str]) -> None:
    assert bot.main(["--fake", "acme", "shop"]) == 0
    assert capsys.readouterr().out == "merged\n"
