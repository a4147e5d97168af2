"""FakeBitbucketServer's files (`_server_source.py`): browse, raw, archives, file lists, edits, users and
avatars, as Bitbucket Data Center answers them, behind a Tomcat that refuses encoded slashes."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from bitbucket_client import BadRequestError, ConflictError, NotFoundError
from bitbucket_client.server.models import RestBrowseResult, RestCommit
from bitbucket_client.testing import FakeBitbucketServer


@pytest.fixture
def fake() -> FakeBitbucketServer:
    fake = FakeBitbucketServer(page_size=2)
    fake.add_repository("PRJ", "repo")
    fake.add_file("PRJ", "repo", "README.md", "# Repo\n\nUsage\n")
    fake.add_file("PRJ", "repo", "docs/guide/intro.md", "Intro\n")
    fake.add_file("PRJ", "repo", "docs/api.md", "API\n")
    return fake


async def test_browse_answers_a_folder_with_children_and_a_file_with_lines(fake: FakeBitbucketServer) -> None:
    async with fake.client() as bb:
        folder = await bb.source.get("PRJ", "repo", "docs")
        file = await bb.source.get("PRJ", "repo", "README.md", at="refs/heads/main")
        root = await bb.source.get_root("PRJ", "repo")
        with pytest.raises(NotFoundError, match='path "nope" does not exist'):
            await bb.source.get("PRJ", "repo", "nope")
    assert isinstance(folder, RestBrowseResult) and folder.path.to_string == "docs"
    children = folder.children.values
    assert [(c.path.to_string, c.type_.value) for c in children] == [
        ("api.md", "FILE"),
        ("guide", "DIRECTORY"),
    ]
    assert children[0].size == 4
    assert [line.text for line in file.lines] == ["# Repo", "", "Usage"] and file.is_last_page is True
    assert [c.path.to_string for c in root.children.values] == ["README.md", "docs"]


async def test_raw_files_archives_and_file_lists(fake: FakeBitbucketServer, tmp_path: Path) -> None:
    async with fake.client() as bb:
        raw = await bb.source.get_raw("PRJ", "repo", "docs/guide/intro.md")
        archive = await bb.source.get_archive("PRJ", "repo", format_="zip", prefix="repo/")
        saved = await bb.source.get_archive(
            "PRJ", "repo", format_="tar", path=["docs"], save_to=tmp_path / "d.tar"
        )
        everything = [path async for path in bb.source.list_all_files("PRJ", "repo")]
        under_docs = [path async for path in bb.source.list_files("PRJ", "repo", "docs")]
    assert raw == b"Intro\n"
    assert sorted(zipfile.ZipFile(io.BytesIO(archive)).namelist()) == [
        "repo/README.md",
        "repo/docs/api.md",
        "repo/docs/guide/intro.md",
    ]
    with tarfile.open(saved) as tar:
        assert sorted(tar.getnames()) == ["docs/api.md", "docs/guide/intro.md"]
    assert everything == ["README.md", "docs/api.md", "docs/guide/intro.md"]
    assert under_docs == ["api.md", "guide/intro.md"]
    assert len(fake.requests_for("source.list_all_files")) == 2, "three files in pages of two"


async def test_an_encoded_slash_is_refused_as_tomcat_does(fake: FakeBitbucketServer) -> None:
    async with fake.client() as bb:
        with pytest.raises(BadRequestError, match="HTML error page"):
            await bb.request("GET", "/api/latest/projects/PRJ/repos/repo/raw/docs%2Fguide%2Fintro.md")


async def test_editing_a_file_commits_it_and_guards_against_stale_edits(fake: FakeBitbucketServer) -> None:
    head = fake.repository("PRJ", "repo").branches["main"]
    async with fake.client() as bb:
        created = await bb.source.edit_file(
            "PRJ", "repo", "docs/new.md", content="New", branch="main", message="Add"
        )
        with pytest.raises(ConflictError, match="sourceCommitId"):
            await bb.source.edit_file("PRJ", "repo", "README.md", content="x", branch="main")
        with pytest.raises(ConflictError, match="changed since"):
            await bb.source.edit_file(
                "PRJ", "repo", "README.md", content="x", branch="main", source_commit_id=head
            )
        edited = await bb.source.edit_file(
            "PRJ", "repo", "README.md", content=b"# Repo 2\n", branch="main", source_commit_id=created.id
        )
    assert isinstance(edited, RestCommit) and edited.message == "Edit README.md"
    assert fake.files("PRJ", "repo")["README.md"] == b"# Repo 2\n"
    assert fake.files("PRJ", "repo")["docs/new.md"] == b"New"


async def test_users_are_a_page_and_can_be_filtered(fake: FakeBitbucketServer) -> None:
    for slug in ("alice", "bob", "carol"):
        fake.state.user(slug)
    async with fake.client() as bb:
        everyone = [user.slug async for user in bb.users.list()]
        filtered = [user.slug async for user in bb.users.list(filter_="car")]
    assert everyone == ["alice", "bob", "carol", "fake-user"] and filtered == ["carol"]
    assert len(fake.requests_for("users.list")) == 3


async def test_a_project_avatar_is_uploaded_and_read_back(fake: FakeBitbucketServer) -> None:
    async with fake.client() as bb:
        await bb.projects.upload_avatar("PRJ", avatar=("logo.png", b"\x89PNG-logo", "image/png"))
        assert await bb.projects.get_avatar("PRJ") == b"\x89PNG-logo"
    assert fake.avatar("PRJ") == b"\x89PNG-logo"
