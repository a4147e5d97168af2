"""Bitbucket Data Center webhook events: the classes ``parse_event``/``unwrap`` return, ``EVENT_CLASSES``
(event key -> class) and ``EVENT_KEYS``.

The body repeats the key as ``eventKey`` with ``date`` (in ``delivery.date``) and ``actor``. Dates inside
nested objects are epoch milliseconds before Data Center 10 and ISO-8601 strings from 10 on; the
generated models accept both (``int | datetime``). The tree::

    ServerEvent                            actor, date
    ├── PingEvent                          test                 diagnostics:ping
    ├── RepositoryEvent                    repository           repo:forked
    │   ├── RepositoryModifiedEvent        old, new             repo:modified
    │   ├── RefsChangedEvent               changes, commits     repo:refs_changed
    │   ├── MirrorSynchronizedEvent        mirror_server, changes  mirror:repo_synchronized
    │   ├── CommitCommentEvent             comment, commit      repo:comment:added|edited|deleted
    │   ├── SecretDetectedEvent            secret_locations     repo:secret_detected
    │   └── PullRequestEvent               pull_request         pr:opened|merged|declined|deleted
    │       ├── PullRequestRefUpdatedEvent         previous_*_hash   pr:from_ref_updated|to_ref_updated
    │       ├── PullRequestModifiedEvent           previous_*        pr:modified
    │       ├── PullRequestReviewersUpdatedEvent   added/removed     pr:reviewer:updated
    │       ├── PullRequestReviewerEvent           participant       pr:reviewer:approved|unapproved|
    │       │                                                        needs_work (alias changes_requested)
    │       └── PullRequestCommentEvent            comment           pr:comment:added|edited|deleted
    └── ProjectModifiedEvent               old, new             project:modified

Entities inside (``actor``, ``repository``, ``pull_request``, ``comment``, ...) are the REST models, typed
as the server sends them (``pull_request.author``, ``repository.links.clone``, ...). The parts that are
not REST entities, ``RefChange`` (a pushed ref) and ``SecretLocation``, are ``PayloadPart`` classes: each
field names the JSON key it is read from, and ``raw`` keeps the part's JSON.
"""

from __future__ import annotations

from ._server_events import (
    EVENT_CLASSES,
    EVENT_KEYS,
    CommitCommentEvent,
    MirrorSynchronizedEvent,
    PayloadPart,
    PingEvent,
    ProjectModifiedEvent,
    PullRequestCommentEvent,
    PullRequestEvent,
    PullRequestModifiedEvent,
    PullRequestRefUpdatedEvent,
    PullRequestReviewerEvent,
    PullRequestReviewersUpdatedEvent,
    RefChange,
    RefsChangedEvent,
    RepositoryEvent,
    RepositoryModifiedEvent,
    SecretDetectedEvent,
    SecretLocation,
    ServerEvent,
)

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
