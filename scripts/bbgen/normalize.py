"""Turn a fixed upstream document into the document openapi-python-client generates from."""

from __future__ import annotations

import copy
import re
from typing import Any

import attrs

from .docstrings import reference_link
from .hoist_schemas import flatten_all_of, hoist_document
from .normalize_operations import (
    iter_operations,
    merge_path_parameters,
    normalise_request_bodies,
    normalise_responses,
    resolve_component_refs,
    split_form_bodies,
    undeclared_path_parameters,
)
from .request_fixes import RequestFixes
from .rules import Rules, load_rules
from .schemawalk import Json, ref_name
from .split_families import (
    INPUT_SUFFIX,
    free_form_components,
    rename_components_to_class_names,
    split_families,
)


class NormalizeError(Exception):
    pass


_PATH_PARAM = re.compile(r"{([^}]+)}")


@attrs.frozen
class OperationRow:
    namespace: str
    method: str
    http_method: str
    path: str
    deprecated: bool
    paginated: bool
    summary: str
    description: str
    reference: str  # the operation's page on Atlassian's reference
    path_kinds: tuple[tuple[str, str], ...] = ()  # (parameter, kind) where not a plain segment
    variants: tuple[str, ...] = ()  # method names of the typed variants of this operation


@attrs.frozen
class Normalized:
    document: Json
    operations: list[OperationRow]
    response_models: frozenset[str]
    request_models: frozenset[str]
    rules: Rules
    # Request-side data (specs/fixes `request-*` entries): the body fields an operation requires beyond
    # its model's own, by (METHOD, path); and the request models whose bodies may carry any key.
    body_required: dict[tuple[str, str], tuple[str, ...]] = attrs.field(factory=dict)
    open_request_models: frozenset[str] = frozenset()


def parse_names(table: dict[str, str]) -> dict[tuple[str, str], tuple[str, str]]:
    out = {}
    for key, dotted in table.items():
        method, path = key.split(" ", 1)
        namespace, verb = dotted.split(".")
        out[(method, path)] = (namespace, verb)
    return out


def normalize(
    upstream: Json,
    *,
    product: str,
    names: dict[str, str],
    rules: Rules | None = None,
    request_fixes: RequestFixes | None = None,
) -> Normalized:
    """The document openapi-python-client generates from, and its operation table. `rules` default to
    `specs/rules/<product>.json`; `request_fixes` are the `request-*` entries of `specs/fixes`."""
    request_fixes = request_fixes or RequestFixes()
    rules = rules or load_rules(product)
    doc = copy.deepcopy(upstream)
    operation_names = parse_names(names)
    missing = [f"{m} {p}" for m, p, _ in iter_operations(doc) if (m, p) not in operation_names]
    if missing:
        raise NormalizeError(
            f"{len(missing)} operation(s) have no name in specs/names/{product}.json "
            f"(add them following specs/names/README.md): " + "; ".join(missing[:20])
        )
    resolve_component_refs(doc, "requestBodies")
    resolve_component_refs(doc, "parameters")
    resolve_component_refs(doc, "responses")
    merge_path_parameters(doc)
    undeclared = undeclared_path_parameters(doc)
    if undeclared:
        raise NormalizeError("undeclared path parameters (fix them in specs/fixes): " + "; ".join(undeclared))
    normalise_responses(doc)
    normalise_request_bodies(doc)
    split_form_bodies(doc)
    original_keys = rename_components_to_class_names(doc)
    free_form = free_form_components(doc)
    flatten_all_of(doc)
    hoist_document(doc, operation_names)
    response_models, request_models = split_families(doc, rules, original_keys, request_fixes)
    open_request_models = frozenset(
        name for name in request_models if name in free_form or name.removesuffix(INPUT_SUFFIX) in free_form
    )
    _drop_titles(doc["components"])
    _drop_titles(doc["paths"])
    rows = []
    declared_tags = [str(tag.get("name")) for tag in upstream.get("tags", [])]
    version = str(upstream.get("info", {}).get("version", ""))
    for method, path, operation in iter_operations(doc):
        namespace, verb = operation_names[(method, path)]
        tags = [str(tag) for tag in operation.get("tags", [])]
        is_deprecated = bool(operation.get("deprecated")) or (
            rules.deprecated_tag is not None and rules.deprecated_tag in tags
        )
        operation["deprecated"] = is_deprecated
        operation["operationId"] = f"{namespace}_{verb}"
        operation["tags"] = [namespace]
        qualified = f"{namespace}.{verb}"
        kinds = ((name, rules.path_kind(qualified, name)) for name in _PATH_PARAM.findall(path))
        rows.append(
            OperationRow(
                namespace=namespace,
                method=verb,
                http_method=method,
                path=path,
                deprecated=is_deprecated,
                paginated=_is_paginated(doc, operation, rules.page_marker, rules.page_items),
                summary=str(operation.get("summary") or "").strip(),
                description=str(operation.get("description") or "").strip(),
                reference=reference_link(
                    rules.reference_url,
                    version=version,
                    tags=tags,
                    declared_tags=declared_tags,
                    http_method=method,
                    path=path,
                ),
                path_kinds=tuple((name, kind) for name, kind in kinds if kind != "segment"),
                variants=tuple(v.name.split(".")[1] for v in rules.variants if v.of == qualified),
            )
        )
    _check_variants(rules, {f"{row.namespace}.{row.method}" for row in rows})
    body_required = request_fixes.body_required()
    unknown = sorted(key for key in body_required if key not in operation_names)
    if unknown:
        raise NormalizeError(f"request-required fixes name operations the document lacks: {unknown}")
    return Normalized(
        doc,
        rows,
        frozenset(response_models),
        frozenset(request_models),
        rules,
        body_required=body_required,
        open_request_models=open_request_models,
    )


def _check_variants(rules: Rules, operations: set[str]) -> None:
    """A variant has a name of its own, in its operation's namespace. (A variant of an operation the
    document lacks is not generated: the table's `variants`, which the tests compare with the rules,
    show it.)"""
    for variant in rules.variants:
        if variant.name in operations:
            raise NormalizeError(f"the variant {variant.name} has the name of an operation")
        if variant.name.split(".")[0] != variant.of.split(".")[0]:
            raise NormalizeError(f"the variant {variant.name} must be in the namespace of {variant.of}")


def _drop_titles(node: Json) -> None:
    """openapi-python-client names classes after `title` when present, which would make `X` and
    `XInput` (or two hoisted shapes that share a title) collide. Names come from component keys."""
    if isinstance(node, dict):
        title = node.get("title")
        if isinstance(title, str):
            del node["title"]
        for value in node.values():
            _drop_titles(value)
    elif isinstance(node, list):
        for item in node:
            _drop_titles(item)


def success_schema(operation: Json) -> Json | None:
    for status in sorted(operation.get("responses", {})):
        content = operation["responses"][status].get("content") or {}
        media = content.get("application/json")
        if media and "schema" in media:
            return media["schema"]
    return None


def _is_paginated(doc: Json, operation: Json, page_marker: str, page_items: tuple[str, ...]) -> bool:
    schema = success_schema(operation)
    name = ref_name(schema)
    if name is None:
        return False
    props: dict[str, Any] = doc["components"]["schemas"][name].get("properties", {})
    return page_marker in props and any(props.get(key, {}).get("type") == "array" for key in page_items)
