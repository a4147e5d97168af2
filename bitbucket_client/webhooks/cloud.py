"""Bitbucket Cloud webhook events: the classes ``parse_event``/``unwrap`` return, ``EVENT_CLASSES``
(event key -> class) and ``EVENT_KEYS``.

Every key of the Cloud document's ``webhook_subscription.events`` enum has an entry. Classes form a small
tree so ``isinstance`` can be as broad or as narrow as needed::

    CloudEvent                    actor
    ├── RepositoryEvent           repository          repo:created, repo:deleted, repo:imported
    │   ├── RepoPushEvent         changes             repo:push
    │   ├── RepoForkEvent         fork                repo:fork
    │   ├── RepoUpdatedEvent      changes             repo:updated
    │   ├── RepoTransferEvent     previous_workspace  repo:transfer
    │   ├── CommitCommentEvent    comment, commit     repo:commit_comment_created
    │   ├── CommitStatusEvent     commit_status       repo:commit_status_created|updated
    │   ├── IssueEvent            issue               issue:created
    │   │   ├── IssueUpdatedEvent changes, comment    issue:updated
    │   │   └── IssueCommentEvent comment             issue:comment_created
    │   ├── PullRequestEvent      pullrequest         pullrequest:created|updated|fulfilled|rejected|push
    │   │   ├── PullRequestApprovalEvent        approval        pullrequest:approved|unapproved
    │   │   ├── PullRequestChangesRequestEvent  changes_request pullrequest:changes_request_created|removed
    │   │   └── PullRequestCommentEvent         comment         pullrequest:comment_*
    │   └── PipelineSpanEvent     resource_spans      pipeline:span_created
    └── ProjectUpdatedEvent       project, changes    project:updated

Nested REST entities (accounts, repositories, pull requests, commits, ...) are the generated, lenient
models. The parts that are not REST entities have small classes of their own, as lenient, each keeping
its JSON in ``raw``:

- ``Review`` (``approval``, ``changes_request``: ``user``, ``date``);
- ``PushChange`` (an entry of ``push.changes``) and its ``PushChangeLinks``;
- the ``changes`` of update events: ``RepositoryChanges``, ``IssueChanges``, ``ProjectChanges``, whose
  attributes are ``TextChange``, ``FlagChange``, ``AccountChange`` or ``RepositoryLinksChange``
  (``old``, ``new``);
- the OpenTelemetry traces of ``pipeline:span_created``: ``ResourceSpans`` -> ``SpanResource``,
  ``ScopeSpans`` -> ``InstrumentationScope``, ``Span`` -> ``SpanAttribute`` / ``AttributeValue``,
  ``SpanEvent``, ``SpanLink``, ``SpanStatus``.
"""

from __future__ import annotations

from ._cloud_events import (
    EVENT_CLASSES,
    EVENT_KEYS,
    CloudEvent,
    CommitCommentEvent,
    CommitStatusEvent,
    IssueCommentEvent,
    IssueEvent,
    IssueUpdatedEvent,
    PipelineSpanEvent,
    ProjectUpdatedEvent,
    PullRequestApprovalEvent,
    PullRequestChangesRequestEvent,
    PullRequestCommentEvent,
    PullRequestEvent,
    RepoForkEvent,
    RepoPushEvent,
    RepositoryEvent,
    RepoTransferEvent,
    RepoUpdatedEvent,
)
from ._cloud_parts import (
    AccountChange,
    FlagChange,
    IssueChanges,
    ProjectChanges,
    PushChange,
    PushChangeLinks,
    RepositoryChanges,
    RepositoryLinksChange,
    Review,
    TextChange,
)
from ._cloud_spans import (
    AttributeValue,
    InstrumentationScope,
    ResourceSpans,
    ScopeSpans,
    Span,
    SpanAttribute,
    SpanEvent,
    SpanLink,
    SpanResource,
    SpanStatus,
)

__all__ = [
    "EVENT_CLASSES",
    "EVENT_KEYS",
    "AccountChange",
    "AttributeValue",
    "CloudEvent",
    "CommitCommentEvent",
    "CommitStatusEvent",
    "FlagChange",
    "InstrumentationScope",
    "IssueChanges",
    "IssueCommentEvent",
    "IssueEvent",
    "IssueUpdatedEvent",
    "PipelineSpanEvent",
    "ProjectChanges",
    "ProjectUpdatedEvent",
    "PullRequestApprovalEvent",
    "PullRequestChangesRequestEvent",
    "PullRequestCommentEvent",
    "PullRequestEvent",
    "PushChange",
    "PushChangeLinks",
    "RepoForkEvent",
    "RepoPushEvent",
    "RepoTransferEvent",
    "RepoUpdatedEvent",
    "RepositoryChanges",
    "RepositoryEvent",
    "RepositoryLinksChange",
    "ResourceSpans",
    "Review",
    "ScopeSpans",
    "Span",
    "SpanAttribute",
    "SpanEvent",
    "SpanLink",
    "SpanResource",
    "SpanStatus",
    "TextChange",
]
