"""The OpenTelemetry traces of ``pipeline:span_created``: OTLP/JSON ``resourceSpans``, typed.

Bitbucket Pipelines sends each run as a trace of ``bbc.pipeline_run``, ``bbc.step``, ``bbc.command`` and
``bbc.container`` spans. The classes follow the OTLP/JSON encoding of the OpenTelemetry trace protocol:
64-bit integers arrive as strings (``"1717056842000000000"``) and decode as ``int``; ``kind`` is the
span kind's number (some encoders send its name). The public names are in
:mod:`bitbucket_client.webhooks.cloud`.
"""

# attrs fields, not dataclass defaults: payload_field() builds an attrs.field with decoding metadata.
# ruff: noqa: RUF009

from __future__ import annotations

from typing import Any

import attrs

from bitbucket_client._converters import INVALID
from bitbucket_client._types import Unset

from ._base import obj, objs, payload_field
from ._cloud_parts import Part, either, flag, text

__all__ = [
    "AttributeValue",
    "InstrumentationScope",
    "ResourceSpans",
    "ScopeSpans",
    "Span",
    "SpanAttribute",
    "SpanEvent",
    "SpanLink",
    "SpanResource",
    "SpanStatus",
]


def integer(value: Any) -> Any:
    """An integer, or the decimal string OTLP/JSON writes 64-bit integers as."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return INVALID
    return INVALID


def number(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return INVALID


# Attribute values nest (arrays of values, lists of attributes): these look the classes up when called.
def _values(value: Any) -> Any:
    return objs(AttributeValue)(value)


def _attributes(value: Any) -> Any:
    return objs(SpanAttribute)(value)


@attrs.frozen(kw_only=True)
class AttributeValue(Part):
    """One attribute value: exactly one of the fields is set (``array_value`` and ``kvlist_value`` for
    nested values; ``bytes_value`` is base64 text)."""

    string_value: str | Unset = payload_field("stringValue", text)
    bool_value: bool | Unset = payload_field("boolValue", flag)
    int_value: int | Unset = payload_field("intValue", integer)
    double_value: float | Unset = payload_field("doubleValue", number)
    bytes_value: str | Unset = payload_field("bytesValue", text)
    array_value: list[AttributeValue] | Unset = payload_field(("arrayValue", "values"), _values)
    kvlist_value: list[SpanAttribute] | Unset = payload_field(("kvlistValue", "values"), _attributes)


@attrs.frozen(kw_only=True)
class SpanAttribute(Part):
    """A ``key`` and its ``value`` (for example ``pipeline.build_number`` -> ``int_value`` 212)."""

    key: str | Unset = payload_field("key", text)
    value: AttributeValue | Unset = payload_field("value", obj(AttributeValue))


@attrs.frozen(kw_only=True)
class SpanStatus(Part):
    """``code``: 0 unset, 1 ok, 2 error; ``message`` explains an error."""

    code: int | str | Unset = payload_field("code", either(integer, text))
    message: str | Unset = payload_field("message", text)


@attrs.frozen(kw_only=True)
class SpanEvent(Part):
    """Something that happened during a span, at ``time_unix_nano``."""

    time_unix_nano: int | Unset = payload_field("timeUnixNano", integer)
    name: str | Unset = payload_field("name", text)
    attributes: list[SpanAttribute] = payload_field("attributes", _attributes, factory=list)
    dropped_attributes_count: int | Unset = payload_field("droppedAttributesCount", integer)


@attrs.frozen(kw_only=True)
class SpanLink(Part):
    """A link from a span to a span of another trace."""

    trace_id: str | Unset = payload_field("traceId", text)
    span_id: str | Unset = payload_field("spanId", text)
    trace_state: str | Unset = payload_field("traceState", text)
    attributes: list[SpanAttribute] = payload_field("attributes", _attributes, factory=list)
    dropped_attributes_count: int | Unset = payload_field("droppedAttributesCount", integer)
    flags: int | Unset = payload_field("flags", integer)


@attrs.frozen(kw_only=True)
class Span(Part):
    """One span: a pipeline run, a step, a command or a container (``name`` ``bbc.*``). Times are
    nanoseconds since the Unix epoch; ``parent_span_id`` is unset on the run's root span."""

    trace_id: str | Unset = payload_field("traceId", text)
    span_id: str | Unset = payload_field("spanId", text)
    trace_state: str | Unset = payload_field("traceState", text)
    parent_span_id: str | Unset = payload_field("parentSpanId", text)
    flags: int | Unset = payload_field("flags", integer)
    name: str | Unset = payload_field("name", text)
    kind: int | str | Unset = payload_field("kind", either(integer, text))
    start_time_unix_nano: int | Unset = payload_field("startTimeUnixNano", integer)
    end_time_unix_nano: int | Unset = payload_field("endTimeUnixNano", integer)
    attributes: list[SpanAttribute] = payload_field("attributes", _attributes, factory=list)
    dropped_attributes_count: int | Unset = payload_field("droppedAttributesCount", integer)
    events: list[SpanEvent] = payload_field("events", objs(SpanEvent), factory=list)
    dropped_events_count: int | Unset = payload_field("droppedEventsCount", integer)
    links: list[SpanLink] = payload_field("links", objs(SpanLink), factory=list)
    dropped_links_count: int | Unset = payload_field("droppedLinksCount", integer)
    status: SpanStatus | Unset = payload_field("status", obj(SpanStatus))

    def attribute(self, key: str) -> AttributeValue | None:
        """The value of the attribute called ``key``, or None."""
        for attribute in self.attributes:
            if attribute.key == key and not isinstance(attribute.value, Unset):
                return attribute.value
        return None


@attrs.frozen(kw_only=True)
class InstrumentationScope(Part):
    """What produced the spans (``bbc.pipelines``)."""

    name: str | Unset = payload_field("name", text)
    version: str | Unset = payload_field("version", text)
    attributes: list[SpanAttribute] = payload_field("attributes", _attributes, factory=list)
    dropped_attributes_count: int | Unset = payload_field("droppedAttributesCount", integer)


@attrs.frozen(kw_only=True)
class ScopeSpans(Part):
    """The spans one scope produced."""

    scope: InstrumentationScope | Unset = payload_field("scope", obj(InstrumentationScope))
    spans: list[Span] = payload_field("spans", objs(Span), factory=list)
    schema_url: str | Unset = payload_field("schemaUrl", text)


@attrs.frozen(kw_only=True)
class SpanResource(Part):
    """What the spans are about: attributes such as ``repository.full_name``."""

    attributes: list[SpanAttribute] = payload_field("attributes", _attributes, factory=list)
    dropped_attributes_count: int | Unset = payload_field("droppedAttributesCount", integer)


@attrs.frozen(kw_only=True)
class ResourceSpans(Part):
    """One entry of ``resourceSpans``: a resource and the spans recorded for it."""

    resource: SpanResource | Unset = payload_field("resource", obj(SpanResource))
    scope_spans: list[ScopeSpans] = payload_field("scopeSpans", objs(ScopeSpans), factory=list)
    schema_url: str | Unset = payload_field("schemaUrl", text)
