"""Check a request body against its request model's shape, and turn it into the JSON to send.

Every generated request model module holds `REQUEST_SHAPE` (see `scripts/bbgen/request_shapes.py`): its
fields `(name in the document, Python name, type, required)`, the defaults filled in when absent (Cloud's
`type` discriminator) and what other keys may hold. `shape_of(model_class)` compiles that table once, on
first use, into a `Shape` whose `encode` walks a body, which may be the model, a plain dict keyed by the
document's names, or any mix of both at every depth, and returns the JSON value: defaults filled in,
enum members, dates and UUIDs as their JSON form. Every problem found is collected with its path
(`source.branch.name: expected str, got int`) and reported in one `InvalidBodyError` before anything is
sent. Nested models' tables are compiled when a body first reaches them, so a call pays only for the
shapes it uses; nothing of the generated code is imported before then.
"""

from __future__ import annotations

import datetime
import enum
import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any
from uuid import UUID

from ._converters import encode_value
from ._exceptions import InvalidBodyError
from ._types import UNSET

__all__ = ["Problems", "Shape", "shape_of"]

_MAX_PROBLEMS = 20
Path = tuple[str | int, ...]
Check = Callable[[Any, Path, "Problems"], Any]


class Problems:
    """What a walk found wrong, for one operation's body."""

    __slots__ = ("items", "operation")

    def __init__(self, operation: str) -> None:
        self.operation = operation
        self.items: list[str] = []

    def add(self, message: str) -> None:
        if len(self.items) < _MAX_PROBLEMS:
            self.items.append(message)

    def wrong_type(self, path: Path, expected: str, value: Any) -> None:
        self.add(
            f"{self.operation} body: {_dotted(path) or 'the body'}: expected {expected}, got {_kind(value)}"
        )

    def where(self, path: Path) -> str:
        return f"{self.operation} body" + (f" at {_dotted(path)}" if path else "")

    def raise_if_any(self) -> None:
        if self.items:
            raise InvalidBodyError(self.operation, self.items)


def _dotted(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _kind(value: Any) -> str:
    # Only the type: a body may hold secrets (a webhook's, a password) that must not reach a message.
    return "None" if value is None else type(value).__name__


class Shape:
    """A request model's compiled table: `encode` checks a body (the model or a dict) and returns its JSON."""

    __slots__ = ("by_python", "by_wire", "defaults", "extra", "fields", "model_class", "name", "required")

    def __init__(self, model_class: type, table: tuple[Any, ...]) -> None:
        fields, defaults, extra = table
        package = model_class.__module__.rpartition(".")[0]
        self.model_class = model_class
        self.name = model_class.__name__
        self.by_wire: dict[str, tuple[str, Check]] = {}
        self.by_python: dict[str, tuple[str, Check]] = {}
        required = []
        for wire, python, kind, is_required in fields:
            check = _compile(kind, package)
            self.by_wire[wire] = (python, check)
            self.by_python[python] = (wire, check)
            if is_required and wire not in defaults:
                required.append(wire)
        self.required = tuple(required)
        self.fields = tuple((python, wire, check) for wire, (python, check) in self.by_wire.items())
        self.defaults: dict[str, Any] = dict(defaults)
        self.extra: Check | None = None if extra is None else _compile(extra, package)

    def encode(self, value: Any, path: Path, problems: Problems, required: tuple[str, ...] = ()) -> Any:
        # Exact classes first: they are what bodies hold, and they skip the slower ABC check of Mapping.
        if value.__class__ is dict:
            out = self._from_mapping(value, path, problems)
        elif value.__class__ is self.model_class or isinstance(value, self.model_class):
            out = self._from_model(value, path, problems)
        elif isinstance(value, Mapping):
            out = self._from_mapping(value, path, problems)
        else:
            problems.wrong_type(path, f"a {self.name} or a dict", value)
            return None
        for key in (*self.required, *required):
            if key not in out:
                problems.add(f"missing required field {key!r} in {problems.where(path)}")
        return out

    def encode_fields(self, fields: Mapping[str, Any], problems: Problems, required: tuple[str, ...]) -> Any:
        """A body from a method's keyword fields (Python names; `UNSET` ones left out)."""
        out = dict(self.defaults)  # first, where the models put them
        for python, value in fields.items():
            if value is UNSET:
                continue
            wire, check = self.by_python[python]
            out[wire] = check(value, (python,), problems)
        for key in (*self.required, *required):
            if key not in out:
                field = self.by_wire[key][0]
                problems.add(f"missing required field {field!r} in {problems.where(())}")
        return out

    def _from_mapping(self, value: Mapping[Any, Any], path: Path, problems: Problems) -> dict[str, Any]:
        out = dict(self.defaults)
        for key, item in value.items():
            if item is UNSET:
                continue
            field = self.by_wire.get(key)
            if field is not None:
                out[key] = field[1](item, (*path, key), problems)
            elif self.extra is not None and isinstance(key, str):
                out[key] = self.extra(item, (*path, key), problems)
            else:
                problems.add(f"unknown key {key!r} in {problems.where(path)} ({self._known(key)})")
        return out

    def _from_model(self, value: Any, path: Path, problems: Problems) -> dict[str, Any]:
        out = dict(self.defaults)
        for python, wire, check in self.fields:
            item = getattr(value, python)
            if item is not UNSET:
                out[wire] = check(item, (*path, wire), problems)
        # Keys set on purpose through the model's `additional_properties` go as they are.
        extra = getattr(value, "additional_properties", None)
        if extra:
            for key, item in extra.items():
                out.setdefault(key, encode_value(item))
        return out

    def _known(self, key: Any) -> str:
        known = ", ".join(self.by_wire) or "none"
        if not isinstance(key, str):
            return f"known: {known}"
        by_python = self.by_python.get(key)
        if by_python and by_python[0] != key:
            return f"known: {known}; the document calls {key!r} {by_python[0]!r}"
        import difflib

        close = difflib.get_close_matches(key, list(self.by_wire), n=1)
        return f"known: {known}" + (f"; did you mean {close[0]!r}?" if close else "")


_SHAPES: dict[type, Shape] = {}


def shape_of(model_class: type) -> Shape:
    """The compiled shape of a generated request model (compiled on first use)."""
    shape = _SHAPES.get(model_class)
    if shape is None:
        table = sys.modules[model_class.__module__].REQUEST_SHAPE
        shape = _SHAPES[model_class] = Shape(model_class, table)
    return shape


# ---- the checks of each type ------------------------------------------------------------------------


def _compile(kind: Any, package: str) -> Check:
    if isinstance(kind, str):
        return _SIMPLE[kind]
    tag = kind[0]
    if tag == "enum":
        return _enum_check(frozenset(kind[1]), kind[1])
    if tag == "list":
        return _list_check(_compile(kind[1], package))
    if tag == "map":
        return _map_check(_compile(kind[1], package))
    if tag == "null":
        return _null_check(_compile(kind[1], package))
    if tag == "union":
        return _union_check([_compile(option, package) for option in kind[1]])
    if tag == "model":
        return _model_check(f"{package}.{kind[1]}", kind[2])
    raise ValueError(f"unknown request shape type {kind!r}")


def _str(value: Any, path: Path, problems: Problems) -> Any:
    if value.__class__ is str or isinstance(value, str):
        return value
    problems.wrong_type(path, "str", value)


def _int(value: Any, path: Path, problems: Problems) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    problems.wrong_type(path, "int", value)


def _float(value: Any, path: Path, problems: Problems) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    problems.wrong_type(path, "a number", value)


def _bool(value: Any, path: Path, problems: Problems) -> Any:
    if isinstance(value, bool):
        return value
    problems.wrong_type(path, "bool", value)


def _datetime(value: Any, path: Path, problems: Problems) -> Any:
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, str):
        return value
    problems.wrong_type(path, "a datetime or an ISO 8601 str", value)


