"""`_redirects`: which redirects the pipeline follows, and what it sends there (issue #13: Cloud's
downloads answer 302 to a storage host; a redirected POST must never carry its body anywhere)."""

from __future__ import annotations

import httpx
import pytest
import respx

from bitbucket_client import BitbucketCloud, BitbucketServer, OAuth2ClientCredentials, RedirectError

CLOUD = "https://api.bitbucket.org/2.0"
STORAGE = "https://bbuseruploads.s3.amazonaws.com/ws/repo/app.zip"
SIGNED = f"{STORAGE}?Signature=s3cr3t&Expires=99"


@respx.mock
async def test_a_download_is_fetched_from_the_storage_host_without_credentials_or_custom_headers() -> None:
    respx.get(f"{CLOUD}/repositories/ws/repo/downloads/app.zip").respond(302, headers={"Location": SIGNED})
    storage = respx.get(STORAGE).respond(content=b"PK\x03\x04", headers={"Content-Type": "application/zip"})
    async with BitbucketCloud("SECRET-TOKEN", headers={"X-Tenant-Key": "tenant-secret"}) as bb:
        body = await bb.downloads.get("ws", "repo", "app.zip")
    assert body == b"PK\x03\x04"
    sent = storage.calls.last.request
    assert sent.url.params["Signature"] == "s3cr3t", "the signed URL is followed as it is"
    assert "authorization" not in sent.headers and "x-tenant-key" not in sent.headers
    assert sent.headers["user-agent"].startswith("bitbucket-client-async/")


@respx.mock
async def test_an_oauth_client_sends_no_token_to_the_storage_host() -> None:
    respx.post("https://bitbucket.org/site/oauth2/access_token").respond(
        json={"access_token": "ACCESS", "expires_in": 7200, "token_type": "bearer"}
    )
    api = respx.get(f"{CLOUD}/repositories/ws/repo/downloads/app.zip").respond(
        302, headers={"Location": SIGNED}
    )
    storage = respx.get(STORAGE).respond(content=b"PK")
    async with BitbucketCloud(auth=OAuth2ClientCredentials("key", "secret")) as bb:
        assert await bb.downloads.get("ws", "repo", "app.zip") == b"PK"
    assert api.calls.last.request.headers["authorization"] == "Bearer ACCESS"
    assert "authorization" not in storage.calls.last.request.headers


@respx.mock
async def test_an_http_client_of_ones_own_does_not_lend_its_default_headers_to_the_storage_host() -> None:
    respx.get(f"{CLOUD}/repositories/ws/repo/downloads/app.zip").respond(302, headers={"Location": SIGNED})
    storage = respx.get(STORAGE).respond(content=b"PK")
    async with httpx.AsyncClient(headers={"X-Api-Key": "default-secret"}) as http:
        async with BitbucketCloud("T", http_client=http) as bb:
            await bb.downloads.get("ws", "repo", "app.zip")
    assert "x-api-key" not in storage.calls.last.request.headers


@respx.mock
async def test_a_redirect_within_the_api_keeps_the_credentials() -> None:
    # Cloud answers a pull request's diff with a redirect to the repository's diff endpoint.
    respx.get(f"{CLOUD}/repositories/ws/repo/pullrequests/7/diff").respond(
        302, headers={"Location": "/2.0/repositories/ws/repo/diff/abc..def"}
    )
    diff = respx.get(f"{CLOUD}/repositories/ws/repo/diff/abc..def").respond(text="diff --git a b\n")
    async with BitbucketCloud("T") as bb:
        assert await bb.pullrequests.get_diff("ws", "repo", 7) == "diff --git a b\n"
    assert diff.calls.last.request.headers["authorization"] == "Bearer T"


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@respx.mock
async def test_a_redirected_write_is_refused_and_its_body_goes_nowhere(status: int) -> None:
    respx.post(f"{CLOUD}/repositories/ws/repo/downloads").respond(status, headers={"Location": SIGNED})
    elsewhere = respx.route(host="bbuseruploads.s3.amazonaws.com").respond(201)
    async with BitbucketCloud("T") as bb:
        with pytest.raises(RedirectError) as raised:
            await bb.downloads.upload("ws", "repo", files=[("app.zip", b"PK")])
    assert elsewhere.call_count == 0
    error = raised.value
    assert error.status_code == status and error.location == STORAGE
    assert "POST /2.0/repositories/ws/repo/downloads" in str(error) and "GET and HEAD only" in str(error)
    assert "s3cr3t" not in str(error), "the signature stays out of the message"


@respx.mock
async def test_raw_requests_follow_the_same_rules() -> None:
    respx.put(f"{CLOUD}/x").respond(307, headers={"Location": f"{CLOUD}/y"})
    other = respx.put(f"{CLOUD}/y").respond(200)
    async with BitbucketCloud("T") as bb:
        with pytest.raises(RedirectError, match=r"PUT /2\.0/x answered 307"):
            await bb.request("PUT", "/x", json={"a": 1})
    assert other.call_count == 0


@respx.mock
async def test_https_is_never_redirected_to_plain_http() -> None:
    respx.get(f"{CLOUD}/repositories/ws/repo/downloads/app.zip").respond(
        302, headers={"Location": "http://storage.example.com/app.zip"}
    )
    plain = respx.route(host="storage.example.com").respond(200)
    async with BitbucketCloud("T") as bb:
        with pytest.raises(RedirectError, match="plain http"):
            await bb.downloads.get("ws", "repo", "app.zip")
    assert plain.call_count == 0


@respx.mock
async def test_a_redirect_loop_stops() -> None:
    respx.get(f"{CLOUD}/loop").respond(302, headers={"Location": f"{CLOUD}/loop"})
    async with BitbucketCloud("T") as bb:
        with pytest.raises(RedirectError, match="after 10 redirects"):
            await bb.request("GET", "/loop")


@respx.mock
async def test_a_location_that_is_not_an_http_url_is_refused() -> None:
    respx.get(f"{CLOUD}/odd").respond(302, headers={"Location": "ftp://files.example.com/a"})
    async with BitbucketCloud("T") as bb:
        with pytest.raises(RedirectError, match="not an http"):
            await bb.request("GET", "/odd")


@respx.mock
async def test_a_streamed_download_follows_the_redirect_too() -> None:
    respx.get("https://bb.example.com/rest/api/latest/projects/P/repos/r/archive").respond(
        302, headers={"Location": "https://cdn.example.com/r.zip"}
    )
    cdn = respx.get("https://cdn.example.com/r.zip").respond(content=b"z" * 10_000)
    async with BitbucketServer("https://bb.example.com", "T") as bb:
        async with bb.stream("GET", "/api/latest/projects/P/repos/r/archive") as response:
            size = sum([len(chunk) async for chunk in response.aiter_bytes()])
    assert size == 10_000 and "authorization" not in cdn.calls.last.request.headers


@respx.mock
async def test_a_storage_host_error_is_a_typed_error_of_that_answer() -> None:
    from bitbucket_client import PermissionDeniedError

    respx.get(f"{CLOUD}/repositories/ws/repo/downloads/app.zip").respond(302, headers={"Location": SIGNED})
    respx.get(STORAGE).respond(
        403, text="<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
    )
    async with BitbucketCloud("T", max_retries=0) as bb:
        with pytest.raises(PermissionDeniedError, match="expired") as raised:
            await bb.downloads.get("ws", "repo", "app.zip")
    assert raised.value.request.url.host == "bbuseruploads.s3.amazonaws.com"
