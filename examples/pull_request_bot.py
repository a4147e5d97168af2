"""A pull request bot, step by step (the tutorial in docs/recipes/pull-request-bot.md), on Bitbucket Cloud.

It proposes a change (a commit on a new branch and a pull request), comments on it, waits for the
reviews it needs and for the builds of the branch's head commit, then merges when everything is green,
or comments why it will not. Rate limits are survived twice over: the client retries each 429 itself,
and when Bitbucket keeps refusing past the client's budget the bot waits and goes on with its loop.

Run it:
    BITBUCKET_TOKEN=... python examples/pull_request_bot.py WORKSPACE REPO   # proposes a change, merges it
    python examples/pull_request_bot.py --fake acme shop                     # against the in-memory fake
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

import anyio

from bitbucket_client import UNSET, BitbucketCloud, RateLimitError
from bitbucket_client.cloud.models import Commitstatus, Pullrequest
from bitbucket_client.testing import FakeBitbucketCloud


@dataclass(frozen=True)
class Verdict:
    """What the bot makes of a pull request right now."""

    state: str  # "green", "waiting" or "red"
    reason: str


def verdict(pr: Pullrequest, statuses: Sequence[Commitstatus], *, approvals_needed: int) -> Verdict:
    """Green when open, approved by enough people other than its author, and every build passed."""
    if pr.state != "OPEN":
        return Verdict("red", f"the pull request is {pr.state}")
    author = pr.author.uuid if pr.author is not UNSET else None
    approvals = sum(
        1
        for p in pr.participants or []
        if p.approved is True and p.user is not UNSET and p.user.uuid != author
    )
    failed = [str(s.name or s.key) for s in statuses if str(s.state) in ("FAILED", "STOPPED")]
    if failed:
        return Verdict("red", f"build failed: {', '.join(sorted(failed))}")
    if approvals < approvals_needed:
        return Verdict("waiting", f"{approvals} of {approvals_needed} approval(s)")
    if not statuses:
        return Verdict("waiting", "no build has reported yet")
    running = [str(s.name or s.key) for s in statuses if str(s.state) != "SUCCESSFUL"]
    if running:
        return Verdict("waiting", f"waiting for {', '.join(sorted(running))}")
    return Verdict("green", f"{len(statuses)} build(s) passed, {approvals} approval(s)")


async def propose(
    bb: BitbucketCloud, workspace: str, repo: str, branch: str, files: Mapping[str, str]
) -> Pullrequest:
    """Step 1: commit ``files`` on a new ``branch`` and open a pull request; step 2: say what it does."""
    await bb.source.create_commit(
        workspace, repo, files=dict(files), message=f"Update {len(files)} file(s)", branch=branch
    )
    pr = await bb.pullrequests.create(
        workspace,
        repo,
        title=f"Bot: update {', '.join(sorted(files))}",
        source={"branch": {"name": branch}},
        close_source_branch=True,
    )
    listing = "\n".join(f"- `{path}`" for path in sorted(files))
    await bb.pullrequests.create_comment(
        workspace,
        repo,
        int(pr.id or 0),
        content={"raw": f"This pull request changes:\n{listing}"},
    )
    return pr


async def merge_when_green(
    bb: BitbucketCloud,
    workspace: str,
    repo: str,
    pr_id: int,
    *,
    approvals_needed: int = 1,
    poll_every: float = 10.0,
    give_up_after: float = 3600.0,
    report: Callable[[Verdict], None] = lambda v: print(f"{v.state}: {v.reason}", file=sys.stderr),
    sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
) -> bool:
    """Steps 3 and 4: wait for reviews and builds, then merge (squash) when green. Returns whether it
    merged; a red verdict gets a comment and no merge."""
    waited = 0.0
    last: Verdict | None = None
    while waited < give_up_after:
        try:
            pr = await bb.pullrequests.get(workspace, repo, pr_id)
            branch = (
                pr.source.branch.name if pr.source is not UNSET and pr.source.branch is not UNSET else None
            )
            # The pull request names its head by a short hash: ask the branch for the full one.
            head = (await bb.refs.get_branch(workspace, repo, str(branch))).target if branch else UNSET
            statuses = []
            if head is not UNSET and isinstance(head.hash_, str):
                statuses = [s async for s in bb.commit_statuses.list(workspace, repo, head.hash_)]
            current = verdict(pr, statuses, approvals_needed=approvals_needed)
            if current != last:
                report(current)
                last = current
            if current.state == "green":
                await bb.pullrequests.merge(
                    workspace, repo, pr_id, merge_strategy="squash", close_source_branch=True
                )
                return True
            if current.state == "red":
                if pr.state == "OPEN":
                    text = f"Not merging: {current.reason}."
                    await bb.pullrequests.create_comment(workspace, repo, pr_id, content={"raw": text})
                return False
            pause = poll_every
        except RateLimitError as error:
            # The client already retried within its budget; Cloud's window is an hour, so wait longer.
            pause = max(error.retry_after or 0.0, poll_every * 6)
            report(Verdict("waiting", f"rate limited, trying again in {pause:.0f} s"))
        await sleep(pause)
        waited += pause
    return False


async def demo(fake: FakeBitbucketCloud, workspace: str = "acme", repo: str = "shop") -> bool:
    """The whole story against a fake: the bot proposes, a reviewer approves, CI reports, the bot merges."""
    fake.add_repository(workspace, repo)
    async with fake.client("bot-token") as bot, fake.client("reviewer-token") as reviewer:
        pr = await propose(
            bot, workspace, repo, "bot/update-readme", {"README.md": "# Shop\n\nNow with a bot.\n"}
        )
        number = int(pr.id or 0)

        async def reviewer_and_ci(delay: float) -> None:
            await anyio.sleep(delay)
            await reviewer.pullrequests.approve(workspace, repo, number)
            head = (await reviewer.refs.get_branch(workspace, repo, "bot/update-readme")).target
            assert head is not UNSET and isinstance(head.hash_, str)
            await reviewer.commit_statuses.create(
                workspace,
                repo,
                head.hash_,
                key="ci",
                state="SUCCESSFUL",
                url="https://ci.example.com/1",
                name="CI",
            )

        async with anyio.create_task_group() as group:
            group.start_soon(reviewer_and_ci, 0.05)
            merged = await merge_when_green(bot, workspace, repo, number, poll_every=0.02, give_up_after=5)
    return merged


async def run(workspace: str, repo: str) -> bool:
    async with BitbucketCloud() as bb:
        pr = await propose(
            bb, workspace, repo, "bot/hello", {"BOT.md": "Proposed by the pull request bot.\n"}
        )
        print(f"opened #{pr.id}", file=sys.stderr)
        return await merge_when_green(bb, workspace, repo, int(pr.id or 0))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Open a pull request, then merge it once reviewed and green."
    )
    parser.add_argument("workspace")
    parser.add_argument("repo")
    parser.add_argument("--fake", action="store_true", help="use the in-memory fake instead of Bitbucket")
    args = parser.parse_args(argv)
    if args.fake:
        fake = FakeBitbucketCloud(tokens={"bot-token": "bot", "reviewer-token": "reviewer"})
        merged = anyio.run(demo, fake, args.workspace, args.repo)
    else:
        merged = anyio.run(run, args.workspace, args.repo)
    print("merged" if merged else "not merged")
    return 0 if merged else 1


if __name__ == "__main__":
    raise SystemExit(main())
