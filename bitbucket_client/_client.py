"""The two product clients: `BitbucketCloud` and `BitbucketServer`.

Each is the pipeline (`_base_client.BaseClient`) plus its product's generated namespaces
(`bb.pullrequests`, ...) and raw view (`bb.with_raw_response`). This is the only core module that
imports generated code.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from ._auth import TokenProvider
from ._base_client import BaseClient
from .cloud._generated.namespaces import REF_LOOKUPS as CLOUD_REF_LOOKUPS
from .cloud._generated.namespaces import CloudNamespaces, CloudRawView
from .server._generated.namespaces import REF_LOOKUPS as SERVER_REF_LOOKUPS
from .server._generated.namespaces import ServerNamespaces, ServerRawView

__all__ = ["CLOUD_BASE_URL", "BitbucketCloud", "BitbucketServer"]

CLOUD_BASE_URL = "https://api.bitbucket.org/2.0"


class BitbucketCloud(BaseClient, CloudNamespaces):
    """Async client for the Bitbucket Cloud REST API 2.0.

    With no token or auth, credentials come from the environment (`BITBUCKET_TOKEN`, or
    `BITBUCKET_EMAIL` + `BITBUCKET_API_TOKEN`, or `BITBUCKET_CLIENT_ID` + `BITBUCKET_CLIENT_SECRET`, or
    `BITBUCKET_USERNAME` + `BITBUCKET_APP_PASSWORD`); with none of those, requests are anonymous.
    """

    _product = "cloud"
    _ref_lookups = CLOUD_REF_LOOKUPS

    def __init__(
        self,
        token: str | TokenProvider | None = None,
        *,
        auth: httpx.Auth | None = None,
        base_url: str | httpx.URL = CLOUD_BASE_URL,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = 4,
        rate_limit_budget: float = 60.0,
        deadline: float | None = None,
        headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(
            base_url,
            token,
            auth=auth,
            timeout=timeout,
            max_retries=max_retries,
            rate_limit_budget=rate_limit_budget,
            deadline=deadline,
            headers=headers,
            http_client=http_client,
            transport=transport,
        )

    @property
    def with_raw_response(self) -> CloudRawView:
        """The same namespaces, whose methods return the whole `Response` (status, headers, body, model)."""
        return CloudRawView(self)


class BitbucketServer(BaseClient, ServerNamespaces):
    """Async client for the Bitbucket Data Center (Server) REST API.

    `base_url` is the server's address, with or without `/rest`. With no token or auth, credentials
    come from `BITBUCKET_SERVER_TOKEN`, or `BITBUCKET_SERVER_USERNAME` + `BITBUCKET_SERVER_PASSWORD`.
    """

    _product = "server"
    _ref_lookups = SERVER_REF_LOOKUPS

    def __init__(
        self,
        base_url: str | httpx.URL,
        token: str | TokenProvider | None = None,
        *,
        auth: httpx.Auth | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = 4,
        rate_limit_budget: float = 60.0,
        deadline: float | None = None,
        headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        root = str(base_url).rstrip("/")
        if not root.endswith("/rest"):
            root += "/rest"
        super().__init__(
            root,
            token,
            auth=auth,
            timeout=timeout,
            max_retries=max_retries,
            rate_limit_budget=rate_limit_budget,
            deadline=deadline,
            headers=headers,
            http_client=http_client,
            transport=transport,
        )

    @property
    def with_raw_response(self) -> ServerRawView:
        """The same namespaces, whose methods return the whole `Response` (status, headers, body, model)."""
        return ServerRawView(self)
