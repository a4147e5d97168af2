"""Encoding response models back to JSON (`to_dict()`): `encode`, and one compiled encoder per model.

`to_dict()` gives the JSON object: every field that is set, and everything in `additional_properties`.
A model decoded from JSON may hold fields nobody has read yet (their slots are empty, `_decoders`):
their JSON is copied from what the model was decoded from, without decoding it. A `null` the server
sent for a field whose type does not admit None (the attribute reads `UNSET`) is given back as `null`.

A generic loop (`encode_model`) does the first calls for a class; then a compiled encoder takes over.
For a model built by its constructor (every slot set, `_raw` None; the in-memory fakes build every
answer that way) it reads each attribute once, passes JSON scalars through and calls the encoders of
nested models directly; a decoded model goes through the generic loop, which copes with empty slots.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from . import _converters as rt
from ._converters import encode_value
from ._decoders import kind_of, slot_of, spec_of
from ._types import UNSET

__all__ = ["COMPILE_AFTER", "encode", "encode_model", "encoder_for"]

COMPILE_AFTER = 8  # as for decoders: a job that encodes a handful of models is faster without compiling

Encoder = Callable[[Any], dict[str, Any]]
_ENCODERS: dict[type, Encoder] = {}
_ENCODE_COUNTS: dict[type, int] = {}
_SLOTS: dict[type, tuple[tuple[str, Any], ...]] = {}


def encode(instance: Any) -> dict[str, Any]:
    """`instance.to_dict()`."""
    model_class = type(instance)
    encoder = _ENCODERS.get(model_class)
    if encoder is None:
        seen = _ENCODE_COUNTS[model_class] = _ENCODE_COUNTS.get(model_class, 0) + 1
        if seen <= COMPILE_AFTER:
            return encode_model(instance)
        encoder = encoder_for(model_class)
    return encoder(instance)


def encoder_for(model_class: type) -> Encoder:
    """The compiled encoder of `model_class`, and of the models it holds."""
    encoder = _ENCODERS.get(model_class)
    if encoder is None:
        # A forwarding placeholder first, for models that hold themselves (Cloud's Repository.parent).
        _ENCODERS[model_class] = lambda instance: _ENCODERS[model_class](instance)
        encoder = _ENCODERS[model_class] = _compile(model_class)
    return encoder


def encode_model(instance: Any) -> dict[str, Any]:
    """What a compiled encoder does, field by field."""
    out = {key: encode_value(value) for key, value in instance.additional_properties.items()}
    return _encode_slots(instance, _slots(type(instance)), out)


def _slots(model_class: type) -> tuple[tuple[str, Any], ...]:
    slots = _SLOTS.get(model_class)
    if slots is None:
        fields = spec_of(model_class).fields
        slots = _SLOTS[model_class] = tuple((key, slot_of(model_class, attr)) for key, attr, _ in fields)
    return slots


def _encode_slots(instance: Any, slots: tuple[tuple[str, Any], ...], out: dict[str, Any]) -> dict[str, Any]:
    raw = instance._raw
    for key, slot in slots:
        try:
            value = slot.__get__(instance)
        except AttributeError:
            if raw is None:
                raise
            if key in raw:  # not read yet: its JSON as the server sent it
                out[key] = encode_value(raw[key])
            continue
        if value is UNSET:
            if raw is not None and key not in out and key in raw and raw[key] is None:
                out[key] = None  # null for a type without None: "no value", given back as sent
            continue
        out[key] = encode_value(value)
    return out


# ---- compiled encoders ----------------------------------------------------------------------------

_TYPED_SCALARS = {rt.as_str: "str", rt.as_int: "int", rt.as_bool: "bool"}
_SCALARS = (rt.as_float, rt.as_any, rt.as_none)
_INLINE_LEVELS = 3  # nested models written out in their parent's encoder, when built by a constructor


class _Compiler:
    def __init__(self, model_class: type) -> None:
        self.namespace: dict[str, Any] = {
            "UNSET": UNSET,
            "SCALARS": rt._JSON_SCALARS,
            "encode_value": encode_value,
            "encode_slots": _encode_slots,
            "SLOTS": _slots(model_class),
        }

    def bind(self, value: Any) -> str:
        name = f"c{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def fields(self, model_class: type, obj: str, out: str, level: int) -> list[str]:
        """Lines that put the set fields of `obj` (built by a constructor) into the dict `out`."""
        v = f"v{level}"
        lines: list[str] = []
        for key, attr, convert in spec_of(model_class).fields:
            lines += [f"{v} = {obj}.{attr}", f"if {v} is not UNSET:"]
            kind = kind_of(convert)
            if kind is not None and kind[0] == "model" and level < _INLINE_LEVELS:
                # What the nested model's encoder would do, without the call.
                inner, cls = f"o{level + 1}", self.bind(kind[1])
                lines += [
                    f"    if {v}.__class__ is {cls} and {v}._raw is None and not {v}.additional_properties:",
                    f"        {inner} = {{}}",
                    *("        " + line for line in self.fields(kind[1], v, inner, level + 1)),
                    f"        {out}[{key!r}] = {inner}",
                    "    else:",
                    f"        {out}[{key!r}] = {self.expr(convert, v)}",
                ]
            else:
                lines += [f"    {out}[{key!r}] = {self.expr(convert, v)}"]
        return lines

    def expr(self, convert: rt.Converter, v: str) -> str:
        """The JSON of `v`, a set value of a field with converter `convert`."""
        if convert in _TYPED_SCALARS:
            return f"{v} if {v}.__class__ is {_TYPED_SCALARS[convert]} else encode_value({v})"
        if convert in _SCALARS:
            return f"{v} if {v}.__class__ in SCALARS else encode_value({v})"
        kind = kind_of(convert)
        if kind is None:
            return f"encode_value({v})"
        if convert is rt.as_datetime or (kind[0] == "one_of" and rt.as_datetime in kind[1]):
            return (
                f"{v}.isoformat() if {v}.__class__ is {self.bind(datetime.datetime)} else encode_value({v})"
            )
        if kind[0] == "enum" and kind[1]:
            enum_class = self.bind(type(next(iter(kind[1].values()))))
            return f"{v}.value if {v}.__class__ is {enum_class} else encode_value({v})"
        if kind[0] == "model":
            return self.model(kind[1], v)
        if kind[0] == "list" and _is_model(kind[1]):
            each = self.model(kind_of(kind[1])[1], "i_")  # type: ignore[index]
            return f"[{each} for i_ in {v}] if {v}.__class__ is list else encode_value({v})"
        if kind[0] == "one_of" and len(kind[1]) == 2 and _is_model(kind[1][0]) and kind[1][1] is rt.as_none:
            return f"None if {v} is None else {self.model(kind_of(kind[1][0])[1], v)}"  # type: ignore[index]
        return f"encode_value({v})"

    def model(self, model_class: type, v: str) -> str:
        encoder, cls = self.bind(encoder_for(model_class)), self.bind(model_class)
        return f"{encoder}({v}) if {v}.__class__ is {cls} else encode_value({v})"


def _is_model(convert: rt.Converter) -> bool:
    kind = kind_of(convert)
    return kind is not None and kind[0] == "model"


def _compile(model_class: type) -> Encoder:
    compiler = _Compiler(model_class)
    lines = [
        "def encode_(self):",
        "    extra = self.additional_properties",
        "    out = {key: encode_value(value) for key, value in extra.items()} if extra else {}",
        "    if self._raw is not None:",
        "        return encode_slots(self, SLOTS, out)",
        *("    " + line for line in compiler.fields(model_class, "self", "out", 0)),
        "    return out",
    ]
    code = compile("\n".join(lines), f"<bitbucket_client encoder for {model_class.__qualname__}>", "exec")
    exec(code, compiler.namespace)
    encoder: Encoder = compiler.namespace["encode_"]
    return encoder
