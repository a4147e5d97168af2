"""Error responses of both products, as documented in the API notes, turned into exceptions."""

from __future__ import annotations

import json
import pickle
import random
from typing import Any

import attrs
import httpx
import pytest

from bitbucket_client._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BitbucketError,
    ConflictError,
    GoneError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    Veto,
    error_from_response,
)

API = "https://api.bitbucket.org/2.0/repositories/acme/widgets/pullrequests/7/merge"
SECRET_TOKEN = "ATCTT3xFfGN0-super-secret-token-0123456789"


def make_response(
    status: int,
    *,
    json_body: Any = None,
    text: str | None = None,
    content_type: str | None = None,
    headers: dict[str, str] | None = None,
    request: httpx.Request | None = None,
) -> httpx.Response:
    all_headers = dict(headers or {})
    content = b""
    if json_body is not None:
        content = json.dumps(json_body).encode()
        all_headers.setdefault("Content-Type", "application/json")
    elif text is not None:
        content = text.encode()
        all_headers.setdefault("Content-Type", content_type or "text/plain; charset=utf-8")
    return httpx.Response(
        status, content=content, headers=all_headers, request=request or httpx.Request("POST", API)
    )


CLOUD_MISSING_SCOPES = {
    "type": "error",
    "error": {
        "message": "Your credentials lack one or more required privilege scopes.",
        "detail": {"required": ["pullrequest:write"], "granted": ["repository"]},
        "id": "cloud-error-id-1",
    },
}

DC_MERGE_VETO = {
    "errors": [
        {
            "context": None,
            "message": "Merging the pull request has been vetoed.",
            "exceptionName": "com.atlassian.bitbucket.pull.PullRequestMergeVetoedException",
            "conflicted": False,
            "vetoes": [
                {
                    "summaryMessage": "Not enough approvals",
                    "detailedMessage": "The pull request needs 2 approvals, it has 1.",
                },
                {"summaryMessage": "Build failing", "detailedMessage": "The latest build of main failed."},
            ],
        }
    ]
}


