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
    PushChange,
    RepoForkEvent,
    RepoPushEvent,
    RepositoryEvent,
    RepoTransferEvent,
    RepoUpdatedEvent,
    Review,
)

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
