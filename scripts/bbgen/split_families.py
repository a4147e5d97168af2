"""Split schemas into a strict request family and a lenient response family.

Request models must stay strict (required fields required, enums closed, read-only fields absent),
while response models must accept what real servers send. A schema used in both directions therefore
becomes two components: `X` (response) and `XInput` (request).
"""

from __future__ import annotations

import copy
import re

from .hoist_schemas import rewrite_refs
from .normalize_operations import iter_operations
from .request_fixes import RequestFixes
from .rules import Rules
from .schemawalk import Json, pascal, referenced_names

INPUT_SUFFIX = "Input"


def rename_components_to_class_names(doc: Json) -> dict[str, str]:
    """Key every component by its class name, so openapi-python-client's naming is predictable.
    Returns {new name: original key} (the original key is Cloud's discriminator value)."""
    components: dict[str, Json] = doc["components"]["schemas"]
    renames: dict[str, str] = {}
    taken: set[str] = set()
    for name in components:
        new = pascal(name.rsplit(".", 1)[-1]) or name
        if new.lower() in taken:
            new = pascal(name)
        taken.add(new.lower())
        renames[name] = new
    doc["components"]["schemas"] = {renames[name]: schema for name, schema in components.items()}
    rewrite_refs(doc, renames)
    return {new: old for old, new in renames.items()}


def _closure(components: dict[str, Json], roots: set[str]) -> set[str]:
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in seen or name not in components:
            continue
        seen.add(name)
        stack.extend(referenced_names(components[name]))
    return seen


def _roots(doc: Json, part: str) -> set[str]:
    names: set[str] = set()
    for _method, _path, operation in iter_operations(doc):
        if part == "request":
            names.update(referenced_names(operation.get("requestBody", {})))
            names.update(referenced_names(operation.get("parameters", [])))
        else:
            names.update(referenced_names(operation.get("responses", {})))
    return names


def free_form_components(doc: Json) -> set[str]:
    """Components that are free-form objects in their own right (`additionalProperties: true` at their
    top, not inherited): a request body of theirs may carry any key. Run before `flatten_all_of`, which
    copies Cloud's `object` base (open so that answers may grow) into every schema."""
    return {
        name
        for name, schema in doc["components"]["schemas"].items()
        if isinstance(schema, dict) and schema.get("additionalProperties") is True and "allOf" not in schema
    }


def split_families(
    doc: Json, rules: Rules, original_keys: dict[str, str], request_fixes: RequestFixes | None = None
) -> tuple[set[str], set[str]]:
    """Returns (response model names, request model names); unused components are dropped.
    `request_fixes` (specs/fixes, `request-*` entries) change the request models only."""
    request_fixes = request_fixes or RequestFixes()
    components: dict[str, Json] = doc["components"]["schemas"]
    for name, schema in request_fixes.added_models().items():
        if name in components:
            raise ValueError(f"request-add: a component named {name!r} exists already")
        components[name] = schema
    request = _closure(components, _roots(doc, "request") | request_fixes.referenced())
    response = _closure(components, _roots(doc, "response"))
    # Only objects differ between the families; enums and other plain schemas are shared as they are.
    shared = {name for name in request & response if "properties" in components[name]}
    input_names = {name: _free(components, name + INPUT_SUFFIX) for name in sorted(shared)}
    for name, input_name in input_names.items():
        components[input_name] = copy.deepcopy(components[name])
    request_names = {n for n in request - shared if "properties" in components[n]} | set(input_names.values())
    request_fixes.apply(components, request_names)
    for name in request_names:
        rewrite_refs(components[name], input_names)
    for _method, _path, operation in iter_operations(doc):
        rewrite_refs(operation.get("requestBody", {}), input_names)
        rewrite_refs(operation.get("parameters", []), input_names)
    base_of = {clone: base for base, clone in input_names.items()}
    for name in request_names:
        type_default = original_keys.get(base_of.get(name, name)) if rules.request_type_default else None
        _make_strict_request(components[name], type_default)
    # What the fixes took out of the request models (`links`, ...) may leave request-only models that
    # nothing can send any more: they go.
    reachable = _closure(components, _roots(doc, "request"))
    request_names = {name for name in request_names if name in reachable}
    for name in list(components):
        if name not in reachable and name not in response:
            del components[name]
    response_models = {n for n in response if "properties" in components[n]}
    for name in response_models:
        _make_response(components[name], rules.timestamp_names)
    return response_models, request_names


def _free(components: dict[str, Json], name: str) -> str:
    while name in components:
        name += "Body"
    return name


def _make_strict_request(schema: Json, type_default: str | None) -> None:
    props: dict[str, Json] = schema.get("properties", {})
    for prop_name in [n for n, p in props.items() if isinstance(p, dict) and p.get("readOnly")]:
        del props[prop_name]
    if "required" in schema:
        schema["required"] = [r for r in schema["required"] if r in props]
        if not schema["required"]:
            del schema["required"]
    # Cloud bodies must carry their discriminator (specs/rules: request_type_default); the value is the
    # schema's name.
    type_prop = props.get("type")
    if (
        type_default
        and "type" in schema.get("required", [])
        and isinstance(type_prop, dict)
        and type_prop.get("type") == "string"
        and "enum" not in type_prop
    ):
        props["type"] = {**props["type"], "default": type_default}


def _make_response(schema: Json, timestamp_names: re.Pattern[str] | None) -> None:
    props: dict[str, Json] = schema.get("properties", {})
    for prop_name in [n for n, p in props.items() if isinstance(p, dict) and p.get("writeOnly")]:
        del props[prop_name]
    if timestamp_names is None:
        return
    for prop_name, prop in props.items():
        if (
            timestamp_names.search(prop_name)
            and isinstance(prop, dict)
            and prop.get("type") == "integer"
            and prop.get("format") == "int64"
        ):
            description = prop.get("description")
            props[prop_name] = {
                "anyOf": [{"type": "integer", "format": "int64"}, {"type": "string", "format": "date-time"}],
                **({"description": description} if description else {}),
            }
