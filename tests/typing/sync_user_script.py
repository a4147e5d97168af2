"""A user's blocking script calling many operations: mypy --strict accepts it
(tests/sync/test_sync_typing.py), and it runs against the fake (tests/sync/test_sync_client.py)."""

from __future__ import annotations

import threading

from bitbucket_client.cloud.models import (
    Branch,
    CommitSummaryInput,
    Pullrequest,
    PullRequestBranchInput,
    PullrequestEndpointInput,
    RefsCreateBranchBodyTarget,
)
from bitbucket_client.sync import UNSET, BitbucketCloud, SyncMergeTask, SyncPaginator
from bitbucket_client.testing import FakeBitbucketCloud


def report(bb: BitbucketCloud) -> list[str]:
    lines = [f"me: {bb.users.get_current().display_name}"]
    lines.append(f"workspace: {bb.workspaces.get('acme').slug}")
    lines.append("repositories: " + ", ".join(str(r.slug) for r in bb.repositories.list("acme")))
    bb.refs.create_branch("acme", "shop", name="feature", target=RefsCreateBranchBodyTarget(hash_="main"))
    branches: SyncPaginator[Branch] = bb.refs.list_branches("acme", "shop")
    lines.append("branches: " + ", ".join(sorted(str(b.name) for b in branches)))
    pr: Pullrequest = bb.pullrequests.create(
        "acme",
        "shop",
        title="Add a cart",
        source=PullrequestEndpointInput(branch=PullRequestBranchInput(name="feature")),
    )
    lines.append(f"created #{pr.id} {pr.title}")
    approval = bb.pullrequests.approve("acme", "shop", 1)
    lines.append(f"approved by {approval.user.display_name if approval.user else UNSET}")
    bb.pullrequests.create_comment("acme", "shop", 1, content=CommitSummaryInput(raw="Looks good"))
    comments = [c.content.raw for c in bb.pullrequests.list_comments("acme", "shop", 1) if c.content]
    lines.append("comments: " + ", ".join(str(c) for c in comments))
    for open_pr in bb.pullrequests.list("acme", "shop", state="OPEN", page_size=10, max_items=5):
        lines.append(f"open: #{open_pr.id} {open_pr.title}")
    task: SyncMergeTask = bb.pullrequests.merge("acme", "shop", 1, wait=False)
    merged: Pullrequest = task.wait(first_delay=0.01)
    lines.append(f"merged #{merged.id} {merged.state}")
    bb.webhooks.create_for_repository(
        "acme", "shop", url="https://ci.example.com/hook", events=["repo:push"], description="CI"
    )
    hooks = [str(h.url) for h in bb.webhooks.list_for_repository("acme", "shop")]
    lines.append("hooks: " + ", ".join(hooks))
    lines.append(f"commits: {sum(1 for _ in bb.commits.list('acme', 'shop'))}")
    return lines


def main() -> None:
    fake = FakeBitbucketCloud(async_merge=True)
    fake.add_repository("acme", "shop")
    with BitbucketCloud("any-token", transport=fake) as bb:
        for line in report(bb):
            print(line)
    left = [t for t in threading.enumerate() if t.name.startswith("bitbucket-client")]
    print(f"threads left: {len(left)}")


if __name__ == "__main__":
    main()