@pytest.mark.parametrize(
    ("status", "expected_class"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (410, GoneError),
        (429, RateLimitError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (555, ServerError),
        (405, APIStatusError),
        (418, APIStatusError),
        (422, APIStatusError),
    ],
)
def test_status_picks_the_exception_class(status: int, expected_class: type[APIStatusError]) -> None:
    error = error_from_response(make_response(status))

    assert type(error) is expected_class
    assert error.status_code == status
    assert isinstance(error, BitbucketError)


def test_hierarchy_matches_the_documented_tree() -> None:
    request = httpx.Request("GET", API)
    timeout = APITimeoutError(request=request)

    assert isinstance(timeout, APIConnectionError)
    assert isinstance(timeout, BitbucketError)
    assert timeout.request is request
    assert str(timeout) == "Request timed out."
    assert not issubclass(APIStatusError, APIConnectionError)


def test_cloud_error_keeps_object_detail_and_uses_error_id_as_request_id() -> None:
    error = error_from_response(make_response(403, json_body=CLOUD_MISSING_SCOPES))

    assert isinstance(error, PermissionDeniedError)
    assert error.message == "Your credentials lack one or more required privilege scopes."
    assert error.details == {
        "detail": {"required": ["pullrequest:write"], "granted": ["repository"]},
        "id": "cloud-error-id-1",
    }
    assert error.request_id == "cloud-error-id-1"
    assert error.errors == []


def test_cloud_validation_error_collects_fields_and_data() -> None:
    body = {
        "type": "error",
        "error": {
            "message": "Bad request",
            "detail": "title: This field is required.",
            "fields": {"title": ["This field is required."]},
            "data": {"key": "pull-request-title-missing"},
        },
    }
    error = error_from_response(make_response(400, json_body=body))

    assert error.message == "Bad request"
    assert error.details == {
        "detail": "title: This field is required.",
        "fields": {"title": ["This field is required."]},
        "data": {"key": "pull-request-title-missing"},
    }
    assert error.request_id is None


def test_cloud_error_without_message_falls_back_but_keeps_details() -> None:
    body = {"type": "error", "error": {"fields": {"name": ["too long"]}}}
    error = error_from_response(make_response(400, json_body=body))

    assert error.message == "HTTP 400 Bad Request"
    assert error.details == {"fields": {"name": ["too long"]}}


def test_request_id_headers_win_over_the_body() -> None:
    by_id = error_from_response(
        make_response(403, json_body=CLOUD_MISSING_SCOPES, headers={"X-Request-Id": "hdr-id"})
    )
    by_uuid = error_from_response(
        make_response(404, text="not here", headers={"X-Request-UUID": "9b2c-uuid"})
    )

    assert by_id.request_id == "hdr-id"
    assert by_uuid.request_id == "9b2c-uuid"


def test_data_center_messages_are_joined_and_raw_errors_kept() -> None:
    body = {
        "errors": [
            {"context": "name", "message": "Name is required.", "exceptionName": None},
            {
                "context": None,
                "message": "Slug is taken.",
                "exceptionName": "com.atlassian.bitbucket.repository.DuplicateRepositoryNameException",
                "existingRepository": {"slug": "widgets"},
            },
        ]
    }
    error = error_from_response(make_response(400, json_body=body))

    assert isinstance(error, BadRequestError)
    assert error.message == "Name is required.; Slug is taken."
    assert error.errors == body["errors"]
    assert error.errors[1]["existingRepository"] == {"slug": "widgets"}


def test_data_center_merge_veto_becomes_conflict_with_vetoes() -> None:
    error = error_from_response(make_response(409, json_body=DC_MERGE_VETO))

    assert isinstance(error, ConflictError)
    assert error.message == "Merging the pull request has been vetoed."
    assert error.vetoes == [
        Veto("Not enough approvals", "The pull request needs 2 approvals, it has 1."),
        Veto("Build failing", "The latest build of main failed."),
    ]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        error.vetoes[0].summary_message = "changed"  # type: ignore[misc]


def test_conflict_without_vetoes_has_an_empty_list() -> None:
    body = {"errors": [{"context": None, "message": "Stale version 3, expected 4.", "exceptionName": "X"}]}
    error = error_from_response(make_response(409, json_body=body))

    assert isinstance(error, ConflictError)
    assert error.vetoes == []


def test_plain_text_rate_limit_with_rate_limit_headers() -> None:
    response = make_response(
        429,
        text="Rate limit for this resource has been exceeded\n",
        headers={
            "X-RateLimit-Limit": "1000",
            "X-RateLimit-Resource": "api-repositories",
            "X-RateLimit-NearLimit": "false",
            "X-Request-Id": "rl-1",
        },
    )
    error = error_from_response(response)

    assert isinstance(error, RateLimitError)
    assert error.message == "Rate limit for this resource has been exceeded"
    assert error.rate_limit == {
        "x-ratelimit-limit": "1000",
        "x-ratelimit-resource": "api-repositories",
        "x-ratelimit-nearlimit": "false",
    }
    assert error.retry_after is None
    assert error.waited == 0.0
    assert (
        str(error)
        == "429 Too Many Requests: Rate limit for this resource has been exceeded (request id rl-1)"
    )


def test_rate_limit_reads_retry_after_and_reports_the_wait() -> None:
    error = error_from_response(make_response(429, text="slow down", headers={"Retry-After": "17"}))
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 17.0

    error.waited = 58.25
    assert str(error) == "429 Too Many Requests: slow down (gave up after waiting 58.2s)"


def test_long_plain_text_is_truncated() -> None:
    error = error_from_response(make_response(401, text="x" * 5000))

    assert 450 <= len(error.message) <= 500
    assert error.message.endswith("…")


def test_proxy_html_page_is_summarised_by_its_title() -> None:
    page = (
        "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>"
        "<body><h1>Bad Gateway</h1><p>" + "upstream detail " * 200 + "</p></body></html>"
    )
    error = error_from_response(make_response(502, text=page, content_type="text/html"))

    assert isinstance(error, ServerError)
    assert error.message == "HTTP 502 Bad Gateway (HTML error page from a proxy: 502 Bad Gateway)"
    assert str(error) == error.message
    assert "upstream detail" not in str(error)


def test_html_without_content_type_or_title_is_still_recognised() -> None:
    page = "<html><body><h1>Service &amp; Unavailable</h1></body></html>"
    error = error_from_response(make_response(503, text=page, content_type="application/octet-stream"))

    assert (
        error.message == "HTTP 503 Service Unavailable (HTML error page from a proxy: Service & Unavailable)"
    )


@pytest.mark.parametrize(
    "response",
    [
        pytest.param(make_response(404), id="empty"),
        pytest.param(make_response(404, text="   \n"), id="whitespace"),
        pytest.param(
            make_response(404, text="{not json", content_type="application/json"), id="invalid-json"
        ),
        pytest.param(make_response(404, json_body=[1, 2, 3]), id="json-array"),
        pytest.param(make_response(404, json_body={"unexpected": True}), id="unknown-json-object"),
        pytest.param(make_response(404, json_body={"errors": []}), id="empty-dc-errors"),
    ],
)
def test_unhelpful_bodies_give_a_status_line_message(response: httpx.Response) -> None:
    error = error_from_response(response)

    assert isinstance(error, NotFoundError)
    assert error.message == "HTTP 404 Not Found"
    assert str(error) == "HTTP 404 Not Found"


def test_unknown_status_code_555_has_a_readable_message() -> None:
    error = error_from_response(make_response(555))

    assert isinstance(error, ServerError)
    assert error.message == "HTTP 555"


def test_undecodable_body_and_unknown_charset_do_not_raise() -> None:
    response = httpx.Response(
        500,
        content=b"\xff\xfe broken \x80",
        headers={"Content-Type": "text/plain; charset=no-such-charset"},
        request=httpx.Request("GET", API),
    )
    error = error_from_response(response)

    assert isinstance(error, ServerError)
    assert "broken" in error.message


def test_unread_streaming_body_counts_as_empty() -> None:
    response = httpx.Response(500, stream=httpx.ByteStream(b"never read"), request=httpx.Request("GET", API))
    error = error_from_response(response)

    assert error.message == "HTTP 500 Internal Server Error"


def test_oauth_token_endpoint_error_body() -> None:
    body = {"error_description": "Invalid OAuth client credentials", "error": "invalid_client"}
    error = error_from_response(make_response(400, json_body=body))

    assert error.message == "invalid_client: Invalid OAuth client credentials"
    assert error.details == {"error": "invalid_client"}


def test_str_format_and_response_kept() -> None:
    body = {"type": "error", "error": {"message": "Merge is vetoed"}}
    response = make_response(409, json_body=body, headers={"X-Request-Id": "abc"})
    error = error_from_response(response)

    assert str(error) == "409 Conflict: Merge is vetoed (request id abc)"
    assert error.response is response
    assert error.request is response.request
    assert error.response.json() == body


def test_response_without_request_still_becomes_an_error() -> None:
    error = error_from_response(httpx.Response(404, text="gone"))

    assert error.message == "gone"
    with pytest.raises(RuntimeError):
        _ = error.request


def test_authorization_header_never_reaches_the_exception_text() -> None:
    request = httpx.Request("GET", API, headers={"Authorization": f"Bearer {SECRET_TOKEN}"})
    for response in (
        make_response(401, text="Unauthorized", request=request),
        make_response(409, json_body=DC_MERGE_VETO, request=request),
        make_response(429, text="Rate limit", request=request),
        make_response(502, text="<html><title>x</title></html>", content_type="text/html", request=request),
    ):
        error = error_from_response(response)
        texts = [str(error), repr(error), *map(repr, error.args), *map(str, error.args)]
        assert all(SECRET_TOKEN not in text for text in texts), texts
        # It is still there for whoever deliberately looks at the request.
        assert error.request.headers["Authorization"] == f"Bearer {SECRET_TOKEN}"


# ---- hostile bodies -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [b"[" * 5000, b'{"error":' * 1000 + b"{}" + b"}" * 1000, b'{"errors": [' + b"[" * 3000],
    ids=["array-5000", "object-1000", "errors-3000"],
)
@pytest.mark.parametrize(("status", "error_class"), [(400, BadRequestError), (503, ServerError)])
def test_deeply_nested_error_bodies_still_give_the_typed_error(
    body: bytes, status: int, error_class: type[APIStatusError]
) -> None:
    response = httpx.Response(
        status, content=body, headers={"Content-Type": "application/json"}, request=httpx.Request("GET", API)
    )
    error = error_from_response(response)
    assert type(error) is error_class
    assert str(error).startswith(f"HTTP {status} ")
    assert "nested too deeply" in str(error)


