"""Decoding JSON into response models: `decode_model`, one compiled decoder per model, and the lazy
loading of nested models (`load_field`).

Response models are lenient: real Bitbucket servers send values their documents do not promise (an
unknown enum value, `null` for a plain type, ISO dates where epoch milliseconds are documented, extra
fields, missing "required" fields). Decoding never raises for those:

- a value that fits its declared type is the attribute's value;
- `null` for a field whose type does not admit None means "no value": the attribute is `UNSET`, the
  key is not put in `additional_properties`, and `to_dict()` still gives the `null` back. A field whose
  type admits None (`str | None`) decodes null to None;
- any other value that does not fit leaves the attribute `UNSET` and is kept, untouched, in
  `additional_properties` under its JSON key, next to the keys the schema does not know.

So the types never lie, and nothing is lost: `to_dict()` gives back what the server sent.

Lazy nested models. Decoding checks the JSON type of every present field at once, so that
`additional_properties` is exact from the start, but it does not build nested models (a field typed as
a model, a list of models, or a model or None): the instance keeps the JSON object it was decoded from
(`_raw`) and the field's slot stays empty. Python calls `LenientModel.__getattr__` only for a name it
does not find, so the first read of such a field lands in `load_field`, which decodes it and fills the
slot; later reads are plain slot reads. Absent and null fields are left empty too and read as `UNSET`.
A Data Center pull request is about 35 objects, of which callers read a few: decoding a page costs
about what its top-level objects cost. Loading takes a lock, so threads reading one instance get the
same object. `from_dict` does not copy its input: change the input after decoding and fields not read
yet may show the change (their types are checked again when they load).

A generic loop (`_decode_generic`) does the first decodes of a class; from then on a compiled decoder
does the same with inline type checks (`raw.__class__ is str`): decoding is most of a client's CPU per
page (docs/benchmarks.md). Converters tell both what they do through their `_kind` attribute
(`_converters`).

Depth. Nothing recurses at decode time: a nested model is decoded when read, one level below the model
it is read from. A model `MAX_MODEL_DEPTH` levels below the decoded object keeps its own nested models
raw in `additional_properties`, so that `repr`, equality and `to_dict()` never walk a chain of models
deep enough to exhaust the stack (a `parent` 500 levels deep, say).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

from . import _converters as rt
from ._converters import INVALID, Converter, ModelSpec
from ._types import UNSET

__all__ = [
    "COMPILE_AFTER",
    "MAX_MODEL_DEPTH",
    "decode_model",
    "decoder_for",
    "kind_of",
    "load_field",
    "slot_of",
    "spec_of",
]

T = TypeVar("T")


def decode_model(model_class: type[T], data: Mapping[str, Any], spec: ModelSpec) -> T:
    """Decode one JSON object into `model_class` (whose module's `_spec()` is `spec`), never raising
    for values that do not fit; see the module docstring."""
    if data.__class__ is not dict and not isinstance(data, Mapping):
        raise TypeError(f"{model_class.__name__} expects a JSON object, got {type(data).__name__}")
    return _decode(model_class, data, spec, 0)


def _decode(model_class: type[T], data: Mapping[str, Any], spec: ModelSpec, depth: int) -> T:
    try:
        decoder = _DECODERS.get(model_class)
        if decoder is None:
            # Compiling costs a millisecond or two per class: a short-lived job that decodes a handful
            # of objects is faster without it, so a class is compiled once it has been decoded a few times.
            seen = _DECODE_COUNTS[model_class] = _DECODE_COUNTS.get(model_class, 0) + 1
            if seen <= COMPILE_AFTER:
                return _decode_generic(model_class, data, spec, depth)
            decoder = decoder_for(model_class)
        instance: T = decoder(data, depth)
        return instance
    except RecursionError:
        # Decoding itself does not recurse; the caller's own stack is nearly full. Keep it all raw.
        return _keep_raw(model_class, data, spec)


COMPILE_AFTER = 8


_DECODE_COUNTS: dict[type, int] = {}


MAX_MODEL_DEPTH = 64
"""A model this many levels below the decoded object keeps its nested models raw in
`additional_properties` (real payloads nest a few levels)."""


class _Defer:
    def __repr__(self) -> str:
        return "DEFER"


DEFER: Final = _Defer()
"""`_first_pass`: a nested model of the right JSON type, decoded on first read."""


def _keep_raw(model_class: type[T], data: Mapping[str, Any], spec: ModelSpec) -> T:
    instance = model_class.__new__(model_class)
    setter = object.__setattr__
    setter(instance, "_raw", None)
    setter(instance, "_depth", 0)
    setter(instance, "_loaded", 0)
    for _key, attribute, _convert in spec.fields:
        setter(instance, attribute, UNSET)
    setter(instance, "additional_properties", dict(data))
    return instance


def _decode_generic(
    model_class: type[T], data: Mapping[str, Any], spec: ModelSpec, depth: int, *, lazy: bool = True
) -> T:
    """What a compiled decoder does, field by field through the converters (`lazy=False`: nested
    models too, at once)."""
    instance = model_class.__new__(model_class)
    setter = object.__setattr__
    setter(instance, "_raw", data)
    setter(instance, "_depth", depth)
    setter(instance, "_loaded", 0)
    extra: dict[str, Any] = {}
    present = 0
    for key, attribute, convert in spec.fields:
        if key not in data:
            continue  # empty slot: reads as UNSET
        present += 1
        raw = data[key]
        value = _first_pass(convert, raw, depth) if lazy else convert_at(convert, raw, depth + 1)
        if value is DEFER:
            continue
        if value is INVALID:
            if raw is None:
                continue  # null for a type without None: UNSET, and to_dict() gives the null back
            extra[key] = raw
            value = UNSET
        setter(instance, attribute, value)
    if len(data) > present:
        for key, raw in data.items():
            if key not in spec.keys:
                value = raw if spec.extra is None else convert_at(spec.extra, raw, depth + 1)
                extra[key] = raw if value is INVALID else value
    setter(instance, "additional_properties", extra)
    return instance


def _first_pass(convert: Converter, raw: Any, depth: int) -> Any:
    """What decoding makes of a present value at once: DEFER, the field's value, or INVALID."""
    lazy = _lazy_kind(convert)
    if lazy == "model":
        return DEFER if raw.__class__ is dict else INVALID
    if lazy == "list":
        if raw.__class__ is not list:
            return INVALID
        return DEFER if all(item.__class__ is dict for item in raw) else INVALID
    if lazy == "model_or_none":
        return None if raw is None else DEFER if raw.__class__ is dict else INVALID
    return convert_at(convert, raw, depth + 1)


def _lazy_kind(convert: Converter) -> str | None:
    """Whether a field waits for its first read: "model", "list" (of models), "model_or_none", or None."""
    kind = kind_of(convert)
    if kind is None:
        return None
    if kind[0] == "model":
        return "model"
    if kind[0] == "list" and _is_model(kind[1]):
        return "list"
    options = kind[1]
    if kind[0] == "one_of" and len(options) == 2 and _is_model(options[0]) and options[1] is rt.as_none:
        return "model_or_none"
    return None


def _is_model(convert: Converter) -> bool:
    kind = kind_of(convert)
    return kind is not None and kind[0] == "model"


def _has_model(convert: Converter) -> bool:
    kind = kind_of(convert)
    if kind is None or kind[0] == "enum":
        return False
    if kind[0] == "model":
        return True
    if kind[0] == "list":
        return _has_model(kind[1])
    return any(_has_model(option) for option in kind[1])


def convert_at(convert: Converter, raw: Any, depth: int) -> Any:
    """`convert(raw)`, with the models it makes `depth` levels below the decoded object."""
    kind = kind_of(convert)
    if kind is None or kind[0] == "enum":
        return convert(raw)
    if kind[0] == "model":
        return _decode_nested(kind[1], raw, depth) if raw.__class__ is dict else INVALID
    if kind[0] == "list":
        if raw.__class__ is not list:
            return INVALID
        items = [convert_at(kind[1], item, depth) for item in raw]
        return INVALID if any(item is INVALID for item in items) else items
    for option in kind[1]:
        value = convert_at(option, raw, depth)
        if value is not INVALID:
            return value
    return INVALID


def _decode_nested(model_class: type, data: dict[str, Any], depth: int) -> Any:
    decoder = _DECODERS.get(model_class)
    if decoder is not None and depth < MAX_MODEL_DEPTH:
        return decoder(data, depth)
    if depth > MAX_MODEL_DEPTH:
        return INVALID  # the model above, at the bound, keeps this one raw
    if depth == MAX_MODEL_DEPTH:  # decoded at once, its nested models kept raw as values that do not fit
        return _decode_generic(model_class, data, spec_of(model_class), depth, lazy=False)
    return _decode(model_class, data, spec_of(model_class), depth)


# ---- loading a field on its first read ------------------------------------------------------------

_LOCK = threading.RLock()

# A field's loader: (JSON value, depth of the model it makes) -> the value, or INVALID.
Loader = Callable[[Any, int], Any]
# (JSON key, the attribute's slot descriptor, its loader, its bit in `_loaded`)
_Field = tuple[str, Any, Loader, int]
_LAZY_FIELDS: dict[type, dict[str, _Field]] = {}


def load_field(instance: Any, name: str) -> Any:
    """The value of attribute `name`, whose slot is empty: decoded from the JSON the instance was
    decoded from, and kept in the slot. It is `LenientModel.__getattr__`."""
    model_class = type(instance)
    fields = _LAZY_FIELDS.get(model_class)
    if fields is None:
        fields = _LAZY_FIELDS[model_class] = _fields_of(model_class)
    field = fields.get(name)
    data = instance._raw if field is not None else None
    if data is None:  # not a field; or a model built by its constructor whose attribute was `del`eted
        raise AttributeError(
            f"{model_class.__name__!r} object has no attribute {name!r}", name=name, obj=instance
        )
    key, slot, load, bit = field  # type: ignore[misc]
    with _LOCK:
        loaded = getattr(instance, "_loaded", 0)
        if loaded & bit:  # another thread loaded it while this one waited (or it was `del`eted since)
            return slot.__get__(instance)
        raw = data.get(key, UNSET)
        value = UNSET if raw is UNSET else load(raw, getattr(instance, "_depth", 0) + 1)
        if value is INVALID:
            if raw is not None:  # the input was changed after decoding: keep it the same way
                instance.additional_properties[key] = raw
            value = UNSET
        slot.__set__(instance, value)
        instance._loaded = loaded | bit
        return value


def _fields_of(model_class: type) -> dict[str, _Field]:
    return {
        attribute: (key, slot_of(model_class, attribute), _loader(convert), 1 << index)
        for index, (key, attribute, convert) in enumerate(spec_of(model_class).fields)
    }


def _loader(convert: Converter) -> Loader:
    kind = kind_of(convert)
    if kind is not None and kind[0] == "model":  # the most common: spare it `convert_at`'s dispatch
        model_class = kind[1]
        return lambda raw, depth: (
            _decode_nested(model_class, raw, depth) if raw.__class__ is dict else INVALID
        )
    return lambda raw, depth: convert_at(convert, raw, depth)


def slot_of(model_class: type, attribute: str) -> Any:
    """The slot descriptor of `attribute`: reads and writes it without `__getattr__`."""
    for klass in model_class.__mro__:
        if attribute in klass.__dict__:
            return klass.__dict__[attribute]
    raise AttributeError(f"{model_class.__name__} has no slot {attribute!r}")


# ---- compiled decoders ----------------------------------------------------------------------------

Decoder = Callable[[Any, int], Any]
_DECODERS: dict[type, Decoder] = {}
_PRIMITIVE_CLASS = {rt.as_str: "str", rt.as_int: "int", rt.as_bool: "bool"}


def kind_of(converter: rt.Converter) -> tuple[str, Any] | None:
    kind: tuple[str, Any] | None = getattr(converter, "_kind", None)
    return kind


def spec_of(model_class: type) -> rt.ModelSpec:
    spec: rt.ModelSpec = sys.modules[model_class.__module__]._spec()
    return spec


def decoder_for(model_class: type) -> Decoder:
    """The compiled decoder of `model_class`: `decoder(data, depth)`."""
    decoder = _DECODERS.get(model_class)
    if decoder is None:
        decoder = _DECODERS[model_class] = _compile(model_class, spec_of(model_class))
    return decoder


def _plain_setattr(cls: type) -> bool:
    """Whether `obj.attr = value` works (attrs slotted classes), or setattr_ must be used (frozen ones)."""
    method: object = cls.__setattr__
    return method is object.__setattr__


class _Compiler:
    def __init__(self, model_class: type) -> None:
        self.namespace: dict[str, Any] = {
            "UNSET": UNSET,
            "INVALID": rt.INVALID,
            "setattr_": object.__setattr__,
            "convert_at": convert_at,
        }
        self.direct = _plain_setattr(model_class)
        self.counter = 0

    def bind(self, prefix: str, value: Any) -> str:
        self.counter += 1
        name = f"{prefix}{self.counter}"
        self.namespace[name] = value
        return name

    def assign(self, attr: str, expr: str) -> str:
        return f"self.{attr} = {expr}" if self.direct else f"setattr_(self, {attr!r}, {expr})"

    def fields(self, spec: rt.ModelSpec) -> list[str]:
        """Lines that set the fields of `self` from `data` (absent, null and nested ones stay empty)."""
        out: list[str] = []
        for key, attr, convert in spec.fields:
            k = repr(key)
            out += [f"if {k} in data:", "    present += 1", f"    r = data[{k}]"]
            out += ["    " + line for line in self.field(convert, attr, k)]
        return out

    def field(self, convert: rt.Converter, attr: str, k: str) -> list[str]:
        """Lines for one present value `r`."""
        invalid = [f"extra[{k}] = r", self.assign(attr, "UNSET")]
        not_null = ["elif r is not None:", *("    " + line for line in invalid)]
        lazy = _lazy_kind(convert)
        if convert is rt.as_any:
            return [self.assign(attr, "r")]
        if convert in _PRIMITIVE_CLASS:
            return [
                f"if r.__class__ is {_PRIMITIVE_CLASS[convert]}:",
                "    " + self.assign(attr, "r"),
                *not_null,
            ]
        if lazy == "model":
            return ["if r.__class__ is not dict and r is not None:", *("    " + line for line in invalid)]
        if lazy == "list":
            return [
                "if r.__class__ is list:",
                "    for item_ in r:",
                "        if item_.__class__ is not dict:",
                *("            " + line for line in invalid),
                "            break",
                *not_null,
            ]
        if lazy == "model_or_none":
            return ["if r is None:", "    " + self.assign(attr, "None"), "elif r.__class__ is not dict:"] + [
                "    " + line for line in invalid
            ]
        kind = kind_of(convert)
        if kind is not None and kind[0] == "enum":
            members = self.bind("members", kind[1])
            lines = [
                "class_ = r.__class__",
                f"value_ = {members}.get(r, r) if class_ is str else "
                f"{members}.get(r, INVALID) if class_ is int else INVALID",
            ]
        elif _has_model(convert):
            lines = [f"value_ = convert_at({self.bind('convert', convert)}, r, depth + 1)"]
        else:
            lines = [f"value_ = {self.bind('convert', convert)}(r)"]
        lines = [*lines, "if value_ is not INVALID:", "    " + self.assign(attr, "value_"), *not_null]
        first = kind[1][0] if kind is not None and kind[0] == "one_of" else None
        if first in _PRIMITIVE_CLASS:  # `int | datetime`, `str | None`: the first option inline
            lines = [
                f"if r.__class__ is {_PRIMITIVE_CLASS[first]}:",
                "    " + self.assign(attr, "r"),
                "else:",
            ] + ["    " + line for line in lines]
        return lines


def _compile(model_class: type, spec: rt.ModelSpec) -> Decoder:
    compiler = _Compiler(model_class)
    compiler.namespace.update(cls=model_class, new=model_class.__new__, KEYS=spec.keys)
    lines = [
        "def decode(data, depth):",
        "    self = new(cls)",
        "    " + compiler.assign("_raw", "data"),
        "    " + compiler.assign("_depth", "depth"),
        "    " + compiler.assign("_loaded", "0"),
        "    extra = {}",
        "    present = 0",
    ]
    lines += ["    " + line for line in compiler.fields(spec)]
    lines += [
        "    if len(data) > present:",
        "        for key, raw in data.items():",
        "            if key not in KEYS:",
    ]
    if spec.extra in (None, rt.as_any):
        lines += ["                extra[key] = raw"]
    else:
        convert = compiler.bind("convert_extra", spec.extra)
        call = f"convert_at({convert}, raw, depth + 1)" if _has_model(spec.extra) else f"{convert}(raw)"
        lines += [
            f"                value_ = {call}",
            "                extra[key] = raw if value_ is INVALID else value_",
        ]
    lines += ["    " + compiler.assign("additional_properties", "extra"), "    return self"]
    code = compile("\n".join(lines), f"<bitbucket_client decoder for {model_class.__qualname__}>", "exec")
    exec(code, compiler.namespace)
    decoder: Decoder = compiler.namespace["decode"]
    return decoder
