"""A user's typo that mypy must flag: response models have no `__getattr__` for type checkers."""

from __future__ import annotations

from bitbucket_client.cloud.models import Pullrequest


def title(pr: Pullrequest) -> object:
    return pr.titel  # line 9: no such field
