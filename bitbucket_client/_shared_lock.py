"""`SharedLock`: an async lock that holds across event loops and threads.

An OAuth credential is one object however many event loops use it: the synchronous client runs each
calling thread's calls on that thread's own loop, and an async program may run several loops too. The
renewal of its token must be exclusive across all of them, so that one token request serves every
loop. `anyio.Lock` cannot do that: its waiters are futures of one loop, woken from that loop only.

So the lock itself is a `threading.Lock`, never waited on in a blocking way (that would block a
loop): a caller that finds it taken polls, sleeping with backoff on its own loop, under any backend
(asyncio or trio). Renewals are rare and short, so the polling costs nothing measurable, and a waiter
cancelled while it sleeps holds nothing. A process forked while another thread held the lock would
otherwise keep it locked forever: the child gets every lock back unlocked.
"""

from __future__ import annotations

import os
import threading
import weakref
from types import TracebackType

import anyio

__all__ = ["SharedLock"]

_FIRST_POLL = 0.001
_LONGEST_POLL = 0.05

_ALL: weakref.WeakSet[SharedLock] = weakref.WeakSet()


class SharedLock:
    """``async with lock:`` exclusive across every event loop and thread of the process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        _ALL.add(self)

    async def __aenter__(self) -> None:
        delay = _FIRST_POLL
        while not self._lock.acquire(blocking=False):
            await anyio.sleep(delay)
            delay = min(delay * 2, _LONGEST_POLL)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._lock.release()

    def locked(self) -> bool:
        """Whether some caller holds the lock now."""
        return self._lock.locked()


def _unlock_all_in_child() -> None:
    for lock in list(_ALL):
        lock._lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_unlock_all_in_child)
