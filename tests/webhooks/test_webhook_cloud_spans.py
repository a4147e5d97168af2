"""The OpenTelemetry traces of ``pipeline:span_created`` (bitbucket_client.webhooks._cloud_spans): OTLP/JSON
decoded into typed spans, 64-bit integers from their decimal strings, leniently."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bitbucket_client import UNSET
from bitbucket_client.webhooks import cloud, parse_event


def attribute(key: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"key": key, "value": value}


SPAN: dict[str, Any] = {
    "traceId": "9f2c4ad1e0b7468aa3c5d1e2f3a4b5c6",
    "spanId": "0f1e2d3c4b5a6978",
    "parentSpanId": "a1b2c3d4e5f60718",
    "name": "bbc.step",
    "kind": 1,
    "startTimeUnixNano": "1717056850000000000",
    "endTimeUnixNano": "1717057001000000000",
    "attributes": [
        attribute("step.name", {"stringValue": "Test"}),
        attribute("step.duration_in_seconds", {"intValue": "151"}),
        attribute("step.size", {"doubleValue": 2}),
        attribute("step.first", {"boolValue": False}),
        attribute("step.tags", {"arrayValue": {"values": [{"stringValue": "a"}, {"intValue": 7}]}}),
        attribute("step.env", {"kvlistValue": {"values": [attribute("TZ", {"stringValue": "UTC"})]}}),
    ],
    "events": [{"timeUnixNano": "1717057000000000000", "name": "exit", "attributes": []}],
    "links": [{"traceId": "00ff", "spanId": "11ee", "attributes": [], "flags": 1}],
    "status": {"code": 2, "message": "exit code 1"},
}


def test_a_span_decodes_with_integers_from_their_strings() -> None:
    span = cloud.Span.from_dict(SPAN)
    assert (span.name, span.kind, span.parent_span_id) == ("bbc.step", 1, "a1b2c3d4e5f60718")
    assert span.end_time_unix_nano - span.start_time_unix_nano == 151_000_000_000  # type: ignore[operator]
    assert span.status is not UNSET and (span.status.code, span.status.message) == (2, "exit code 1")
    assert span.events[0].time_unix_nano == 1717057000000000000
    assert span.links[0].flags == 1


def value(key: str) -> cloud.AttributeValue:
    found = cloud.Span.from_dict(SPAN).attribute(key)
    assert found is not None
    return found


def test_attribute_values_of_every_kind() -> None:
    assert value("step.name").string_value == "Test"
    assert value("step.duration_in_seconds").int_value == 151
    assert value("step.size").double_value == 2.0
    assert value("step.first").bool_value is False
    tags = value("step.tags").array_value
    assert isinstance(tags, list) and [tags[0].string_value, tags[1].int_value] == ["a", 7]
    env = value("step.env").kvlist_value
    assert isinstance(env, list) and env[0].key == "TZ"


def test_attribute_looks_a_value_up_by_key() -> None:
    span = cloud.Span.from_dict(SPAN)
    duration = span.attribute("step.duration_in_seconds")
    assert duration is not None and duration.int_value == 151
    assert span.attribute("no.such.key") is None


def test_a_span_kind_sent_by_name_and_odd_numbers_are_handled() -> None:
    span = cloud.Span.from_dict({**SPAN, "kind": "SPAN_KIND_INTERNAL", "startTimeUnixNano": "soon"})
    assert span.kind == "SPAN_KIND_INTERNAL"
    assert span.start_time_unix_nano is UNSET and span.raw["startTimeUnixNano"] == "soon"
    value = cloud.AttributeValue.from_dict({"intValue": True, "doubleValue": "1.5"})
    assert value.int_value is UNSET and value.double_value is UNSET  # a bool is not a number


@pytest.mark.parametrize("spans", [None, "spans", [None, 3, "x"], [{"scopeSpans": "x", "resource": []}]])
def test_odd_trace_payloads_never_raise(spans: Any) -> None:
    body = json.dumps({"resourceSpans": spans}).encode()
    event = parse_event({"X-Event-Key": "pipeline:span_created"}, body)
    assert isinstance(event, cloud.PipelineSpanEvent)
    assert all(isinstance(block, cloud.ResourceSpans) for block in event.resource_spans)
    assert event.raw == {"resourceSpans": spans}


def test_a_whole_delivery_is_typed_from_resource_to_span() -> None:
    body = {
        "resourceSpans": [
            {
                "resource": {"attributes": [attribute("service.name", {"stringValue": "pipelines"})]},
                "scopeSpans": [{"scope": {"name": "bbc.pipelines", "version": "1.0.0"}, "spans": [SPAN]}],
                "schemaUrl": "https://opentelemetry.io/schemas/1.24.0",
            }
        ]
    }
    event = parse_event({"X-Event-Key": "pipeline:span_created"}, json.dumps(body).encode())
    assert isinstance(event, cloud.PipelineSpanEvent)
    (block,) = event.resource_spans
    assert block.schema_url == "https://opentelemetry.io/schemas/1.24.0"
    assert block.resource is not UNSET and block.resource.attributes[0].key == "service.name"
    (scope,) = block.scope_spans
    assert scope.scope is not UNSET and (scope.scope.name, scope.scope.version) == ("bbc.pipelines", "1.0.0")
    assert [span.name for span in scope.spans] == ["bbc.step"]
