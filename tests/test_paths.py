"""`_paths`: path parameters encoded by their kind, bad values refused before anything is sent, and the
kinds the generated methods carry (issue #13: file paths keep their slashes, an empty parameter no
longer collapses the URL)."""

from __future__ import annotations

import enum

import httpx
import pytest
import respx

from bitbucket_client import BitbucketCloud, BitbucketServer
from bitbucket_client._paths import fill_path, path_parameters, unresolved_refs

CLOUD = "https://api.bitbucket.org/2.0"
DC = "https://bb.example.com/rest"
SRC = "/repositories/{workspace}/{repo_slug}/src/{commit}/{path:file_path}"


class Color(enum.StrEnum):
    RED = "red"


# ---- the kinds --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "sent"),
    [
        ("README.md", "README.md"),
        ("docs/guide/intro.md", "docs/guide/intro.md"),
        ("my docs/100% ready?.md", "my%20docs/100%25%20ready%3F.md"),
        ("a#b/é.txt", "a%23b/%C3%A9.txt"),
        ("...", "..."),
    ],
)
def test_a_file_path_keeps_its_slashes_and_encodes_each_segment(path: str, sent: str) -> None:
    assert fill_path(SRC, ("ws", "repo", "v1.0", path)) == f"/repositories/ws/repo/src/v1.0/{sent}"


@pytest.mark.parametrize("path", ["", "/README.md", "docs/", "docs//a.md", "./a.md", "docs/../secret", ".."])
def test_a_file_path_with_an_empty_or_dot_segment_is_refused(path: str) -> None:
    with pytest.raises(
        ValueError, match=r"'path' of /repositories/\{workspace\}/\{repo_slug\}/src/\{commit\}/\{path\}"
    ):
        fill_path(SRC, ("ws", "repo", "main", path))


def test_a_directory_ends_with_a_slash_and_may_be_the_root() -> None:
    template = "/repositories/{workspace}/{repo_slug}/src/{commit}/{path:directory}"
    assert (
        fill_path(template, ("ws", "repo", "abc", "docs/guide"))
        == "/repositories/ws/repo/src/abc/docs/guide/"
    )
    assert fill_path(template, ("ws", "repo", "abc", "")) == "/repositories/ws/repo/src/abc/"
    with pytest.raises(ValueError, match="empty segment"):
        fill_path(template, ("ws", "repo", "abc", "docs/"))


def test_a_file_path_suffix_is_glued_with_a_slash_or_left_out() -> None:
    template = "/projects/{projectKey}/repos/{repositorySlug}/compare/diff{path:file_path_suffix}"
    assert fill_path(template, ("P", "r", "src/a b.c")) == "/projects/P/repos/r/compare/diff/src/a%20b.c"
    assert fill_path(template, ("P", "r", "")) == "/projects/P/repos/r/compare/diff"


