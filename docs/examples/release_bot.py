"""A release bot: merge every open pull request that is ready. (The service that docs/testing.md tests.)

Ready means: not a draft, no "WIP" in front of the title, and approved by at least ``approvals_needed``
people other than its author. The bot adds its own approval, so the history shows who merged it, and
squashes the branch into the destination.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bitbucket_client import UNSET, BadRequestError, BitbucketCloud
from bitbucket_client.cloud.models import Pullrequest


@dataclass
class ReleaseReport:
    merged: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)
    """Pull request id → why it was left alone."""


def why_not_ready(pr: Pullrequest, approvals_needed: int) -> str | None:
    """Why `pr` cannot be merged yet, or None when it is ready."""
    if pr.draft is True:
        return "draft"
    if (pr.title or "").upper().startswith("WIP"):
        return "work in progress"
    author = pr.author.uuid if pr.author else None
    approvals = sum(
        1 for p in pr.participants or [] if p.approved is True and p.user and p.user.uuid != author
    )
    if approvals < approvals_needed:
        return f"needs {approvals_needed} approval(s), has {approvals}"
    return None


async def release(
    bb: BitbucketCloud, workspace: str, repo: str, *, approvals_needed: int = 1
) -> ReleaseReport:
    report = ReleaseReport()
    # Read the whole list first: merging while paging through the OPEN pull requests would shift the
    # pages under the iteration, and some pull requests would be skipped.
    open_prs = [pr async for pr in bb.pullrequests.list(workspace, repo, state="OPEN")]
    for pr in sorted(open_prs, key=lambda pr: pr.id or 0):
        if pr.id is UNSET:
            continue
        reason = why_not_ready(pr, approvals_needed)
        if reason is not None:
            report.skipped[pr.id] = reason
            continue
        await bb.pullrequests.approve(workspace, repo, pr.id)
        try:
            await bb.pullrequests.merge(
                workspace, repo, pr.id, merge_strategy="squash", close_source_branch=True
            )
        except BadRequestError as error:  # Bitbucket refused: conflicts, closed meanwhile, ...
            report.skipped[pr.id] = f"merge refused: {error.message}"
            continue
        report.merged.append(pr.id)
    return report
