"""Keeping credentials secret: the :class:`Secret` wrapper (out of reprs, logs and tracebacks), and
redaction of the credentials a request carried from whatever a server sends back."""

from __future__ import annotations

import base64
import hmac
from collections.abc import Iterable
from typing import NoReturn, final
from urllib.parse import parse_qsl, quote, quote_plus

import httpx

__all__ = ["REDACTED", "Secret", "redact", "redact_bytes", "sent_secrets"]


@final
class Secret:
    """Holds a credential; every textual form of it is ``'***'``.

    Traceback formatters that capture locals (``capture_locals=True``, Sentry, rich) print ``repr()`` of each
    local, so storing tokens in this wrapper keeps them out of crash reports. Call :meth:`reveal` only in
    the expression that builds the outgoing header, never into a variable.
    """

    # No __dict__: dumpers that walk vars(obj) find nothing to print.
    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"a secret must be a str, not {type(value).__name__}")
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "'***'"

    __str__ = __repr__

    def __format__(self, format_spec: str) -> str:
        return "'***'"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        # Constant time, so comparing secrets does not leak them through timing.
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(Secret)

    def __reduce__(self) -> NoReturn:
        # Pickling would write the plain value to disk or a queue without anyone noticing.
        raise TypeError("Secret objects cannot be pickled")


# ---- redaction: what a server could echo back -------------------------------------------------------

REDACTED = "***"
_MIN_LENGTH = 4  # shorter "secrets" would mangle every message they appear in by chance
_CREDENTIAL_HEADERS = ("authorization", "proxy-authorization")
_SECRET_FIELDS = frozenset(
    {"access_token", "refresh_token", "client_secret", "password", "code", "assertion", "jwt", "token"}
)


def sent_secrets(request: httpx.Request | None) -> list[str]:
    """The credentials ``request`` carried, in each form a server could echo them: the credential part
    of ``Authorization`` (and, for Basic, the decoded password), secret form fields and query
    parameters (``refresh_token=``, ``access_token=``, ...), and a password in the URL."""
    if request is None:
        return []
    found: list[str] = []
    for name in _CREDENTIAL_HEADERS:
        for value in request.headers.get_list(name):
            scheme, _space, credential = value.strip().partition(" ")
            found.append(credential.strip() or scheme)
            if scheme.lower() == "basic":
                found += _basic_parts(credential.strip())
    found += [value for key, value in request.url.params.multi_items() if key.lower() in _SECRET_FIELDS]
    if request.url.password:
        found.append(request.url.password)
    found += _form_secrets(request)
    return found


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret (and its URL-encoded forms) replaced by ``***``."""
    for value in _forms(secrets):
        text = text.replace(value, REDACTED)
    return text


def redact_bytes(content: bytes, secrets: Iterable[str]) -> bytes:
    for value in _forms(secrets):
        content = content.replace(value.encode(), REDACTED.encode())
    return content


def _forms(secrets: Iterable[str]) -> list[str]:
    forms = set()
    for secret in secrets:
        if len(secret) >= _MIN_LENGTH:
            forms |= {secret, quote(secret, safe=""), quote_plus(secret)}
    return sorted(forms, key=len, reverse=True)  # a longer form may contain a shorter one


def _basic_parts(credential: str) -> list[str]:
    try:
        decoded = base64.b64decode(credential, validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return []
    _user, colon, password = decoded.partition(":")
    return [decoded, password] if colon else [decoded]


def _form_secrets(request: httpx.Request) -> list[str]:
    if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
        return []
    try:
        body = request.content.decode("utf-8", errors="replace")
    except httpx.RequestNotRead:
        return []
    return [value for key, value in parse_qsl(body) if key.lower() in _SECRET_FIELDS]