def test_an_optional_file_path_may_be_empty() -> None:
    template = "/pull-requests/{pullRequestId}/diff/{path:optional_file_path}"
    assert fill_path(template, (7, "")) == "/pull-requests/7/diff/"
    assert fill_path(template, (7, "src/x.py")) == "/pull-requests/7/diff/src/x.py"


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        ("", ValueError, "'repo_slug' of /repositories/{workspace}/{repo_slug} is an empty string"),
        (
            None,
            TypeError,
            "'repo_slug' of /repositories/{workspace}/{repo_slug} must be a str or an int, not NoneType",
        ),
        (True, TypeError, "must be a str or an int, not bool"),
        (1.5, TypeError, "not float"),
        (b"repo", TypeError, "not bytes"),
    ],
)
def test_a_segment_must_be_a_non_empty_str_or_an_int(
    value: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as raised:
        fill_path("/repositories/{workspace}/{repo_slug}", ("ws", value))
    assert message in str(raised.value)


def test_enum_members_and_ints_are_segments() -> None:
    assert fill_path("/a/{x}/{y}", (Color.RED, 7)) == "/a/red/7"
    assert fill_path("/a/{x}", ("feature/x",)) == "/a/feature%2Fx"


def test_an_unknown_kind_is_a_generator_bug_named_at_once() -> None:
    with pytest.raises(ValueError, match="unknown kind 'glob'"):
        fill_path("/a/{x:glob}", ("y",))


def test_the_template_names_its_parameters_and_kinds() -> None:
    assert path_parameters(SRC) == (
        ("workspace", "segment"),
        ("repo_slug", "segment"),
        ("commit", "segment"),
        ("path", "file_path"),
    )


def test_only_ref_values_with_a_slash_need_resolving() -> None:
    template = "/repositories/{workspace}/{repo_slug}/src/{commit:ref}/{path:file_path}"
    assert unresolved_refs(template, ("ws", "repo", "feature/x", "a/b")) == [(2, "feature/x")]
    assert unresolved_refs(template, ("ws", "repo", "main", "a/b")) == []
    assert unresolved_refs(template, ("ws", "repo", "0123abc", "a/b")) == []


# ---- through the generated methods (issue #13) ------------------------------------------------------------


@respx.mock
async def test_cloud_file_paths_reach_the_server_with_their_slashes() -> None:
    file = respx.get(f"{CLOUD}/repositories/ws/repo/src/v1.0/docs/guide.md").respond(content=b"# Guide\n")
    folder = respx.get(f"{CLOUD}/repositories/ws/repo/src/v1.0/docs/guide").respond(json={"values": []})
    async with BitbucketCloud("T") as bb:
        assert await bb.source.get_file("ws", "repo", "v1.0", "docs/guide.md") == b"# Guide\n"
        # The document's own operation too (issue #13: it sent `docs%2Fguide`).
        assert [entry async for entry in bb.source.get("ws", "repo", "v1.0", "docs/guide")] == []
    assert file.calls.last.request.url.raw_path == b"/2.0/repositories/ws/repo/src/v1.0/docs/guide.md"
    assert folder.calls.last.request.url.raw_path == b"/2.0/repositories/ws/repo/src/v1.0/docs/guide"


@respx.mock
async def test_data_center_file_paths_reach_tomcat_without_an_encoded_slash() -> None:
    raw = respx.get(url__regex=r".*/raw/.*").respond(content=b"intro")
    diff = respx.get(url__regex=r".*/compare/diff.*").respond(json={"diffs": []})
    tag = respx.get(url__regex=r".*/tags/.*").respond(json={"id": "refs/tags/release/1.0"})
    async with BitbucketServer("https://bb.example.com", "T") as bb:
        await bb.source.get_raw("PRJ", "repo", "docs/guide/intro.md")
        await bb.commits.compare_diff("PRJ", "repo", "docs/a b.md")
        await bb.commits.compare_diff("PRJ", "repo")
        await bb.refs.get_tag("PRJ", "repo", "release/1.0")
    assert (
        raw.calls.last.request.url.raw_path
        == b"/rest/api/latest/projects/PRJ/repos/repo/raw/docs/guide/intro.md"
    )
    first, whole = (call.request.url.raw_path for call in diff.calls)
    assert first == b"/rest/api/latest/projects/PRJ/repos/repo/compare/diff/docs/a%20b.md"
    assert whole == b"/rest/api/latest/projects/PRJ/repos/repo/compare/diff"
    assert tag.calls.last.request.url.raw_path == b"/rest/api/latest/projects/PRJ/repos/repo/tags/release/1.0"


@respx.mock
async def test_an_empty_or_missing_path_parameter_sends_nothing() -> None:
    route = respx.route().respond(json={"type": "repository", "slug": "repo"})
    async with BitbucketCloud("T") as bb:
        with pytest.raises(ValueError, match=r"'repo_slug' .* is an empty string"):
            await bb.repositories.get("ws", "")
        with pytest.raises(TypeError, match=r"'repo_slug' .* not NoneType"):
            await bb.repositories.get("ws", None)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match=r"'path' .* empty segment"):
            await bb.source.get_file("ws", "repo", "main", "/README.md")
        with pytest.raises(ValueError, match=r"'path' .* '\.\.'"):
            await bb.source.get_file("ws", "repo", "main", "docs/../../secrets")
    assert route.call_count == 0


async def test_a_file_path_with_a_dot_segment_never_reaches_the_transport() -> None:
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, content=b"")

    async with BitbucketServer(DC, "T", transport=httpx.MockTransport(record)) as bb:
        with pytest.raises(ValueError, match="'path'"):
            await bb.source.get_raw("PRJ", "repo", "../../admin")
    assert sent == []
