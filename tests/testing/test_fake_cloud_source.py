"""FakeBitbucketCloud's files (`_cloud_source.py`, `_files.py`): file bytes, metadata, folders, commits by
upload, and downloads behind a redirect to a storage host, as Bitbucket Cloud answers them."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from bitbucket_client import BadRequestError, NotFoundError
from bitbucket_client.cloud.models import CommitFile
from bitbucket_client.testing import FakeBitbucketCloud
from bitbucket_client.testing._cloud_source import STORAGE_HOST

API = "https://api.bitbucket.org/2.0"


@pytest.fixture
def fake() -> FakeBitbucketCloud:
    fake = FakeBitbucketCloud(page_size=2)
    fake.add_repository("acme", "widgets")
    fake.add_file("acme", "widgets", "README.md", "# Widgets\n")
    fake.add_file("acme", "widgets", "docs/guide/intro.md", "Intro\n")
    fake.add_file("acme", "widgets", "docs/logo.png", b"\x89PNG\r\n")
    return fake


async def test_a_file_is_its_bytes_and_its_metadata(fake: FakeBitbucketCloud) -> None:
    async with fake.client() as bb:
        assert await bb.source.get_file("acme", "widgets", "main", "docs/logo.png") == b"\x89PNG\r\n"
        meta = await bb.source.get_file_meta("acme", "widgets", "main", "docs/guide/intro.md")
        response = await bb.with_raw_response.source.get_file("acme", "widgets", "main", "README.md")
    assert isinstance(meta, CommitFile) and (meta.path, meta.size, meta.mimetype) == (
        "docs/guide/intro.md",
        6,
        "text/markdown",
    )
    assert response.headers["content-type"] == "text/markdown"
    assert response.headers["content-disposition"] == 'attachment; filename="README.md"'


async def test_folders_list_their_entries_page_after_page(fake: FakeBitbucketCloud) -> None:
    async with fake.client() as bb:
        root = [(e.path, e.type_) async for e in bb.source.list_directory("acme", "widgets", "main")]
        deep = [
            e.path async for e in bb.source.list_directory("acme", "widgets", "main", "docs", max_depth=5)
        ]
        files = [
            e.path
            async for e in bb.source.list_directory(
                "acme", "widgets", "main", "docs", max_depth=5, q='type="commit_file"'
            )
        ]
        via_root = [e.path async for e in bb.source.get_root("acme", "widgets")]
    assert root == [("README.md", "commit_file"), ("docs", "commit_directory")]
    assert deep == ["docs/guide", "docs/guide/intro.md", "docs/logo.png"]
    assert files == ["docs/guide/intro.md", "docs/logo.png"]
    assert via_root == ["README.md", "docs"], "GET src redirects to the main branch's root folder"
    listings = fake.requests_for("source.get")
    assert any(r.params.get("page") == "2" for r in listings), "the folder came in pages of two"


async def test_a_branch_with_a_slash_is_404_unless_resolved_first(fake: FakeBitbucketCloud) -> None:
    fake.add_branch("acme", "widgets", "feature/login")
    fake.add_file("acme", "widgets", "docs/login.md", "Log in", branch="feature/login")
    async with fake.client() as bb:
        assert await bb.source.get_file("acme", "widgets", "feature/login", "docs/login.md") == b"Log in"
        with pytest.raises(NotFoundError, match="Commit not found"):
            await bb.request("GET", "/repositories/acme/widgets/src/feature%2Flogin/docs/login.md")
    assert [r.operation for r in fake.requests][:2] == ["refs.get_branch", "source.get"]


async def test_missing_paths_and_unknown_filters_say_so(fake: FakeBitbucketCloud) -> None:
    async with fake.client() as bb:
        with pytest.raises(NotFoundError, match=r"No such file or directory: nope\.txt"):
            await bb.source.get_file("acme", "widgets", "main", "nope.txt")
        with pytest.raises(Exception, match="not implemented by FakeBitbucketCloud"):
            [e async for e in bb.source.list_directory("acme", "widgets", "main", q="size > 3")]


async def test_a_commit_by_upload_adds_replaces_and_deletes(fake: FakeBitbucketCloud) -> None:
    async with fake.client() as bb:
        await bb.source.create_commit(
            "acme",
            "widgets",
            files={"docs/guide/intro.md": "New intro\n", "src/app.py": b"print()\n"},
            delete=["docs/logo.png"],
            message="Rework the docs",
            branch="docs/rework",
        )
        with pytest.raises(Exception, match="is not the head"):
            await bb.source.create_commit(
                "acme", "widgets", files={"a": b"a"}, branch="main", parents="0" * 40
            )
    assert fake.files("acme", "widgets", "docs/rework") == {
        "README.md": b"# Widgets\n",
        "docs/guide/intro.md": b"New intro\n",
        "src/app.py": b"print()\n",
    }
    assert "docs/logo.png" in fake.files("acme", "widgets"), "main is untouched"
    commit = fake.repository("acme", "widgets").commits[
        fake.repository("acme", "widgets").branches["docs/rework"]
    ]
    assert commit.message == "Rework the docs"
    assert fake.requests_for("source.create_commit")[0].status == 201


async def test_downloads_are_stored_listed_and_served_by_the_storage_host(
    fake: FakeBitbucketCloud, tmp_path: Path
) -> None:
    async with fake.client() as bb:
        await bb.downloads.upload(
            "acme", "widgets", files=[("app 1.0.zip", b"PK\x03\x04"), ("notes.txt", "n")]
        )
        names = [d.name async for d in bb.downloads.list("acme", "widgets")]
        assert await bb.downloads.get("acme", "widgets", "app 1.0.zip") == b"PK\x03\x04"
        saved = await bb.downloads.get("acme", "widgets", "notes.txt", save_to=tmp_path / "notes.txt")
        await bb.downloads.delete("acme", "widgets", "notes.txt")
        with pytest.raises(NotFoundError):
            await bb.downloads.get("acme", "widgets", "notes.txt")
    assert sorted(names) == ["app 1.0.zip", "notes.txt"] and saved.read_text() == "n"
    assert fake.downloads("acme", "widgets") == {"app 1.0.zip": b"PK\x03\x04"}
    storage = [r for r in fake.requests if httpx.URL(r.url).host == STORAGE_HOST]
    assert [r.status for r in storage] == [200, 200]


async def test_the_storage_host_refuses_credentials_like_s3(fake: FakeBitbucketCloud) -> None:
    async with fake.client() as bb:
        await bb.downloads.upload("acme", "widgets", files=[("app.zip", b"PK")])
    async with httpx.AsyncClient(transport=fake, headers={"Authorization": "Bearer t"}) as http:
        redirect = await http.get(f"{API}/repositories/acme/widgets/downloads/app.zip")
        leaked = await http.get(redirect.headers["location"])
        forged = await httpx.AsyncClient(transport=fake).get(f"https://{STORAGE_HOST}/x?Signature=guess")
    assert redirect.status_code == 302
    assert leaked.status_code == 400 and "Only one auth mechanism allowed" in leaked.text
    assert forged.status_code == 403


async def test_an_upload_without_files_is_refused(fake: FakeBitbucketCloud) -> None:
    async with fake.client() as bb:
        with pytest.raises(BadRequestError, match="No files were uploaded"):
            await bb.request("POST", "/repositories/acme/widgets/downloads", data={"files": "not a file"})
        with pytest.raises(ValueError, match="credentials must not leave"):
            await bb.request("GET", f"https://{STORAGE_HOST}/x")
