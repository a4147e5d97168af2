"""When to retry a request, and for how long to wait first.

:func:`decide` is pure (no sleeping, no I/O, randomness and time injected) so every rule below is a
table-driven test. The client loops: send, ask :func:`decide`, ``await sleep(decision.delay)``, send again.

Rules, from what Bitbucket actually does:

* **429** means "not processed", so it is retried for *every* method. We wait ``Retry-After`` when the
  server sends it (Data Center does); Cloud usually does not, so we back off exponentially with full
  jitter. Cloud's window is a rolling hour, so we give up instead of waiting forever (see the limits).
* **502, 503, 504, 555** (Cloud's "took too long, try later") and broken connections are retried up to
  ``max_retries`` times, but only for idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE). Retrying a
  POST or PATCH whose answer was lost duplicates the write: a real client posted one PR comment four times.
* **409** (conflict, stale version, merge veto) and every other status are never retried.
* Transport errors: connect/read/write errors and timeouts, and ``RemoteProtocolError``, follow the
  idempotent-only rule. ``PoolTimeout`` is the exception: it fires while waiting for a free connection,
  before a single byte is sent, so the server cannot have acted on the request and any method may retry.

Limits on every wait, whatever caused it: the waits of one call add up to at most
``RetryPolicy.rate_limit_budget`` seconds, and no wait is started that would end after the call's
deadline (``time_left``). Past either, the call gives up at once with the error it has.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import anyio
import attrs
import httpx

__all__ = [
    "IDEMPOTENT_METHODS",
    "RETRYABLE_STATUS_CODES",
    "RetryDecision",
    "RetryPolicy",
    "decide",
    "parse_retry_after",
    "sleep",
]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRYABLE_STATUS_CODES = frozenset({502, 503, 504, 555})

# Errors after which the server may or may not have processed the request: idempotent methods only.
_MAYBE_SENT_ERRORS: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.ReadError,
    httpx.ReadTimeout,
    httpx.WriteError,
    httpx.WriteTimeout,
    httpx.RemoteProtocolError,
)
# Raised before the request left the process: safe for every method.
_NEVER_SENT_ERRORS: tuple[type[Exception], ...] = (httpx.PoolTimeout,)

# A server answering "Retry-After: 0" while still limiting us would otherwise make us spin without ever
# spending the budget.
_MIN_RATE_LIMIT_DELAY = 0.5


@attrs.frozen
class RetryPolicy:
    max_retries: int = 4
    """Retries for 5xx and connection errors on idempotent methods (429s are bounded by the budget)."""
    rate_limit_budget: float = 60.0
    """Total seconds one call may spend waiting between its attempts (429s, backoffs, ``Retry-After``)."""
    backoff_base: float = 1.0
    """Upper bound of the first jittered backoff; doubles with every retry."""
    backoff_max: float = 30.0
    """Cap for a single backoff, and for a ``Retry-After`` sent with a 5xx."""


@attrs.frozen
class RetryDecision:
    retry: bool
    delay: float
    reason: str


def decide(
    *,
    policy: RetryPolicy,
    method: str,
    attempt: int,
    waited: float,
    status: int | None = None,
    headers: httpx.Headers | None = None,
    error: Exception | None = None,
    now: datetime | None = None,
    rand: Callable[[], float] = random.random,
    time_left: float | None = None,
) -> RetryDecision:
    """Decide whether to retry after a response with ``status`` or a failure with ``error``.

    ``attempt`` is the number of retries already made (0 after the first try); ``waited`` is the total
    number of seconds already slept between this call's attempts; ``time_left`` the seconds until the
    call's deadline (``None``: no deadline).
    """
    method = method.upper()
    if status is not None:
        decision = _decide_for_status(policy, method, attempt, status, headers, now, rand)
        subject = "rate limited" if status == 429 else f"status {status}"
    elif error is not None:
        decision = _decide_for_error(policy, method, attempt, error, rand)
        subject = type(_transport_error(error)).__name__
    else:
        return RetryDecision(False, 0.0, "nothing to retry")
    return _within_limits(decision, subject, policy, waited, time_left)


def _within_limits(
    decision: RetryDecision, subject: str, policy: RetryPolicy, waited: float, time_left: float | None
) -> RetryDecision:
    if not decision.retry:
        return decision
    delay = decision.delay
    if waited + delay > policy.rate_limit_budget:
        return RetryDecision(
            False,
            0.0,
            f"{subject}: waiting {delay:.1f}s more would exceed the {policy.rate_limit_budget:.0f}s budget"
            f" ({waited:.1f}s already waited)",
        )
    if time_left is not None and delay >= time_left:
        return RetryDecision(
            False,
            0.0,
            f"{subject}: waiting {delay:.1f}s would pass the call's deadline ({time_left:.1f}s left)",
        )
    return decision


def parse_retry_after(value: str, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delay-seconds or HTTP-date); ``None`` if unreadable."""
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(seconds, 0.0) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return max((when - now).total_seconds(), 0.0)


