"""Bodies as users write them, which mypy --strict must accept: plain dicts at every depth (the issue's
snippet, as written), the dict forms (`...Dict`), models, readable names, and both products."""

from __future__ import annotations

from bitbucket_client import BitbucketCloud, BitbucketServer
from bitbucket_client.cloud.models import (
    AccountRef,
    PullRequestBranchRef,
    PullRequestEndpoint,
    PullrequestInputDict,
)
from bitbucket_client.server.models import PullRequestRefDict


async def cloud() -> None:
    async with BitbucketCloud("T") as bb:
        await bb.pullrequests.create("ws", "repo", title="t",
                                     source={"branch": {"name": "feature"}},
                                     destination={"branch": {"name": "main"}},
                                     reviewers=[{"uuid": "{...}"}])  # fmt: skip
        payload: PullrequestInputDict = {"title": "t", "source": {"branch": {"name": "feature"}}}
        await bb.pullrequests.create("ws", "repo", body=payload)
        await bb.pullrequests.create(
            "ws",
            "repo",
            title="typed",
            source=PullRequestEndpoint(branch=PullRequestBranchRef(name="feature")),
            reviewers=[AccountRef(uuid="{...}"), {"account_id": "557058:1"}],
        )
        await bb.pipelines.run(
            "ws",
            "repo",
            target={
                "type": "pipeline_ref_target",
                "ref_type": "branch",
                "ref_name": "main",
                "selector": {"type": "custom", "pattern": "deploy"},
            },
        )
        raw = await bb.with_raw_response.pullrequests.create(
            "ws", "repo", title="t", source={"branch": {"name": "f"}}
        )
        assert raw.parsed.id is not None


async def data_center() -> None:
    ref: PullRequestRefDict = {
        "id": "refs/heads/f",
        "repository": {"slug": "repo", "project": {"key": "PRJ"}},
    }
    async with BitbucketServer("https://bitbucket.example.com", "T") as bb:
        await bb.pullrequests.create(
            "PRJ",
            "repo",
            title="t",
            from_ref=ref,
            to_ref={"id": "refs/heads/main", "repository": {"slug": "repo", "project": {"key": "PRJ"}}},
            reviewers=[{"user": {"name": "charlie"}}],
        )