# ---- pickling (issue #11, item 6) -----------------------------------------------------------------


def _sent_with_credentials() -> httpx.Request:
    return httpx.Request(
        "POST",
        "https://jdoe:hunter2@api.bitbucket.org/2.0/user?access_token=QUERY-SECRET&x=1",
        headers={"Authorization": f"Bearer {SECRET_TOKEN}", "Cookie": "session=COOKIE-SECRET"},
        content=f"refresh_token={SECRET_TOKEN}".encode(),
    )


def _every_error() -> list[BitbucketError]:
    from bitbucket_client._exceptions import MergeTaskError, PaginationError, UnexpectedResponseError
    from bitbucket_client.webhooks import PayloadTooLargeError, UnsupportedAlgorithmError

    request = _sent_with_credentials()
    errors: list[BitbucketError] = [
        error_from_response(make_response(status, json_body=CLOUD_MISSING_SCOPES, request=request))
        for status in (400, 401, 403, 404, 410, 418, 500)
    ]
    errors += [
        error_from_response(make_response(409, json_body=DC_MERGE_VETO, request=request)),
        error_from_response(
            make_response(
                429, text="slow down", headers={"Retry-After": "3", "X-RateLimit-Limit": "9"}, request=request
            )
        ),
        APIConnectionError("POST /2.0/user failed", request=request),
        APITimeoutError("POST /2.0/user timed out", request=request),
        BitbucketError("plain"),
        PaginationError("refused", url="https://evil.example.com/"),
        UnexpectedResponseError(make_response(200, text="<html>", request=request), "it is HTML"),
        MergeTaskError("failed", task_url="https://api.bitbucket.org/t/1", body={"task_status": "FAILED"}),
        PayloadTooLargeError(20, 10),
        UnsupportedAlgorithmError("sha1"),
    ]
    return errors


