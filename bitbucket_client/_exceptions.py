"""Exceptions raised by the client, and the parser that turns an error response into one.

Hierarchy::

    BitbucketError
    ├── APIConnectionError        (request)
    │   └── APITimeoutError
    ├── UnexpectedResponseError   (response, status_code): a 2xx body that is not what was documented
    ├── PaginationError           (url): a `next` link the client refuses to follow
    ├── RedirectError             (location, response): a redirect the client refuses to follow
    ├── MergeTaskError            (task_url, body): a Cloud merge task that did not merge
    ├── InvalidBodyError          (operation, problems): a body refused before sending (TypeError, ValueError)
    └── APIStatusError            (status_code, message, details, errors, request_id, response, request)
        ├── BadRequestError        400
        ├── AuthenticationError    401
        ├── PermissionDeniedError  403
        ├── NotFoundError          404
        ├── ConflictError          409   (.vetoes: Data Center merge vetoes)
        ├── GoneError              410
        ├── RateLimitError         429   (.rate_limit, .retry_after, .waited)
        └── ServerError            5xx   (including Cloud's 555)

Other 4xx statuses raise a plain :class:`APIStatusError`.

Messages are built from the response only. Request headers (and so the ``Authorization`` header) never
reach ``str()``, ``repr()`` or ``args``; the request and response stay reachable as attributes. A server
that echoes the credentials back (``Invalid credentials: Bearer <token>``) gets them replaced by ``***``
in the message, ``details`` and ``errors``.

Every error pickles (to a queue, a cache, another process) without credentials: the request is reduced
to its method, URL (without user info or token parameters) and harmless headers, with no body, and
echoed credentials are redacted from the response body.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import attrs
import httpx

from ._retry import parse_retry_after
from ._secret import REDACTED, Secret, redact, redact_bytes, sent_secrets

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BitbucketError",
    "ConflictError",
    "GoneError",
    "InvalidBodyError",
    "MergeTaskError",
    "NotFoundError",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "RedirectError",
    "ServerError",
    "UnexpectedResponseError",
    "Veto",
    "error_from_response",
]

_MAX_TEXT_MESSAGE = 500
_MAX_TITLE = 120


class BitbucketError(Exception):
    """Base class of every error this package raises."""

    # Further secrets to redact from a pickled copy's response body (set by `error_from_response`).
    _redactions: tuple[Secret, ...] = ()

    def __reduce__(self) -> tuple[Any, ...]:
        # The default would pickle the request with its Authorization header and form body, and could
        # not rebuild classes whose __init__ takes keyword-only arguments.
        secrets = [secret.reveal() for secret in self._redactions]
        state = {
            name: _picklable(value, secrets) for name, value in vars(self).items() if name != "_redactions"
        }
        return _rebuild, (type(self), self.args, state)


def _rebuild(cls: type[BitbucketError], args: tuple[Any, ...], state: dict[str, Any]) -> BitbucketError:
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


_SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
_SECRET_QUERY = re.compile(r"^(access_token|jwt|token|refresh_token|client_secret)$", re.IGNORECASE)


def _picklable(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, httpx.Response):
        return _harmless_response(value, secrets)
    if isinstance(value, httpx.Request):
        return _harmless_request(value)
    return value


def _harmless_request(request: httpx.Request) -> httpx.Request:
    params = httpx.QueryParams(
        [
            (key, REDACTED if _SECRET_QUERY.match(key) else value)
            for key, value in request.url.params.multi_items()
        ]
    )
    url = request.url.copy_with(username=None, password=None, query=None).copy_merge_params(params)
    headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() not in _SENSITIVE_HEADERS]
    return httpx.Request(request.method, url, headers=headers)


def _harmless_response(response: httpx.Response, secrets: list[str]) -> httpx.Response:
    request = _request_of(response)
    try:
        content = response.content
    except httpx.ResponseNotRead:
        content = b""
    return httpx.Response(
        response.status_code,
        headers=[(k, v) for k, v in response.headers.multi_items() if k.lower() not in _SENSITIVE_HEADERS],
        content=redact_bytes(content, [*sent_secrets(request), *secrets]),
        request=None if request is None else _harmless_request(request),
    )


def _request_of(response: httpx.Response) -> httpx.Request | None:
    try:
        return response.request
    except RuntimeError:  # a hand-built response without a request
        return None


class APIConnectionError(BitbucketError):
    """The request did not get an HTTP response (DNS, refused connection, TLS, dropped connection)."""

    request: httpx.Request

    def __init__(self, message: str = "Connection error.", *, request: httpx.Request) -> None:
        super().__init__(message)
        self.message = message
        self.request = request


class APITimeoutError(APIConnectionError):
    """The request, or the whole call with its retries, did not finish in time (`timeout=`, `deadline=`)."""

    def __init__(self, message: str = "Request timed out.", *, request: httpx.Request) -> None:
        super().__init__(message, request=request)


class APIStatusError(BitbucketError):
    """The server answered with an error status. ``response`` keeps everything it sent."""

    status_code: int
    message: str
    details: dict[str, Any]
    errors: list[dict[str, Any]]
    request_id: str | None
    response: httpx.Response

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        details: dict[str, Any] | None = None,
        errors: list[dict[str, Any]] | None = None,
        request_id: str | None = None,
    ) -> None:
        self.status_code = response.status_code
        self.message = message
        self.details = details if details is not None else {}
        self.errors = errors if errors is not None else []
        self.request_id = request_id
        self.response = response
        self._status_line = _status_line(response.status_code, response)
        super().__init__(self._describe())

    @property
    def request(self) -> httpx.Request:
        # Read through the response so a hand-built Response without a request can still become an error.
        return self.response.request

    def _describe(self) -> str:
        status = self._status_line
        # Fallback messages ("HTTP 404 Not Found") already carry the status line.
        text = self.message if self.message.startswith(f"HTTP {status}") else f"{status}: {self.message}"
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text

    def __str__(self) -> str:
        return self._describe()


class BadRequestError(APIStatusError):
    """400: the request was refused as invalid (a body field, a query parameter); `details` says which."""


class AuthenticationError(APIStatusError):
    """401: no valid credentials (a wrong or expired token, an e-mail expected as the API token's user)."""


class PermissionDeniedError(APIStatusError):
    """403: the credentials are valid but may not do this (a missing scope or permission)."""


class NotFoundError(APIStatusError):
    """404: no such resource, or one the credentials may not see (Bitbucket answers 404 for both)."""


@attrs.frozen
class Veto:
    """One merge check that blocked a Data Center merge."""

    summary_message: str
    detailed_message: str


class ConflictError(APIStatusError):
    """409: conflict, stale ``version``, or a merge vetoed by merge checks (see :attr:`vetoes`)."""

    vetoes: list[Veto]

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        details: dict[str, Any] | None = None,
        errors: list[dict[str, Any]] | None = None,
        request_id: str | None = None,
        vetoes: list[Veto] | None = None,
    ) -> None:
        self.vetoes = vetoes if vetoes is not None else []
        super().__init__(message, response=response, details=details, errors=errors, request_id=request_id)


