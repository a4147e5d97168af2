"""What Bitbucket Cloud really sends, typed: the Cloud corpus (tests/fixtures/real/cloud) decoded through the
public API, its coverage floor, and the real fields issue #10 names, pinned as typed attributes by name.

The corpus bodies are written from Atlassian's documentation (index.json names the page of each); the
fields pinned here are the ones the Cloud document lacked or typed wrongly (specs/fixes/cloud.json).
"""

from __future__ import annotations

import asyncio
import datetime
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from typed_coverage import DEFAULT_CORPUS, decode_response, decode_webhook, load_index, measure

from bitbucket_client import UNSET, Page
from bitbucket_client.cloud.models import (
    Account,
    AnyRef,
    BaseCommit,
    Branch,
    Commit,
    CommitFileAttributes,
    Pullrequest,
    Repository,
    Snippet,
    Tag,
    Treeentry,
    WebhookSubscription,
)
from bitbucket_client.webhooks import cloud

CLOUD = DEFAULT_CORPUS / "cloud"
ENTRIES = [entry for entry in load_index(DEFAULT_CORPUS) if entry["product"] == "cloud"]
FLOOR = 0.995
DOCUMENTATION_HOSTS = {"developer.atlassian.com", "support.atlassian.com", "www.atlassian.com"}


def _entry(file: str) -> dict[str, Any]:
    (found,) = [entry for entry in ENTRIES if entry["file"] == f"cloud/{file}"]
    return found


def decoded(file: str) -> Any:
    """What the public API gives for a corpus file: the facade's answer, or a page's items."""
    entry = _entry(file)
    body = (DEFAULT_CORPUS / entry["file"]).read_bytes()
    if entry["kind"] == "webhook":
        return decode_webhook(entry, body)
    result = asyncio.run(decode_response(entry, body))
    return result.items if isinstance(result, Page) else result


def raw(file: str) -> Any:
    return json.loads((CLOUD / file).read_text())


# ---- the corpus and its floor -------------------------------------------------------------------


def test_the_corpus_is_large_enough_and_every_event_key_has_a_delivery() -> None:
    responses = [entry for entry in ENTRIES if entry["kind"] == "response"]
    assert len(responses) >= 80
    assert {entry["event"] for entry in ENTRIES if entry["kind"] == "webhook"} >= set(cloud.EVENT_KEYS)


def test_every_corpus_file_follows_an_atlassian_documentation_page() -> None:
    listed = {Path(entry["file"]).relative_to("cloud").as_posix() for entry in ENTRIES}
    on_disk = {path.relative_to(CLOUD).as_posix() for path in CLOUD.rglob("*.json")} - {"index.json"}
    assert listed == on_disk, "every body is indexed, and every index entry has its body"
    for entry in ENTRIES:
        assert urlparse(entry["source"]).hostname in DOCUMENTATION_HOSTS, entry


def test_bodies_have_real_values_not_placeholders() -> None:
    for path in CLOUD.rglob("*.json"):
        assert '"<string>"' not in path.read_text() and '"string"' not in path.read_text(), path


@pytest.mark.parametrize("kind", ["response", "webhook"])
def test_cloud_corpus_meets_the_typed_coverage_floor(kind: str) -> None:
    tally = _measured()[("cloud", kind)]
    assert not tally.errors
    assert tally.share >= FLOOR, f"{tally.share:.2%} typed; most untyped: {tally.untyped.most_common(10)}"


_MEASURED: dict[tuple[str, str], Any] = {}


def _measured() -> dict[tuple[str, str], Any]:
    if not _MEASURED:
        _MEASURED.update(measure(DEFAULT_CORPUS, ("cloud",)))
    return _MEASURED


# ---- accounts -----------------------------------------------------------------------------------


def test_an_embedded_account_has_its_ids_and_links() -> None:
    pr = decoded("responses/pullrequests.get.json")
    assert isinstance(pr, Pullrequest) and isinstance(pr.author, Account)
    assert pr.author.account_id == "557058:3f1c2a9e-7b4d-4e0a-9c1f-2d8e6b5a4c3d"
    assert pr.author.nickname == "priya"
    assert pr.author.links is not UNSET
    assert pr.author.links.self_ is not UNSET and pr.author.links.html is not UNSET
    assert (
        pr.author.links.html.href == raw("responses/pullrequests.get.json")["author"]["links"]["html"]["href"]
    )
    assert pr.author.additional_properties == {}


def test_the_current_user_has_every_field_typed_and_nulls_as_none() -> None:
    user = decoded("responses/users.get_current.minimal.json")
    assert isinstance(user, Account)
    assert (user.username, user.account_status, user.is_staff) == ("mchen", "active", False)
    assert user.has_2fa_enabled is None and user.location is None
    assert user.links is not UNSET and user.links.repositories is not UNSET
    assert user.additional_properties == {}


