"""Small helpers for walking and comparing OpenAPI schema trees (plain JSON data)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

Json = Any
REF_PREFIX = "#/components/schemas/"

# Keys that document a schema but do not change the shape of the data it accepts.
_DOC_KEYS = frozenset(
    {
        "description",
        "title",
        "example",
        "examples",
        "externalDocs",
        "x-bb-default-fields",
        "x-bb-url",
        "x-bb-batch-url",
        "x-bb-batch-max-size",
    }
)


def ref_name(schema: Json) -> str | None:
    """The component name a `{"$ref": "#/components/schemas/X"}` schema points at, else None."""
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF_PREFIX):
            return ref[len(REF_PREFIX) :]
    return None


def make_ref(name: str) -> dict[str, str]:
    return {"$ref": REF_PREFIX + name}


def shape_key(schema: Json) -> str:
    """A canonical string that is equal for two schemas exactly when they accept the same data."""
    return json.dumps(_strip_docs(schema), sort_keys=True, separators=(",", ":"))


def _strip_docs(schema: Json) -> Json:
    if isinstance(schema, dict):
        out = {}
        for key, value in schema.items():
            if key in _DOC_KEYS:
                continue
            if key == "properties" and isinstance(value, dict):
                out[key] = {name: _strip_docs(prop) for name, prop in value.items()}
            else:
                out[key] = _strip_docs(value)
        return out
    if isinstance(schema, list):
        return [_strip_docs(item) for item in schema]
    return schema


def is_object_with_properties(schema: Json) -> bool:
    return (
        isinstance(schema, dict)
        and "$ref" not in schema
        and isinstance(schema.get("properties"), dict)
        and bool(schema["properties"])
    )


def child_schemas(schema: Json) -> Iterator[tuple[str, Json, object]]:
    """Yield (role, child, key) for each direct sub-schema: role is "property", "items", "additional"
    or "union"; key lets the caller replace the child in its container."""
    if not isinstance(schema, dict):
        return
    for name, prop in (schema.get("properties") or {}).items():
        yield "property", prop, ("properties", name)
    if isinstance(schema.get("items"), dict):
        yield "items", schema["items"], ("items",)
    if isinstance(schema.get("additionalProperties"), dict):
        yield "additional", schema["additionalProperties"], ("additionalProperties",)
    for combinator in ("oneOf", "anyOf", "allOf"):
        for index, member in enumerate(schema.get(combinator) or []):
            yield "union", member, (combinator, index)


def replace_child(schema: dict[str, Json], key: object, value: Json) -> None:
    path = key if isinstance(key, tuple) else (key,)
    target: Json = schema
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


def referenced_names(schema: Json) -> Iterator[str]:
    """Every component name referenced anywhere inside `schema`."""
    if isinstance(schema, dict):
        name = ref_name(schema)
        if name is not None:
            yield name
        for value in schema.values():
            yield from referenced_names(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from referenced_names(item)


def pascal(text: str) -> str:
    """`pull-request_merge.params` -> `PullRequestMergeParams` (keeps inner capitals)."""
    out = []
    for part in _split_words(text):
        out.append(part[:1].upper() + part[1:])
    return "".join(out)


def _split_words(text: str) -> list[str]:
    words, current = [], ""
    for char in text:
        if char.isalnum():
            current += char
        elif current:
            words.append(current)
            current = ""
    if current:
        words.append(current)
    return words
