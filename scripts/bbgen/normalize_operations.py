"""Normalise operations: parameters in URL order, success responses only, one content type each."""

from __future__ import annotations

import re
from typing import Any

from .schemawalk import Json

HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
_PATH_PARAM = re.compile(r"{([^}]+)}")
NO_BODY_STATUSES = ("204", "205")


def iter_operations(doc: Json) -> list[tuple[str, str, dict[str, Any]]]:
    """(http method upper-case, path, operation) for every operation, in document order."""
    out = []
    for path, item in doc["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                out.append((method.upper(), path, item[method]))
    return out


def resolve_component_refs(doc: Json, section: str) -> None:
    """Inline `#/components/<section>/X` references (requestBodies, parameters, responses)."""
    prefix = f"#/components/{section}/"
    table = doc.get("components", {}).get(section, {})

    def visit(node: Json) -> Json:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(prefix):
                return visit(dict(table[ref[len(prefix) :]]))
            return {key: visit(value) for key, value in node.items()}
        if isinstance(node, list):
            return [visit(item) for item in node]
        return node

    doc["paths"] = visit(doc["paths"])
    doc.get("components", {}).pop(section, None)


def merge_path_parameters(doc: Json) -> None:
    """Copy path-item parameters into each operation and order path parameters as they appear in
    the URL, because namespace methods take them positionally in that order."""
    for path, item in doc["paths"].items():
        shared = item.pop("parameters", [])
        order = {name: index for index, name in enumerate(_PATH_PARAM.findall(path))}
        for method in HTTP_METHODS:
            if method not in item:
                continue
            operation = item[method]
            own = operation.get("parameters", [])
            own_keys = {(p["name"], p["in"]) for p in own}
            params = [p for p in shared if (p["name"], p["in"]) not in own_keys] + own
            path_params = sorted(
                (p for p in params if p["in"] == "path"), key=lambda p: order.get(p["name"], 99)
            )
            others = [p for p in params if p["in"] != "path" and not _transport_header(p)]
            operation["parameters"] = path_params + others


def _transport_header(param: Json) -> bool:
    """Headers httpx computes itself (a caller-set Content-Length would corrupt the request)."""
    return bool(param["in"] == "header" and str(param["name"]).lower() in ("content-length", "user-agent"))


def undeclared_path_parameters(doc: Json) -> list[str]:
    """Operations whose path names a parameter they do not declare (to be fixed in specs/fixes)."""
    problems = []
    for method, path, operation in iter_operations(doc):
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        missing = [name for name in _PATH_PARAM.findall(path) if name not in declared]
        if missing:
            problems.append(f"{method} {path}: {', '.join(missing)}")
    return problems


def _base_media_type(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def _is_json_type(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def _looks_structured(schema: Json) -> bool:
    return isinstance(schema, dict) and (
        "$ref" in schema or schema.get("type") in ("object", "array") or "properties" in schema
    )


def normalise_responses(doc: Json) -> None:
    """Keep only 2xx responses (errors are raised by the pipeline as typed exceptions)
    and give each a single, supported content type."""
    for _method, _path, operation in iter_operations(doc):
        kept = {}
        for status, response in operation.get("responses", {}).items():
            if not (len(status) == 3 and status.startswith("2")):
                continue
            if status in NO_BODY_STATUSES:
                # Cloud's issue vote/watch and Data Center's certificate delete declare a JSON body on
                # a 204, which has none (RFC 9110): decoding it would fail on every success.
                response.pop("content", None)
            content = response.get("content") or {}
            if content:
                response["content"] = _pick_response_content(content)
            kept[status] = response
        if not kept:
            # Only a redirect (we follow it: Cloud diffs, downloads, attachments), or only `default`.
            default = operation.get("responses", {}).get("default", {})
            kept = {"200": {"description": "Success", "content": default.get("content") or {}}}
            if kept["200"]["content"]:
                kept["200"]["content"] = _pick_response_content(kept["200"]["content"])
        if not any(response.get("content") for response in kept.values()):
            # No success body is documented, yet servers send one (Cloud's diffs, logs, activity lists):
            # decode whatever arrives rather than drop it. A 204/205 still has none.
            for status, response in kept.items():
                if status not in NO_BODY_STATUSES:
                    response["content"] = {"application/json": {"schema": UNKNOWN_BODY}}
        operation["responses"] = kept


# Marks a body the document does not describe; the endpoint decodes it by its Content-Type.
UNKNOWN_BODY: dict[str, Any] = {"description": "The document does not describe this body."}


def _pick_response_content(content: dict[str, Json]) -> dict[str, Json]:
    by_type = {_base_media_type(key): value for key, value in content.items()}
    for media_type, value in by_type.items():
        if _is_json_type(media_type):
            # JSON without a schema decodes to plain JSON values (`Any`) rather than being dropped.
            return {"application/json": value if "schema" in value else {"schema": {}}}
    media_type, value = next(iter(by_type.items()))
    if media_type == "*/*":
        schema = value.get("schema")
        return {"application/json" if _looks_structured(schema) else "application/octet-stream": value}
    if media_type.startswith("text/"):
        return {"text/plain": {"schema": {"type": "string"}}}
    return {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}


def normalise_request_bodies(doc: Json) -> None:
    """A `*/*` body is JSON when its schema is structured, else text. Vendor `+json` types are kept,
    since the server dispatches on them (the generator config maps them to JSON handling)."""
    for _method, _path, operation in iter_operations(doc):
        body = operation.get("requestBody")
        if not body:
            continue
        new_content: dict[str, Json] = {}
        for content_type, value in body.get("content", {}).items():
            media_type = _base_media_type(content_type)
            schema = value.get("schema")
            if media_type == "*/*":
                media_type = "application/json" if _looks_structured(schema) else "text/plain"
            new_content.setdefault(media_type, value)
        body["content"] = new_content


FORM_MEDIA_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
FORM_BODY = "x-form-body"
"""Where a form body goes (`split_form_bodies`): {content_type, schema (inlined), required}."""


def split_form_bodies(doc: Json) -> None:
    """Move each multipart or url-encoded request body out of `requestBody`, into `x-form-body`.

    The namespace planner writes such a body as keyword fields (`Upload`s for the files, see
    `bitbucket_client/_uploads.py`), never as a model: the schema is inlined there, and a component
    only such bodies referred to is dropped. An operation that also takes JSON keeps that as its body
    (Cloud's snippets: the form body goes to a variant, `specs/rules` `variants`).
    """
    schemas: dict[str, Json] = doc.get("components", {}).get("schemas", {})
    moved: set[str] = set()
    for _method, _path, operation in iter_operations(doc):
        body = operation.get("requestBody")
        content = (body or {}).get("content") or {}
        form_type = next((media for media in FORM_MEDIA_TYPES if media in content), None)
        if form_type is None:
            continue
        media = content.pop(form_type)
        schema = media.get("schema") or {}
        ref = schema.get("$ref", "") if isinstance(schema, dict) else ""
        if ref.startswith("#/components/schemas/"):
            moved.add(ref.rsplit("/", 1)[1])
            schema = schemas[ref.rsplit("/", 1)[1]]
        operation[FORM_BODY] = {
            "content_type": form_type,
            "schema": _inlined(schema, schemas),
            "required": bool((body or {}).get("required")),
        }
        if not content:
            del operation["requestBody"]
    text = str(doc["paths"]) + str({name: schema for name, schema in schemas.items() if name not in moved})
    for name in moved:
        if f"#/components/schemas/{name}'" not in text:
            del schemas[name]


def _inlined(schema: Json, schemas: dict[str, Json], depth: int = 0) -> Json:
    """`schema` with its references replaced by the schemas they name (form bodies are flat)."""
    if depth > 10:
        raise ValueError("a form body's schema nests too deeply")
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            return _inlined(schemas[ref.rsplit("/", 1)[1]], schemas, depth + 1)
        return {key: _inlined(value, schemas, depth + 1) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_inlined(item, schemas, depth + 1) for item in schema]
    return schema