@pytest.mark.parametrize("error", _every_error(), ids=lambda error: type(error).__name__)
def test_every_error_pickles_and_unpickles_without_credentials(error: BitbucketError) -> None:
    data = pickle.dumps(error)
    for secret in (SECRET_TOKEN, "hunter2", "QUERY-SECRET", "COOKIE-SECRET"):
        assert secret.encode() not in data

    copy = pickle.loads(data)

    assert type(copy) is type(error)
    assert str(copy) == str(error)
    for name in ("status_code", "message", "details", "errors", "request_id", "vetoes", "retry_after"):
        assert getattr(copy, name, None) == getattr(error, name, None)
    for name in ("rate_limit", "url", "task_url", "body", "size", "limit", "algorithm"):
        assert getattr(copy, name, None) == getattr(error, name, None)
    request = getattr(copy, "request", None)
    if request is not None:
        assert request.method == "POST" and request.url.path == "/2.0/user"
        assert "authorization" not in request.headers and "cookie" not in request.headers
    response = getattr(copy, "response", None)
    if response is not None:
        assert response.status_code == error.response.status_code  # type: ignore[attr-defined]
        assert response.content == error.response.content  # type: ignore[attr-defined]


def test_a_pickled_error_drops_a_body_that_echoes_the_credentials() -> None:
    request = _sent_with_credentials()
    response = make_response(401, text=f"Invalid credentials: Bearer {SECRET_TOKEN}", request=request)
    error = error_from_response(response)

    assert SECRET_TOKEN not in str(error)  # the message is redacted already
    copy = pickle.loads(pickle.dumps(error))
    assert copy.response.text == "Invalid credentials: Bearer ***"


def _random_json(rng: random.Random, depth: int) -> Any:
    """Bodies shaped like both products' error bodies, with anything anywhere (deep nesting included)."""
    if depth <= 0 or rng.random() < 0.2:
        return rng.choice([None, True, 0, -1.5, "", "x" * rng.randint(0, 40), "Bearer " + SECRET_TOKEN])
    if rng.random() < 0.1:
        leaf: Any = "deep"
        for _ in range(rng.randint(500, 3000)):
            leaf = [leaf] if rng.random() < 0.5 else {"a": leaf}
        return leaf
    keys = [
        "error",
        "errors",
        "message",
        "detail",
        "fields",
        "data",
        "id",
        "vetoes",
        "summaryMessage",
        "detailedMessage",
        "error_description",
        "context",
        "exceptionName",
    ]
    if rng.random() < 0.5:
        return [_random_json(rng, depth - 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(keys): _random_json(rng, depth - 1) for _ in range(rng.randint(0, 5))}


@pytest.mark.parametrize("seed", range(10))
def test_error_from_response_never_raises_on_fuzzed_bodies(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        status = rng.choice([400, 401, 403, 404, 409, 410, 418, 429, 500, 503, 555])
        body = _random_json(rng, 6)
        try:
            content = json.dumps(body).encode()
        except RecursionError:
            content = b"[" * 5000
        if rng.random() < 0.1:
            content = content[: rng.randint(0, len(content))]  # cut short
        request = httpx.Request("GET", API, headers={"Authorization": f"Bearer {SECRET_TOKEN}"})
        response = httpx.Response(
            status, content=content, headers={"Content-Type": "application/json"}, request=request
        )
        error = error_from_response(response)
        assert error.status_code == status
        assert SECRET_TOKEN not in str(error)
