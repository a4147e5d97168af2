"""Decoding JSON into response models: `decode_model`, and one compiled decoder per model.

Response models are lenient: real Bitbucket servers send values their documents do not promise (an
unknown enum value, `null` for a plain type, ISO dates where epoch milliseconds are documented, extra
fields, missing "required" fields). Decoding never raises for those. A value that fits its declared type
is set on the model; one that does not leaves the attribute `UNSET` and is kept, untouched, in
`additional_properties` under its JSON key, next to the fields the schema does not know. So the types
never lie, and no data is lost: `to_dict()` gives back what the server sent.

A generic loop (`_decode_generic`) calls a converter per field; once a class has been decoded a few
times it gets a compiled decoder, which checks `key in data`, tests primitive types inline
(`raw.__class__ is str`), calls nested models' decoders directly and builds tiny models (Cloud's
`Link`: at most three primitive fields) inline. Same results, three to four times faster: decoding is
most of a client's CPU per request and per page (docs/benchmarks.md). Converters tell the compiler
what they do through their `_kind` attribute (`_converters`).

Data nested deeper than the stack allows (a `parent` 500 levels deep) is decoded again with a bound of
`MAX_MODEL_DEPTH` nested models; deeper parts stay raw in `additional_properties`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from . import _converters as rt
from ._converters import INVALID, Converter, ModelSpec
from ._types import UNSET

__all__ = ["COMPILE_AFTER", "MAX_MODEL_DEPTH", "decode_model", "decoder_for", "kind_of", "spec_of"]

T = TypeVar("T")


def decode_model(model_class: type[T], data: Mapping[str, Any], spec: ModelSpec) -> T:
    """Decode one JSON object into `model_class` (whose module's `_spec()` is `spec`), never raising
    for values that do not fit; see the module docstring. The work is done by a decoder compiled
    once per class (`_decoders`)."""
    if data.__class__ is not dict and not isinstance(data, Mapping):
        raise TypeError(f"{model_class.__name__} expects a JSON object, got {type(data).__name__}")
    try:
        decoder = _DECODERS.get(model_class)
        if decoder is None:
            # Compiling costs a few milliseconds per class: a short-lived job that decodes a handful of
            # objects is faster without it, so a class is compiled once it has been decoded a few times.
            seen = _DECODE_COUNTS[model_class] = _DECODE_COUNTS.get(model_class, 0) + 1
            if seen <= COMPILE_AFTER:
                return _decode_generic(model_class, data, spec)
            decoder = decoder_for(model_class)
        instance: T = decoder(data)
        return instance
    except RecursionError:
        # Hostile or broken data nested deeper than the stack allows (a `parent` 500 levels deep).
        # Costs nothing on the normal path; only the outermost decode starts the bounded one.
        if _inside_another_decode():
            raise
        return _decode_within_bound(model_class, data, spec)


COMPILE_AFTER = 8


_DECODE_COUNTS: dict[type, int] = {}


MAX_MODEL_DEPTH = 64
"""Models nested deeper than this below the decoded object keep that part raw in
`additional_properties` (only when the data is too deep to decode whole; real payloads nest a few
levels)."""


def _inside_another_decode() -> bool:
    frame = sys._getframe(2)  # 0: this function, 1: the decode_model that caught the error
    while frame is not None:
        if frame.f_code is decode_model.__code__:
            return True
        frame = frame.f_back  # type: ignore[assignment]
    return False


def _decode_within_bound(model_class: type[T], data: Mapping[str, Any], spec: ModelSpec) -> T:
    try:
        return _decode_bounded(model_class, data, spec, MAX_MODEL_DEPTH)
    except RecursionError:
        # The caller's own stack is nearly full: keep everything raw rather than fail.
        instance = model_class.__new__(model_class)
        for _key, attribute, _convert in spec.fields:
            object.__setattr__(instance, attribute, UNSET)
        object.__setattr__(instance, "additional_properties", dict(data))
        return instance


def _decode_bounded(model_class: type[T], data: Mapping[str, Any], spec: ModelSpec, depth: int) -> T:
    """`_decode_generic` that stops `depth` models down: deeper models stay raw, as values that do not fit."""
    instance = model_class.__new__(model_class)
    extra: dict[str, Any] = {}
    for key, attribute, convert in spec.fields:
        raw = data.get(key, UNSET)
        value = UNSET if raw is UNSET else _convert_bounded(convert, raw, depth)
        if value is INVALID:
            extra[key] = raw
            value = UNSET
        object.__setattr__(instance, attribute, value)
    for key, raw in data.items():
        if key not in spec.keys:
            value = raw if spec.extra is None else _convert_bounded(spec.extra, raw, depth)
            extra[key] = raw if value is INVALID else value
    object.__setattr__(instance, "additional_properties", extra)
    return instance


def _convert_bounded(convert: Converter, raw: Any, depth: int) -> Any:
    kind = getattr(convert, "_kind", None)
    if kind is not None and kind[0] == "model":
        if raw.__class__ is not dict or depth <= 0:
            return INVALID
        return _decode_bounded(kind[1], raw, spec_of(kind[1]), depth - 1)
    if kind is not None and kind[0] == "list":
        if raw.__class__ is not list:
            return INVALID
        items = [_convert_bounded(kind[1], item, depth) for item in raw]
        return INVALID if any(item is INVALID for item in items) else items
    if kind is not None and kind[0] == "one_of":
        for option in kind[1]:
            value = _convert_bounded(option, raw, depth)
            if value is not INVALID:
                return value
        return INVALID
    try:
        return convert(raw)
    except RecursionError:  # a converter the bound does not see into (one_of of models, ...)
        return INVALID


def _decode_generic(model_class: type[T], data: Mapping[str, Any], spec: ModelSpec) -> T:
    """The same decoding as a compiled decoder, field by field through the converters."""
    instance = model_class.__new__(model_class)
    setter = object.__setattr__
    extra: dict[str, Any] = {}
    present = 0
    for key, attribute, convert in spec.fields:
        raw = data.get(key, UNSET)
        if raw is UNSET:
            setter(instance, attribute, UNSET)
            continue
        present += 1
        value = convert(raw)
        if value is INVALID:
            extra[key] = raw
            value = UNSET
        setter(instance, attribute, value)
    if len(data) > present:
        for key, raw in data.items():
            if key not in spec.keys:
                if spec.extra is None:
                    extra[key] = raw
                else:
                    value = spec.extra(raw)
                    extra[key] = raw if value is INVALID else value
    setter(instance, "additional_properties", extra)
    return instance


# ---- compiled decoders ----------------------------------------------------------------------------

Decoder = Callable[[Any], Any]
_DECODERS: dict[type, Decoder] = {}
_PRIMITIVE_CLASS = {rt.as_str: "str", rt.as_int: "int", rt.as_bool: "bool"}
_INLINE_DEPTH = 3


def kind_of(converter: rt.Converter) -> tuple[str, Any] | None:
    kind: tuple[str, Any] | None = getattr(converter, "_kind", None)
    return kind


def spec_of(model_class: type) -> rt.ModelSpec:
    spec: rt.ModelSpec = sys.modules[model_class.__module__]._spec()
    return spec


def decoder_for(model_class: type) -> Decoder:
    decoder = _DECODERS.get(model_class)
    if decoder is None:
        # A forwarding placeholder first, for models that contain themselves (Cloud's Repository.parent).
        _DECODERS[model_class] = lambda data: _DECODERS[model_class](data)
        decoder = _DECODERS[model_class] = _compile(model_class, spec_of(model_class))
    return decoder


def _plain_setattr(cls: type) -> bool:
    """Whether `obj.attr = value` works (attrs slotted classes), or setattr_ must be used (frozen ones)."""
    method: object = cls.__setattr__
    return method is object.__setattr__


def _is_tiny(model_class: type) -> bool:
    spec = spec_of(model_class)
    simple = (rt.as_str, rt.as_int, rt.as_bool, rt.as_any)
    return (
        len(spec.fields) <= 3
        and _plain_setattr(model_class)
        and spec.extra in (None, rt.as_any)
        and all(convert in simple for _key, _attr, convert in spec.fields)
    )


class _Compiler:
    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {
            "UNSET": UNSET,
            "INVALID": rt.INVALID,
            "setattr_": object.__setattr__,
        }
        self.counter = 0

    def bind(self, prefix: str, value: Any) -> str:
        self.counter += 1
        name = f"{prefix}{self.counter}"
        self.namespace[name] = value
        return name

    def fields(
        self, cls: type, spec: rt.ModelSpec, src: str, obj: str, extra: str, present: str, depth: int
    ) -> list[str]:
        """Lines that set every field of `obj` (already created) from the mapping named `src`."""
        direct = _plain_setattr(cls)

        def assign(attr: str, expr: str) -> str:
            return f"{obj}.{attr} = {expr}" if direct else f"setattr_({obj}, {attr!r}, {expr})"

        raw = f"r_{obj}"
        out: list[str] = []
        for key, attr, convert in spec.fields:
            k = repr(key)
            invalid = [f"{extra}[{k}] = {raw}", assign(attr, "UNSET")]
            out += [f"if {k} in {src}:", f"    {present} += 1", f"    {raw} = {src}[{k}]"]
            body = self.field(convert, raw, attr, k, extra, invalid, assign, depth)
            out += ["    " + line for line in body]
            out += ["else:", "    " + assign(attr, "UNSET")]
        return out

    def field(
        self,
        convert: rt.Converter,
        raw: str,
        attr: str,
        k: str,
        extra: str,
        invalid: list[str],
        assign: Callable[[str, str], str],
        depth: int,
    ) -> list[str]:
        kind = kind_of(convert)
        otherwise = ["else:", *("    " + line for line in invalid)]
        if convert is rt.as_any:
            return [assign(attr, raw)]
        if convert in _PRIMITIVE_CLASS:
            return [
                f"if {raw}.__class__ is {_PRIMITIVE_CLASS[convert]}:",
                "    " + assign(attr, raw),
                *otherwise,
            ]
        if kind is not None and kind[0] == "model" and depth < _INLINE_DEPTH and _is_tiny(kind[1]):
            return self.inline_model(kind[1], raw, attr, assign, otherwise, depth)
        if kind is not None and kind[0] == "model":
            decode = self.bind("decode", decoder_for(kind[1]))
            return [f"if {raw}.__class__ is dict:", "    " + assign(attr, f"{decode}({raw})"), *otherwise]
        item_kind = kind_of(kind[1]) if kind is not None and kind[0] == "list" else None
        if item_kind is not None and item_kind[0] == "model":
            decode = self.bind("decode", decoder_for(item_kind[1]))
            return [
                f"for item_ in {raw} if {raw}.__class__ is list else (None,):",
                "    if item_.__class__ is not dict:",
                *("        " + line for line in invalid),
                "        break",
                "else:",
                "    " + assign(attr, f"[{decode}(item_) for item_ in {raw}]"),
            ]
        if kind is not None and kind[0] == "enum":
            members = self.bind("members", kind[1])
            return [
                f"class_ = {raw}.__class__",
                f"value_ = {members}.get({raw}, {raw}) if class_ is str else "
                f"{members}.get({raw}, INVALID) if class_ is int else INVALID",
                "if value_ is INVALID:",
                f"    {extra}[{k}] = {raw}",
                "    value_ = UNSET",
                assign(attr, "value_"),
            ]
        generic = self.bind("convert", convert)
        return [
            f"value_ = {generic}({raw})",
            "if value_ is INVALID:",
            f"    {extra}[{k}] = {raw}",
            "    value_ = UNSET",
            assign(attr, "value_"),
        ]

    def inline_model(
        self,
        target: type,
        raw: str,
        attr: str,
        assign: Callable[[str, str], str],
        otherwise: list[str],
        depth: int,
    ) -> list[str]:
        spec = spec_of(target)
        sub = f"o{self.counter + 1}"
        new, cls = self.bind("new", target.__new__), self.bind("cls", target)
        keys = self.bind("keys", spec.keys)
        body = [
            f"if {raw}.__class__ is dict:",
            f"    {sub} = {new}({cls})",
            f"    x_{sub} = {{}}",
            f"    n_{sub} = 0",
        ]
        body += [
            "    " + line for line in self.fields(target, spec, raw, sub, f"x_{sub}", f"n_{sub}", depth + 1)
        ]
        body += [
            f"    if len({raw}) > n_{sub}:",
            f"        for key_, raw_ in {raw}.items():",
            f"            if key_ not in {keys}:",
            f"                x_{sub}[key_] = raw_",
            f"    {sub}.additional_properties = x_{sub}",
            "    " + assign(attr, sub),
            *otherwise,
        ]
        return body


def _compile(model_class: type, spec: rt.ModelSpec) -> Decoder:
    compiler = _Compiler()
    compiler.namespace.update(
        cls=model_class, new=model_class.__new__, KEYS=spec.keys, convert_extra=spec.extra
    )
    lines = ["def decode(data):", "    self = new(cls)", "    extra = {}", "    present = 0"]
    lines += [
        "    " + line for line in compiler.fields(model_class, spec, "data", "self", "extra", "present", 0)
    ]
    lines += [
        "    if len(data) > present:",
        "        for key, raw in data.items():",
        "            if key not in KEYS:",
    ]
    if spec.extra in (None, rt.as_any):
        lines += ["                extra[key] = raw"]
    else:
        lines += [
            "                value_ = convert_extra(raw)",
            "                extra[key] = raw if value_ is INVALID else value_",
        ]
    if _plain_setattr(model_class):
        lines += ["    self.additional_properties = extra"]
    else:
        lines += ["    setattr_(self, 'additional_properties', extra)"]
    lines += ["    return self"]
    code = compile("\n".join(lines), f"<bitbucket_client decoder for {model_class.__qualname__}>", "exec")
    exec(code, compiler.namespace)
    decoder: Decoder = compiler.namespace["decode"]
    return decoder
