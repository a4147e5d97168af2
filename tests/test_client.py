"""The snippets from the facade issue, run as written against mocked endpoints (respx)."""

from __future__ import annotations

import httpx
import pytest
import respx

from bitbucket_client import (
    ApiToken,
    BitbucketCloud,
    BitbucketServer,
    OAuth2ClientCredentials,
)
from bitbucket_client.cloud.models import Pullrequest
from bitbucket_client.server.models import RestPullRequest, RestRepository

CLOUD = "https://api.bitbucket.org/2.0"
PR_PATH = "/repositories/ws/repo/pullrequests"


def cloud_pr(number: int, title: str, state: str = "OPEN") -> dict[str, object]:
    return {"type": "pullrequest", "id": number, "title": title, "state": state}


@respx.mock(assert_all_called=True)
async def test_cloud_snippet(respx_mock: respx.MockRouter, capsys: pytest.CaptureFixture[str]) -> None:
    get = respx_mock.get(f"{CLOUD}{PR_PATH}/7").respond(json=cloud_pr(7, "Fix it"))
    page_two = f"{CLOUD}{PR_PATH}?state=OPEN&page=2"
    respx_mock.get(f"{CLOUD}{PR_PATH}", params={"state": "OPEN", "page": "2"}).respond(
        json={"values": [cloud_pr(9, "Second page")], "page": 2, "pagelen": 1}
    )
    listing = respx_mock.get(f"{CLOUD}{PR_PATH}", params={"state": "OPEN"}).respond(
        json={"values": [cloud_pr(8, "First page")], "page": 1, "pagelen": 1, "next": page_two}
    )
    merge = respx_mock.post(f"{CLOUD}{PR_PATH}/7/merge").respond(json=cloud_pr(7, "Fix it", "MERGED"))

    async with BitbucketCloud("ACCESS_TOKEN") as bb:  # Bearer
        pr = await bb.pullrequests.get("ws", "repo", 7)  # typed model
        async for pr in bb.pullrequests.list("ws", "repo", state="OPEN"):
            print(pr.title)
        merged = await bb.pullrequests.merge("ws", "repo", 7, merge_strategy="squash")

    assert capsys.readouterr().out == "First page\nSecond page\n"
    assert isinstance(merged, Pullrequest) and merged.state == "MERGED"
    assert get.calls.last.request.headers["Authorization"] == "Bearer ACCESS_TOKEN"
    assert listing.calls.last.request.url.params["state"] == "OPEN"
    assert httpx.Request("POST", "x", content=merge.calls.last.request.content).content == (
        b'{"type":"pullrequest_merge_parameters","merge_strategy":"squash"}'
    )


@respx.mock(assert_all_called=True)
async def test_cloud_api_token_snippet(respx_mock: respx.MockRouter) -> None:
    route = respx_mock.get(f"{CLOUD}/user").respond(json={"type": "user", "display_name": "Me"})
    async with BitbucketCloud(auth=ApiToken("me@example.com", "API_TOKEN")) as bb:
        me = await bb.users.get_current()
    assert route.calls.last.request.headers["Authorization"] == "Basic " + "bWVAZXhhbXBsZS5jb206QVBJX1RPS0VO"
    assert me.display_name == "Me"


@respx.mock(assert_all_called=True)
async def test_cloud_oauth_client_credentials_snippet(respx_mock: respx.MockRouter) -> None:
    token = respx_mock.post("https://bitbucket.org/site/oauth2/access_token").respond(
        json={"access_token": "OAUTH_ACCESS", "expires_in": 7200, "token_type": "bearer"}
    )
    route = respx_mock.get(f"{CLOUD}/user").respond(json={"type": "user", "display_name": "Bot"})
    async with BitbucketCloud(auth=OAuth2ClientCredentials("KEY", "SECRET")) as bb:
        await bb.users.get_current()
        await bb.users.get_current()
    assert token.call_count == 1
    assert route.calls.last.request.headers["Authorization"] == "Bearer OAUTH_ACCESS"


@respx.mock(assert_all_called=True)
async def test_server_snippet(respx_mock: respx.MockRouter, capsys: pytest.CaptureFixture[str]) -> None:
    rest = "https://bitbucket.example.com/rest/api/latest/projects/PROJ/repos"
    respx_mock.get(rest, params={"start": "2"}).respond(
        json={"values": [{"slug": "third"}], "isLastPage": True, "start": 2, "limit": 2, "size": 1}
    )
    respx_mock.get(rest).respond(
        json={
            "values": [{"slug": "first"}, {"slug": "second"}],
            "isLastPage": False,
            "nextPageStart": 2,
            "start": 0,
            "limit": 2,
            "size": 2,
        }
    )
    merge = respx_mock.post(f"{rest}/repo/pull-requests/7/merge").respond(
        json={"id": 7, "version": 4, "state": "MERGED"}
    )

    async with BitbucketServer("https://bitbucket.example.com", "HTTP_ACCESS_TOKEN") as bb:
        async for repo in bb.repositories.list("PROJ"):
            print(repo.slug)
        await bb.pullrequests.merge("PROJ", "repo", 7, version=3)

    assert capsys.readouterr().out == "first\nsecond\nthird\n"
    request = merge.calls.last.request
    assert request.url.params["version"] == "3"
    assert request.headers["Authorization"] == "Bearer HTTP_ACCESS_TOKEN"


@respx.mock(assert_all_called=True)
async def test_server_base_url_may_already_end_with_rest(respx_mock: respx.MockRouter) -> None:
    route = respx_mock.get("https://bb.example.com/rest/api/latest/projects/P/repos/r").respond(
        json={"slug": "r"}
    )
    for base in ("https://bb.example.com/rest", "https://bb.example.com/rest/", "https://bb.example.com"):
        async with BitbucketServer(base, "T") as bb:
            repo = await bb.repositories.get("P", "r")
        assert isinstance(repo, RestRepository) and repo.slug == "r"
    assert route.call_count == 3


@respx.mock(assert_all_called=True)
async def test_typed_models_come_back_for_server_calls(respx_mock: respx.MockRouter) -> None:
    respx_mock.get("https://bb.example.com/rest/api/latest/projects/P/repos/r/pull-requests/3").respond(
        json={"id": 3, "createdDate": 1767225600000, "updatedDate": "2026-01-01T00:00:00Z"}
    )
    async with BitbucketServer("https://bb.example.com", "T") as bb:
        pr = await bb.pullrequests.get("P", "r", 3)
    assert isinstance(pr, RestPullRequest)
    assert pr.created_date == 1767225600000