def _date(value: Any, path: Path, problems: Problems) -> Any:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, str):
        return value
    problems.wrong_type(path, "a date or an ISO 8601 str", value)


def _uuid(value: Any, path: Path, problems: Problems) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, str):
        return value
    problems.wrong_type(path, "a UUID or a str", value)


def _any(value: Any, path: Path, problems: Problems) -> Any:
    return encode_value(value)


_SIMPLE: dict[str, Check] = {
    "str": _str,
    "int": _int,
    "float": _float,
    "bool": _bool,
    "datetime": _datetime,
    "date": _date,
    "uuid": _uuid,
    "any": _any,
}


def _enum_check(allowed: frozenset[Any], ordered: tuple[Any, ...]) -> Check:
    def check(value: Any, path: Path, problems: Problems) -> Any:
        raw = value.value if isinstance(value, enum.Enum) else value
        if isinstance(raw, str | int) and raw in allowed:
            return raw
        choices = ", ".join(repr(option) for option in ordered)
        # An enum's choices are public words, and showing the one given is what makes a typo obvious.
        given = repr(raw)[:60] if isinstance(raw, str | int) else _kind(value)
        problems.add(f"{problems.operation} body: {_dotted(path)}: expected one of {choices}, got {given}")

    return check


def _list_check(item: Check) -> Check:
    def check(value: Any, path: Path, problems: Problems) -> Any:
        if value.__class__ is list or isinstance(value, list | tuple):
            return [item(element, (*path, index), problems) for index, element in enumerate(value)]
        problems.wrong_type(path, "a list", value)

    return check


def _map_check(item: Check) -> Check:
    def check(value: Any, path: Path, problems: Problems) -> Any:
        if isinstance(value, Mapping) and all(isinstance(key, str) for key in value):
            return {key: item(element, (*path, key), problems) for key, element in value.items()}
        problems.wrong_type(path, "an object with str keys", value)

    return check


def _null_check(inner: Check) -> Check:
    def check(value: Any, path: Path, problems: Problems) -> Any:
        return None if value is None else inner(value, path, problems)

    return check


def _union_check(options: list[Check]) -> Check:
    def check(value: Any, path: Path, problems: Problems) -> Any:
        first: list[str] = []
        for option in options:
            trial = Problems(problems.operation)
            out = option(value, path, trial)
            if not trial.items:
                return out
            first = first or trial.items
        for message in first:
            problems.add(message)

    return check


def _model_check(module: str, class_name: str) -> Check:
    shape: Shape | None = None

    def check(value: Any, path: Path, problems: Problems) -> Any:
        nonlocal shape
        if shape is None:
            shape = shape_of(getattr(importlib.import_module(module), class_name))
        return shape.encode(value, path, problems)

    return check
