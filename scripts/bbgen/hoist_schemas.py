"""Flatten `allOf`, then hoist every inline object schema into one shared, named component.

The upstream documents repeat the same inline objects hundreds of times (Cloud's `Link`, Data Center's
page envelopes and error bodies). Hoisting them by shape gives one class per shape, stable readable
names, and none of openapi-python-client's "duplicate model" removals.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable
from typing import Any

from .normalize_operations import iter_operations
from .schemawalk import (
    Json,
    child_schemas,
    is_object_with_properties,
    make_ref,
    pascal,
    ref_name,
    referenced_names,
    replace_child,
    shape_key,
)

_DROPPED_KEYS = ("discriminator",)


def flatten_all_of(doc: Json) -> None:
    """Replace every `allOf` by the single object it describes (Cloud: `[{$ref: object}, {...}]`)."""
    components: dict[str, Json] = doc["components"]["schemas"]
    done: dict[str, Json] = {}

    def component(name: str) -> Json:
        if name not in done:
            done[name] = {}  # guards against cycles; a cyclic allOf is not valid anyway
            done[name] = visit(components[name])
        return done[name]

    def visit(schema: Json) -> Json:
        if isinstance(schema, list):
            return [visit(item) for item in schema]
        if not isinstance(schema, dict):
            return schema
        schema = {key: value for key, value in schema.items() if key not in _DROPPED_KEYS}
        members = schema.pop("allOf", None)
        out = {
            key: (visit(value) if key != "properties" else {k: visit(v) for k, v in value.items()})
            for key, value in schema.items()
        }
        if members is None:
            return out
        if len(members) == 1 and ref_name(members[0]) and not out.get("properties"):
            return {**out, **members[0]}
        merged: dict[str, Any] = {"type": "object", "properties": {}}
        required: list[str] = []
        for member in members:
            name = ref_name(member)
            part = copy.deepcopy(component(name)) if name else visit(member)
            merged["properties"].update(part.get("properties", {}))
            required += [r for r in part.get("required", []) if r not in required]
            for key in ("title", "description", "additionalProperties"):
                if key in part:
                    merged[key] = part[key]
        merged["properties"].update(out.pop("properties", {}))
        required += [r for r in out.pop("required", []) if r not in required]
        merged.update(out)
        if required:
            merged["required"] = required
        return merged

    for name in list(components):
        components[name] = component(name)
    doc["paths"] = visit(doc["paths"])


class Hoister:
    """Moves inline object schemas into components, reusing one component per shape."""

    def __init__(self, components: dict[str, Json]) -> None:
        self.components = components
        self.original = set(components)
        self.by_shape: dict[str, str] = {}
        # Every context a hoisted shape was met in: the final name is the most specific (shortest) one,
        # so `fromRef` is `RestPullRequestFromRef`, not named after whichever schema sorted first.
        self.contexts: dict[str, set[str]] = {}
        self.fixed_names: set[str] = set()
        self.parent_of: dict[str, str] = {}
        # How often each component is referenced: a shape met inside `RestRepository` (used everywhere)
        # is better named after it than after a rarely used schema that happens to embed the same shape.
        self.popularity: Counter[str] = Counter()

    def hoist_children(self, schema: Json, context: str) -> None:
        for role, child, key in list(child_schemas(schema)):
            if role == "property":
                child_context = context + pascal(key[1])  # type: ignore[index]
            elif role == "items":
                child_context = context + "Item"
            elif role == "additional":
                child_context = context + "Value"
            else:
                child_context = context + "Option"
            self.parent_of.setdefault(child_context, context)
            replace_child(schema, key, self.hoist(child, child_context))

    def hoist(
        self, schema: Json, context: str, name_hint: Callable[[Json], str | None] | None = None
    ) -> Json:
        """Return `schema` with its inline objects hoisted; an object itself becomes a $ref."""
        if not isinstance(schema, dict) or "$ref" in schema:
            return schema
        self.hoist_children(schema, context)
        if is_enum(schema) and None in schema["enum"]:
            # `null` as an enum member makes openapi-python-client invent `XType1` classes. A null from the
            # server still decodes (response models keep it), so the enum lists only the real values.
            schema = {key: value for key, value in schema.items() if key != "nullable"}
            schema["enum"] = [value for value in schema["enum"] if value is not None]
        if not (is_object_with_properties(schema) or is_enum(schema)):
            return schema
        key = shape_key(schema)
        existing = self.by_shape.get(key)
        if existing is not None:
            self.contexts.setdefault(existing, set()).add(context)
            return make_ref(existing)
        hinted = name_hint(schema) if name_hint else None
        preferred = hinted or _title_name(schema)
        name = self._free_name(preferred or context, fallback=context)
        self.components[name] = schema
        self.by_shape[key] = name
        if preferred and name == preferred:
            self.fixed_names.add(name)
        self.contexts.setdefault(name, set()).add(context)
        return make_ref(name)

    def best_names(self) -> dict[str, str]:
        """Renames that give each hoisted component the shortest context it was met in."""
        taken = {name.lower() for name in self.components}
        renames: dict[str, str] = {}
        for name in sorted(self.contexts):
            if name in self.original or name in self.fixed_names or name not in self.components:
                continue
            ranked = sorted(
                self.contexts[name],
                key=lambda c: (-self.popularity[self.parent_of.get(c, "")], len(c), c),
            )
            for candidate in ranked:
                if candidate == name:
                    break
                if candidate.lower() not in taken:
                    renames[name] = candidate
                    taken.discard(name.lower())
                    taken.add(candidate.lower())
                    break
        return renames

    def _free_name(self, preferred: str, fallback: str) -> str:
        taken = {name.lower() for name in self.components}
        for candidate in (preferred, fallback):
            if candidate.lower() not in taken:
                return candidate
        index = 2
        while f"{fallback}Variant{index}".lower() in taken:
            index += 1
        return f"{fallback}Variant{index}"


def is_enum(schema: Json) -> bool:
    """Enums are hoisted too, so that request and response models share one enum class."""
    return isinstance(schema, dict) and isinstance(schema.get("enum"), list) and "$ref" not in schema


def _title_name(schema: Json) -> str | None:
    title = schema.get("title")
    if isinstance(title, str) and title.strip() and len(title) <= 40:
        return pascal(title)
    return None


def page_envelope_name(schema: Json) -> str | None:
    """Data Center page envelopes (`values` + `isLastPage`) are named after their item type."""
    props = schema.get("properties", {})
    if "values" not in props or "isLastPage" not in props:
        return None
    items = props["values"].get("items", {})
    item = ref_name(items) or pascal(str(items.get("type", "value")))
    return "Page" + pascal(item)


def hoist_document(doc: Json, operation_names: dict[tuple[str, str], tuple[str, str]]) -> None:
    components: dict[str, Json] = doc["components"]["schemas"]
    hoister = Hoister(components)
    hoister.popularity.update(referenced_names(doc))
    for name in sorted(components):
        hoister.hoist_children(components[name], pascal(name))
    for name in sorted(components):
        if is_object_with_properties(components[name]) or is_enum(components[name]):
            hoister.by_shape.setdefault(shape_key(components[name]), name)
    for method, path, operation in iter_operations(doc):
        namespace, verb = operation_names[(method, path)]
        base = pascal(namespace) + pascal(verb)
        for param in operation.get("parameters", []):
            if "schema" in param:
                param["schema"] = hoister.hoist(param["schema"], base + pascal(param["name"]))
        for media in operation.get("requestBody", {}).get("content", {}).values():
            if "schema" in media:
                media["schema"] = hoister.hoist(media["schema"], base + "Body")
        for response in operation.get("responses", {}).values():
            for media in (response.get("content") or {}).values():
                if "schema" in media:
                    media["schema"] = hoister.hoist(media["schema"], base + "Response", page_envelope_name)
    renames = hoister.best_names()
    for old, new in renames.items():
        components[new] = components.pop(old)
    rewrite_refs(doc, renames)
    _merge_synthetic_duplicates(doc, hoister.original)


def _merge_synthetic_duplicates(doc: Json, original: set[str]) -> None:
    """Hoisting children can make two hoisted components equal; fold them until nothing changes."""
    components: dict[str, Json] = doc["components"]["schemas"]
    while True:
        groups: dict[str, list[str]] = {}
        for name, schema in components.items():
            groups.setdefault(shape_key(schema), []).append(name)
        renames: dict[str, str] = {}
        for names in groups.values():
            synthetic = [n for n in names if n not in original]
            if len(names) < 2 or not synthetic:
                continue
            keep = min(names, key=lambda n: (n not in original, len(n), n))
            for name in synthetic:
                if name != keep:
                    renames[name] = keep
        if not renames:
            return
        for name in renames:
            del components[name]
        rewrite_refs(doc, renames)


def rewrite_refs(doc: Json, renames: dict[str, str]) -> None:
    def visit(node: Json) -> None:
        if isinstance(node, dict):
            name = ref_name(node)
            if name in renames:
                node["$ref"] = make_ref(renames[name])["$ref"]
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit(doc)
