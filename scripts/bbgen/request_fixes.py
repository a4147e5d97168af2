"""Fixes to the request side only: what a client may send, as opposed to what Bitbucket answers.

A schema that serves both directions becomes a response model `X` and a request model `XInput`
(`split_families`). The upstream documents describe the answer: request models inherited every field the
server sets (`id`, `created_on`, `links`, ...) and some cannot hold what a request needs. These entries of
`specs/fixes/<product>.json` change the request models only, after the split, keyed by the generated
class name (`PullrequestInput`); the response models and the document Prism serves stay as they are.

    {"operation": "request model PullrequestInput", "op": "request-remove", "model": "PullrequestInput",
     "fields": ["id", "links", ...], "reason": "...", "source": "https://developer.atlassian.com/..."}
    {"operation": "request model PipelineTargetInput", "op": "request-replace", "model": "...",
     "field": "type", "value": {schema}, "reason": "...", "source": "..."}
    {"operation": "request model PullrequestRef", "op": "request-add", "model": "PullrequestRef",
     "value": {schema}, "reason": "...", "source": "..."}
    {"operation": "POST /repositories/{workspace}/{repo_slug}/pullrequests", "op": "request-required",
     "fields": ["title", "source"], "reason": "...", "source": "..."}

`request-remove` drops fields the server sets; `request-replace` replaces (or adds) one field's schema;
`request-add` adds a request-only model (referred to by `request-replace` values as
`#/components/schemas/<class name>`); `request-required` makes body fields required for one operation
(keyword fields become required in its signature, and the validator asks for them). References in values
name classes as the response side does (`Commit`); they are rewritten to the request family (`CommitInput`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import attrs

from .schemawalk import Json, referenced_names

REQUEST_OPS = frozenset({"request-remove", "request-replace", "request-add", "request-required"})
_NEEDED = {
    "request-remove": {"model", "fields"},
    "request-replace": {"model", "field", "value"},
    "request-add": {"model", "value"},
    "request-required": {"fields"},
}


class RequestFixError(Exception):
    pass


def check_request_entry(entry: dict[str, Any], where: str) -> None:
    """Raise when a request-side entry lacks what its op needs (called by `fixes.load_fixes`)."""
    missing = _NEEDED[entry["op"]] - set(entry)
    if missing:
        raise RequestFixError(f"{where}: missing {sorted(missing)}")
    if not str(entry.get("source", "")).startswith(("https://", "http://")):
        raise RequestFixError(f"{where}: a request-side fix needs `source`, the URL of the documentation")
    if entry["op"] == "request-required" and " " not in str(entry["operation"]):
        raise RequestFixError(f"{where}: `operation` must be 'METHOD path'")


@attrs.frozen
class RequestFixes:
    entries: tuple[dict[str, Any], ...] = ()

    @classmethod
    def from_entries(cls, entries: Iterable[dict[str, Any]]) -> RequestFixes:
        return cls(tuple(entry for entry in entries if entry.get("op") in REQUEST_OPS))

    def referenced(self) -> set[str]:
        """Components the fixes' values refer to (kept in the request family)."""
        names: set[str] = set()
        for entry in self.entries:
            if entry["op"] in ("request-replace", "request-add"):
                names.update(referenced_names(entry["value"]))
        return names

    def added_models(self) -> dict[str, Json]:
        return {e["model"]: copy.deepcopy(e["value"]) for e in self.entries if e["op"] == "request-add"}

    def apply(self, components: dict[str, Json], request_names: set[str]) -> None:
        """Change the request models in place (before their references are rewritten to `XInput`)."""
        for entry in self.entries:
            op = entry["op"]
            if op in ("request-required", "request-add"):
                continue
            model = entry["model"]
            if model not in request_names:
                raise RequestFixError(
                    f"{entry['operation']}: there is no request model {model!r} any more; review specs/fixes"
                )
            props: dict[str, Json] = components[model].setdefault("properties", {})
            if op == "request-remove":
                unknown = [field for field in entry["fields"] if field not in props]
                if unknown:
                    raise RequestFixError(
                        f"{entry['operation']}: {model} lacks the field(s) {unknown} now; review specs/fixes"
                    )
                for field in entry["fields"]:
                    del props[field]
                _prune_required(components[model], props)
            else:
                props[entry["field"]] = copy.deepcopy(entry["value"])

    def body_required(self) -> dict[tuple[str, str], tuple[str, ...]]:
        """(METHOD, path) -> the body fields that operation requires beyond its model's own."""
        out: dict[tuple[str, str], tuple[str, ...]] = {}
        for entry in self.entries:
            if entry["op"] == "request-required":
                method, path = str(entry["operation"]).split(" ", 1)
                out[(method.upper(), path)] = tuple(entry["fields"])
        return out


def _prune_required(schema: Json, props: dict[str, Json]) -> None:
    if "required" in schema:
        schema["required"] = [name for name in schema["required"] if name in props]
        if not schema["required"]:
            del schema["required"]
