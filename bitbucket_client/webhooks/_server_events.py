"""Bitbucket Data Center events: one class per payload shape, and the event-key table.

The public names, and the class tree, are in :mod:`bitbucket_client.webhooks.server`.
"""

# attrs fields, not dataclass defaults: payload_field() builds an attrs.field with decoding metadata.
# ruff: noqa: RUF009

from __future__ import annotations

import datetime
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Self

import attrs

from bitbucket_client._converters import INVALID, as_bool, as_int, as_str
from bitbucket_client._types import UNSET, Unset
from bitbucket_client.server._generated.models import (
    RestApplicationUser,
    RestBranch,
    RestComment,
    RestCommit,
    RestMinimalRef,
    RestMirrorServer,
    RestProject,
    RestPullRequest,
    RestPullRequestParticipant,
    RestRepository,
)

from ._base import _SPEC_KEY, WebhookEvent, _lookup, obj, objs, payload_field
from ._delivery import _date as parse_event_date

__all__ = [
    "EVENT_CLASSES",
    "EVENT_KEYS",
    "CommitCommentEvent",
    "MirrorSynchronizedEvent",
    "PayloadPart",
    "PingEvent",
    "ProjectModifiedEvent",
    "PullRequestCommentEvent",
    "PullRequestEvent",
    "PullRequestModifiedEvent",
    "PullRequestRefUpdatedEvent",
    "PullRequestReviewerEvent",
    "PullRequestReviewersUpdatedEvent",
    "RefChange",
    "RefsChangedEvent",
    "RepositoryEvent",
    "RepositoryModifiedEvent",
    "SecretDetectedEvent",
    "SecretLocation",
    "ServerEvent",
]


# ---- nested parts without a generated model ---------------------------------------------------------


