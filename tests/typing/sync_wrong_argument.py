"""Mistakes in blocking code that mypy must flag where they are (tests/sync/test_sync_typing.py)."""

from __future__ import annotations

from bitbucket_client.cloud.models import Pullrequest
from bitbucket_client.sync import BitbucketCloud, Response, SyncMergeTask


def mistakes(bb: BitbucketCloud) -> None:
    bb.pullrequests.get("ws", "repo", "seven")  # line 10: str where int is expected
    bb.pullrequests.merge("ws", "repo", 7, merge_strategy="octopus")  # line 11: not a strategy
    bb.pullrequests.list("ws", "repo", stat="OPEN")  # line 12: no such keyword
    merged: Pullrequest = bb.pullrequests.merge("ws", "repo", 7, wait=False)  # line 13: a SyncMergeTask
    later: Pullrequest = bb.pullrequests.merge("ws", "repo", 7, wait=False).wait()  # fine
    task: SyncMergeTask = bb.pullrequests.merge("ws", "repo", 7)  # line 15: a Pullrequest
    raw: Response[Pullrequest] = bb.with_raw_response.pullrequests.merge("ws", "repo", 7)  # fine
    page: Response[Pullrequest] = bb.with_raw_response.pullrequests.list("ws", "repo")  # line 17
    pr: Pullrequest = bb.pullrequests.list("ws", "repo")  # line 18: a SyncPaginator
    awaited = bb.pullrequests.get("ws", "repo", 7).__await__  # line 19: not awaitable
    del merged, later, task, raw, page, pr, awaited
