"""Helpers shared by the webhook tests: the hand-written payloads and realistic delivery headers.

Payloads live in ``payloads/<product>/<event key with ':' as '.'>.json``. They follow the structure of
Atlassian's event-payload pages (Cloud "Event payloads", Data Center "Event payload"), with invented data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bitbucket_client.webhooks import sign

PAYLOADS = Path(__file__).resolve().parent / "payloads"
SECRET = "It's a long way to the top 🎸"

# The 29 keys of the Cloud document's webhook_subscription.events enum.
CLOUD_KEYS = (
    "issue:comment_created",
    "issue:created",
    "issue:updated",
    "pipeline:span_created",
    "project:updated",
    "pullrequest:approved",
    "pullrequest:changes_request_created",
    "pullrequest:changes_request_removed",
    "pullrequest:comment_created",
    "pullrequest:comment_deleted",
    "pullrequest:comment_reopened",
    "pullrequest:comment_resolved",
    "pullrequest:comment_updated",
    "pullrequest:created",
    "pullrequest:fulfilled",
    "pullrequest:push",
    "pullrequest:rejected",
    "pullrequest:unapproved",
    "pullrequest:updated",
    "repo:commit_comment_created",
    "repo:commit_status_created",
    "repo:commit_status_updated",
    "repo:created",
    "repo:deleted",
    "repo:fork",
    "repo:imported",
    "repo:push",
    "repo:transfer",
    "repo:updated",
)

# Every Data Center key of the reference notes, with the two aliases some documents use.
SERVER_KEYS = (
    "diagnostics:ping",
    "mirror:repo_synchronized",
    "pr:comment:added",
    "pr:comment:deleted",
    "pr:comment:edited",
    "pr:declined",
    "pr:deleted",
    "pr:from_ref_updated",
    "pr:merged",
    "pr:modified",
    "pr:opened",
    "pr:reviewer:approved",
    "pr:reviewer:changes_requested",
    "pr:reviewer:needs_work",
    "pr:reviewer:unapproved",
    "pr:reviewer:updated",
    "pr:to_ref_updated",
    "proj:modified",
    "project:modified",
    "repo:comment:added",
    "repo:comment:deleted",
    "repo:comment:edited",
    "repo:forked",
    "repo:modified",
    "repo:refs_changed",
    "repo:secret_detected",
)


def payload_path(product: str, key: str) -> Path:
    return PAYLOADS / product / (key.replace(":", ".") + ".json")


def load_body(product: str, key: str) -> bytes:
    return payload_path(product, key).read_bytes()


def load_json(product: str, key: str) -> dict[str, Any]:
    data = json.loads(load_body(product, key))
    assert isinstance(data, dict)
    return data


def cloud_headers(key: str, body: bytes | None = None, *, secret: str | None = SECRET) -> dict[str, str]:
    """What Bitbucket Cloud sends (signed when ``body`` and ``secret`` are given)."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Bitbucket-Webhooks/2.0",
        "X-Event-Key": key,
        "X-Hook-UUID": "{3f9d2b1c-6a5e-4d7f-8b0a-1c2d3e4f5a6b}",
        "X-Request-UUID": "{e1d2c3b4-a596-4877-8695-a4b3c2d1e0f9}",
        "X-Attempt-Number": "1",
    }
    if body is not None and secret is not None:
        headers["X-Hub-Signature"] = sign(secret, body)
    return headers


def server_headers(key: str, body: bytes | None = None, *, secret: str | None = SECRET) -> dict[str, str]:
    """What Bitbucket Data Center sends (signed when ``body`` and ``secret`` are given)."""
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Atlassian HttpClient 4.2.0 / Bitbucket-9.4.0 (9004000) / Default",
        "X-Event-Key": key,
        "X-Request-Id": "5d6f3a2e-9b8c-4d1e-a7f6-0b1c2d3e4f50",
    }
    if body is not None and secret is not None:
        headers["X-Hub-Signature"] = sign(secret, body)
    return headers
