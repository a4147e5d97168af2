"""The base of `FakeBitbucketCloud`'s mixins: what they use of the fake, declared once for the type
checker (the fake class defines it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from ._fake import FakeBitbucket

if TYPE_CHECKING:
    import httpx

    from ._cloud_models import CloudModels
    from ._fake import Call
    from ._state import Owner, PullRequest, Repository

__all__ = ["CloudMixin"]

T = TypeVar("T")


class CloudMixin(FakeBitbucket):
    """A part of :class:`FakeBitbucketCloud`, for one area of the API."""

    if TYPE_CHECKING:
        models: CloudModels

        def _owner(self, call: Call) -> Owner: ...

        def _repo(self, call: Call) -> tuple[Owner, Repository]: ...

        def _page(
            self, call: Call, items: Iterable[T], build: Callable[[T], dict[str, Any]]
        ) -> httpx.Response: ...

        async def _event(
            self, event_key: str, call: Call, repo: Repository, pr: PullRequest | None = None, **extra: Any
        ) -> None: ...
