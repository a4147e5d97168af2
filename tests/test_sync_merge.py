"""`SyncMergeTask`: Cloud's background merge for synchronous code, polled as the async client polls."""

from __future__ import annotations

import attrs
import httpx
import pytest

from bitbucket_client import MergeTask, Response
from bitbucket_client._sync_merge import blocking_result
from bitbucket_client.cloud.models import Pullrequest
from bitbucket_client.sync import APITimeoutError, BitbucketCloud, MergeTaskError, SyncMergeTask
from bitbucket_client.testing import FakeBitbucketCloud


@pytest.fixture
def fake() -> FakeBitbucketCloud:
    fake = FakeBitbucketCloud(async_merge=True, merge_pending_polls=2)
    fake.add_repository("acme", "shop")
    fake.add_pull_request("acme", "shop", title="Ready")
    return fake


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    import bitbucket_client._merge as merge_module

    waits: list[float] = []

    async def recorded(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(merge_module, "sleep", recorded)
    return waits


def test_merge_waits_for_the_task_by_default(fake: FakeBitbucketCloud, quick_polls: list[float]) -> None:
    with BitbucketCloud("token", transport=fake) as bb:
        merged = bb.pullrequests.merge("acme", "shop", 1, merge_strategy="squash")
    assert isinstance(merged, Pullrequest) and merged.state == "MERGED"
    assert len(fake.requests_for("pullrequests.get_merge_task_status")) == 3
    assert quick_polls == [0.5, 1.0]  # the async client's backoff


def test_wait_false_gives_a_task_whose_wait_blocks(fake: FakeBitbucketCloud) -> None:
    with BitbucketCloud("token", transport=fake) as bb:
        task = bb.pullrequests.merge("acme", "shop", 1, wait=False)
        assert isinstance(task, SyncMergeTask)
        assert not task.done and task.result is None
        assert task.location is not None and "/merge/task-status/" in task.location
        merged = task.wait(first_delay=0.01)
        assert task.done and task.result is merged
    assert merged.state == "MERGED"
    assert repr(task).startswith("SyncMergeTask(location=")


def test_the_raw_view_gives_the_202_and_a_blocking_task(fake: FakeBitbucketCloud) -> None:
    with BitbucketCloud("token", transport=fake) as bb:
        raw = bb.with_raw_response.pullrequests.merge("acme", "shop", 1, wait=False)
        assert raw.status_code == 202
        assert isinstance(raw.parsed, SyncMergeTask)
        assert raw.parsed.wait().state == "MERGED"


TASK = "https://api.bitbucket.org/2.0/repositories/acme/shop/pullrequests/1/merge/task-status/t"


def merge_answering(status: dict[str, object]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(202, headers={"Location": TASK})
        return httpx.Response(200, json=status)

    return httpx.MockTransport(answer)


def test_a_failed_task_raises_merge_task_error() -> None:
    failed = merge_answering({"task_status": "FAILED", "error": {"message": "Merge conflicts"}})
    with BitbucketCloud("token", transport=failed) as bb:
        task = bb.pullrequests.merge("acme", "shop", 1, wait=False)
        with pytest.raises(MergeTaskError, match="Merge conflicts"):
            task.wait()


def test_the_deadline_covers_the_polling() -> None:
    pending = merge_answering({"task_status": "PENDING"})
    with BitbucketCloud("token", transport=pending, deadline=0.2) as bb:
        with pytest.raises(APITimeoutError, match="still PENDING"):
            bb.pullrequests.merge("acme", "shop", 1)


def test_blocking_result_leaves_other_values_alone() -> None:
    runtime = object()
    task = MergeTask(client=None, location="L", result=None, decode_result=Pullrequest.from_dict)  # type: ignore[arg-type]
    assert isinstance(blocking_result(task, runtime), SyncMergeTask)  # type: ignore[arg-type]
    response = Response(202, httpx.Headers(), b"", task, httpx.Response(202))
    converted = blocking_result(response, runtime)  # type: ignore[arg-type]
    assert isinstance(converted.parsed, SyncMergeTask)
    assert attrs.evolve(converted, parsed=None).status_code == 202
    done = Pullrequest.from_dict({"id": 1})
    assert blocking_result(done, runtime) is done  # type: ignore[arg-type]
