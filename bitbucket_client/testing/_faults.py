"""Fault injection: what can go wrong between a client and Bitbucket, on demand.

Each helper arms a rule for the next matching requests (all requests, or one operation such as
``"pullrequests.list"``)::

    fake.faults.rate_limit(times=1, retry_after=1)          # 429, then normal answers
    fake.faults.rate_limit(times=2)                         # 429 without Retry-After (Cloud's usual)
    fake.faults.server_error(status=503, times=1)           # 5xx
    fake.faults.latency(0.2)                                # every answer 0.2 s late
    fake.faults.stale_next()                                # the next list's last page still has `next`

A rule that matched ``times`` requests is used up; ``fake.faults.clear()`` drops them all.
"""

from __future__ import annotations

from typing import Literal

import anyio
import attrs

__all__ = ["Fault", "Faults", "StaleNextMode", "retry_after_header"]

FaultKind = Literal["rate_limit", "server_error", "latency", "stale_next"]
StaleNextMode = Literal["last_page", "repeat"]


@attrs.define
class Fault:
    """One armed rule. ``remaining`` is ``None`` for a rule that never runs out (latency by default)."""

    kind: FaultKind
    remaining: int | None
    operation: str | None = None
    status: int = 0
    retry_after: float | None = None
    seconds: float = 0.0
    mode: StaleNextMode = "last_page"
    triggered: int = 0

    def matches(self, operation: str | None) -> bool:
        return (self.remaining is None or self.remaining > 0) and (
            self.operation is None or self.operation == operation
        )

    def use(self) -> None:
        self.triggered += 1
        if self.remaining is not None:
            self.remaining -= 1


class Faults:
    """The armed rules of one fake (``fake.faults``)."""

    def __init__(self) -> None:
        self.rules: list[Fault] = []

    def rate_limit(
        self, times: int = 1, *, retry_after: float | None = None, operation: str | None = None
    ) -> Fault:
        """Answer the next ``times`` matching requests with 429. Without ``retry_after`` no
        ``Retry-After`` header is sent (as Cloud usually does), and the client backs off on its own."""
        return self._arm(Fault("rate_limit", _times(times), operation, status=429, retry_after=retry_after))

    def server_error(
        self,
        status: int = 503,
        times: int = 1,
        *,
        retry_after: float | None = None,
        operation: str | None = None,
    ) -> Fault:
        """Answer the next ``times`` matching requests with ``status`` (a 5xx, or Cloud's 555), without
        acting on them."""
        if not 500 <= status <= 599:
            raise ValueError(f"server_error() needs a 5xx status, got {status}")
        return self._arm(
            Fault("server_error", _times(times), operation, status=status, retry_after=retry_after)
        )

    def latency(self, seconds: float, *, times: int | None = None, operation: str | None = None) -> Fault:
        """Delay matching answers by ``seconds`` (every answer, or only the next ``times``)."""
        if seconds < 0:
            raise ValueError(f"latency must be at least 0 seconds, got {seconds}")
        return self._arm(
            Fault("latency", None if times is None else _times(times), operation, seconds=float(seconds))
        )

    def stale_next(
        self, times: int = 1, *, mode: StaleNextMode = "last_page", operation: str | None = None
    ) -> Fault:
        """Corrupt the continuation of the next ``times`` matching list pages.

        ``"last_page"``: the last page still says more follow (Cloud: a ``next`` link to the page after
        it, which is empty; Data Center: ``isLastPage: false`` with ``nextPageStart`` past the end), a
        known Cloud bug. ``"repeat"``: a page's ``next`` points at that same page again (a cursor that
        does not advance), so a client that follows it blindly loops forever.
        """
        if mode not in ("last_page", "repeat"):
            raise ValueError(f"mode must be 'last_page' or 'repeat', got {mode!r}")
        return self._arm(Fault("stale_next", _times(times), operation, mode=mode))

    def clear(self) -> None:
        self.rules.clear()

    # ---- used by the fakes ----------------------------------------------------------------------------

    async def delay(self, operation: str | None) -> None:
        total = 0.0
        for rule in self.rules:
            if rule.kind == "latency" and rule.matches(operation):
                rule.use()
                total += rule.seconds
        if total:
            await anyio.sleep(total)

    def failure(self, operation: str | None) -> Fault | None:
        """The rate-limit or server-error rule that answers this request instead of the fake, if any."""
        for rule in self.rules:
            if rule.kind in ("rate_limit", "server_error") and rule.matches(operation):
                rule.use()
                return rule
        return None

    def stale_next_for(self, operation: str | None, *, is_last_page: bool) -> StaleNextMode | None:
        for rule in self.rules:
            if rule.kind != "stale_next" or not rule.matches(operation):
                continue
            if rule.mode == "last_page" and not is_last_page:
                continue
            rule.use()
            return rule.mode
        return None

    def _arm(self, fault: Fault) -> Fault:
        self.rules.append(fault)
        return fault


def _times(times: int) -> int:
    if times < 1:
        raise ValueError(f"times must be at least 1, got {times}")
    return times


def retry_after_header(fault: Fault) -> dict[str, str]:
    """``{"Retry-After": "<seconds>"}`` when the fault has one, else ``{}``."""
    if fault.retry_after is None:
        return {}
    value = fault.retry_after
    return {"Retry-After": str(int(value)) if float(value).is_integer() else str(value)}
