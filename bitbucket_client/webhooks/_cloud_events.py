"""Bitbucket Cloud events: one class per payload shape, and the event-key table.

The public names, and the class tree, are in :mod:`bitbucket_client.webhooks.cloud`.
"""

# attrs fields, not dataclass defaults: payload_field() builds an attrs.field with decoding metadata.
# ruff: noqa: RUF009

from __future__ import annotations

import datetime
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Self

import attrs

from bitbucket_client._runtime import UNSET, Unset
from bitbucket_client.cloud._generated.models import (
    Account,
    Branch,
    Commit,
    CommitComment,
    Commitstatus,
    Issue,
    IssueComment,
    Project,
    Pullrequest,
    PullrequestComment,
    Ref,
    Repository,
    Tag,
    Workspace,
)

from ._base import WebhookEvent, json_object, json_objects, obj, objs, payload_field

__all__ = [
    "EVENT_CLASSES",
    "EVENT_KEYS",
    "CloudEvent",
    "CommitCommentEvent",
    "CommitStatusEvent",
    "IssueCommentEvent",
    "IssueEvent",
    "IssueUpdatedEvent",
    "PipelineSpanEvent",
    "ProjectUpdatedEvent",
    "PullRequestApprovalEvent",
    "PullRequestChangesRequestEvent",
    "PullRequestCommentEvent",
    "PullRequestEvent",
    "PushChange",
    "RepoForkEvent",
    "RepoPushEvent",
    "RepoTransferEvent",
    "RepoUpdatedEvent",
    "RepositoryEvent",
    "Review",
]


# ---- nested parts without a generated model ---------------------------------------------------------


