"""What generated methods do with their arguments before building a request: enum values given as
strings become members, and a body comes from `body=` or from keyword fields."""

from __future__ import annotations

import enum
from typing import Any, TypeVar

from ._types import UNSET, Unset

__all__ = ["build_body", "build_required_body", "coerce_enum", "coerce_enum_list"]

E = TypeVar("E", bound=enum.Enum)


def coerce_enum(enum_class: type[E], value: Any) -> Any:
    """Accept an enum member or its value (`"squash"` for `MergeStrategy.SQUASH`); UNSET passes through."""
    if value is UNSET or value is None or isinstance(value, enum_class):
        return value
    try:
        return enum_class(value)
    except ValueError:
        allowed = ", ".join(repr(member.value) for member in enum_class)
        raise ValueError(
            f"{value!r} is not a valid {enum_class.__name__}; expected one of {allowed}"
        ) from None


def coerce_enum_list(enum_class: type[E], values: Any) -> Any:
    if values is UNSET or values is None:
        return values
    return [coerce_enum(enum_class, value) for value in values]


M = TypeVar("M")


def build_body(model_class: type[M], body: M | None, fields: dict[str, Any], operation: str) -> M | Unset:
    """The optional request body of `operation`: `body=`, a `model_class` built from keyword fields, or
    UNSET when neither is given."""
    return _build(model_class, body, fields, operation, required=False)


def build_required_body(model_class: type[M], body: M | None, fields: dict[str, Any], operation: str) -> M:
    """The required request body of `operation`: `body=`, or a `model_class` built from keyword fields."""
    built = _build(model_class, body, fields, operation, required=True)
    assert not isinstance(built, Unset)
    return built


def _build(
    model_class: type[M], body: M | None, fields: dict[str, Any], operation: str, *, required: bool
) -> M | Unset:
    given = {name: value for name, value in fields.items() if value is not UNSET}
    if body is not None:
        if given:
            raise TypeError(
                f"{operation}: pass the body either as body= or as keyword fields, not both "
                f"(got body= and {', '.join(sorted(given))})"
            )
        if not isinstance(body, model_class):
            raise TypeError(f"{operation}: body= must be a {model_class.__name__}, not {type(body).__name__}")
        return body
    if not given and not required:
        return UNSET
    try:
        return model_class(**given)
    except TypeError as exc:
        raise TypeError(
            f"{operation}: cannot build {model_class.__name__} from the keyword fields: {exc}"
        ) from None
