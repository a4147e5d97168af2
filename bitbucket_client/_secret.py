"""A tiny wrapper that keeps credentials out of reprs, logs and tracebacks."""

from __future__ import annotations

import hmac
from typing import NoReturn, final

__all__ = ["Secret"]


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
