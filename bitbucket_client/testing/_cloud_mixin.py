"""The base of `FakeBitbucketCloud`'s mixins: what they use of the fake, declared once for the type
checker (the fake class defines it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from ._fake import FakeBitbucket

if TYPE_CHECKING:
    import httpx

    from ._cloud_models import CloudModels
    from ._cloud_writes import CloudWriteState
    from ._fake import Call
    from ._state import Owner, PullRequest, Repository

__all__ = ["CloudMixin", "text_field"]

T = TypeVar("T")


class CloudMixin(FakeBitbucket):
    """A part of :class:`FakeBitbucketCloud`, for one area of the API."""

    if TYPE_CHECKING:
        models: CloudModels
        writes: CloudWriteState

        def _owner(self, call: Call) -> Owner: ...

        def _repo(self, call: Call) -> tuple[Owner, Repository]: ...

        def _page(
            self, call: Call, items: Iterable[T], build: Callable[[T], dict[str, Any]]
        ) -> httpx.Response: ...

        async def _event(
            self, event_key: str, call: Call, repo: Repository, pr: PullRequest | None = None, **extra: Any
        ) -> None: ...


def text_field(body: dict[str, Any], key: str) -> str | None:
    """A request body's string field (None when missing or not a string)."""
    value = body.get(key)
    return value if isinstance(value, str) else None
