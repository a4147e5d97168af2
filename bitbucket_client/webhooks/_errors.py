"""The errors a webhook receiver can meet. Messages never contain the secret or an expected signature."""

from __future__ import annotations

from bitbucket_client._exceptions import BitbucketError

__all__ = [
    "InvalidPayloadError",
    "MalformedSignatureError",
    "MissingEventKeyError",
    "MissingSignatureError",
    "PayloadTooLargeError",
    "SecretRequiredError",
    "SignatureError",
    "SignatureMismatchError",
    "UnsupportedAlgorithmError",
    "WebhookError",
]


class WebhookError(BitbucketError):
    """Base class of every error raised while checking or reading a webhook delivery."""


class SecretRequiredError(WebhookError):
    """No secret was given (or an empty one) where a signature must be checked.

    A receiver configuration error, not a bad request: pass the webhook's secret, or
    ``allow_unsigned=True`` to :func:`~bitbucket_client.webhooks.unwrap` for hooks that have none.
    """


class SignatureError(WebhookError):
    """The delivery is not proven to come from Bitbucket: answer 401/403 and do not act on it."""


class MissingSignatureError(SignatureError):
    """The request has no ``X-Hub-Signature`` header (or an empty one)."""


class MalformedSignatureError(SignatureError):
    """``X-Hub-Signature`` is not ``<algorithm>=<hex digest>``."""


class UnsupportedAlgorithmError(SignatureError):
    """``X-Hub-Signature`` names an algorithm other than ``sha256`` (for example the weak ``sha1``)."""

    algorithm: str

    def __init__(self, algorithm: str) -> None:
        self.algorithm = algorithm
        super().__init__(
            f"X-Hub-Signature uses unsupported algorithm {algorithm!r}; only 'sha256' is accepted"
        )


class SignatureMismatchError(SignatureError):
    """The signature is well-formed but does not match the body: a wrong secret or a modified body."""


class InvalidPayloadError(WebhookError):
    """The body cannot be read as a webhook event: empty, not JSON, or not a JSON object."""


class MissingEventKeyError(InvalidPayloadError):
    """Neither an ``X-Event-Key`` header nor an ``eventKey`` in the body says what happened."""


class PayloadTooLargeError(InvalidPayloadError):
    """The body is larger than the configured limit (answer 413)."""

    size: int
    limit: int

    def __init__(self, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__(f"webhook body is {size} bytes, more than the {limit}-byte limit")