def test_a_team_owner_has_its_username() -> None:
    repo = decoded("responses/repositories.get.json")
    assert isinstance(repo, Repository) and isinstance(repo.owner, Account)
    assert (repo.owner.type_, repo.owner.username) == ("team", "lumen-analytics")


# ---- repositories and projects ------------------------------------------------------------------


def test_a_repository_has_its_workspace_slug_and_clone_links() -> None:
    repo = decoded("responses/repositories.get.json")
    assert isinstance(repo, Repository)
    assert repo.slug == "ingest-service"
    assert repo.workspace is not UNSET and repo.workspace.slug == "lumen-analytics"
    assert repo.project is not UNSET and repo.project.key == "DATA"
    assert repo.project.workspace is UNSET  # embedded projects are condensed
    assert repo.mainbranch is not UNSET and repo.mainbranch is not None
    assert repo.mainbranch.name == "main"
    assert repo.links is not UNSET and repo.links.clone is not UNSET
    assert [link.name for link in repo.links.clone] == ["https", "ssh"]
    assert repo.links.branches is not UNSET and repo.links.source is not UNSET
    assert repo.override_settings is not UNSET and repo.override_settings.branching_model is True
    assert repo.website is None
    assert repo.additional_properties == {}


def test_an_empty_repository_has_no_main_branch_and_a_fork_its_parent() -> None:
    empty = decoded("responses/repositories.get.empty.json")
    assert isinstance(empty, Repository) and empty.mainbranch is None
    fork = decoded("responses/repositories.get.fork.json")
    assert isinstance(fork, Repository) and isinstance(fork.parent, Repository)
    assert fork.parent.full_name == "northwind-dev/tomlkit-lite"


def test_a_full_project_has_its_workspace_and_links() -> None:
    project = decoded("responses/projects.get.json")
    assert project.workspace is not UNSET and project.workspace.slug == "lumen-analytics"
    assert project.links is not UNSET and project.links.self_ is not UNSET
    assert project.links.repositories is not UNSET


# ---- pull requests ------------------------------------------------------------------------------


def test_an_open_pull_request_has_typed_nulls_and_endpoint_links() -> None:
    pr = decoded("responses/pullrequests.get.json")
    assert isinstance(pr, Pullrequest)
    assert pr.merge_commit is None and pr.closed_by is None
    assert pr.description is not UNSET and pr.description.startswith("Validates each Kafka partition")
    assert pr.links is not UNSET and pr.links.statuses is not UNSET
    assert pr.summary is not UNSET and pr.summary.type_ == "rendered"
    assert pr.source is not UNSET and pr.source.commit is not UNSET
    assert pr.source.commit.links is not UNSET and pr.source.commit.links.html is not UNSET
    assert pr.source.branch is not UNSET and pr.source.branch.sync_strategies == ["merge_commit", "rebase"]
    assert pr.participants is not UNSET
    states = [participant.state for participant in pr.participants]
    assert [getattr(state, "value", state) for state in states] == ["approved", "changes_requested", None]


def test_a_merged_pull_request_names_its_merge_commit_and_who_merged_it() -> None:
    pr = decoded("responses/pullrequests.get.merged.json")
    assert isinstance(pr, Pullrequest) and isinstance(pr.merge_commit, BaseCommit)
    assert pr.merge_commit.hash_ == raw("responses/pullrequests.get.merged.json")["merge_commit"]["hash"]
    assert pr.merge_commit.links is not UNSET and pr.merge_commit.links.html is not UNSET
    assert isinstance(pr.closed_by, Account) and pr.closed_by.nickname == "priya"


def test_activity_entries_are_typed() -> None:
    entries = decoded("responses/pullrequests.list_activity.json")
    update, approval, changes, comment, _opened = entries
    assert update.update is not UNSET and update.update.state == "OPEN"
    assert approval.approval is not UNSET and approval.approval.user is not UNSET
    assert approval.approval.user.nickname == "tferreira"
    assert changes.changes_requested is not UNSET
    assert comment.comment is not UNSET and comment.comment.inline is not UNSET
    assert comment.comment.inline.from_ is None and comment.comment.inline.to == 58
    assert update.pull_request is not UNSET and update.pull_request.id == 482


# ---- commits, refs, statuses --------------------------------------------------------------------


def test_a_commit_has_links_a_linked_author_and_linked_parents() -> None:
    commit = decoded("responses/commits.get.json")
    assert isinstance(commit, Commit)
    assert commit.links is not UNSET and commit.links.html is not UNSET and commit.links.statuses is not UNSET
    assert commit.author is not UNSET and commit.author.raw == "Priya Raman <priya.raman@lumen-analytics.io>"
    assert commit.author.user is not UNSET and commit.author.user.account_id is not UNSET
    assert commit.parents is not UNSET and len(commit.parents) == 2
    assert all(parent.links is not UNSET and parent.links.self_ is not UNSET for parent in commit.parents)
    assert commit.rendered is not UNSET and commit.rendered.message is not UNSET
    listed = decoded("responses/commits.list.json")
    assert all(isinstance(item, Commit) and item.repository is not UNSET for item in listed)


