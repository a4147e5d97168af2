"""What Bitbucket Data Center really sends is typed: the corpus in tests/fixtures/real/server meets its
floors, and the fields people reach for first are attributes (not `additional_properties` lookups)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from typed_coverage import DEFAULT_CORPUS, Tally, load_index, measure

from bitbucket_client import BitbucketServer, Page
from bitbucket_client._types import UNSET, Unset
from bitbucket_client.server import OPERATIONS
from bitbucket_client.server.models import (
    RestApplicationUser,
    RestBranch,
    RestBrowseResult,
    RestChange,
    RestComment,
    RestCommit,
    RestDiffs,
    RestPerson,
    RestPullRequest,
    RestPullRequestActivity,
    RestRepository,
    RestWebhook,
)
from bitbucket_client.webhooks import server as server_events

CORPUS = DEFAULT_CORPUS / "server"
FLOOR = 0.995  # share of JSON keys typed, per group, on this corpus
ZERO = "0" * 40
T = TypeVar("T")


@cache
def _tallies() -> dict[tuple[str, str], Tally]:
    return measure(DEFAULT_CORPUS, ("server",))


@pytest.mark.parametrize("kind", ["response", "webhook"])
def test_the_corpus_meets_the_floor(kind: str) -> None:
    tally = _tallies()[("server", kind)]
    assert not tally.errors
    assert tally.share >= FLOOR, f"{tally.share:.2%} typed; most untyped: {tally.untyped.most_common(10)}"


def _entries(kind: str) -> list[dict[str, Any]]:
    return [e for e in load_index(DEFAULT_CORPUS) if e["product"] == "server" and e["kind"] == kind]


def test_the_corpus_has_bodies_for_many_operations_and_a_delivery_per_event_key() -> None:
    responses = _entries("response")
    assert len(responses) >= 90
    assert len({e["operation"] for e in responses}) >= 70
    assert {e["operation"] for e in responses} <= set(OPERATIONS)
    assert {e["event"] for e in _entries("webhook")} == set(server_events.EVENT_KEYS)
    for entry in responses + _entries("webhook"):
        assert str(entry["source"]).startswith("https://"), entry["file"]
        assert (DEFAULT_CORPUS / entry["file"]).is_file(), entry["file"]


# ---- named fields --------------------------------------------------------------------------------------


def _body(name: str) -> Any:
    return json.loads((CORPUS / "responses" / f"{name}.json").read_text())


@asynccontextmanager
async def _answering(name: str) -> AsyncIterator[BitbucketServer]:
    body = (CORPUS / "responses" / f"{name}.json").read_bytes()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    async with BitbucketServer(
        "https://bitbucket.example.com", "token", transport=httpx.MockTransport(handler), max_retries=0
    ) as client:
        yield client


def _set(value: T | Unset) -> T:
    assert not isinstance(value, Unset)
    return value


async def test_a_pull_request_has_its_author_links_and_properties() -> None:
    async with _answering("pullrequests.get.open") as bb:
        pr = await bb.pullrequests.get("PLAT", "api-gateway", 231)
    assert isinstance(pr, RestPullRequest) and not pr.additional_properties
    author = _set(pr.author)
    assert _set(author.user).name == "jdoe" and author.role == "AUTHOR"
    assert [link.href for link in _set(_set(pr.links).self_)] == [
        "https://bitbucket.example.com/projects/PLAT/repos/api-gateway/pull-requests/231"
    ]
    properties = _set(pr.properties)
    assert _set(properties.merge_result).outcome == "CLEAN"
    assert (properties.comment_count, properties.open_task_count) == (5, 1)
    repository = _set(_set(pr.from_ref).repository)
    clone = {link.name: link.href for link in _set(_set(repository.links).clone)}
    assert clone["http"] == "https://bitbucket.example.com/scm/plat/api-gateway.git"
    assert _set(_set(repository.project).links).self_


async def test_a_fork_has_its_origin_and_a_personal_project_its_owner() -> None:
    async with _answering("repositories.get.fork") as bb:
        fork = await bb.repositories.get("~JDOE", "api-gateway")
    assert isinstance(_set(fork.origin), RestRepository)
    assert _set(fork.origin).slug == "api-gateway" and _set(_set(fork.origin).project).key == "PLAT"
    owner = _set(_set(fork.project).owner)
    assert isinstance(owner, RestApplicationUser) and owner.slug == "jdoe"


async def test_activities_carry_comments_anchors_diffs_and_rescoped_commits() -> None:
    async with _answering("pullrequests.list_activity") as bb:
        activities = [a async for a in bb.pullrequests.list_activity("PLAT", "api-gateway", 231)]
    assert all(isinstance(a, RestPullRequestActivity) and not a.additional_properties for a in activities)
    by_action = {a.action: a for a in activities if a.action != "COMMENTED"}
    commented = next(a for a in activities if a.action == "COMMENTED" and a.comment_anchor)
    assert isinstance(commented.comment, RestComment)
    assert _set(commented.comment_anchor).path == "src/gateway/ratelimit.py"
    destination = _set(_set(commented.diff).destination)
    assert destination is not None and destination.to_string == "src/gateway/ratelimit.py"
    rescoped = by_action["RESCOPED"]
    assert [c.display_id for c in _set(_set(rescoped.added).commits)] == [_set(rescoped.from_hash)[:11]]
    assert isinstance(_set(by_action["MERGED"].commit), RestCommit)
    assert [u.slug for u in _set(by_action["UPDATED"].added_reviewers)] == ["mchen"]


async def test_comments_have_permitted_operations_and_a_resolved_thread() -> None:
    async with _answering("pullrequests.get_comment") as bb:
        comment = await bb.pullrequests.get_comment("PLAT", "api-gateway", 231, 1184)
    assert _set(comment.permitted_operations).transitionable is True
    assert _set(comment.properties).repository_id == 42
    assert comment.thread_resolved is True and _set(comment.thread_resolver).slug == "mchen"
    assert [reply.id for reply in _set(comment.comments)] == [1187]


async def test_a_commit_author_known_to_bitbucket_is_a_user_and_jira_keys_are_typed() -> None:
    async with _answering("commits.get") as bb:
        commit = await bb.commits.get("PLAT", "api-gateway", "x")
    author = _set(commit.author)
    assert isinstance(author, RestPerson) and (author.display_name, author.slug) == ("Alice Smith", "asmith")
    assert _set(_set(commit.properties).jira_key) == ["PLAT-1412"]


async def test_branch_metadata_is_typed() -> None:
    async with _answering("refs.list_branches.details") as bb:
        pages = bb.refs.list_branches("PLAT", "api-gateway", details=True).pages()
        page = await anext(pages)
        await pages.aclose()
    assert isinstance(page, Page)
    branch = page.items[1]
    assert isinstance(branch, RestBranch) and branch.is_default is False
    metadata = _set(branch.metadata)
    # Attribute names follow the plugin keys (`com.atlassian...:ahead-behind-metadata-provider`).
    ahead_behind = _set(
        metadata.com_atlassian_bitbucket_server_bitbucket_branchahead_behind_metadata_provider
    )
    assert (ahead_behind.ahead, ahead_behind.behind) == (3, 0)
    outgoing = _set(
        metadata.com_atlassian_bitbucket_server_bitbucket_ref_metadataoutgoing_pull_request_metadata
    )
    assert _set(outgoing.pull_request).id == 231


async def test_diffs_browse_and_last_modified_have_their_real_shapes() -> None:
    async with _answering("pullrequests.get_diff") as bb:
        diffs = await bb.pullrequests.get_diff("PLAT", "api-gateway", 231, "")
    assert isinstance(diffs, RestDiffs) and diffs.from_hash == _body("pullrequests.get_diff")["fromHash"]
    first = _set(diffs.diffs)[0]
    assert [c.id for c in _set(first.line_comments)] == [1184]
    added = _set(diffs.diffs)[1]
    destination = _set(added.destination)
    assert added.source is UNSET and destination is not None and destination.name == "rate-limits.md"

    async with _answering("source.get.folder") as bb:
        folder = await bb.source.get("PLAT", "api-gateway", "src/gateway")
    assert isinstance(folder, RestBrowseResult)
    names = [_set(entry.path).to_string for entry in _set(_set(folder.children).values)]
    assert names[:2] == ["__init__.py", "app.py"]

    async with _answering("source.get.file") as bb:
        file = await bb.source.get("PLAT", "api-gateway", "README.md")
    assert _set(file.lines)[0].text == "# api-gateway" and file.is_last_page is True

    async with _answering("source.get_last_modified") as bb:
        modified = await bb.source.get_last_modified("PLAT", "api-gateway", "src/gateway")
    assert isinstance(_set(modified.files)["ratelimit.py"], RestCommit)
    assert _set(modified.latest_commit).message == _body("commits.get")["message"]


async def test_lists_the_document_types_as_one_object_are_pages() -> None:
    async with _answering("users.list") as bb:
        users = [u async for u in bb.users.list(max_items=3)]
    assert [u.slug for u in users] == ["asmith", "jdoe", "mchen"]
    assert all(isinstance(u, RestApplicationUser) and u.avatar_url for u in users)

    async with _answering("pullrequests.list_changes") as bb:
        changes = [c async for c in bb.pullrequests.list_changes("PLAT", "api-gateway", 231)]
    assert all(isinstance(c, RestChange) for c in changes)
    moved = next(c for c in changes if c.type_ == "MOVE")
    assert _set(moved.src_path).to_string == "docs/limits.md"
    assert _set(moved.properties).git_change_type == "RENAME"


async def test_webhooks_have_their_id_and_dates() -> None:
    async with _answering("webhooks.get_for_repository") as bb:
        hook = await bb.webhooks.get_for_repository("PLAT", "api-gateway", 11)
    assert isinstance(hook, RestWebhook) and hook.id == 11
    assert isinstance(hook.created_date, int) and _set(hook.configuration).secret


def test_every_delivery_of_the_corpus_is_typed_down_to_its_parts() -> None:
    from bitbucket_client.webhooks import parse_event

    for entry in _entries("webhook"):
        body = Path(DEFAULT_CORPUS / entry["file"]).read_bytes()
        event = parse_event({"X-Event-Key": entry["event"]}, body)
        assert type(event) is server_events.EVENT_CLASSES[entry["event"]], entry["file"]
        if isinstance(event, server_events.RefsChangedEvent):
            assert all(isinstance(change.ref, object) and change.ref_id for change in event.changes)
            assert {change.type for change in event.changes} <= {"ADD", "UPDATE", "DELETE"}
            assert all(c.from_hash != ZERO or c.type == "ADD" for c in event.changes)
        if isinstance(event, server_events.PullRequestEvent):
            pr = _set(event.pull_request)
            assert _set(_set(pr.author).user).slug and _set(pr.links).self_
