"""FakeBitbucketCloud's OAuth 2 token endpoint, used by the client's own OAuth classes, and anonymous reads
of public repositories on both fakes."""

from __future__ import annotations

import httpx
import pytest

from bitbucket_client import (
    AuthenticationError,
    BitbucketCloud,
    BitbucketServer,
    NotFoundError,
    OAuth2ClientCredentials,
    OAuth2RefreshToken,
    TokenSet,
)
from bitbucket_client.testing import FakeBitbucketCloud, FakeBitbucketServer


@pytest.fixture
def fake() -> FakeBitbucketCloud:
    fake = FakeBitbucketCloud(tokens={"unrelated-token"})  # only issued tokens (and this one) pass
    fake.add_repository("acme", "shop")
    fake.add_oauth_consumer("key", "secret", user="robot")
    return fake


async def test_client_credentials_get_a_token_and_renew_it_after_a_forced_expiry(
    fake: FakeBitbucketCloud,
) -> None:
    async with BitbucketCloud(auth=OAuth2ClientCredentials("key", "secret"), transport=fake) as bb:
        me = await bb.users.get_current()
        assert me.nickname == "robot"
        assert len(fake.access_tokens) == 1
        fake.expire_access_tokens()
        assert fake.access_tokens == []
        await bb.repositories.get("acme", "shop")  # 401, a new token, the same call again
    token_calls = [r for r in fake.requests if r.url == "https://bitbucket.org/site/oauth2/access_token"]
    assert [r.status for r in token_calls] == [200, 200]
    assert [r.status for r in fake.requests_for("repositories.get")] == [401, 200]
    assert len(fake.access_tokens) == 1
    assert all(r.json is None for r in token_calls)  # the form (and its secrets) is not logged


async def test_refresh_tokens_rotate_and_a_used_one_stops_working(fake: FakeBitbucketCloud) -> None:
    saved: list[TokenSet] = []
    first = fake.issue_refresh_token("key", user="alice")
    auth = OAuth2RefreshToken("key", "secret", first, on_refresh=saved.append)
    async with BitbucketCloud(auth=auth, transport=fake) as bb:
        assert (await bb.users.get_current()).nickname == "alice"
        fake.expire_access_tokens()
        assert (await bb.users.get_current()).nickname == "alice"
    assert len(saved) == 2
    assert len({first, saved[0].refresh_token, saved[1].refresh_token}) == 3  # rotated every time
    assert saved[0].expires_at is not None

    stale = OAuth2RefreshToken("key", "secret", first)  # already used: Bitbucket refuses it
    async with BitbucketCloud(auth=stale, transport=fake) as bb:
        with pytest.raises(AuthenticationError, match="Invalid refresh_token"):
            await bb.users.get_current()


async def test_wrong_consumer_credentials_get_cloud_s_error(fake: FakeBitbucketCloud) -> None:
    async with BitbucketCloud(auth=OAuth2ClientCredentials("key", "wrong"), transport=fake) as bb:
        with pytest.raises(AuthenticationError, match="Invalid OAuth client credentials"):
            await bb.users.get_current()
    async with httpx.AsyncClient(transport=fake) as raw:
        answer = await raw.post(
            "https://bitbucket.org/site/oauth2/access_token",
            data={"grant_type": "password"},
            auth=("key", "secret"),
        )
    assert answer.status_code == 400
    assert answer.json() == {
        "error_description": "Unsupported grant type: password",
        "error": "unsupported_grant_type",
    }


def test_consumers_and_refresh_tokens_are_checked(fake: FakeBitbucketCloud) -> None:
    with pytest.raises(LookupError, match="no OAuth consumer"):
        fake.issue_refresh_token("nobody")
    with pytest.raises(ValueError, match="expires_in"):
        fake.add_oauth_consumer("k2", "s", expires_in=0)
    assert "secret" not in repr(fake.add_oauth_consumer("k3", "secret"))


async def test_anonymous_reads_of_a_public_cloud_repository() -> None:
    fake = FakeBitbucketCloud()
    fake.add_repository("acme", "public", is_private=False)
    fake.add_repository("acme", "private")
    fake.add_pull_request("acme", "public", title="Open to all")
    async with httpx.AsyncClient(transport=fake, base_url="https://api.bitbucket.org/2.0/") as anonymous:
        repo = await anonymous.get("repositories/acme/public")
        prs = await anonymous.get("repositories/acme/public/pullrequests")
        private = await anonymous.get("repositories/acme/private")
        missing = await anonymous.get("repositories/acme/nothing")
        write = await anonymous.post("repositories/acme/public/pullrequests/1/approve")
        me = await anonymous.get("user")
    assert repo.status_code == 200 and repo.json()["is_private"] is False
    assert [pr["title"] for pr in prs.json()["values"]] == ["Open to all"]
    # Cloud does not say whether a private repository exists.
    assert private.status_code == missing.status_code == 404
    assert private.json()["error"]["message"] == "Repository acme/private not found"
    assert write.status_code == 401 and me.status_code == 401


async def test_anonymous_reads_of_a_public_data_center_repository() -> None:
    fake = FakeBitbucketServer()
    fake.add_repository("PRJ", "public", is_private=False)
    fake.add_repository("PRJ", "private")
    fake.add_file("PRJ", "public", "README.md", b"hello")
    async with BitbucketServer(fake.base_url, None, transport=fake) as anonymous:
        assert (await anonymous.repositories.get("PRJ", "public")).slug == "public"
        assert [b.display_id async for b in anonymous.refs.list_branches("PRJ", "public")] == ["main"]
        with pytest.raises(AuthenticationError):
            await anonymous.repositories.get("PRJ", "private")
        with pytest.raises(AuthenticationError):
            await anonymous.refs.create_branch("PRJ", "public", name="x", start_point="main")
    with pytest.raises(NotFoundError):
        async with fake.client() as bb:
            await bb.repositories.get("PRJ", "nothing")


async def test_anonymous_repository_lists_show_the_public_ones_only(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BITBUCKET_TOKEN", "BITBUCKET_EMAIL", "BITBUCKET_API_TOKEN", "BITBUCKET_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    cloud = FakeBitbucketCloud()
    cloud.add_repository("acme", "public", is_private=False)
    cloud.add_repository("acme", "private")
    server = FakeBitbucketServer()
    server.add_repository("PRJ", "public", is_private=False)
    server.add_repository("PRJ", "private")
    async with BitbucketCloud(transport=cloud) as anonymous_cloud:
        assert [r.slug async for r in anonymous_cloud.repositories.list("acme")] == ["public"]
    async with BitbucketServer(server.base_url, None, transport=server) as anonymous_server:
        assert [r.slug async for r in anonymous_server.repositories.list("PRJ")] == ["public"]
    async with cloud.client() as bb:
        assert len([r async for r in bb.repositories.list("acme")]) == 2
