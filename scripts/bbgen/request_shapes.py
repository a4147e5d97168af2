"""Jinja helpers for the request side: the dict form (`TypedDict`) of each request model, the shape the
body validator walks at run time, and the annotations of body parameters.

They work on openapi-python-client's parsed Property objects. A request model `X` gets, in its module:

- `XDict`, a `TypedDict` of the same shape keyed by the document's names, so that a plain dict body is
  checked by mypy and completed by IDEs (required fields `Required`, the rest optional);
- `REQUEST_SHAPE`, plain data that `bitbucket_client._arguments` compiles on first use: the fields
  `(name in the document, Python name, type, required)`, the defaults filled in when absent (Cloud's
  `type`), and what other keys may hold (None: no other key). Types are `"str"`, `"int"`, `"float"`,
  `"bool"`, `"datetime"`, `"date"`, `"uuid"`, `"any"`, or tuples: `("enum", values)`, `("list", type)`,
  `("map", type)`, `("model", module, class)`, `("null", type)`, `("union", types)`.

A field that holds a request model accepts that model or its dict form, at every depth.
"""

from __future__ import annotations

import json
import keyword
from typing import Any

from .model_types import union_text
from .sources import ROOT

DICT_SUFFIX = "Dict"

_SHAPE_TYPES = {
    "StringProperty": "str",
    "IntProperty": "int",
    "FloatProperty": "float",
    "BooleanProperty": "bool",
    "DateTimeProperty": "datetime",
    "DateProperty": "date",
    "UuidProperty": "uuid",
    "AnyProperty": "any",
    "FileProperty": "any",
}
_ANNOTATIONS = {
    "StringProperty": "str",
    "IntProperty": "int",
    "FloatProperty": "float",
    "BooleanProperty": "bool",
    "DateTimeProperty": "datetime.datetime | str",
    "DateProperty": "datetime.date | str",
    "UuidProperty": "UUID | str",
    "AnyProperty": "Any",
    "FileProperty": "Any",
    "NoneProperty": "None",
}


def _kind(prop: Any) -> str:
    return type(prop).__name__


def _text(value: Any) -> str:
    while hasattr(value, "get_untrusted_value"):
        value = value.get_untrusted_value()
    return str(value)


