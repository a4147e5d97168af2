"""The base class of every generated response model: what they all share, written once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self

import attrs

from ._converters import ModelSpec
from ._decoders import decode_model, load_field, spec_of
from ._encoders import encode

__all__ = ["LenientModel"]


class _DecodedState:
    # Set by decoding only (models built by their constructor never read them): `_depth`, how many
    # models above this one up to the one `from_dict` decoded (the depth bound); `_loaded`, one bit per
    # field that `__getattr__` has decoded (`_decoders`).
    __slots__ = ("_depth", "_loaded")


@attrs.define(eq=False, repr=False)
class LenientModel(_DecodedState):
    """A response model. Decoding never raises: a value that does not fit its field leaves the field
    `UNSET` and is kept in `additional_properties` under its JSON key, with the fields the document does
    not know; a `null` for a field whose type does not admit None just leaves it `UNSET` (no value).
    `to_dict()` gives back what the server sent, nulls included. `model["key"]` and `"key" in model`
    read `additional_properties`. Nested models are decoded when first read (`_decoders`). Each model
    module's `_spec()` says how its JSON keys map to fields."""

    _raw: Mapping[str, Any] | None = attrs.field(default=None, init=False, eq=False, repr=False)
    """The JSON object this model was decoded from (None when built by its constructor): fields not
    read yet are decoded from it on first read, and `to_dict()` copies them from it."""

    if TYPE_CHECKING:
        additional_properties: dict[str, Any]
        _depth: int
        _loaded: int
    else:
        # Python calls it only for a name it does not find: an empty slot is a field not read yet.
        # Hidden from type checkers, which would otherwise accept any attribute name.
        __getattr__ = load_field

    def to_dict(self) -> dict[str, Any]:
        """The JSON object: the fields that are set, and everything in `additional_properties`."""
        return encode(self)

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """Decode a JSON object (raises `TypeError` only for something that is not an object).

        The model keeps `src_dict` and decodes its nested objects when they are first read: change
        `src_dict` afterwards and what has not been read yet may show the change (pass a copy if you
        must change it)."""
        return decode_model(cls, src_dict, _spec(cls))

    def __getitem__(self, key: str) -> Any:
        """`additional_properties[key]`: a key the document does not know, or a value that did not fit."""
        return self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        """Whether `key` is in `additional_properties`."""
        return key in self.additional_properties


_SPECS: dict[type, ModelSpec] = {}


def _spec(model_class: type) -> ModelSpec:
    spec = _SPECS.get(model_class)
    if spec is None:
        spec = _SPECS[model_class] = spec_of(model_class)
    return spec