class GoneError(APIStatusError):
    """410: the resource or API was removed."""


class RateLimitError(APIStatusError):
    """429 after the retry budget ran out.

    ``rate_limit`` holds the ``X-RateLimit-*`` headers the server sent (names lower-cased),
    ``retry_after`` the parsed ``Retry-After`` in seconds (Cloud rarely sends one), and ``waited`` the
    seconds already spent waiting before giving up; the client sets it when it raises.
    """

    rate_limit: dict[str, str]
    retry_after: float | None
    waited: float

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        details: dict[str, Any] | None = None,
        errors: list[dict[str, Any]] | None = None,
        request_id: str | None = None,
        rate_limit: dict[str, str] | None = None,
        retry_after: float | None = None,
        waited: float = 0.0,
    ) -> None:
        self.rate_limit = rate_limit if rate_limit is not None else {}
        self.retry_after = retry_after
        self.waited = waited
        super().__init__(message, response=response, details=details, errors=errors, request_id=request_id)

    def _describe(self) -> str:
        text = super()._describe()
        return f"{text} (gave up after waiting {self.waited:.1f}s)" if self.waited > 0 else text


class ServerError(APIStatusError):
    """5xx (Cloud's 555 included): the server failed; GETs are retried before this is raised."""


_CLASS_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    410: GoneError,
    429: RateLimitError,
}


def error_from_response(response: httpx.Response, *, secrets: Iterable[Secret] = ()) -> APIStatusError:
    """Build the exception matching ``response``'s status from whatever body it carries. Never raises.

    The body must already be read (``await response.aread()``); an unread body counts as empty. The
    credentials the request carried, and ``secrets``, are redacted from the message, details and errors.
    """
    extra = tuple(secrets)
    parsed = _redacted(
        _parse_body(response), [*sent_secrets(_request_of(response)), *(s.reveal() for s in extra)]
    )
    error = _build_error(response, parsed)
    error._redactions = extra
    return error


