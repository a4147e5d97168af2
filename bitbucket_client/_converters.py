"""Converters: how each field of a response model turns JSON into its declared type, and back.

A converter takes a JSON value and returns the field's value, or `INVALID` when the value does not fit
the declared type (decoding then keeps it in `additional_properties`; see `_decoders`). Converters tell
the decoders what they do through a `_kind` attribute. `ModelSpec` is a model's table of (JSON key,
attribute, converter); `encode_value` turns any value a model holds back into JSON (`_encoders` does
whole models).
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Callable
from typing import Any, Final, TypeVar
from uuid import UUID

import attrs

__all__ = [
    "INVALID",
    "Converter",
    "Field",
    "ModelSpec",
    "as_any",
    "as_bool",
    "as_date",
    "as_datetime",
    "as_float",
    "as_int",
    "as_none",
    "as_str",
    "as_uuid",
    "encode_value",
    "enum_or_str",
    "list_of",
    "model",
    "one_of",
]


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"


INVALID: Final = _Invalid()
"""Returned by a converter when a value does not fit the declared type."""


Converter = Callable[[Any], Any]


Field = tuple[str, str, Converter]  # (JSON key, attribute name, converter)


def as_any(value: Any) -> Any:
    return value


def as_str(value: Any) -> Any:
    return value if value.__class__ is str else INVALID


def as_int(value: Any) -> Any:
    return value if value.__class__ is int else INVALID


def as_float(value: Any) -> Any:
    return value if value.__class__ is float or value.__class__ is int else INVALID


def as_bool(value: Any) -> Any:
    return value if value.__class__ is bool else INVALID


def as_none(value: Any) -> Any:
    return None if value is None else INVALID


def as_datetime(value: Any) -> Any:
    if value.__class__ is not str:
        return INVALID
    try:
        return datetime.datetime.fromisoformat(value)
    except ValueError:
        return INVALID


def as_date(value: Any) -> Any:
    if value.__class__ is not str:
        return INVALID
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return INVALID


def as_uuid(value: Any) -> Any:
    if value.__class__ is not str:
        return INVALID
    try:
        return UUID(value)
    except ValueError:
        return INVALID


E = TypeVar("E", bound=enum.Enum)


def enum_or_str(enum_class: type[E]) -> Converter:
    """A documented value becomes the enum member; an undocumented string is kept as `str`."""
    members = {member.value: member for member in enum_class}

    def convert(value: Any) -> Any:
        member = members.get(value) if value.__class__ in (str, int) else None
        if member is not None:
            return member
        return value if value.__class__ is str else INVALID

    convert._kind = ("enum", members)  # type: ignore[attr-defined]  # read by _decoders
    return convert


def model(model_class: Any) -> Converter:
    from_dict = model_class.from_dict

    def convert(value: Any) -> Any:
        return from_dict(value) if value.__class__ is dict else INVALID

    convert._kind = ("model", model_class)  # type: ignore[attr-defined]  # read by _decoders
    return convert


def list_of(item: Converter) -> Converter:
    def convert(value: Any) -> Any:
        if value.__class__ is not list:
            return INVALID
        out = [item(element) for element in value]
        return INVALID if any(element is INVALID for element in out) else out

    convert._kind = ("list", item)  # type: ignore[attr-defined]  # read by _decoders
    return convert


def one_of(*options: Converter) -> Converter:
    def convert(value: Any) -> Any:
        for option in options:
            result = option(value)
            if result is not INVALID:
                return result
        return INVALID

    convert._kind = ("one_of", options)  # type: ignore[attr-defined]  # read by the depth bound
    return convert


T = TypeVar("T")


@attrs.frozen
class ModelSpec:
    """How one response model maps JSON keys to attributes."""

    fields: tuple[Field, ...]
    extra: Converter | None = None  # converter for typed additionalProperties, if any
    keys: frozenset[str] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "keys", frozenset(key for key, _attr, _conv in self.fields))


_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})


def encode_value(value: Any) -> Any:
    """`value` as JSON: enums by value, dates as ISO text, UUIDs as text, models by `to_dict()`, lists
    and dicts copied item by item, however deeply they nest."""
    if value.__class__ in _JSON_SCALARS:
        return value  # most values: nothing to convert
    try:
        return _encode(value)
    except RecursionError:
        # JSON kept raw below the depth bound can nest deeper than the stack allows.
        return _encode_without_recursion(value)


def _encode(value: Any) -> Any:
    if value.__class__ in _JSON_SCALARS:
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None:
        return to_dict()
    return value


_MAX_NESTING = 10_000  # ten times what Python's JSON parser reads by default: a container holding itself


def _encode_without_recursion(value: Any) -> Any:
    """`_encode` with a stack of its own: every list and dict copied, other values by `encode_value`."""
    result: list[Any] = [None]
    pending: list[tuple[Any, Any, Any, int]] = [(result, 0, value, 0)]  # (into, at, value, depth)
    while pending:
        into, at, item, depth = pending.pop()
        if depth > _MAX_NESTING:
            raise ValueError("the value holds itself: it has no JSON form")
        if isinstance(item, dict):
            copy: Any = dict.fromkeys(item)  # the keys in their order; values filled in below
            pending.extend((copy, key, child, depth + 1) for key, child in item.items())
        elif isinstance(item, list):
            copy = [None] * len(item)
            pending.extend((copy, index, child, depth + 1) for index, child in enumerate(item))
        else:
            copy = encode_value(item)
        into[at] = copy
    return result[0]
