"""User code that test_webhook_typing.py type-checks with mypy --strict (never imported by pytest).

The reveal_type() lines pin what a user sees after narrowing an event with match or isinstance.
"""

from __future__ import annotations

from typing import reveal_type

from bitbucket_client._types import Unset
from bitbucket_client.webhooks import WebhookEvent, cloud, parse_event, server


def narrow(event: WebhookEvent) -> None:
    match event:
        case cloud.RepoPushEvent(changes=changes, repository=repository):
            reveal_type(changes)  # R1
            reveal_type(changes[0].new)  # R2
            if not isinstance(repository, Unset):
                reveal_type(repository.full_name)  # R3
        case server.RefsChangedEvent(changes=changes):
            reveal_type(changes[0].to_hash)  # R4
        case server.PullRequestReviewerEvent(participant=participant) if not isinstance(participant, Unset):
            reveal_type(participant.approved)  # R5
        case server.PullRequestEvent(pull_request=pr, repository=repository):
            reveal_type(pr)  # R6
            reveal_type(repository)  # R7
        case _:
            pass
    if isinstance(event, cloud.PullRequestEvent) and not isinstance(event.pullrequest, Unset):
        reveal_type(event.pullrequest.id)  # R8
        reveal_type(event.actor)  # R9
    reveal_type(event.delivery.attempt)  # R10


reveal_type(parse_event({"X-Event-Key": "repo:push"}, b"{}"))  # R11