def _build_error(response: httpx.Response, parsed: _ParsedBody) -> APIStatusError:
    request_id = (
        response.headers.get("x-request-id") or response.headers.get("x-request-uuid") or parsed.request_id
    )
    status = response.status_code
    common: dict[str, Any] = {
        "response": response,
        "details": parsed.details,
        "errors": parsed.errors,
        "request_id": request_id,
    }
    if status == 409:
        return ConflictError(parsed.message, vetoes=_vetoes(parsed.errors), **common)
    if status == 429:
        return RateLimitError(
            parsed.message,
            rate_limit={k: v for k, v in response.headers.items() if k.lower().startswith("x-ratelimit-")},
            retry_after=_retry_after(response),
            **common,
        )
    cls = _CLASS_BY_STATUS.get(status, ServerError if status >= 500 else APIStatusError)
    return cls(parsed.message, **common)


@attrs.frozen
class _ParsedBody:
    message: str
    details: dict[str, Any] = attrs.field(factory=dict)
    errors: list[dict[str, Any]] = attrs.field(factory=list)
    request_id: str | None = None


_MAX_REDACTION_DEPTH = 32


def _redacted(parsed: _ParsedBody, secrets: list[str]) -> _ParsedBody:
    if not secrets:
        return parsed
    return _ParsedBody(
        redact(parsed.message, secrets),
        _redact_json(parsed.details, secrets, 0),
        _redact_json(parsed.errors, secrets, 0),
        parsed.request_id,
    )