@attrs.frozen(kw_only=True)
class Review:
    """An approval or a change request: who (``user``) and when (``date``)."""

    user: Account | Unset = UNSET
    date: datetime.datetime | Unset = UNSET
    raw: dict[str, Any] = attrs.field(factory=dict, repr=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        user = data.get("user")
        return cls(
            user=Account.from_dict(user) if isinstance(user, dict) else UNSET,
            date=_datetime(data.get("date")),
            raw=data,
        )


@attrs.frozen(kw_only=True)
class PushChange:
    """One ref updated by a push (an entry of ``push.changes``).

    ``old`` is ``None`` when the ref was created, ``new`` is ``None`` when it was deleted. Branches decode
    as :class:`Branch`, tags as :class:`Tag`, other kinds as :class:`Ref`. ``commits`` holds at most the
    newest few commits (``truncated`` says when there were more).
    """

    new: Branch | Tag | Ref | None = None
    old: Branch | Tag | Ref | None = None
    created: bool | Unset = UNSET
    closed: bool | Unset = UNSET
    forced: bool | Unset = UNSET
    truncated: bool | Unset = UNSET
    commits: list[Commit] = attrs.field(factory=list)
    raw: dict[str, Any] = attrs.field(factory=dict, repr=False)

    @property
    def ref_name(self) -> str | None:
        """The branch or tag name (from ``new``, or from ``old`` for a deletion)."""
        for ref in (self.new, self.old):
            if ref is not None and isinstance(ref.name, str):
                return ref.name
        return None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        def flag(key: str) -> bool | Unset:
            value = data.get(key)
            return value if isinstance(value, bool) else UNSET

        commits = data.get("commits")
        return cls(
            new=_ref(data.get("new")),
            old=_ref(data.get("old")),
            created=flag("created"),
            closed=flag("closed"),
            forced=flag("forced"),
            truncated=flag("truncated"),
            commits=[Commit.from_dict(c) for c in commits if isinstance(c, dict)]
            if isinstance(commits, list)
            else [],
            raw=data,
        )


def _ref(value: Any) -> Branch | Tag | Ref | None:
    if not isinstance(value, dict):
        return None
    kind = value.get("type")
    if kind in ("branch", "named_branch", "bookmark"):
        return Branch.from_dict(value)
    if kind == "tag":
        return Tag.from_dict(value)
    return Ref.from_dict(value)


def _datetime(value: Any) -> datetime.datetime | Unset:
    if isinstance(value, str):
        try:
            return datetime.datetime.fromisoformat(value)
        except ValueError:
            return UNSET
    return UNSET


# ---- events -----------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class CloudEvent(WebhookEvent):
    """Base of the Cloud events: ``actor`` is who caused the event."""

    actor: Account | Unset = payload_field("actor", obj(Account))


@attrs.frozen(kw_only=True)
class RepositoryEvent(CloudEvent):
    """``repo:created``, ``repo:deleted``, ``repo:imported``, and the base of every repository event."""

    repository: Repository | Unset = payload_field("repository", obj(Repository))


@attrs.frozen(kw_only=True)
class RepoPushEvent(RepositoryEvent):
    """``repo:push``: ``changes`` lists the refs the push updated (``push.changes``)."""

    changes: list[PushChange] = payload_field(("push", "changes"), objs(PushChange), factory=list)


@attrs.frozen(kw_only=True)
class RepoForkEvent(RepositoryEvent):
    """``repo:fork``: ``repository`` is the original, ``fork`` the new repository."""

    fork: Repository | Unset = payload_field("fork", obj(Repository))


@attrs.frozen(kw_only=True)
class RepoUpdatedEvent(RepositoryEvent):
    """``repo:updated``: ``changes`` maps each changed attribute to ``{"old": ..., "new": ...}``."""

    changes: dict[str, Any] = payload_field("changes", json_object, factory=dict)


@attrs.frozen(kw_only=True)
class RepoTransferEvent(RepositoryEvent):
    """``repo:transfer``: the repository moved from ``previous_workspace`` (older payloads:
    ``previous_owner``, an account) to the workspace in ``repository``."""

    previous_workspace: Workspace | Unset = payload_field("previous_workspace", obj(Workspace))
    previous_owner: Account | Unset = payload_field("previous_owner", obj(Account))


@attrs.frozen(kw_only=True)
class CommitCommentEvent(RepositoryEvent):
    """``repo:commit_comment_created``."""

    comment: CommitComment | Unset = payload_field("comment", obj(CommitComment))
    commit: Commit | Unset = payload_field("commit", obj(Commit))


@attrs.frozen(kw_only=True)
class CommitStatusEvent(RepositoryEvent):
    """``repo:commit_status_created`` and ``repo:commit_status_updated`` (a build status)."""

    commit_status: Commitstatus | Unset = payload_field("commit_status", obj(Commitstatus))


@attrs.frozen(kw_only=True)
class IssueEvent(RepositoryEvent):
    """``issue:created``, and the base of the issue events."""

    issue: Issue | Unset = payload_field("issue", obj(Issue))


@attrs.frozen(kw_only=True)
class IssueUpdatedEvent(IssueEvent):
    """``issue:updated``: ``changes`` maps each field to ``{"old": ..., "new": ...}``; ``comment`` is the
    comment left with the change, if any."""

    changes: dict[str, Any] = payload_field("changes", json_object, factory=dict)
    comment: IssueComment | Unset = payload_field("comment", obj(IssueComment))


@attrs.frozen(kw_only=True)
class IssueCommentEvent(IssueEvent):
    """``issue:comment_created``."""

    comment: IssueComment | Unset = payload_field("comment", obj(IssueComment))


@attrs.frozen(kw_only=True)
class PullRequestEvent(RepositoryEvent):
    """``pullrequest:created|updated|fulfilled|rejected|push``, and the base of all pull request events."""

    pullrequest: Pullrequest | Unset = payload_field("pullrequest", obj(Pullrequest))


@attrs.frozen(kw_only=True)
class PullRequestApprovalEvent(PullRequestEvent):
    """``pullrequest:approved`` and ``pullrequest:unapproved``."""

    approval: Review | Unset = payload_field("approval", obj(Review))


@attrs.frozen(kw_only=True)
class PullRequestChangesRequestEvent(PullRequestEvent):
    """``pullrequest:changes_request_created`` and ``pullrequest:changes_request_removed``."""

    changes_request: Review | Unset = payload_field("changes_request", obj(Review))


@attrs.frozen(kw_only=True)
class PullRequestCommentEvent(PullRequestEvent):
    """``pullrequest:comment_created|updated|deleted|resolved|reopened``."""

    comment: PullrequestComment | Unset = payload_field("comment", obj(PullrequestComment))


@attrs.frozen(kw_only=True)
class PipelineSpanEvent(RepositoryEvent):
    """``pipeline:span_created``: OpenTelemetry spans of a pipeline run, in OTLP/JSON form
    (``resourceSpans``). ``repository`` and ``actor`` are set only when the payload carries them."""

    resource_spans: list[dict[str, Any]] = payload_field("resourceSpans", json_objects, factory=list)


@attrs.frozen(kw_only=True)
class ProjectUpdatedEvent(CloudEvent):
    """``project:updated`` (a workspace project's settings changed)."""

    project: Project | Unset = payload_field("project", obj(Project))
    changes: dict[str, Any] = payload_field("changes", json_object, factory=dict)


EVENT_CLASSES: Mapping[str, type[CloudEvent]] = MappingProxyType(
    {
        "issue:comment_created": IssueCommentEvent,
        "issue:created": IssueEvent,
        "issue:updated": IssueUpdatedEvent,
        "pipeline:span_created": PipelineSpanEvent,
        "project:updated": ProjectUpdatedEvent,
        "pullrequest:approved": PullRequestApprovalEvent,
        "pullrequest:changes_request_created": PullRequestChangesRequestEvent,
        "pullrequest:changes_request_removed": PullRequestChangesRequestEvent,
        "pullrequest:comment_created": PullRequestCommentEvent,
        "pullrequest:comment_deleted": PullRequestCommentEvent,
        "pullrequest:comment_reopened": PullRequestCommentEvent,
        "pullrequest:comment_resolved": PullRequestCommentEvent,
        "pullrequest:comment_updated": PullRequestCommentEvent,
        "pullrequest:created": PullRequestEvent,
        "pullrequest:fulfilled": PullRequestEvent,
        "pullrequest:push": PullRequestEvent,
        "pullrequest:rejected": PullRequestEvent,
        "pullrequest:unapproved": PullRequestApprovalEvent,
        "pullrequest:updated": PullRequestEvent,
        "repo:commit_comment_created": CommitCommentEvent,
        "repo:commit_status_created": CommitStatusEvent,
        "repo:commit_status_updated": CommitStatusEvent,
        "repo:created": RepositoryEvent,
        "repo:deleted": RepositoryEvent,
        "repo:fork": RepoForkEvent,
        "repo:imported": RepositoryEvent,
        "repo:push": RepoPushEvent,
        "repo:transfer": RepoTransferEvent,
        "repo:updated": RepoUpdatedEvent,
    }
)
"""Cloud event key -> event class (the 29 keys of ``webhook_subscription.events``)."""

EVENT_KEYS: frozenset[str] = frozenset(EVENT_CLASSES)
