"""`_refs`: a branch or tag name holding a `/` is resolved to its commit hash before Cloud's `src` and
`filehistory` requests (Cloud answers 404 for it there, encoded or not)."""

from __future__ import annotations

import pytest
import respx

from bitbucket_client import BitbucketCloud, NotFoundError, UnexpectedResponseError

CLOUD = "https://api.bitbucket.org/2.0"
REPO = f"{CLOUD}/repositories/ws/repo"
HASH = "3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a"


def _not_found(what: str) -> dict[str, object]:
    return {"type": "error", "error": {"message": f"{what} not found"}}


@respx.mock
async def test_a_branch_with_a_slash_is_read_at_its_commit_hash() -> None:
    branch = respx.get(f"{REPO}/refs/branches/feature%2Flogin").respond(
        json={"name": "feature/login", "target": {"hash": HASH, "type": "commit"}}
    )
    file = respx.get(f"{REPO}/src/{HASH}/docs/login.md").respond(content=b"# Login\n")
    async with BitbucketCloud("T") as bb:
        assert await bb.source.get_file("ws", "repo", "feature/login", "docs/login.md") == b"# Login\n"
    assert branch.call_count == 1 and file.call_count == 1
    assert branch.calls.last.request.headers["authorization"] == "Bearer T"


@respx.mock
async def test_a_tag_is_tried_when_no_branch_has_the_name() -> None:
    respx.get(f"{REPO}/refs/branches/release%2F1.0").respond(404, json=_not_found("Branch"))
    respx.get(f"{REPO}/refs/tags/release%2F1.0").respond(
        json={"name": "release/1.0", "target": {"hash": HASH}}
    )
    meta = respx.get(f"{REPO}/src/{HASH}/setup.py", params={"format": "meta"}).respond(
        json={"type": "commit_file", "path": "setup.py", "size": 120}
    )
    async with BitbucketCloud("T") as bb:
        found = await bb.source.get_file_meta("ws", "repo", "release/1.0", "setup.py")
    assert found.path == "setup.py" and found.size == 120 and meta.call_count == 1


@respx.mock
async def test_an_unknown_name_says_what_was_looked_up() -> None:
    respx.get(url__regex=r".*/refs/(branches|tags)/.*").respond(404, json=_not_found("Ref"))
    src = respx.get(url__regex=r".*/src/.*").respond(content=b"")
    async with BitbucketCloud("T") as bb:
        with pytest.raises(NotFoundError, match="no branch or tag named 'feature/gone'"):
            await bb.source.get_file("ws", "repo", "feature/gone", "README.md")
    assert src.call_count == 0


@respx.mock
async def test_a_plain_name_or_a_hash_needs_no_lookup() -> None:
    refs = respx.get(url__regex=r".*/refs/.*").respond(404)
    src = respx.get(url__regex=r".*/src/.*").respond(content=b"x")
    async with BitbucketCloud("T") as bb:
        await bb.source.get_file("ws", "repo", "main", "README.md")
        await bb.source.get_file("ws", "repo", HASH, "README.md")
    assert refs.call_count == 0 and src.call_count == 2


@respx.mock
async def test_a_listing_resolves_once_and_then_follows_the_servers_links() -> None:
    branch = respx.get(f"{REPO}/refs/branches/feature%2Fx").respond(json={"target": {"hash": HASH}})
    second = f"{REPO}/src/{HASH}/docs/?page=2"
    respx.get(f"{REPO}/src/{HASH}/docs/", params={"page": "2"}).respond(
        json={"values": [{"type": "commit_file", "path": "docs/b.md"}]}
    )
    respx.get(f"{REPO}/src/{HASH}/docs/").respond(
        json={"values": [{"type": "commit_file", "path": "docs/a.md"}], "next": second}
    )
    async with BitbucketCloud("T") as bb:
        paths = [entry.path async for entry in bb.source.list_directory("ws", "repo", "feature/x", "docs")]
    assert paths == ["docs/a.md", "docs/b.md"] and branch.call_count == 1


@respx.mock
async def test_file_history_and_commit_lists_resolve_too() -> None:
    respx.get(f"{REPO}/refs/branches/feature%2Fx").respond(json={"target": {"hash": HASH}})
    history = respx.get(f"{REPO}/filehistory/{HASH}/a/b.py").respond(json={"values": []})
    commits = respx.get(f"{REPO}/commits/{HASH}").respond(json={"values": []})
    async with BitbucketCloud("T") as bb:
        assert [c async for c in bb.source.list_file_history("ws", "repo", "feature/x", "a/b.py")] == []
        assert [c async for c in bb.commits.list_for_revision("ws", "repo", "feature/x")] == []
    assert history.call_count == commits.call_count == 1


@respx.mock
async def test_a_ref_without_a_commit_hash_is_an_unexpected_answer() -> None:
    respx.get(f"{REPO}/refs/branches/feature%2Fx").respond(json={"name": "feature/x"})
    async with BitbucketCloud("T") as bb:
        with pytest.raises(UnexpectedResponseError, match=r"no commit hash at target\.hash"):
            await bb.source.get_file("ws", "repo", "feature/x", "README.md")
