"""What generated methods do with their arguments before building a request: enum values given as
strings become members, and a body comes from `body=` or from keyword fields, checked against its request
model's shape (`_validation`) and turned into the JSON to send."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from ._exceptions import InvalidBodyError
from ._types import UNSET
from ._validation import Problems, shape_of

__all__ = ["build_body", "build_body_list", "build_required_body", "coerce_enum", "coerce_enum_list"]

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


def build_body(
    model_class: type,
    body: Any,
    fields: Mapping[str, Any],
    operation: str,
    required: tuple[str, ...] = (),
) -> Any:
    """The optional JSON body of `operation`: from `body=` (a `model_class` or a dict of its shape, at
    every depth), or from keyword fields; UNSET when neither is given. `required` names the fields the
    operation requires beyond the model's own. Raises `InvalidBodyError` naming every problem."""
    return _build(model_class, body, fields, operation, required, optional=True)


def build_required_body(
    model_class: type,
    body: Any,
    fields: Mapping[str, Any],
    operation: str,
    required: tuple[str, ...] = (),
) -> Any:
    """The required JSON body of `operation` (see `build_body`): a body is sent even without fields."""
    return _build(model_class, body, fields, operation, required, optional=False)


def build_body_list(model_class: type, body: Any, operation: str) -> Any:
    """A JSON body that is a list of `model_class` items (models or dicts); UNSET for None."""
    if body is None:
        return UNSET
    problems = Problems(operation)
    if isinstance(body, str | bytes | Mapping) or not isinstance(body, Sequence):
        raise InvalidBodyError(
            operation, [f"body= must be a list of {model_class.__name__}, not {_name(body)}"]
        )
    shape = shape_of(model_class)
    out = [shape.encode(item, (index,), problems) for index, item in enumerate(body)]
    problems.raise_if_any()
    return out


def _build(
    model_class: type,
    body: Any,
    fields: Mapping[str, Any],
    operation: str,
    required: tuple[str, ...],
    *,
    optional: bool,
) -> Any:
    shape = shape_of(model_class)
    problems = Problems(operation)
    if body is not None:
        given = sorted(name for name, value in fields.items() if value is not UNSET)
        if given:
            both = f"got body= and {', '.join(given)}"
            raise InvalidBodyError(
                operation, [f"pass the body either as body= or as keyword fields, not both ({both})"]
            )
        if not isinstance(body, Mapping | model_class):
            raise InvalidBodyError(
                operation, [f"body= must be a {model_class.__name__} or a dict, not {_name(body)}"]
            )
        out = shape.encode(body, (), problems, required)
    else:
        if optional and all(value is UNSET for value in fields.values()):
            return UNSET
        out = shape.encode_fields(fields, problems, required)
    problems.raise_if_any()
    return out


def _name(value: Any) -> str:
    return type(value).__name__
