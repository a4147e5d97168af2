"""`fake.sync_client()`: a `bitbucket_client.sync` client wired to the fake, for testing blocking code."""

from __future__ import annotations

from typing import Any, Generic, TypeVar, cast

__all__ = ["SyncClientFactory"]

C = TypeVar("C")


class SyncClientFactory(Generic[C]):
    """Mixin of both fakes; `C` is the synchronous client of the fake's product."""

    def sync_client(self, token: str = "fake-token", **kwargs: Any) -> C:
        """A synchronous client (`bitbucket_client.sync`) wired to this fake (keyword arguments go to
        the client). Close it, or use it in a `with` block."""
        from bitbucket_client.sync import BitbucketCloud, BitbucketServer

        fake: Any = self  # a FakeBitbucketCloud or FakeBitbucketServer
        if fake.product == "cloud":
            return cast(C, BitbucketCloud(token, base_url=fake.base_url, transport=fake, **kwargs))
        return cast(C, BitbucketServer(fake.base_url, token, transport=fake, **kwargs))
