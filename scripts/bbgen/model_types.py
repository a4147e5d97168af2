"""Jinja helpers that write the lenient response models: their field types and converters.

They work on openapi-python-client's parsed Property objects, so templates stay declarative.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

_SIMPLE = {
    "StringProperty": ("str", "as_str"),
    "IntProperty": ("int", "as_int"),
    "FloatProperty": ("float", "as_float"),
    "BooleanProperty": ("bool", "as_bool"),
    "AnyProperty": ("Any", "as_any"),
    "DateTimeProperty": ("datetime.datetime", "as_datetime"),
    "DateProperty": ("datetime.date", "as_date"),
    "UuidProperty": ("UUID", "as_uuid"),
    "NoneProperty": ("None", "as_none"),
    "FileProperty": ("Any", "as_any"),
    "ConstProperty": ("Any", "as_any"),
}


def _kind(prop: Any) -> str:
    return type(prop).__name__


def response_type(prop: Any) -> str:
    """The annotation of a response field, without `| Unset`."""
    kind = _kind(prop)
    if kind in _SIMPLE:
        return _SIMPLE[kind][0]
    if kind in ("EnumProperty", "LiteralEnumProperty"):
        return f"{prop.class_info.name} | str"
    if kind == "ModelProperty":
        return str(prop.class_info.name)
    if kind == "ListProperty":
        return f"list[{response_type(prop.inner_property)}]"
    if kind == "UnionProperty":
        return union_text(response_type(inner) for inner in prop.inner_properties)
    raise ValueError(f"no response type for {kind} {prop.name}")


def union_text(annotations: Iterable[str]) -> str:
    """`A | B` from annotations that may be unions themselves: each member once, None last (as people
    write it)."""
    parts: list[str] = []
    for annotation in annotations:
        for part in annotation.split(" | "):
            if part not in parts:
                parts.append(part)
    if "None" in parts:
        parts.remove("None")
        parts.append("None")
    return " | ".join(parts)


def converter(prop: Any) -> str:
    """A Python expression building the runtime converter for `prop`."""
    kind = _kind(prop)
    if kind in _SIMPLE:
        return _SIMPLE[kind][1]
    if kind in ("EnumProperty", "LiteralEnumProperty"):
        return f"enum_or_str({prop.class_info.name})"
    if kind == "ModelProperty":
        return f"model({prop.class_info.name})"
    if kind == "ListProperty":
        return f"list_of({converter(prop.inner_property)})"
    if kind == "UnionProperty":
        return "one_of(" + ", ".join(converter(inner) for inner in prop.inner_properties) + ")"
    raise ValueError(f"no converter for {kind} {prop.name}")


# The runtime converters `converter` names.
CONVERTERS = (
    "as_any",
    "as_bool",
    "as_date",
    "as_datetime",
    "as_float",
    "as_int",
    "as_none",
    "as_str",
    "as_uuid",
    "enum_or_str",
    "list_of",
    "model",
    "one_of",
)


def runtime_imports() -> list[str]:
    """Everything a response model may use from `_converters`; ruff drops what a module does not use."""
    return sorted(["ModelSpec", *CONVERTERS], key=str.lower)


def uses_datetime(props: list[Any]) -> bool:
    return any("datetime." in response_type(prop) for prop in props)


def uses_uuid(props: list[Any]) -> bool:
    return any("UUID" in response_type(prop) for prop in props)


JINJA_GLOBALS = {
    "response_type": response_type,
    "converter": converter,
    "runtime_imports": runtime_imports,
    "uses_datetime": uses_datetime,
    "uses_uuid": uses_uuid,
}


def endpoint_return_type(endpoint: Any) -> str:
    """The union of what an endpoint's documented 2xx answers decode to."""
    parts: list[str] = []
    for response in endpoint.responses.patterns:
        attribute = response.source["attribute"]
        if attribute == "response.json()":
            text = response_type(response.prop)
        elif attribute == "response.content":
            text = "bytes"
        elif attribute == "response.text":
            text = "str"
        else:
            text = "None"
        for part in text.split(" | "):
            if part not in parts:
                parts.append(part)
    if "None" in parts:
        parts.remove("None")
        parts.append("None")
    return " | ".join(parts) or "None"


def raise_error(message: str) -> None:
    raise ValueError(message)


JINJA_GLOBALS["endpoint_return_type"] = endpoint_return_type
JINJA_GLOBALS["raise_error"] = raise_error
