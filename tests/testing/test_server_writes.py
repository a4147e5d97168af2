"""FakeBitbucketServer's writes of `_server_writes` and its personal projects: what they keep, answer and
refuse (the requests docs/writing.md makes are run in tests/test_writing_guide.py)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bitbucket_client import BadRequestError, NotFoundError
from bitbucket_client.testing import FakeBitbucketServer

ROOT = "https://bitbucket.example.com"
REPO = "/api/latest/projects/PRJ/repos/widgets"
PERMISSIONS = "/branch-permissions/latest/projects/PRJ/repos/widgets/restrictions"
MAIN = {"id": "refs/heads/main", "type": {"id": "BRANCH"}}


@pytest.fixture
def fake() -> FakeBitbucketServer:
    fake = FakeBitbucketServer()
    fake.add_repository("PRJ", "widgets")
    fake.state.user("charlie")
    return fake


def head(fake: FakeBitbucketServer) -> str:
    return fake.repository("PRJ", "widgets").branches["main"]


async def post(fake: FakeBitbucketServer, path: str, body: Any) -> httpx.Response:
    """A request as sent, past the client's own checks: what the fake itself refuses."""
    headers = {"Authorization": "Bearer t"}
    async with httpx.AsyncClient(transport=fake, base_url=f"{ROOT}/rest", headers=headers) as http:
        return await http.post(path, json=body)


async def test_build_statuses_are_kept_by_key(fake: FakeBitbucketServer) -> None:
    async with fake.client() as bb:
        await bb.builds.create_status(
            "PRJ", "widgets", head(fake), key="ci", state="INPROGRESS", url="https://ci/1"
        )
        await bb.builds.create_status(
            "PRJ", "widgets", head(fake)[:10], key="ci", state="SUCCESSFUL", url="https://ci/1"
        )
        status = await bb.builds.get_status("PRJ", "widgets", head(fake), key="ci")
        assert (status.state, status.url, status.project_key) == ("SUCCESSFUL", "https://ci/1", "PRJ")
        with pytest.raises(NotFoundError, match="No build status with key 'other'"):
            await bb.builds.get_status("PRJ", "widgets", head(fake), key="other")
        with pytest.raises(NotFoundError, match="does not exist in repository"):
            await bb.builds.create_status("PRJ", "widgets", "f" * 40, key="ci", state="FAILED", url="u")
    refused = await post(
        fake, f"{REPO}/commits/{head(fake)}/builds", {"key": "ci", "state": "DONE", "url": "u"}
    )
    assert refused.status_code == 400 and "NoSuch" not in refused.text and "'DONE'" in refused.text


async def test_branch_permissions_are_created_and_read_back(fake: FakeBitbucketServer) -> None:
    async with fake.client() as bb:
        made = await bb.branch_restrictions.create_for_repository(
            "PRJ", "widgets", body=[{"type": "read-only", "matcher": MAIN, "userSlugs": ["charlie"]}]
        )
        assert made.matcher and made.matcher.display_id == "main" and made.matcher.type_
        assert [user.slug for user in made.users or []] == ["charlie"]
        read = await bb.branch_restrictions.get_for_repository("PRJ", "widgets", str(made.id))
        assert read.type_ == "read-only"
        with pytest.raises(BadRequestError, match="User nobody does not exist"):
            await bb.branch_restrictions.create_for_repository(
                "PRJ", "widgets", body=[{"type": "read-only", "matcher": MAIN, "userSlugs": ["nobody"]}]
            )
        with pytest.raises(NotFoundError):
            await bb.branch_restrictions.get_for_repository("PRJ", "widgets", "999")
    wrong = await post(fake, PERMISSIONS, [{"type": "locked", "matcher": MAIN}])
    assert wrong.status_code == 400 and "type: 'locked'" in wrong.text
    no_matcher = await post(fake, PERMISSIONS, {"type": "read-only", "matcher": {"id": "refs/heads/main"}})
    assert no_matcher.status_code == 400 and "matcher" in no_matcher.text


async def test_every_user_has_a_personal_project(fake: FakeBitbucketServer) -> None:
    async with fake.client() as bb:
        repo = await bb.repositories.create("~charlie", name="Scratch pad")
        assert repo.slug == "scratch-pad" and repo.project and repo.project.key == "~CHARLIE"
        assert (
            repo.project.type_ == "PERSONAL" and repo.project.owner and repo.project.owner.slug == "charlie"
        )
        assert (await bb.repositories.get("~CHARLIE", "scratch-pad")).id == repo.id
        with pytest.raises(NotFoundError, match="Project ~nobody does not exist"):
            await bb.repositories.create("~nobody", name="x")