class RequestSide:
    """The helpers, bound to one product's request models (`request_models`) and the free-form ones
    (`open_models`: a body of theirs may carry any key)."""

    def __init__(self, request_models: frozenset[str], open_models: frozenset[str]) -> None:
        self.request_models = request_models
        self.open_models = open_models

    def is_request_model(self, prop: Any) -> bool:
        return _kind(prop) == "ModelProperty" and prop.class_info.name in self.request_models

    # ---- the shape the validator walks ------------------------------------------------------------

    def shape_type(self, prop: Any) -> Any:
        kind = _kind(prop)
        if kind in _SHAPE_TYPES:
            return _SHAPE_TYPES[kind]
        if kind in ("EnumProperty", "LiteralEnumProperty"):
            return ("enum", tuple(prop.values.values()))
        if kind == "ConstProperty":
            return ("enum", (prop.value.raw_value,))
        if kind == "ListProperty":
            return ("list", self.shape_type(prop.inner_property))
        if kind == "ModelProperty":
            if prop.class_info.name not in self.request_models:
                return ("map", "any")  # a free-form object openapi-python-client made a class for
            return ("model", prop.class_info.module_name, prop.class_info.name)
        if kind == "UnionProperty":
            options = [inner for inner in prop.inner_properties if _kind(inner) != "NoneProperty"]
            inner = (
                self.shape_type(options[0])
                if len(options) == 1
                else ("union", tuple(map(self.shape_type, options)))
            )
            return ("null", inner) if len(options) < len(prop.inner_properties) else inner
        if kind == "NoneProperty":
            return ("null", "any")
        raise ValueError(f"no request shape for {kind} {prop.name}")

    def request_shape(self, model: Any) -> str:
        """The `REQUEST_SHAPE` literal of a request model."""
        fields = []
        defaults = {}
        for prop in self.properties(model):
            wire = _text(prop.name)
            fields.append((wire, str(prop.python_name), self.shape_type(prop), bool(prop.required)))
            if prop.default is not None and prop.required:
                defaults[wire] = prop.default.raw_value
        return repr((tuple(fields), defaults, self._extra(model)))

    def _extra(self, model: Any) -> Any:
        extra = model.additional_properties
        if model.class_info.name in self.open_models or not self.properties(model):
            return "any"
        if extra is None or _kind(extra) == "AnyProperty":
            return None  # closed: an unknown key is a mistake (Cloud's `object` base is open for answers)
        return self.shape_type(extra)

    @staticmethod
    def properties(model: Any) -> list[Any]:
        return list(model.required_properties or []) + list(model.optional_properties or [])

    # ---- annotations -------------------------------------------------------------------------------

    def annotation(self, prop: Any) -> str:
        """What a body field accepts: models or their dict form, sequences, enum members or values."""
        kind = _kind(prop)
        if kind in _ANNOTATIONS:
            return _ANNOTATIONS[kind]
        if kind in ("EnumProperty", "LiteralEnumProperty"):
            literal = "Literal[" + ", ".join(repr(v) for v in prop.values.values()) + "]"
            return f"{prop.class_info.name} | {literal}"
        if kind == "ConstProperty":
            return f"Literal[{prop.value.raw_value!r}]"
        if kind == "ListProperty":
            return f"Sequence[{self.annotation(prop.inner_property)}]"
        if kind == "ModelProperty":
            name = prop.class_info.name
            if name not in self.request_models:
                return "Mapping[str, Any]"
            return f"{name} | {name}{DICT_SUFFIX}"
        if kind == "UnionProperty":
            return union_text(self.annotation(inner) for inner in prop.inner_properties)
        raise ValueError(f"no request annotation for {kind} {prop.name}")

    def imports(self, prop: Any, *, classes: bool = True) -> set[str]:
        """`from ..models.x import ...` lines for what `annotation(prop)` names: the dict forms, and with
        `classes` the model and enum classes too (a model module imports those already)."""
        kind = _kind(prop)
        info: Any = getattr(prop, "class_info", None)
        if kind in ("EnumProperty", "LiteralEnumProperty"):
            return {f"from ..models.{info.module_name} import {info.name}"} if classes else set()
        if kind == "ModelProperty" and info.name in self.request_models:
            names = f"{info.name}, {info.name}{DICT_SUFFIX}" if classes else f"{info.name}{DICT_SUFFIX}"
            return {f"from ..models.{info.module_name} import {names}"}
        out: set[str] = set()
        if kind == "ListProperty":
            out |= self.imports(prop.inner_property, classes=classes)
        for inner in getattr(prop, "inner_properties", None) or []:
            out |= self.imports(inner, classes=classes)
        return out

    # ---- the TypedDict --------------------------------------------------------------------------------

    def typed_dict(self, model: Any) -> dict[str, Any]:
        """What `request_extras.py.jinja` writes: the keys with their annotations, whether class syntax
        can spell them, and the imports (same-module names left out)."""
        name = model.class_info.name
        keys = []
        imports: set[str] = set()
        for prop in self.properties(model):
            wire = _text(prop.name)
            required = bool(prop.required) and prop.default is None
            annotation = self.annotation(prop)
            keys.append((wire, f"Required[{annotation}]" if required else f"NotRequired[{annotation}]"))
            own = f".{model.class_info.module_name} import {name}{DICT_SUFFIX}"
            imports |= {line for line in self.imports(prop, classes=False) if not line.endswith(own)}
        class_syntax = all(k.isidentifier() and not keyword.iskeyword(k) for k, _ in keys)
        return {
            "name": name + DICT_SUFFIX,
            "free_form": name in self.open_models or not keys,
            "fields": keys,
            "class_syntax": class_syntax,
            "imports": sorted(imports),
        }


def load_aliases(product: str, data: Any, request_models: frozenset[str]) -> dict[str, list[str]]:
    """`specs/aliases/<product>.json` (readable name -> generated request model), checked, as
    {model: [readable names]}."""
    path = ROOT / "specs" / "aliases" / f"{product}.json"
    table: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    taken = {m.class_info.name for m in data.models} | {e.class_info.name for e in data.enums}
    out: dict[str, list[str]] = {}
    for alias, model in table.items():
        if model not in request_models:
            raise ValueError(
                f"specs/aliases/{product}.json: {alias} names {model}, which is no request model"
            )
        clash = {alias, alias + DICT_SUFFIX} & (taken | {name + DICT_SUFFIX for name in request_models})
        if not alias.isidentifier() or clash:
            raise ValueError(
                f"specs/aliases/{product}.json: {alias} is not a free class name ({sorted(clash)})"
            )
        out.setdefault(model, []).append(alias)
    return out