@attrs.frozen(kw_only=True)
class PayloadPart:
    """Base of the hand-written parts of a payload: each field is read from the JSON key (or path) its
    ``payload_field`` names, as leniently as an event's; ``raw`` is the part's JSON object."""

    raw: dict[str, Any] = attrs.field(factory=dict, repr=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Build the part from its JSON object. Never raises for odd or missing values."""
        values: dict[str, Any] = {}
        for field in attrs.fields(cls):
            spec = field.metadata.get(_SPEC_KEY)
            if spec is None:
                continue
            paths, convert = spec
            for path in paths:
                found = _lookup(data, path)
                value = INVALID if found is UNSET else convert(found)
                if value is not INVALID:
                    values[field.name] = value
                    break
        return cls(raw=data, **values)


@attrs.frozen(kw_only=True)
class RefChange(PayloadPart):
    """One ref a push (or a mirror sync) changed. ``type`` is ``ADD``, ``UPDATE`` or ``DELETE``;
    ``from_hash`` is all zeros for an added ref and ``to_hash`` for a deleted one."""

    ref: RestMinimalRef | Unset = payload_field("ref", obj(RestMinimalRef))
    """The ref: ``id`` (``refs/heads/main``), ``display_id`` (``main``) and ``type_`` (BRANCH or TAG)."""
    ref_id: str | Unset = payload_field("refId", as_str)
    """The ref's full name, as ``ref.id``."""
    from_hash: str | Unset = payload_field("fromHash", as_str)
    """The commit the ref pointed to before (all zeros when the ref was added)."""
    to_hash: str | Unset = payload_field("toHash", as_str)
    """The commit the ref points to now (all zeros when the ref was deleted)."""
    type: str | Unset = payload_field("type", as_str)
    """``ADD``, ``UPDATE`` or ``DELETE``."""


@attrs.frozen(kw_only=True)
class SecretLocation(PayloadPart):
    """Where secret scanning found a secret (never the secret itself)."""

    repository: RestRepository | Unset = payload_field("repository", obj(RestRepository))
    """The repository the secret was pushed to."""
    commit_id: str | Unset = payload_field("commitId", as_str)
    """The commit that adds the secret."""
    path: str | Unset = payload_field("path", as_str)
    """The file, from the repository's root."""
    line: int | Unset = payload_field("line", as_int)
    """The line number in that file."""
    rule_name: str | Unset = payload_field("ruleName", as_str)
    """The name of the scanning rule that matched."""


def _event_date(value: Any) -> Any:
    """The body's ``date``: ISO-8601 with an offset (``2024-05-02T09:45:32+1000``) or epoch milliseconds."""
    parsed = parse_event_date(value)
    return INVALID if parsed is None else parsed


# ---- events -----------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ServerEvent(WebhookEvent):
    """Base of the Data Center events: ``actor`` is who caused the event, ``date`` when."""

    actor: RestApplicationUser | Unset = payload_field("actor", obj(RestApplicationUser))
    """The user who caused the event."""
    date: datetime.datetime | Unset = payload_field("date", _event_date)
    """When the event happened (the body's ``date``; also ``delivery.date``)."""
    payload_event_key: str | Unset = payload_field("eventKey", as_str)
    """The event key as the body repeats it (``eventKey``); ``event_key`` is the ``X-Event-Key`` header's."""


@attrs.frozen(kw_only=True)
class PingEvent(ServerEvent):
    """``diagnostics:ping``: the "Test connection" button. The body is ``{"test": true}``; Data Center
    usually sends it unsigned. Answer 200 and do nothing else."""

    test: bool | Unset = payload_field("test", as_bool)


@attrs.frozen(kw_only=True)
class RepositoryEvent(ServerEvent):
    """``repo:forked`` (``repository`` is the new fork; its ``origin`` the original), and the base of
    every event about a repository."""

    repository: RestRepository | Unset = payload_field("repository", obj(RestRepository))


@attrs.frozen(kw_only=True)
class RepositoryModifiedEvent(RepositoryEvent):
    """``repo:modified``: ``old`` and ``new`` are the repository before and after; ``repository`` is
    ``new``."""

    repository: RestRepository | Unset = payload_field("new", obj(RestRepository))
    old: RestRepository | Unset = payload_field("old", obj(RestRepository))
    new: RestRepository | Unset = payload_field("new", obj(RestRepository))


@attrs.frozen(kw_only=True)
class RefsChangedEvent(RepositoryEvent):
    """``repo:refs_changed`` (a push). ``commits`` (newer servers) holds the newest few pushed commits,
    ``to_commit`` the commit the first change points to."""

    changes: list[RefChange] = payload_field("changes", objs(RefChange), factory=list)
    commits: list[RestCommit] = payload_field("commits", objs(RestCommit), factory=list)
    to_commit: RestCommit | Unset = payload_field("toCommit", obj(RestCommit))


@attrs.frozen(kw_only=True)
class MirrorSynchronizedEvent(RepositoryEvent):
    """``mirror:repo_synchronized``. ``changes`` is empty when ``ref_limit_exceeded`` is true;
    ``sync_type`` is ``snapshot``, ``incremental`` (or ``smartMirror`` from old mirrors)."""

    mirror_server: RestMirrorServer | Unset = payload_field("mirrorServer", obj(RestMirrorServer))
    sync_type: str | Unset = payload_field("syncType", as_str)
    ref_limit_exceeded: bool | Unset = payload_field("refLimitExceeded", as_bool)
    changes: list[RefChange] = payload_field("changes", objs(RefChange), factory=list)


@attrs.frozen(kw_only=True)
class CommitCommentEvent(RepositoryEvent):
    """``repo:comment:added|edited|deleted``: a comment on ``commit`` (a hash). ``previous_comment`` is
    the text before an edit; ``comment_parent_id`` is set for replies."""

    comment: RestComment | Unset = payload_field("comment", obj(RestComment))
    commit: str | Unset = payload_field("commit", as_str)
    comment_parent_id: int | Unset = payload_field("commentParentId", as_int)
    previous_comment: str | Unset = payload_field("previousComment", as_str)


@attrs.frozen(kw_only=True)
class SecretDetectedEvent(RepositoryEvent):
    """``repo:secret_detected``: pushed commits contain a secret. ``repository`` is the body's, else the
    first location's."""

    repository: RestRepository | Unset = payload_field(
        "repository", obj(RestRepository), fallback=("secretLocations", 0, "repository")
    )
    secret_locations: list[SecretLocation] = payload_field(
        "secretLocations", objs(SecretLocation), factory=list
    )


@attrs.frozen(kw_only=True)
class PullRequestEvent(RepositoryEvent):
    """``pr:opened|merged|declined|deleted``, and the base of every pull request event.
    ``repository`` is the target repository (``pullRequest.toRef.repository``)."""

    repository: RestRepository | Unset = payload_field(
        ("pullRequest", "toRef", "repository"), obj(RestRepository)
    )
    pull_request: RestPullRequest | Unset = payload_field("pullRequest", obj(RestPullRequest))


@attrs.frozen(kw_only=True)
class PullRequestRefUpdatedEvent(PullRequestEvent):
    """``pr:from_ref_updated`` (``previous_from_hash``) and ``pr:to_ref_updated`` (``previous_to_hash``)."""

    previous_from_hash: str | Unset = payload_field("previousFromHash", as_str)
    previous_to_hash: str | Unset = payload_field("previousToHash", as_str)


@attrs.frozen(kw_only=True)
class PullRequestModifiedEvent(PullRequestEvent):
    """``pr:modified``: the title, description, target branch or draft state changed."""

    previous_title: str | Unset = payload_field("previousTitle", as_str)
    previous_description: str | Unset = payload_field("previousDescription", as_str)
    previous_target: RestBranch | Unset = payload_field("previousTarget", obj(RestBranch))
    previous_draft: bool | Unset = payload_field("previousDraft", as_bool)


@attrs.frozen(kw_only=True)
class PullRequestReviewersUpdatedEvent(PullRequestEvent):
    """``pr:reviewer:updated``."""

    added_reviewers: list[RestApplicationUser] = payload_field(
        "addedReviewers", objs(RestApplicationUser), factory=list
    )
    removed_reviewers: list[RestApplicationUser] = payload_field(
        "removedReviewers", objs(RestApplicationUser), factory=list
    )


@attrs.frozen(kw_only=True)
class PullRequestReviewerEvent(PullRequestEvent):
    """``pr:reviewer:approved|unapproved|needs_work`` (``pr:reviewer:changes_requested`` in some
    versions' documents): ``participant`` is the reviewer with their new ``status``."""

    participant: RestPullRequestParticipant | Unset = payload_field(
        "participant", obj(RestPullRequestParticipant)
    )
    previous_status: str | Unset = payload_field("previousStatus", as_str)


@attrs.frozen(kw_only=True)
class PullRequestCommentEvent(PullRequestEvent):
    """``pr:comment:added|edited|deleted``. ``previous_comment`` is the text before an edit;
    ``comment_parent_id`` is set for replies."""

    comment: RestComment | Unset = payload_field("comment", obj(RestComment))
    comment_parent_id: int | Unset = payload_field("commentParentId", as_int)
    previous_comment: str | Unset = payload_field("previousComment", as_str)


@attrs.frozen(kw_only=True)
class ProjectModifiedEvent(ServerEvent):
    """``project:modified``: ``old`` and ``new`` are the project before and after."""

    old: RestProject | Unset = payload_field("old", obj(RestProject))
    new: RestProject | Unset = payload_field("new", obj(RestProject))


EVENT_CLASSES: Mapping[str, type[ServerEvent]] = MappingProxyType(
    {
        "diagnostics:ping": PingEvent,
        "mirror:repo_synchronized": MirrorSynchronizedEvent,
        "pr:comment:added": PullRequestCommentEvent,
        "pr:comment:deleted": PullRequestCommentEvent,
        "pr:comment:edited": PullRequestCommentEvent,
        "pr:declined": PullRequestEvent,
        "pr:deleted": PullRequestEvent,
        "pr:from_ref_updated": PullRequestRefUpdatedEvent,
        "pr:merged": PullRequestEvent,
        "pr:modified": PullRequestModifiedEvent,
        "pr:opened": PullRequestEvent,
        "pr:reviewer:approved": PullRequestReviewerEvent,
        "pr:reviewer:changes_requested": PullRequestReviewerEvent,  # alias of needs_work in some docs
        "pr:reviewer:needs_work": PullRequestReviewerEvent,
        "pr:reviewer:unapproved": PullRequestReviewerEvent,
        "pr:reviewer:updated": PullRequestReviewersUpdatedEvent,
        "pr:to_ref_updated": PullRequestRefUpdatedEvent,
        "project:modified": ProjectModifiedEvent,
        "proj:modified": ProjectModifiedEvent,  # the spelling one version of the payload page uses
        "repo:comment:added": CommitCommentEvent,
        "repo:comment:deleted": CommitCommentEvent,
        "repo:comment:edited": CommitCommentEvent,
        "repo:forked": RepositoryEvent,
        "repo:modified": RepositoryModifiedEvent,
        "repo:refs_changed": RefsChangedEvent,
        "repo:secret_detected": SecretDetectedEvent,
    }
)
"""Data Center event key -> event class, aliases included."""

EVENT_KEYS: frozenset[str] = frozenset(EVENT_CLASSES)
