"""The event base class, the generic event, and the declarative field-from-payload machinery.

An event field declares where it lives in the JSON body and how to decode it::

    pullrequest: Pullrequest | Unset = payload_field("pullrequest", obj(Pullrequest))

Decoding is as lenient as response decoding: a missing value, or one of the wrong JSON type, leaves the
field at its default (``UNSET``, or an empty list/dict) and is still in ``raw``. Nested objects go through
the generated models' ``from_dict``, which never raises.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Self

import attrs

from bitbucket_client._converters import INVALID
from bitbucket_client._types import UNSET

from ._delivery import Delivery, Product

__all__ = [
    "GenericEvent",
    "WebhookEvent",
    "json_object",
    "json_objects",
    "obj",
    "objs",
    "payload_field",
]

Converter = Callable[[Any], Any]
Path = tuple[str | int, ...]
_SPEC_KEY = "bitbucket_client.webhooks.payload"


def payload_field(
    key: str | Path,
    convert: Converter,
    *,
    factory: Callable[[], Any] | None = None,
    fallback: Path | None = None,
) -> Any:
    """An event attribute read from ``key`` (or a path of keys and list indexes) in the body, decoded by
    ``convert``; when that gives nothing usable, from the ``fallback`` path.

    Without ``factory`` the default is ``UNSET``; collections pass ``factory=list`` or ``factory=dict``.
    """
    paths = ((key,) if isinstance(key, str) else key,) + ((fallback,) if fallback is not None else ())
    metadata = {_SPEC_KEY: (paths, convert)}
    if factory is None:
        return attrs.field(default=UNSET, metadata=metadata)
    return attrs.field(factory=factory, metadata=metadata)


def obj(model_class: Any) -> Converter:
    """A JSON object decoded by a generated model's (never raising) ``from_dict``."""
    from_dict = model_class.from_dict

    def convert(value: Any) -> Any:
        return from_dict(value) if isinstance(value, dict) else INVALID

    return convert


def objs(model_class: Any) -> Converter:
    """A JSON array of objects; entries that are not objects are skipped (they stay in ``raw``)."""
    from_dict = model_class.from_dict

    def convert(value: Any) -> Any:
        if not isinstance(value, list):
            return INVALID
        return [from_dict(item) for item in value if isinstance(item, dict)]

    return convert


def json_object(value: Any) -> Any:
    return value if isinstance(value, dict) else INVALID


def json_objects(value: Any) -> Any:
    if not isinstance(value, list):
        return INVALID
    return [item for item in value if isinstance(item, dict)]


@attrs.frozen(kw_only=True)
class WebhookEvent:
    """Base of every event. ``raw`` is the whole JSON body, so nothing the sender wrote is lost."""

    event_key: str
    delivery: Delivery
    raw: dict[str, Any] = attrs.field(factory=dict, repr=False)

    @property
    def product(self) -> Product | None:
        return self.delivery.product

    @classmethod
    def from_payload(cls, payload: dict[str, Any], delivery: Delivery) -> Self:
        """Build the event from a decoded JSON body. Never raises for odd or missing values."""
        values: dict[str, Any] = {}
        for name, paths, convert in _payload_fields(cls):
            for path in paths:
                raw = _lookup(payload, path)
                value = INVALID if raw is UNSET else convert(raw)
                if value is not INVALID:
                    values[name] = value
                    break
        return cls(event_key=delivery.event_key, delivery=delivery, raw=payload, **values)


@attrs.frozen(kw_only=True)
class GenericEvent(WebhookEvent):
    """An event whose key this version does not know (a new Bitbucket event, or a plugin's).

    Read ``raw``; ``delivery.product`` tells which product sent it when the headers show it.
    """


_FieldSpec = tuple[str, tuple[Path, ...], Converter]
_FIELDS: dict[type[WebhookEvent], tuple[_FieldSpec, ...]] = {}


def _payload_fields(cls: type[WebhookEvent]) -> tuple[_FieldSpec, ...]:
    found = _FIELDS.get(cls)
    if found is None:
        found = tuple(
            (field.name, *field.metadata[_SPEC_KEY])
            for field in attrs.fields(cls)
            if _SPEC_KEY in field.metadata
        )
        _FIELDS[cls] = found
    return found


def _lookup(payload: Mapping[str, Any], path: Path) -> Any:
    value: Any = payload
    for key in path:
        if isinstance(key, int):
            if not isinstance(value, list) or not -len(value) <= key < len(value):
                return UNSET
        elif not isinstance(value, dict) or key not in value:
            return UNSET
        value = value[key]
    return value
