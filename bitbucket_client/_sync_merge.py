"""`SyncMergeTask`: Cloud's background merge (`merge(..., wait=False)`) for synchronous code."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from ._merge import DEFAULT_POLL_TIMEOUT, MergeTask
from ._types import Response

if TYPE_CHECKING:
    from ._sync_runtime import SyncRuntime
    from .cloud._generated.models import Pullrequest

__all__ = ["SyncMergeTask", "blocking_result"]


class SyncMergeTask:
    """A merge that Bitbucket finishes in the background (the answer was 202); `wait()` blocks until
    it ends. The synchronous counterpart of `MergeTask`, polling the same way."""

    __slots__ = ("_runtime", "_task")

    def __init__(self, task: MergeTask, runtime: SyncRuntime) -> None:
        self._task = task
        self._runtime = runtime

    @property
    def location(self) -> str | None:
        """The task-status URL Bitbucket gave to poll (None when the merge finished at once)."""
        return self._task.location

    @property
    def done(self) -> bool:
        """Whether the merged pull request is known."""
        return self._task.done

    @property
    def result(self) -> Pullrequest | None:
        """The merged pull request once known (immediately when the merge finished synchronously)."""
        return self._task.result

    def wait(
        self, *, timeout: float = DEFAULT_POLL_TIMEOUT, first_delay: float = 0.5, max_delay: float = 5.0
    ) -> Pullrequest:
        """Poll the task with exponential backoff until it succeeds; raise `MergeTaskError` otherwise.
        Each poll is a call of its own, with the client's deadline."""
        return self._runtime.run(
            self._task.wait(timeout=timeout, first_delay=first_delay, max_delay=max_delay)
        )

    def __repr__(self) -> str:
        return f"SyncMergeTask(location={self.location!r}, done={self.done})"


def blocking_result(result: Any, runtime: SyncRuntime) -> Any:
    """A long-running method's result for a synchronous caller: its `MergeTask`, bare or as the parsed
    value of a raw `Response`, becomes a `SyncMergeTask`; anything else is returned as it is."""
    if isinstance(result, MergeTask):
        return SyncMergeTask(result, runtime)
    if isinstance(result, Response) and isinstance(result.parsed, MergeTask):
        return attrs.evolve(result, parsed=SyncMergeTask(result.parsed, runtime))
    return result
