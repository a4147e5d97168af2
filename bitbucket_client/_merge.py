"""Cloud's asynchronous merge: a 202 answer to `POST …/merge` names a task to poll.

`bb.pullrequests.merge(...)` waits by default: it polls the task with backoff until `SUCCESS` and returns
the merged pull request, or raises `MergeTaskError` with the task's error. With `wait=False` it returns
a `MergeTask` at once, which can be awaited later with `await task.wait()`. A client deadline covers the
whole call, polling included: past it, `APITimeoutError`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import anyio
import httpx

from ._exceptions import APITimeoutError, MergeTaskError
from ._retry import sleep
from ._types import UNSET

if TYPE_CHECKING:
    from ._base_client import BaseClient
    from .cloud._generated.models import Pullrequest

DEFAULT_POLL_TIMEOUT = 300.0
DEADLINE_EXTENSION = "bitbucket_client.deadline_at"
"""Set by the client on a request and its response: the `anyio.current_time()` by which its call must
end."""


class MergeTask:
    """A merge that Bitbucket finishes in the background (the answer was 202)."""

    def __init__(
        self,
        client: BaseClient,
        location: str | None,
        result: Pullrequest | None,
        decode_result: Callable[[dict[str, Any]], Pullrequest],
    ) -> None:
        self._client = client
        self.location = location
        self._result = result
        self._decode_result = decode_result

    @property
    def done(self) -> bool:
        return self._result is not None

    @property
    def result(self) -> Pullrequest | None:
        """The merged pull request once known (immediately when the merge finished synchronously)."""
        return self._result

    def __repr__(self) -> str:
        return f"MergeTask(location={self.location!r}, done={self.done})"

    async def wait(
        self, *, timeout: float = DEFAULT_POLL_TIMEOUT, first_delay: float = 0.5, max_delay: float = 5.0
    ) -> Pullrequest:
        """Poll the task with exponential backoff until it succeeds; raise `MergeTaskError` otherwise.
        Each poll is a call of its own, with the client's deadline."""
        return await self._wait(
            timeout=timeout, first_delay=first_delay, max_delay=max_delay, deadline_at=None
        )

    async def _wait(
        self, *, timeout: float, first_delay: float, max_delay: float, deadline_at: float | None
    ) -> Pullrequest:
        if self._result is not None:
            return self._result
        if not self.location:
            raise MergeTaskError(
                "the merge was accepted (202) but the answer has no Location to poll", task_url=""
            )
        delay, waited = first_delay, 0.0
        while True:
            left = None if deadline_at is None else deadline_at - anyio.current_time()
            if left is not None and left <= 0:
                raise self._deadline_passed(httpx.Request("GET", self.location))
            poll = {"method": "GET", "url": self.location}
            response = await self._client._send(poll, deadline=UNSET if left is None else left)
            body = _json(response)
            status = body.get("task_status") if isinstance(body, dict) else None
            if status == "SUCCESS":
                merged = body.get("merge_result")
                if not isinstance(merged, dict):
                    raise MergeTaskError(
                        "the merge task succeeded without a merge_result", task_url=self.location, body=body
                    )
                self._result = self._decode_result(merged)
                return self._result
            if status != "PENDING":
                raise MergeTaskError(
                    f"the merge task ended with {_describe(body)}", task_url=self.location, body=body
                )
            if waited >= timeout:
                raise MergeTaskError(
                    f"the merge task was still PENDING after {waited:.0f}s", task_url=self.location, body=body
                )
            if deadline_at is not None and anyio.current_time() + delay >= deadline_at:
                raise self._deadline_passed(response.request)
            await sleep(delay)
            waited += delay
            delay = min(delay * 2, max_delay)

    def _deadline_passed(self, request: httpx.Request) -> APITimeoutError:
        return APITimeoutError(
            f"the merge task was still PENDING when the call's deadline came ({self.location})",
            request=request,
        )


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (ValueError, RecursionError):
        return response.text


def _describe(body: Any) -> str:
    if isinstance(body, dict):
        error = body.get("error") or body.get("merge_result") or body.get("task_status")
        if isinstance(error, dict):
            return str(error.get("message") or error)
        return repr(error)
    return repr(body)[:200]


async def finish_cloud_merge(
    client: BaseClient,
    response: httpx.Response,
    parse: Callable[[httpx.Response], Pullrequest | None],
    *,
    wait: bool,
    decode_result: Callable[[dict[str, Any]], Pullrequest],
    accepted_status: int = 202,
) -> Pullrequest | MergeTask:
    """Turn the merge answer into the merged pull request (waiting if needed) or a `MergeTask`. The
    pipeline calls it with the operation's decoders (`_answer.Answer.long_running`)."""
    if response.status_code == accepted_status:
        task = MergeTask(client, response.headers.get("Location"), None, decode_result)
    else:
        merged = parse(response)
        if merged is None:
            raise MergeTaskError(
                f"the merge answered {response.status_code} without a pull request", task_url=""
            )
        task = MergeTask(client, None, merged, decode_result)
    if not wait:
        return task
    deadline_at = response.extensions.get(DEADLINE_EXTENSION)
    return await task._wait(
        timeout=DEFAULT_POLL_TIMEOUT, first_delay=0.5, max_delay=5.0, deadline_at=deadline_at
    )
