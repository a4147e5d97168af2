"""The base class of every generated response model: what they all share, written once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from ._converters import ModelSpec, encode_model
from ._decoders import decode_model, spec_of

__all__ = ["LenientModel"]


class LenientModel:
    """A response model. Decoding never raises: a value that does not fit its field leaves the field
    `UNSET` and is kept in `additional_properties` under its JSON key, with the fields the document does
    not know; `to_dict()` gives back what the server sent. `model["key"]` and `"key" in model` read
    `additional_properties`. Each model module's `_spec()` says how its JSON keys map to fields."""

    __slots__ = ()

    additional_properties: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The JSON object: the fields that are set, and everything in `additional_properties`."""
        return encode_model(self, _spec(type(self)))

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """Decode a JSON object (raises `TypeError` only for something that is not an object)."""
        return decode_model(cls, src_dict, _spec(cls))

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties


_SPECS: dict[type, ModelSpec] = {}


def _spec(model_class: type) -> ModelSpec:
    spec = _SPECS.get(model_class)
    if spec is None:
        spec = _SPECS[model_class] = spec_of(model_class)
    return spec
