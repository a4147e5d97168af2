"""`_merge`: Cloud's asynchronous merge, a 202 and a task polled until it ends (through the client)."""

from __future__ import annotations

import httpx
import pytest
import respx

import bitbucket_client._base_client as client_module
from bitbucket_client import UNSET, BitbucketCloud, MergeTask, MergeTaskError
from bitbucket_client.cloud.models import Pullrequest

CLOUD = "https://api.bitbucket.org/2.0"
PR = f"{CLOUD}/repositories/ws/repo/pullrequests/7"


TASK = f"{PR}/merge/task-status/abc"


@respx.mock
async def test_a_202_merge_is_polled_until_success(
    sleeps: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    import bitbucket_client._merge as merge_module

    monkeypatch.setattr(merge_module, "sleep", client_module.sleep)
    respx.post(f"{PR}/merge").respond(202, headers={"Location": TASK})
    status = respx.get(TASK).mock(
        side_effect=[
            httpx.Response(200, json={"task_status": "PENDING"}),
            httpx.Response(200, json={"task_status": "PENDING"}),
            httpx.Response(
                200, json={"task_status": "SUCCESS", "merge_result": {"id": 7, "state": "MERGED"}}
            ),
        ]
    )
    async with BitbucketCloud("T") as bb:
        merged = await bb.pullrequests.merge("ws", "repo", 7, merge_strategy="squash")
    assert isinstance(merged, Pullrequest) and merged.state == "MERGED"
    assert status.call_count == 3
    assert sleeps == [0.5, 1.0]  # backoff between polls


@respx.mock
async def test_a_failed_merge_task_raises_with_the_task_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import bitbucket_client._merge as merge_module

    async def no_sleep(seconds: float) -> None:
        return None

    monkeypatch.setattr(merge_module, "sleep", no_sleep)
    respx.post(f"{PR}/merge").respond(202, headers={"Location": TASK})
    respx.get(TASK).respond(json={"task_status": "FAILED", "error": {"message": "Merge conflict"}})
    async with BitbucketCloud("T") as bb:
        with pytest.raises(MergeTaskError, match="Merge conflict"):
            await bb.pullrequests.merge("ws", "repo", 7)


@respx.mock
async def test_a_merge_task_answering_absurdly_nested_json_is_a_merge_task_error() -> None:
    respx.post(f"{PR}/merge").respond(202, headers={"Location": TASK})
    respx.get(TASK).respond(content=b"[" * 5000, headers={"Content-Type": "application/json"})
    async with BitbucketCloud("T") as bb:
        with pytest.raises(MergeTaskError, match="ended with"):
            await bb.pullrequests.merge("ws", "repo", 7)


@respx.mock
async def test_wait_false_returns_the_task_handle() -> None:
    respx.post(f"{PR}/merge").respond(202, headers={"Location": TASK})
    respx.get(TASK).respond(json={"task_status": "SUCCESS", "merge_result": {"id": 7}})
    async with BitbucketCloud("T") as bb:
        task = await bb.pullrequests.merge("ws", "repo", 7, wait=False)
        assert isinstance(task, MergeTask) and not task.done and task.location == TASK
        merged = await task.wait()
    assert merged.id == 7 and task.done and task.result is merged
    assert merged.title is UNSET
