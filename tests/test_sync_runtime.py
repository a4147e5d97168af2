"""`SyncRuntime`: each thread runs its calls on a loop of its own, a thread with a running loop uses the
helper thread, deprecations point at the caller, interruptions clean up, threads end with the client."""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
import warnings
from collections.abc import Iterator

import httpx
import pytest

from bitbucket_client import BitbucketError
from bitbucket_client._sync_runtime import SyncResources, SyncRuntime, defer_deprecation, thread_loop


@pytest.fixture
def runtime() -> Iterator[SyncRuntime]:
    resources = SyncResources(httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(204))))
    runtime = SyncRuntime(resources, "Client", owns_resources=True)
    yield runtime
    runtime.close()


async def where() -> tuple[int, asyncio.AbstractEventLoop]:
    return threading.get_ident(), asyncio.get_running_loop()


def test_a_call_runs_on_the_callers_thread_on_its_own_loop(runtime: SyncRuntime) -> None:
    thread, loop = runtime.run(where())
    assert thread == threading.get_ident()
    assert loop is thread_loop()
    assert runtime.run(where())[1] is loop  # the same loop for every call of this thread


def test_each_thread_has_a_loop_of_its_own_closed_when_it_ends(runtime: SyncRuntime) -> None:
    loops: list[asyncio.AbstractEventLoop] = []
    thread = threading.Thread(target=lambda: loops.append(runtime.run(where())[1]))
    thread.start()
    thread.join()
    del thread
    gc.collect()
    assert loops[0] is not thread_loop()
    assert loops[0].is_closed()


def test_inside_a_running_loop_calls_run_on_the_helper_thread(runtime: SyncRuntime) -> None:
    async def notebook_cell() -> tuple[int, asyncio.AbstractEventLoop]:
        return runtime.run(where())

    thread, loop = asyncio.run(notebook_cell())
    assert thread != threading.get_ident()
    helper = [t for t in threading.enumerate() if t.ident == thread]
    assert helper and helper[0].name.startswith("bitbucket-client-sync")
    assert not loop.is_closed()
    runtime.close()
    assert not helper[0].is_alive()


def test_a_call_from_inside_a_call_on_the_helper_thread_is_refused(runtime: SyncRuntime) -> None:
    async def callback() -> None:
        runtime.run(where())  # the helper's loop runs this: the nested call would wait for itself

    async def notebook_cell() -> None:
        runtime.run(callback())

    with pytest.raises(RuntimeError, match="wait for itself"):
        asyncio.run(notebook_cell())


def test_a_deprecation_inside_a_call_points_at_the_callers_line(runtime: SyncRuntime) -> None:
    async def deprecated() -> None:
        assert defer_deprecation("old.thing is deprecated by Atlassian")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = sys._getframe().f_lineno + 1
        runtime.run(deprecated(), stacklevel=2)  # the line the warning must name
    assert [(str(w.message), w.filename, w.lineno) for w in caught] == [
        ("old.thing is deprecated by Atlassian", __file__, line)
    ]
    assert not defer_deprecation("outside any call")


def test_an_interrupted_call_is_cancelled_and_cleans_up(runtime: SyncRuntime) -> None:
    cleaned = []

    async def long_call() -> None:
        asyncio.get_running_loop().call_soon(_interrupt)
        try:
            await asyncio.sleep(10)
        finally:
            cleaned.append(True)

    with pytest.raises(KeyboardInterrupt):
        runtime.run(long_call())
    assert cleaned == [True]
    assert not asyncio.all_tasks(thread_loop())


def _interrupt() -> None:
    raise KeyboardInterrupt


def test_a_closed_runtime_refuses_calls_without_leaving_a_coroutine_unawaited(runtime: SyncRuntime) -> None:
    runtime.close()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(BitbucketError, match="this Client is closed"):
            runtime.run(where())
        gc.collect()


def test_a_copy_shares_the_resources_but_closes_alone(runtime: SyncRuntime) -> None:
    copy = runtime.copy()
    copy.close()
    with pytest.raises(BitbucketError):
        copy.run(where())
    assert runtime.run(where())[0] == threading.get_ident()
    runtime.close()
    assert copy.closed and runtime.closed
