"""FakeBitbucketServer's tags, build statuses and user list (`_server_tags_builds_users`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bitbucket_client.server.models import RestBuildStatusState
from bitbucket_client.sync import BadRequestError, BitbucketServer, ConflictError, NotFoundError
from bitbucket_client.testing import FakeBitbucketServer


@pytest.fixture
def fake() -> FakeBitbucketServer:
    fake = FakeBitbucketServer(page_size=2)
    fake.add_repository("SHOP", "cart")
    fake.add_branch("SHOP", "cart", "release")
    return fake


@pytest.fixture
def dc(fake: FakeBitbucketServer) -> Iterator[BitbucketServer]:
    with fake.sync_client() as client:
        yield client


def test_tags_are_listed_by_name_filtered_and_paged(fake: FakeBitbucketServer, dc: BitbucketServer) -> None:
    head = fake.repository("SHOP", "cart").branches["main"]
    for name in ("v1.1", "v1.0", "v2.0"):
        assert fake.add_tag("SHOP", "cart", name) == head
    tags = list(dc.refs.list_tags("SHOP", "cart"))
    assert [t.display_id for t in tags] == ["v1.0", "v1.1", "v2.0"]
    assert tags[0].id == "refs/tags/v1.0" and tags[0].latest_commit == head and tags[0].type_ == "TAG"
    assert [r.params.get("start") for r in fake.requests_for("refs.list_tags")] == [None, "2"]
    assert [t.display_id for t in dc.refs.list_tags("SHOP", "cart", filter_text="V1")] == ["v1.0", "v1.1"]


def test_a_tag_is_created_at_a_branch_once(fake: FakeBitbucketServer, dc: BitbucketServer) -> None:
    tag = dc.refs.create_tag("SHOP", "cart", name="v3", start_point="release", message="Third")
    assert tag.display_id == "v3" and tag.latest_commit == fake.repository("SHOP", "cart").branches["release"]
    with pytest.raises(ConflictError, match="already exists"):
        dc.refs.create_tag("SHOP", "cart", name="v3", start_point="main")
    with pytest.raises(BadRequestError, match="neither a branch nor a commit"):
        dc.refs.create_tag("SHOP", "cart", name="v4", start_point="nowhere")
    with pytest.raises(BadRequestError, match="startPoint"):
        dc.refs.create_tag("SHOP", "cart", name="v5")


def test_tags_seeded_with_files_and_made_through_the_api_are_one_set(
    fake: FakeBitbucketServer, dc: BitbucketServer
) -> None:
    seeded = fake.add_file("SHOP", "cart", "CHANGES.md", "1.0\n", tag="v1.0")
    dc.refs.create_tag("SHOP", "cart", name="v1.1", start_point="main")
    assert [t.display_id for t in dc.refs.list_tags("SHOP", "cart")] == ["v1.0", "v1.1"]
    assert next(iter(dc.refs.list_tags("SHOP", "cart"))).latest_commit == seeded.hash
    with pytest.raises(ConflictError, match="already exists"):
        dc.refs.create_tag("SHOP", "cart", name="v1.0", start_point="main")
    assert dc.source.get_raw("SHOP", "cart", "CHANGES.md", at="refs/tags/v1.1") == b"1.0\n"


def test_build_statuses_are_reported_and_read_back(fake: FakeBitbucketServer, dc: BitbucketServer) -> None:
    commit = fake.repository("SHOP", "cart").branches["main"]
    fake.add_build_status(commit, key="LINT", url="https://ci.example.com/lint/1")
    dc.builds.create_status("SHOP", "cart", commit, key="TEST", state="INPROGRESS", url="https://ci/t/1")
    dc.builds.create_status("SHOP", "cart", commit, key="TEST", state="FAILED", url="https://ci/t/2")
    with pytest.warns(DeprecationWarning, match="list_statuses_legacy"):
        statuses = list(dc.builds.list_statuses_legacy(commit))
    assert [(s.key, s.state, s.url) for s in statuses] == [
        ("TEST", RestBuildStatusState.FAILED, "https://ci/t/2"),
        ("LINT", RestBuildStatusState.SUCCESSFUL, "https://ci.example.com/lint/1"),
    ]
    assert dc.builds.get_status("SHOP", "cart", commit, key="LINT").name == "LINT"
    with pytest.raises(NotFoundError, match="No build status"):
        dc.builds.get_status("SHOP", "cart", commit, key="DEPLOY")
    with pytest.raises(BadRequestError, match="missing url"):  # the client would refuse: sent raw
        dc.request("POST", f"/build-status/latest/commits/{commit}", json={"state": "SUCCESSFUL", "key": "X"})
    with pytest.raises(ValueError, match="state must be one of"):
        fake.add_build_status(commit, key="X", url="u", state="GREEN")


def test_users_are_listed_and_filtered(fake: FakeBitbucketServer, dc: BitbucketServer) -> None:
    fake.add_pull_request("SHOP", "cart", title="T", author="alice", reviewers=["bob"])
    assert [u.name for u in dc.users.list()] == ["alice", "bob", "fake-user"]
    assert [u.slug for u in dc.users.list(filter_="BO")] == ["bob"]
