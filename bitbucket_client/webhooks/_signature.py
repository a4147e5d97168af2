"""``X-Hub-Signature: sha256=<hex>``: the HMAC-SHA256 of the raw body, keyed with the webhook secret.

Both products sign the same way. The check runs on the exact bytes received, before any parsing, and
compares in constant time. Neither the secret nor the expected digest ever reaches an error message.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from ._errors import (
    MalformedSignatureError,
    MissingSignatureError,
    SecretRequiredError,
    SignatureMismatchError,
    UnsupportedAlgorithmError,
)

__all__ = ["sign", "verify_signature"]

_ALGORITHM = "sha256"
_DIGEST_HEX_LENGTH = hashlib.sha256().digest_size * 2
_ALGORITHM_NAME = re.compile(r"[A-Za-z0-9_-]{1,32}")
_HEX = re.compile(r"[0-9A-Fa-f]+")


def sign(secret: str | bytes, body: bytes) -> str:
    """The ``X-Hub-Signature`` value Bitbucket sends for ``body``: ``"sha256=<hex>"``.

    Meant for tests (yours and ours): sign a hand-written payload, then feed it to your receiver.
    """
    return f"{_ALGORITHM}={_digest(_key(secret), body).hex()}"


def verify_signature(secret: str | bytes, body: bytes, signature_header: str | None) -> None:
    """Check ``signature_header`` (the ``X-Hub-Signature`` value) against ``body``; return or raise.

    Raises :class:`MissingSignatureError` when the header is absent or empty,
    :class:`MalformedSignatureError` when it is not ``<algorithm>=<64 hex digits>``,
    :class:`UnsupportedAlgorithmError` for anything but ``sha256`` (``sha1=`` included), and
    :class:`SignatureMismatchError` when the digest differs (wrong secret, or a modified body).
    ``body`` must be the raw bytes as received: re-serialised JSON will not match.
    """
    key = _key(secret)
    provided = _parse_header(signature_header)
    expected = _digest(key, body)
    if not hmac.compare_digest(expected, provided):
        raise SignatureMismatchError(
            "X-Hub-Signature does not match the body: the secret is wrong or the body was modified"
        )


def _parse_header(value: str | None) -> bytes:
    text = value.strip() if value is not None else ""
    if not text:
        raise MissingSignatureError("the request has no X-Hub-Signature header; it is not signed")
    algorithm, separator, digest = text.partition("=")
    algorithm = algorithm.strip()
    if not separator or not _ALGORITHM_NAME.fullmatch(algorithm):
        raise MalformedSignatureError("X-Hub-Signature is not of the form 'sha256=<hex digest>'")
    if algorithm.lower() != _ALGORITHM:
        raise UnsupportedAlgorithmError(algorithm.lower())
    digest = digest.strip()
    if len(digest) != _DIGEST_HEX_LENGTH or not _HEX.fullmatch(digest):
        raise MalformedSignatureError(
            f"X-Hub-Signature's sha256 digest must be {_DIGEST_HEX_LENGTH} hexadecimal digits"
        )
    return bytes.fromhex(digest)


def _key(secret: str | bytes) -> bytes:
    if isinstance(secret, str):
        key = secret.encode("utf-8")
    elif isinstance(secret, bytes | bytearray):
        key = bytes(secret)
    else:
        raise TypeError(f"the webhook secret must be str or bytes, not {type(secret).__name__}")
    if not key:
        raise SecretRequiredError("the webhook secret is empty; signatures cannot be checked")
    return key


def _digest(key: bytes, body: bytes) -> bytes:
    if not isinstance(body, bytes | bytearray | memoryview):
        raise TypeError(f"the body must be the raw request bytes, not {type(body).__name__}")
    return hmac.new(key, body, hashlib.sha256).digest()
