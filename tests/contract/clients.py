"""The clients under test, pointed at a Prism server."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from bitbucket_client import BitbucketCloud, BitbucketServer
from bitbucket_client._base_client import BaseClient

from .conftest import PrismProcess

TOKEN = "contract-test-token"  # Prism checks that Cloud requests carry credentials, not which


def make_client(
    product: str,
    prism: PrismProcess,
    http: httpx.AsyncClient | None = None,
    headers: Mapping[str, str] | None = None,
) -> BaseClient:
    """The product's client on its Prism: Cloud at `<root>/2.0`, Data Center at `<root>` (+ `/rest`).
    No retries: every answer is Prism's verdict on one request."""
    if product == "cloud":
        return BitbucketCloud(
            TOKEN, base_url=f"{prism.root}/2.0", http_client=http, headers=headers, max_retries=0
        )
    return BitbucketServer(prism.root, TOKEN, http_client=http, headers=headers, max_retries=0)
