"""A user's mistake that mypy must flag: the pull request id is an int, the merge strategy an enum."""

from __future__ import annotations

from bitbucket_client import BitbucketCloud


async def main() -> None:
    async with BitbucketCloud("T") as bb:
        await bb.pullrequests.get("ws", "repo", "seven")  # line 10: str where int is expected
        await bb.pullrequests.merge("ws", "repo", 7, merge_strategy="octopus")  # line 11: not a strategy
        await bb.pullrequests.list("ws", "repo", stat="OPEN")  # line 12: no such keyword
