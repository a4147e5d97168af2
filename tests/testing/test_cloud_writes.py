"""FakeBitbucketCloud's writes of `_cloud_writes`: what they keep, what they answer, what they refuse (the
requests docs/writing.md makes are run in tests/test_writing_guide.py)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bitbucket_client import BadRequestError, ConflictError, NotFoundError
from bitbucket_client.testing import FakeBitbucketCloud

API = "https://api.bitbucket.org/2.0"
REPO = "/repositories/acme/widgets"


@pytest.fixture
def fake() -> FakeBitbucketCloud:
    fake = FakeBitbucketCloud()
    fake.add_repository("acme", "widgets")
    fake.add_pull_request("acme", "widgets", title="x")
    return fake


async def post(fake: FakeBitbucketCloud, path: str, body: Any) -> httpx.Response:
    """A request as sent, past the client's own checks: what the fake itself refuses."""
    async with httpx.AsyncClient(transport=fake, base_url=API, headers={"Authorization": "Bearer t"}) as http:
        return await http.post(REPO + path, json=body)


def head(fake: FakeBitbucketCloud) -> str:
    return fake.repository("acme", "widgets").branches["main"]


async def test_tasks_are_kept_and_listed(fake: FakeBitbucketCloud) -> None:
    async with fake.client() as bb:
        comment = await bb.pullrequests.create_comment("acme", "widgets", 1, content={"raw": "why?"})
        task = await bb.pullrequests.create_task(
            "acme", "widgets", 1, content={"raw": "Fix it"}, comment={"id": comment.id}, pending=True
        )
        assert (task.state, task.pending, task.comment and task.comment.id) == (
            "UNRESOLVED",
            True,
            comment.id,
        )
        listed = [t.id async for t in bb.pullrequests.list_tasks("acme", "widgets", 1)]
    assert listed == [task.id]
    missing = await post(fake, "/pullrequests/1/tasks", {"content": {"raw": "x"}, "comment": {"id": 99}})
    assert missing.status_code == 400 and "comment 99 not found" in missing.text
    assert (await post(fake, "/pullrequests/1/tasks", {"content": {"raw": " "}})).status_code == 400


async def test_tags_point_at_commits_and_are_unique(fake: FakeBitbucketCloud) -> None:
    async with fake.client() as bb:
        tag = await bb.refs.create_tag("acme", "widgets", name="v1", target={"hash": head(fake)[:12]})
        assert tag.target and tag.target.hash_ == head(fake)
        assert tag.message == f"Added tag v1 for changeset {head(fake)[:12]}"
        assert (await bb.refs.get_tag("acme", "widgets", "v1")).name == "v1"
        with pytest.raises(BadRequestError, match='tag "v1" already exists'):
            await bb.refs.create_tag("acme", "widgets", name="v1", target={"hash": head(fake)})
        with pytest.raises(BadRequestError, match="is not a commit"):
            await bb.refs.create_tag("acme", "widgets", name="v2", target={"hash": "f" * 40})
        with pytest.raises(NotFoundError):
            await bb.refs.get_tag("acme", "widgets", "v3")


async def test_tags_seeded_and_made_are_listed_read_and_browsable(fake: FakeBitbucketCloud) -> None:
    seeded = fake.add_file("acme", "widgets", "CHANGES.md", "1.0\n", tag="v1.0")
    async with fake.client() as bb:
        await bb.refs.create_tag("acme", "widgets", name="v1.1", target={"hash": head(fake)})
        await bb.refs.create_tag("acme", "widgets", name="a-first", target={"hash": head(fake)})
        names = [tag.name async for tag in bb.refs.list_tags("acme", "widgets", page_size=2)]
        assert names == ["a-first", "v1.0", "v1.1"]  # by name, across pages
        read = await bb.refs.get_tag("acme", "widgets", "v1.0")
        assert read.target and read.target.hash_ == seeded.hash
        assert read.tagger and read.tagger.raw
        assert await bb.source.get_file("acme", "widgets", "v1.1", "CHANGES.md") == b"1.0\n"


