"""`_detached`: background work that is not a task group around the caller, cancelled explicitly."""

from __future__ import annotations

import threading

import anyio
import pytest

from bitbucket_client._detached import start_detached

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_detached_work_runs_without_being_awaited() -> None:
    done = anyio.Event()

    async def work() -> None:
        done.set()

    detached = start_detached(work)
    with anyio.fail_after(2):
        await done.wait()
        await detached.wait()


@pytest.mark.parametrize("from_thread", [False, True], ids=["loop", "thread"])
async def test_cancel_ends_it_from_the_loop_or_another_thread(from_thread: bool) -> None:
    started, cancelled = anyio.Event(), []

    async def work() -> None:
        started.set()
        try:
            await anyio.sleep(60)
        except anyio.get_cancelled_exc_class():
            cancelled.append(True)
            raise

    detached = start_detached(work)
    await started.wait()
    if from_thread:
        thread = threading.Thread(target=detached.cancel)
        thread.start()
        thread.join()
    else:
        detached.cancel()
    with anyio.fail_after(2):
        await detached.wait()
    assert cancelled == [True]
