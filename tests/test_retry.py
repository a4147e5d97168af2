"""The retry rules from the API notes, as a decision table."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bitbucket_client._exceptions import APIConnectionError
from bitbucket_client._retry import RetryDecision, RetryPolicy, decide, parse_retry_after, sleep

POLICY = RetryPolicy()
NOW = datetime(2026, 11, 3, 12, 0, 0, tzinfo=UTC)
IDEMPOTENT = ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]
NOT_IDEMPOTENT = ["POST", "PATCH"]
ALL_METHODS = IDEMPOTENT + NOT_IDEMPOTENT


def half() -> float:
    return 0.5


def decide_status(
    status: int,
    method: str = "GET",
    *,
    attempt: int = 0,
    waited: float = 0.0,
    headers: dict[str, str] | None = None,
    policy: RetryPolicy = POLICY,
) -> RetryDecision:
    return decide(
        policy=policy,
        method=method,
        attempt=attempt,
        waited=waited,
        status=status,
        headers=httpx.Headers(headers or {}),
        now=NOW,
        rand=half,
    )


def decide_error(error: Exception, method: str = "GET", *, attempt: int = 0) -> RetryDecision:
    return decide(policy=POLICY, method=method, attempt=attempt, waited=0.0, error=error, rand=half)


@pytest.mark.parametrize("method", ALL_METHODS)
@pytest.mark.parametrize(
    ("status", "retried_when_idempotent", "retried_when_not_idempotent"),
    [
        (200, False, False),
        (202, False, False),
        (400, False, False),
        (401, False, False),
        (403, False, False),
        (404, False, False),
        (409, False, False),
        (410, False, False),
        (422, False, False),
        (429, True, True),
        (500, False, False),
        (501, False, False),
        (502, True, False),
        (503, True, False),
        (504, True, False),
        (555, True, False),
    ],
)
def test_status_by_method_table(
    method: str, status: int, retried_when_idempotent: bool, retried_when_not_idempotent: bool
) -> None:
    expected = retried_when_idempotent if method in IDEMPOTENT else retried_when_not_idempotent

    decision = decide_status(status, method)

    assert decision.retry is expected, decision.reason
    if not decision.retry:
        assert decision.delay == 0.0


def test_method_case_does_not_matter() -> None:
    assert decide_status(503, "get").retry
    assert not decide_status(503, "post").retry


@pytest.mark.parametrize(
    ("error", "retried_when_idempotent", "retried_when_not_idempotent"),
    [
        (httpx.ConnectError("refused"), True, False),
        (httpx.ConnectTimeout("slow connect"), True, False),
        (httpx.ReadError("reset"), True, False),
        (httpx.ReadTimeout("slow read"), True, False),
        (httpx.RemoteProtocolError("server disconnected"), True, False),
        (httpx.WriteError("broken pipe"), True, False),
        (httpx.WriteTimeout("slow write"), True, False),
        (httpx.PoolTimeout("no free connection"), True, True),
        (httpx.LocalProtocolError("bad header"), False, False),
        (httpx.UnsupportedProtocol("ftp"), False, False),
        (ValueError("a bug of ours"), False, False),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
@pytest.mark.parametrize("method", ALL_METHODS)
def test_transport_error_by_method_table(
    method: str, error: Exception, retried_when_idempotent: bool, retried_when_not_idempotent: bool
) -> None:
    expected = retried_when_idempotent if method in IDEMPOTENT else retried_when_not_idempotent

    assert decide_error(error, method).retry is expected


def test_wrapped_connection_error_is_judged_by_its_cause() -> None:
    request = httpx.Request("GET", "https://api.bitbucket.org/2.0/user")
    try:
        try:
            raise httpx.ReadError("reset")
        except httpx.ReadError as exc:
            raise APIConnectionError(request=request) from exc
    except APIConnectionError as wrapped:
        assert decide_error(wrapped, "GET").retry
        assert not decide_error(wrapped, "POST").retry


def test_five_hundreds_stop_after_max_retries() -> None:
    policy = RetryPolicy(max_retries=2)

    assert decide_status(503, attempt=0, policy=policy).retry
    assert decide_status(503, attempt=1, policy=policy).retry
    assert not decide_status(503, attempt=2, policy=policy).retry
    assert not decide_error(httpx.ConnectError("x"), attempt=4).retry


def test_no_status_and_no_error_means_no_retry() -> None:
    assert decide(policy=POLICY, method="GET", attempt=0, waited=0.0) == RetryDecision(
        False, 0.0, "nothing to retry"
    )


def test_429_waits_retry_after_seconds() -> None:
    decision = decide_status(429, "POST", headers={"Retry-After": "12"})

    assert decision.retry
    assert decision.delay == 12.0
    assert "Retry-After" in decision.reason


def test_429_waits_until_retry_after_http_date() -> None:
    at = (NOW + timedelta(seconds=42)).strftime("%a, %d %b %Y %H:%M:%S GMT")

    decision = decide_status(429, "PATCH", headers={"Retry-After": at})

    assert decision.retry
    assert decision.delay == pytest.approx(42.0)


def test_429_without_retry_after_backs_off_exponentially() -> None:
    delays = [decide_status(429, attempt=attempt).delay for attempt in range(7)]

    # rand() == 0.5: half of 1, 2, 4, 8, 16, 30 (capped), 30.
    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 15.0]


def test_429_retry_after_zero_still_waits_a_little() -> None:
    # Otherwise a server that keeps answering "Retry-After: 0" makes us spin without spending the budget.
    decision = decide_status(429, headers={"Retry-After": "0"})

    assert decision.retry
    assert 0 < decision.delay <= 1.0


@pytest.mark.parametrize(
    ("waited", "retry_after", "retried"),
    [
        (0.0, "60", True),
        (0.0, "61", False),
        (55.0, "5", True),
        (55.5, "5", False),
        (59.9, "1", False),
    ],
)
def test_429_gives_up_when_the_budget_would_be_exceeded(
    waited: float, retry_after: str, retried: bool
) -> None:
    decision = decide_status(429, waited=waited, headers={"Retry-After": retry_after})

    assert decision.retry is retried
    if not retried:
        assert "budget" in decision.reason


def test_429_budget_is_configurable() -> None:
    assert not decide_status(
        429, headers={"Retry-After": "2"}, policy=RetryPolicy(rate_limit_budget=1.0)
    ).retry
    assert decide_status(
        429, waited=100.0, headers={"Retry-After": "100"}, policy=RetryPolicy(rate_limit_budget=300.0)
    ).retry


def test_429_is_not_bounded_by_max_retries() -> None:
    assert decide_status(429, attempt=50, headers={"Retry-After": "1"}).retry


def test_503_retry_after_is_honoured_up_to_backoff_max() -> None:
    assert decide_status(503, headers={"Retry-After": "7"}).delay == 7.0
    assert decide_status(503, headers={"Retry-After": "3600"}).delay == POLICY.backoff_max


def test_409_is_never_retried_even_with_retry_after() -> None:
    assert not decide_status(409, "PUT", headers={"Retry-After": "1"}).retry


@pytest.mark.parametrize("attempt", range(8))
def test_jitter_stays_within_the_exponential_ceiling(attempt: int) -> None:
    policy = RetryPolicy(max_retries=10, backoff_base=1.0, backoff_max=30.0)
    ceiling = min(30.0, 2.0**attempt)

    def at(value: float) -> float:
        return decide(
            policy=policy, method="GET", attempt=attempt, waited=0.0, status=503, rand=lambda: value
        ).delay

    assert at(0.0) == 0.0
    assert at(0.999999) == pytest.approx(ceiling, rel=1e-5)
    assert at(0.999999) < ceiling
    assert at(0.25) == pytest.approx(ceiling / 4)


def test_backoff_base_scales_the_first_delay() -> None:
    policy = RetryPolicy(backoff_base=0.2)

    decision = decide(policy=policy, method="GET", attempt=0, waited=0.0, status=502, rand=lambda: 1.0)

    assert decision.delay == pytest.approx(0.2)


def test_huge_attempt_numbers_do_not_overflow() -> None:
    assert decide_status(429, attempt=10_000).delay == POLICY.backoff_max / 2


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        ("  3 ", 3.0),
        ("1.5", 1.5),
        ("0", 0.0),
        ("-5", 0.0),
        ("Tue, 03 Nov 2026 12:01:30 GMT", 90.0),
        ("Tue, 03 Nov 2026 11:00:00 GMT", 0.0),
        ("soon", None),
        ("", None),
        ("inf", None),
        ("nan", None),
        ("Tue, 99 Nov 2026 25:00:00 GMT", None),
    ],
)
def test_parse_retry_after(value: str, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


def test_parse_retry_after_accepts_a_naive_now_as_utc() -> None:
    assert parse_retry_after("Tue, 03 Nov 2026 12:00:10 GMT", NOW.replace(tzinfo=None)) == 10.0


async def test_sleep_actually_waits() -> None:
    started = time.monotonic()
    await sleep(0.02)
    assert time.monotonic() - started >= 0.015


# ---- every wait counts against the budget, and none passes the deadline (issue #11, item 10) ---------


@pytest.mark.parametrize(
    ("status", "headers", "error"),
    [
        (503, {"Retry-After": "20"}, None),
        (502, {}, None),
        (None, {}, httpx.ConnectError("refused")),
    ],
    ids=["503-retry-after", "502-backoff", "connect-error"],
)
def test_every_kind_of_wait_is_bounded_by_the_budget(
    status: int | None, headers: dict[str, str], error: Exception | None
) -> None:
    policy = RetryPolicy(max_retries=10, rate_limit_budget=30.0, backoff_base=40.0, backoff_max=40.0)

    def wait_after(waited: float) -> RetryDecision:
        return decide(
            policy=policy,
            method="GET",
            attempt=1,
            waited=waited,
            status=status,
            headers=httpx.Headers(headers),
            error=error,
            now=NOW,
            rand=half,
        )

    first = wait_after(0.0)
    assert first.retry and first.delay == 20.0
    late = wait_after(15.0)
    assert not late.retry and "budget" in late.reason


@pytest.mark.parametrize(
    ("status", "headers"),
    [(429, {"Retry-After": "5"}), (503, {"Retry-After": "5"}), (502, {})],
)
def test_a_wait_that_would_pass_the_deadline_is_not_taken(status: int, headers: dict[str, str]) -> None:
    policy = RetryPolicy(backoff_base=10.0, backoff_max=10.0)

    def with_time_left(seconds: float | None) -> RetryDecision:
        return decide(
            policy=policy,
            method="GET",
            attempt=0,
            waited=0.0,
            status=status,
            headers=httpx.Headers(headers),
            now=NOW,
            rand=half,
            time_left=seconds,
        )

    assert with_time_left(None).retry and with_time_left(60.0).retry
    too_late = with_time_left(4.0)
    assert not too_late.retry and "deadline" in too_late.reason


def test_a_connection_error_retry_respects_the_deadline_too() -> None:
    decision = decide(
        policy=POLICY,
        method="GET",
        attempt=0,
        waited=0.0,
        error=httpx.ReadTimeout("slow"),
        rand=lambda: 1.0,
        time_left=0.5,
    )
    assert not decision.retry and "deadline" in decision.reason
