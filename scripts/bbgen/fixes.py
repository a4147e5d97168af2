"""Apply the project's fixes to an upstream document: JSON Patch operations, each with its reason.

`specs/fixes/<product>.json` is a list of entries:

    {"operation": "GET /api/latest/...", "op": "add", "path": "/paths/~1api.../get/parameters/-",
     "value": {...}, "reason": "one line: why the upstream document is wrong"}

`op` is one of add, replace, remove (RFC 6902 semantics). `operation` names the API operation the fix
is about (or "schema X" for component fixes); it is documentation for reviewers. A fix that follows a
real-world shape the document lacks also has `source`: the URL of the documentation that shows it.

A defect repeated on every operation is one entry with `op: "parameter-schema"`, which replaces the
schema of every parameter called `name` (optionally only `in` path/query) in the whole document:

    {"operation": "all", "op": "parameter-schema", "name": "pullRequestId", "value": {...}, "reason": "..."}

Entries whose op starts with `request-` change the request models only; `request_fixes.py` describes and
applies them after the split into request and response families (`apply_fixes` leaves them out).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .request_fixes import REQUEST_OPS, check_request_entry
from .schemawalk import Json


class FixError(Exception):
    pass


def load_fixes(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    entries: list[dict[str, Any]] = json.loads(path.read_text())
    for index, entry in enumerate(entries):
        if entry.get("op") in REQUEST_OPS:
            if not {"reason", "operation"} <= set(entry) or not str(entry["reason"]).strip():
                raise FixError(f"{path} entry {index}: every fix needs an `operation` and a reason")
            check_request_entry(entry, f"{path} entry {index}")
            continue
        needed = {"op", "reason", "operation"} | (
            {"name", "value"} if entry.get("op") == "parameter-schema" else {"path"}
        )
        missing = needed - set(entry)
        if missing:
            raise FixError(f"{path} entry {index}: missing {sorted(missing)}")
        if entry["op"] not in ("add", "replace", "remove", "parameter-schema"):
            raise FixError(f"{path} entry {index}: unsupported op {entry['op']!r}")
        if not str(entry["reason"]).strip():
            raise FixError(f"{path} entry {index}: every fix needs a reason")
        if "source" in entry and not str(entry["source"]).startswith(("https://", "http://")):
            raise FixError(f"{path} entry {index}: `source` must be the URL of the evidence")
    return entries


def _tokens(pointer: str) -> list[str]:
    if not pointer.startswith("/"):
        raise FixError(f"not a JSON pointer: {pointer!r}")
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/")]


def apply_fixes(doc: Json, entries: list[dict[str, Any]]) -> None:
    for entry in entries:
        if entry["op"] in REQUEST_OPS:
            continue  # applied to the request models by `split_families`
        if entry["op"] == "parameter-schema":
            _retype_parameters(doc, entry)
            continue
        tokens = _tokens(entry["path"])
        parent: Json = doc
        for token in tokens[:-1]:
            try:
                parent = parent[int(token)] if isinstance(parent, list) else parent[token]
            except (KeyError, IndexError, ValueError) as exc:
                raise FixError(
                    f"fix for {entry['operation']}: {entry['path']} does not exist upstream "
                    f"any more ({exc!r}); review specs/fixes"
                ) from exc
        last = tokens[-1]
        op = entry["op"]
        if isinstance(parent, list):
            if op == "add":
                parent.insert(len(parent) if last == "-" else int(last), entry["value"])
            elif op == "replace":
                parent[int(last)] = entry["value"]
            else:
                del parent[int(last)]
            continue
        if op in ("replace", "remove") and last not in parent:
            raise FixError(f"fix for {entry['operation']}: {entry['path']} does not exist upstream any more")
        if op == "remove":
            del parent[last]
        else:
            parent[last] = entry["value"]


def _retype_parameters(doc: Json, entry: dict[str, Any]) -> None:
    changed = 0
    for item in doc.get("paths", {}).values():
        operations = [item] + [value for value in item.values() if isinstance(value, dict)]
        for holder in operations:
            for param in holder.get("parameters", []) if isinstance(holder.get("parameters"), list) else []:
                if param.get("name") == entry["name"] and entry.get("in", param.get("in")) == param.get("in"):
                    param["schema"] = entry["value"]
                    changed += 1
    if not changed:
        raise FixError(f"parameter-schema fix: no parameter named {entry['name']!r} upstream any more")
