"""Bitbucket Cloud events: one class per payload shape, and the event-key table.

The public names, and the class tree, are in :mod:`bitbucket_client.webhooks.cloud`.
"""

# attrs fields, not dataclass defaults: payload_field() builds an attrs.field with decoding metadata.
# ruff: noqa: RUF009

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from bitbucket_client._types import Unset
from bitbucket_client.cloud._generated.models import (
    Account,
    Commit,
    CommitComment,
    Commitstatus,
    Issue,
    IssueComment,
    Project,
    Pullrequest,
    PullrequestComment,
    Repository,
    Workspace,
)

from ._base import WebhookEvent, obj, objs, payload_field
from ._cloud_parts import IssueChanges, ProjectChanges, PushChange, RepositoryChanges, Review
from ._cloud_spans import ResourceSpans

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
    "RepoForkEvent",
    "RepoPushEvent",
    "RepoTransferEvent",
    "RepoUpdatedEvent",
    "RepositoryEvent",
]


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
    """``repo:updated``: ``changes`` has the old and new value of each attribute that changed."""

    changes: RepositoryChanges = payload_field("changes", obj(RepositoryChanges), factory=RepositoryChanges)


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
    """``issue:updated``: ``changes`` has the old and new value of each field that changed; ``comment`` is
    the comment left with the change, if any."""

    changes: IssueChanges = payload_field("changes", obj(IssueChanges), factory=IssueChanges)
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
    """``pipeline:span_created``: OpenTelemetry spans of a pipeline run (OTLP/JSON ``resourceSpans``).
    ``repository`` and ``actor`` are set only when the payload carries them."""

    resource_spans: list[ResourceSpans] = payload_field("resourceSpans", objs(ResourceSpans), factory=list)


@attrs.frozen(kw_only=True)
class ProjectUpdatedEvent(CloudEvent):
    """``project:updated`` (a workspace project's settings changed): ``changes`` has the old and new value
    of each attribute that changed."""

    project: Project | Unset = payload_field("project", obj(Project))
    changes: ProjectChanges = payload_field("changes", obj(ProjectChanges), factory=ProjectChanges)


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
