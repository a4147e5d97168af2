"""The raw view keeps each method's parameters and gives exact types (tests/test_views_typing.py)."""

from __future__ import annotations

from bitbucket_client import BitbucketCloud, BitbucketServer, MergeTask, Page, Response
from bitbucket_client.cloud.models import Pullrequest
from bitbucket_client.server.models import RestRepository


async def raw(token: str) -> list[object]:
    async with BitbucketCloud(token) as bb:
        got: Response[Pullrequest] = await bb.with_raw_response.pullrequests.get("ws", "repo", 7)
        first: Response[Page[Pullrequest]] = await bb.with_raw_response.pullrequests.list(
            "ws", "repo", state="OPEN", page_size=10
        )
        merged: Response[Pullrequest] = await bb.with_raw_response.pullrequests.merge("ws", "repo", 7)
        task: Response[MergeTask] = await bb.with_raw_response.pullrequests.merge("ws", "repo", 7, wait=False)
        none: Response[None] = await bb.with_raw_response.pullrequests.unapprove("ws", "repo", 7)
    async with BitbucketServer("https://bitbucket.example.com", token) as dc:
        repos: Response[Page[RestRepository]] = await dc.with_raw_response.repositories.list("PROJ")
    return [got, first, merged, task, none, repos]


async def mistakes(bb: BitbucketCloud) -> None:
    await bb.with_raw_response.pullrequests.get("ws", "repo", "seven")  # line 25: str where int is expected
    await bb.with_raw_response.pullrequests.list("ws", "repo", stat="OPEN")  # line 26: no such keyword
    wrong: Response[MergeTask] = await bb.with_raw_response.pullrequests.merge("ws", "repo", 7)  # line 27
    del wrong
