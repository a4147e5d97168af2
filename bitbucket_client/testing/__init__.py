"""In-memory fakes of Bitbucket Cloud and Bitbucket Data Center, for testing code that uses this client.

Each fake is an ``httpx`` transport holding state (workspaces or projects, repositories, branches,
commits, pull requests with comments and approvals, webhook subscriptions) and answering the
operations of the official documents with real envelopes and error bodies::

    from bitbucket_client import BitbucketCloud
    from bitbucket_client.testing import FakeBitbucketCloud

    fake = FakeBitbucketCloud()
    fake.add_repository("acme", "widgets")
    fake.add_pull_request("acme", "widgets", title="Add a widget")

    async with BitbucketCloud("any-token", transport=fake) as bb:   # or: async with fake.client() as bb
        async for pr in bb.pullrequests.list("acme", "widgets"):
            ...

    assert fake.requests[-1].operation == "pullrequests.list"

- seed state with ``fake.add_*``; read it back with ``fake.repository(...)``, ``fake.pull_request(...)``
  or ``fake.state``;
- inject faults with ``fake.faults`` (429 with or without ``Retry-After``, 5xx, latency, a stale
  ``next``);
- every request is logged in ``fake.requests`` (with the operation it called); every write sends the
  webhooks Bitbucket would, per subscription, signed with its secret, to the receiver registered for
  its URL with ``fake.add_receiver(url, receiver)`` (a function or an ASGI app), and records them in
  ``fake.deliveries``;
- an operation the fake does not implement answers 501 with a message naming it
  (``fake.implemented_operations`` lists the others); an unknown path answers 404.

``docs/testing.md`` has a complete example.
"""

from __future__ import annotations

from ._cloud import FakeBitbucketCloud
from ._cloud_deployments import Environment, FakeDeployment
from ._cloud_oauth import OAuthConsumer
from ._cloud_snippets import FakeSnippet
from ._delivery import WebhookReceiver
from ._fake import FakeBitbucket, RecordedRequest, WebhookCallback, WebhookDelivery
from ._faults import Fault, Faults
from ._server import FakeBitbucketServer
from ._state import Comment, Commit, FakeState, Owner, PullRequest, Repository, Review, User, Webhook

__all__ = [
    "Comment",
    "Commit",
    "Environment",
    "FakeBitbucket",
    "FakeBitbucketCloud",
    "FakeBitbucketServer",
    "FakeDeployment",
    "FakeSnippet",
    "FakeState",
    "Fault",
    "Faults",
    "OAuthConsumer",
    "Owner",
    "PullRequest",
    "RecordedRequest",
    "Repository",
    "Review",
    "User",
    "Webhook",
    "WebhookCallback",
    "WebhookDelivery",
    "WebhookReceiver",
]
