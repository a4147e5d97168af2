"""`SharedLock`: exclusive across event loops, threads and backends; cancellation and fork leave it free."""

from __future__ import annotations

import asyncio
import os
import threading
import time

import anyio
import pytest

from bitbucket_client._shared_lock import SharedLock


def test_loops_in_different_threads_take_turns() -> None:
    lock = SharedLock()
    inside = 0
    most_inside = 0
    entered: list[str] = []

    async def critical(name: str) -> None:
        nonlocal inside, most_inside
        async with lock:
            inside += 1
            most_inside = max(most_inside, inside)
            entered.append(name)
            await asyncio.sleep(0.01)  # other loops poll meanwhile
            inside -= 1

    def thread(name: str) -> None:
        asyncio.run(critical(name))

    threads = [threading.Thread(target=thread, args=(f"t{n}",)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most_inside == 1
    assert sorted(entered) == [f"t{n}" for n in range(6)]
    assert not lock.locked()


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_a_waiter_cancelled_while_it_polls_holds_nothing(backend: str) -> None:
    lock = SharedLock()

    async def main() -> None:
        async with lock:
            with anyio.move_on_after(0.05) as scope:
                async with lock:  # held by this very caller: waits until cancelled
                    raise AssertionError("acquired a held lock")
            assert scope.cancelled_caught
        async with lock:  # free again
            pass

    anyio.run(main, backend=backend)
    assert not lock.locked()


def test_the_holder_cancelled_inside_releases() -> None:
    lock = SharedLock()

    async def main() -> None:
        with anyio.move_on_after(0.02):
            async with lock:
                await anyio.sleep(10)
        assert not lock.locked()

    anyio.run(main)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_child_forked_while_another_thread_holds_it_gets_it_free() -> None:
    lock = SharedLock()
    held, release = threading.Event(), threading.Event()

    async def hold() -> None:
        async with lock:
            held.set()
            while not release.is_set():
                await asyncio.sleep(0.005)

    holder = threading.Thread(target=lambda: asyncio.run(hold()))
    holder.start()
    held.wait(5)
    pid = os.fork()
    if pid == 0:  # the child: the holding thread does not exist here
        code = 1
        try:

            async def take() -> None:
                with anyio.fail_after(2):
                    async with lock:
                        pass

            asyncio.run(take())
            code = 0
        finally:
            os._exit(code)
    release.set()
    holder.join()
    deadline = time.monotonic() + 10
    while True:
        finished, status = os.waitpid(pid, os.WNOHANG)
        if finished or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    assert finished and os.waitstatus_to_exitcode(status) == 0