async def sleep(seconds: float) -> None:
    """Sleep between attempts; anyio so retries work under asyncio and trio (and so tests patch one seam)."""
    await anyio.sleep(seconds)


def _decide_for_status(
    policy: RetryPolicy,
    method: str,
    attempt: int,
    status: int,
    headers: httpx.Headers | None,
    now: datetime | None,
    rand: Callable[[], float],
) -> RetryDecision:
    if status == 429:
        return _decide_for_rate_limit(policy, attempt, headers, now, rand)
    if status not in RETRYABLE_STATUS_CODES:
        return RetryDecision(False, 0.0, f"status {status} is not retried")
    if method not in IDEMPOTENT_METHODS:
        return RetryDecision(False, 0.0, f"status {status} on {method}: not idempotent, may repeat")
    if attempt >= policy.max_retries:
        return RetryDecision(False, 0.0, f"status {status}: gave up after {attempt} retries")
    # A 503 from maintenance mode or a proxy may say how long to wait; honour it up to our own cap.
    retry_after = _retry_after(headers, now)
    if retry_after is not None:
        delay = min(retry_after, policy.backoff_max)
        return RetryDecision(True, delay, f"status {status}: waiting {delay:.1f}s (Retry-After)")
    delay = _jittered_backoff(policy, attempt, rand)
    return RetryDecision(True, delay, f"status {status}: retry {attempt + 1} in {delay:.1f}s")


def _decide_for_rate_limit(
    policy: RetryPolicy,
    attempt: int,
    headers: httpx.Headers | None,
    now: datetime | None,
    rand: Callable[[], float],
) -> RetryDecision:
    retry_after = _retry_after(headers, now)
    if retry_after is not None:
        delay, source = retry_after, "Retry-After"
    else:
        delay, source = _jittered_backoff(policy, attempt, rand), "backoff"
    delay = max(delay, _MIN_RATE_LIMIT_DELAY)
    return RetryDecision(True, delay, f"rate limited: waiting {delay:.1f}s ({source})")


def _decide_for_error(
    policy: RetryPolicy, method: str, attempt: int, error: Exception, rand: Callable[[], float]
) -> RetryDecision:
    cause = _transport_error(error)
    name = type(cause).__name__
    if isinstance(cause, _NEVER_SENT_ERRORS):
        pass  # never reached the server: fine for any method
    elif isinstance(cause, _MAYBE_SENT_ERRORS):
        if method not in IDEMPOTENT_METHODS:
            return RetryDecision(False, 0.0, f"{name} on {method}: not idempotent, the server may have acted")
    else:
        return RetryDecision(False, 0.0, f"{name} is not retried")
    if attempt >= policy.max_retries:
        return RetryDecision(False, 0.0, f"{name}: gave up after {attempt} retries")
    delay = _jittered_backoff(policy, attempt, rand)
    return RetryDecision(True, delay, f"{name}: retry {attempt + 1} in {delay:.1f}s")


def _transport_error(error: Exception) -> BaseException:
    # The client may already have wrapped the httpx error (APIConnectionError ... from exc): look through
    # the wrapper so the decision still depends on what actually failed.
    if not isinstance(error, httpx.TransportError) and isinstance(error.__cause__, httpx.TransportError):
        return error.__cause__
    return error


def _retry_after(headers: httpx.Headers | None, now: datetime | None) -> float | None:
    if headers is None or "retry-after" not in headers:
        return None
    return parse_retry_after(headers["retry-after"], now if now is not None else datetime.now(UTC))


def _jittered_backoff(policy: RetryPolicy, attempt: int, rand: Callable[[], float]) -> float:
    # Full jitter (AWS architecture blog): spreads clients that failed together across the whole window.
    ceiling = min(policy.backoff_max, policy.backoff_base * 2.0 ** min(attempt, 62))
    return rand() * ceiling