def test_a_lightweight_tag_has_null_message_date_and_tagger() -> None:
    tag = decoded("responses/refs.get_tag.lightweight.json")
    assert isinstance(tag, Tag) and (tag.message, tag.date, tag.tagger) == (None, None, None)
    annotated = decoded("responses/refs.get_tag.json")
    assert annotated.date == datetime.datetime(2024, 5, 24, 16, 2, 11, tzinfo=datetime.UTC)


def test_the_refs_listing_types_branches_and_tags_alike() -> None:
    refs = decoded("responses/refs.list.json")
    assert all(isinstance(ref, AnyRef) for ref in refs)
    assert [ref.type_ for ref in refs] == ["branch", "branch", "tag"]
    assert refs[0].merge_strategies is not UNSET and refs[2].tagger is not UNSET
    branch = decoded("responses/refs.get_branch.json")
    assert isinstance(branch, Branch) and branch.links is not UNSET
    assert branch.links.pullrequest_create is not UNSET


def test_a_build_status_names_its_commit_and_repository() -> None:
    (status, sonar) = decoded("responses/commit_statuses.list.json")
    assert status.commit is not UNSET and status.commit.hash_ is not UNSET
    assert status.repository is not UNSET and status.repository.full_name == "lumen-analytics/ingest-service"
    assert sonar.refname is None


def test_a_diffstat_of_an_added_file_has_no_old_side() -> None:
    _modified, added, removed, _renamed = decoded("responses/commits.get_diffstat.json")
    assert added.old is None and added.new is not UNSET and added.new is not None
    assert added.new.links is not UNSET and added.new.links.self_ is not UNSET
    assert removed.new is None


# ---- source, snippets, webhooks -----------------------------------------------------------------


def test_source_listing_entries_have_attributes_size_and_links() -> None:
    entries = decoded("responses/source.get.special_files.json")
    assert all(isinstance(entry, Treeentry) for entry in entries)
    logo, submodule, *_ = entries
    assert logo.attributes == [CommitFileAttributes.BINARY] and logo.size == 18244
    assert logo.mimetype == "image/png" and logo.links is not UNSET and logo.links.meta is not UNSET
    assert submodule.attributes == [CommitFileAttributes.SUBREPOSITORY] and submodule.mimetype is None


def test_snippet_ids_are_strings() -> None:
    snippet = decoded("responses/snippets.get.json")
    assert isinstance(snippet, Snippet) and snippet.id == "kXq9z"
    assert snippet.files is not UNSET and "lag.sql" in snippet.files.additional_properties
    assert snippet.links is not UNSET and snippet.links.clone is not UNSET


def test_a_webhook_names_its_subject() -> None:
    hook = decoded("responses/webhooks.get_for_repository.json")
    assert isinstance(hook, WebhookSubscription)
    assert hook.subject is not UNSET and hook.subject.full_name == "lumen-analytics/ingest-service"
    assert (hook.read_only, hook.skip_cert_verification, hook.source) == (False, False, None)


# ---- deliveries ---------------------------------------------------------------------------------


def test_push_changes_are_typed_down_to_their_links_and_commits() -> None:
    event = decoded("webhooks/repo.push.json")
    assert isinstance(event, cloud.RepoPushEvent)
    update, tag, deletion = event.changes
    assert isinstance(update.new, Branch) and update.new.sync_strategies is not UNSET
    assert update.links is not UNSET and update.links.diff is not UNSET
    assert update.commits[0].properties is not UNSET and update.commits[0].links is not UNSET
    assert isinstance(tag.new, Tag) and tag.old is None and tag.truncated is True
    assert deletion.new is None and deletion.closed is True


def test_update_events_type_what_changed() -> None:
    repo = decoded("webhooks/repo.updated.json")
    assert isinstance(repo, cloud.RepoUpdatedEvent)
    assert repo.changes.website is not UNSET and repo.changes.website.old is None
    assert repo.changes.links is not UNSET and repo.changes.links.new is not UNSET
    issue = decoded("webhooks/issue.updated.json")
    assert isinstance(issue, cloud.IssueUpdatedEvent)
    assert issue.changes.responsible is not UNSET and isinstance(issue.changes.responsible.new, Account)


def test_pipeline_spans_are_typed() -> None:
    event = decoded("webhooks/pipeline.span_created.json")
    assert isinstance(event, cloud.PipelineSpanEvent)
    (scope,) = event.resource_spans[0].scope_spans
    run = scope.spans[0]
    assert run.name == "bbc.pipeline_run" and run.start_time_unix_nano == 1717056842000000000
    build_number = run.attribute("pipeline.build_number")
    assert build_number is not None and build_number.int_value == 212
