"""Receive Bitbucket webhooks: verify the signature, then get a typed event (Cloud and Data Center).

::

    from bitbucket_client.webhooks import cloud, server, unwrap

    event = unwrap(request.headers, raw_body, secret)      # raises a WebhookError for bad deliveries
    match event:
        case cloud.RepoPushEvent(changes=changes):
            ...
        case server.PullRequestEvent(pull_request=pr) if event.event_key == "pr:merged":
            ...

Functions: :func:`unwrap` (size check, signature, parse), :func:`verify_signature`, :func:`parse_event`
and :func:`sign` (for tests). Events: the shared :class:`WebhookEvent` base (``event_key``,
``delivery``, ``raw``), :class:`GenericEvent` for unknown keys, and the product classes in
:mod:`bitbucket_client.webhooks.cloud` and :mod:`bitbucket_client.webhooks.server` (both have a
``PullRequestEvent``, hence the two namespaces). Nested objects are the generated, lenient models.

Errors::

    BitbucketError
    └── WebhookError
        ├── SecretRequiredError           no (or an empty) secret, and unsigned deliveries not allowed
        ├── SignatureError                answer 401: the delivery is not authenticated
        │   ├── MissingSignatureError     no X-Hub-Signature header
        │   ├── MalformedSignatureError   not "sha256=<64 hex digits>"
        │   ├── UnsupportedAlgorithmError sha1= or any algorithm but sha256 (.algorithm)
        │   └── SignatureMismatchError    wrong secret, or the body was modified
        └── InvalidPayloadError           answer 400: empty body, bad JSON, not a JSON object
            ├── MissingEventKeyError      no X-Event-Key header and no eventKey in the body
            └── PayloadTooLargeError      answer 413: body over the limit (.size, .limit)

This package depends on no web framework: :class:`WebhookApp` is a receiver as a plain ASGI application,
and ``docs/webhooks.md`` shows Starlette/FastAPI and aiohttp receivers.
"""

from __future__ import annotations

from . import cloud, server
from ._asgi import WebhookApp, WebhookHandler
from ._base import GenericEvent, WebhookEvent
from ._delivery import Delivery, Product
from ._errors import (
    InvalidPayloadError,
    MalformedSignatureError,
    MissingEventKeyError,
    MissingSignatureError,
    PayloadTooLargeError,
    SecretRequiredError,
    SignatureError,
    SignatureMismatchError,
    UnsupportedAlgorithmError,
    WebhookError,
)
from ._parse import DEFAULT_MAX_BODY_SIZE, PING_EVENT_KEY, parse_event, unwrap
from ._signature import sign, verify_signature

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "PING_EVENT_KEY",
    "Delivery",
    "GenericEvent",
    "InvalidPayloadError",
    "MalformedSignatureError",
    "MissingEventKeyError",
    "MissingSignatureError",
    "PayloadTooLargeError",
    "Product",
    "SecretRequiredError",
    "SignatureError",
    "SignatureMismatchError",
    "UnsupportedAlgorithmError",
    "WebhookApp",
    "WebhookError",
    "WebhookEvent",
    "WebhookHandler",
    "cloud",
    "parse_event",
    "server",
    "sign",
    "unwrap",
    "verify_signature",
]