def _redact_json(value: Any, secrets: list[str], depth: int) -> Any:
    if isinstance(value, str):
        return redact(value, secrets)
    if depth >= _MAX_REDACTION_DEPTH:
        return value
    if isinstance(value, dict):
        return {key: _redact_json(item, secrets, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_redact_json(item, secrets, depth + 1) for item in value]
    return value


def _parse_body(response: httpx.Response) -> _ParsedBody:
    fallback = f"HTTP {_status_line(response.status_code, response)}"
    try:
        return _parse_text(_body_text(response).strip(), response, fallback)
    except RecursionError:  # JSON nested deeper than the parser can go: a broken or hostile server
        return _ParsedBody(f"{fallback} (a JSON body nested too deeply to read)")


def _parse_text(text: str, response: httpx.Response, fallback: str) -> _ParsedBody:
    if not text:
        return _ParsedBody(fallback)
    content_type = response.headers.get("content-type", "").lower()
    if "json" in content_type or text[0] in "{[":
        try:
            payload = json.loads(text)
        except ValueError:
            return _ParsedBody(fallback)
        return _parse_json(payload, fallback)
    if "html" in content_type or re.match(r"<(!doctype\s+html|html)\b", text, re.IGNORECASE):
        title = _html_title(text)
        origin = f"HTML error page from a proxy: {title}" if title else "HTML error page from a proxy"
        return _ParsedBody(f"{fallback} ({origin})")
    return _ParsedBody(_truncate(text, _MAX_TEXT_MESSAGE))


def _parse_json(payload: Any, fallback: str) -> _ParsedBody:
    if not isinstance(payload, dict):
        return _ParsedBody(fallback)
    error = payload.get("error")
    if isinstance(error, dict):
        return _parse_cloud_error(error, fallback)
    errors = payload.get("errors")
    if isinstance(errors, list):
        return _parse_data_center_errors(errors, fallback)
    if isinstance(error, str):
        # OAuth 2.0 token endpoint: {"error": "invalid_grant", "error_description": "..."}
        description = payload.get("error_description")
        message = f"{error}: {description}" if isinstance(description, str) and description else error
        return _ParsedBody(message, details={"error": error})
    if isinstance(payload.get("message"), str) and payload["message"]:
        return _ParsedBody(payload["message"])
    return _ParsedBody(fallback)


def _parse_cloud_error(error: dict[str, Any], fallback: str) -> _ParsedBody:
    details = {key: error[key] for key in ("detail", "fields", "data", "id") if error.get(key) is not None}
    message = next(
        (value for value in (error.get("message"), error.get("detail")) if isinstance(value, str) and value),
        fallback,
    )
    error_id = error.get("id")
    return _ParsedBody(message, details=details, request_id=error_id if isinstance(error_id, str) else None)


def _parse_data_center_errors(errors: list[Any], fallback: str) -> _ParsedBody:
    entries = [entry for entry in errors if isinstance(entry, dict)]
    messages = [message for entry in entries if isinstance(message := entry.get("message"), str) and message]
    return _ParsedBody("; ".join(messages) or fallback, errors=entries)


def _vetoes(errors: list[dict[str, Any]]) -> list[Veto]:
    vetoes = []
    for entry in errors:
        raw_vetoes = entry.get("vetoes")
        if not isinstance(raw_vetoes, list):
            continue
        for raw in raw_vetoes:
            if isinstance(raw, dict):
                vetoes.append(
                    Veto(
                        summary_message=str(raw.get("summaryMessage") or ""),
                        detailed_message=str(raw.get("detailedMessage") or ""),
                    )
                )
    return vetoes


def _body_text(response: httpx.Response) -> str:
    try:
        content = response.content
    except httpx.ResponseNotRead:
        return ""
    try:
        return content.decode(response.encoding or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        return content.decode("utf-8", errors="replace")


def _html_title(page: str) -> str:
    match = re.search(r"<title[^>]*>(.*?)</title>", page, re.IGNORECASE | re.DOTALL)
    if match is None:
        match = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.IGNORECASE | re.DOTALL)
    if match is None:
        return ""
    without_tags = re.sub(r"<[^>]+>", "", match.group(1))
    return _truncate(" ".join(html.unescape(without_tags).split()), _MAX_TITLE)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _status_line(status: int, response: httpx.Response) -> str:
    reason = response.reason_phrase or httpx.codes.get_reason_phrase(status)
    return f"{status} {reason}" if reason else str(status)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    return None if value is None else parse_retry_after(value, datetime.now(UTC))


class UnexpectedResponseError(BitbucketError):
    """A 2xx answer whose body is not what the document describes at all (not JSON, or JSON of another
    kind, such as a list where an object is documented). Smaller differences never raise."""

    def __init__(self, response: httpx.Response, problem: str) -> None:
        self.response = response
        self.status_code = response.status_code
        request = response.request
        super().__init__(
            f"{request.method} {request.url.path} answered {response.status_code}, but {problem}"
        )


class PaginationError(BitbucketError):
    """A page links somewhere the client refuses to go: a ``next`` URL on another scheme, host or port,
    or outside the API's base path. Following it could hand the credentials to someone else, so nothing
    is sent. ``url`` is the refused link, without any user:password part."""

    url: str

    def __init__(self, message: str, *, url: str) -> None:
        super().__init__(message)
        self.url = url


class RedirectError(BitbucketError):
    """An answer redirects where the client will not follow: a request other than GET or HEAD (which
    would carry its body, or be turned into a GET, elsewhere), an https request sent to plain http, a
    `Location` that is not a URL, or too many hops. Nothing is sent to the target. ``location`` is the
    target without its query (which may hold a signature); ``response`` is the redirect itself."""

    location: str
    response: httpx.Response

    def __init__(self, message: str, *, location: str, response: httpx.Response) -> None:
        super().__init__(message)
        self.location = location
        self.response = response
        self.status_code = response.status_code


class MergeTaskError(BitbucketError):
    """The merge task ended without merging (or did not finish in time)."""

    def __init__(self, message: str, *, task_url: str, body: Any = None) -> None:
        super().__init__(message)
        self.task_url = task_url
        self.body = body


class InvalidBodyError(BitbucketError, TypeError, ValueError):
    """A request body that does not fit its operation, found before anything was sent: an unknown key,
    a value of the wrong type, a missing required field, or `body=` given with keyword fields. `problems`
    lists each with its path (`source.branch.name: expected str, got int`); the message has them all.
    Values are never quoted (a body may hold secrets), except an enum's, to show the typo. It is also a
    `TypeError` and a `ValueError`, what Python raises for wrong arguments."""

    def __init__(self, operation: str, problems: list[str]) -> None:
        self.operation = operation
        self.problems = list(problems)
        if len(self.problems) == 1:
            message = (
                self.problems[0] if operation in self.problems[0] else f"{operation}: {self.problems[0]}"
            )
        else:
            message = f"{len(self.problems)} problems in the {operation} body:\n" + "\n".join(
                f"  - {problem}" for problem in self.problems
            )
        super().__init__(message)