async def test_a_commit_status_with_the_same_key_replaces_the_last(fake: FakeBitbucketCloud) -> None:
    async with fake.client() as bb:
        first = await bb.commit_statuses.create(
            "acme", "widgets", head(fake), key="ci", state="INPROGRESS", url="https://ci/1"
        )
        second = await bb.commit_statuses.create(
            "acme", "widgets", head(fake), key="ci", state="FAILED", url="https://ci/1"
        )
        statuses = [s async for s in bb.commit_statuses.list("acme", "widgets", head(fake))]
        assert [(s.key, s.state) for s in statuses] == [("ci", "FAILED")]
        assert second.created_on == first.created_on
        with pytest.raises(NotFoundError, match="Commit not found"):
            await bb.commit_statuses.create("acme", "widgets", "f" * 40, key="ci", state="FAILED", url="u")
    refused = await post(
        fake, f"/commit/{head(fake)}/statuses/build", {"key": "ci", "state": "DONE", "url": "u"}
    )
    assert refused.status_code == 400 and "'DONE' is not one of" in refused.text


async def test_branch_restrictions_are_unique_by_kind_and_match(fake: FakeBitbucketCloud) -> None:
    user = fake.state.user("jane")
    async with fake.client() as bb:
        made = await bb.branch_restrictions.create(
            "acme",
            "widgets",
            kind="push",
            branch_match_kind="glob",
            pattern="main",
            users=[{"uuid": user.uuid}],
        )
        assert made.id is not None and [u.uuid for u in made.users or []] == [user.uuid]
        assert (await bb.branch_restrictions.get("acme", "widgets", str(made.id))).kind == "push"
        with pytest.raises(ConflictError):
            await bb.branch_restrictions.create(
                "acme", "widgets", kind="push", branch_match_kind="glob", pattern="main"
            )
        with pytest.raises(BadRequestError, match="Unknown user"):
            await bb.branch_restrictions.create(
                "acme",
                "widgets",
                kind="delete",
                branch_match_kind="glob",
                pattern="*",
                users=[{"uuid": "{x}"}],
            )
    kinds = await post(
        fake, "/branch-restrictions", {"kind": "lock", "branch_match_kind": "glob", "pattern": "*"}
    )
    assert kinds.status_code == 400 and "kind: 'lock' is not a valid choice" in kinds.text


async def test_deployment_variables_need_their_environment_and_hide_secured_values(
    fake: FakeBitbucketCloud,
) -> None:
    environment = fake.add_deployment_environment("acme", "widgets")
    async with fake.client() as bb:
        plain = await bb.deployments.create_environment_variable(
            "acme", "widgets", environment, key="REGION", value="eu"
        )
        secret = await bb.deployments.create_environment_variable(
            "acme", "widgets", environment, key="TOKEN", value="s3cret", secured=True
        )
        assert (plain.value, secret.secured) == ("eu", True)
        assert "s3cret" not in str(secret.to_dict())
        with pytest.raises(ConflictError, match="already exists"):
            await bb.deployments.create_environment_variable(
                "acme", "widgets", environment, key="REGION", value="us"
            )
        with pytest.raises(NotFoundError, match="Environment"):
            await bb.deployments.create_environment_variable("acme", "widgets", "{nope}", key="K", value="v")


async def test_pipelines_run_on_a_ref_or_a_commit_and_are_kept(fake: FakeBitbucketCloud) -> None:
    async with fake.client() as bb:
        run = await bb.pipelines.run(
            "acme",
            "widgets",
            target={"type": "pipeline_commit_target", "commit": {"hash": head(fake)}},
            variables=[{"key": "K", "value": "v", "secured": True}],
        )
        assert run.target and run.target.commit and run.target.commit.hash_ == head(fake)
        (variable,) = run.variables or []
        assert variable.key == "K" and variable.secured is True and not isinstance(variable.value, str)
        again = await bb.pipelines.get("acme", "widgets", str(run.uuid))
        assert again.build_number == run.build_number == 1
        with pytest.raises(BadRequestError, match="branch 'nope' does not exist"):
            await bb.pipelines.run(
                "acme",
                "widgets",
                target={"type": "pipeline_ref_target", "ref_type": "branch", "ref_name": "nope"},
            )
    refused = await post(fake, "/pipelines", {"target": {"type": "pipeline_target"}})
    assert refused.status_code == 400 and "target.type" in refused.text


async def test_an_inline_anchor_needs_a_path(fake: FakeBitbucketCloud) -> None:
    refused = await post(fake, "/pullrequests/1/comments", {"content": {"raw": "x"}, "inline": {"to": 3}})
    assert refused.status_code == 400 and "inline" in refused.text
