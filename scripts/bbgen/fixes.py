"""Apply the project's fixes to an upstream document: JSON Patch operations, each with its reason.

`specs/fixes/<product>.json` is a list of entries:

    {"operation": "GET /api/latest/...", "op": "add", "path": "/paths/~1api.../get/parameters/-",
     "value": {...}, "reason": "one line: why the upstream document is wrong"}

`op` is one of add, replace, remove (RFC 6902 semantics). `operation` names the API operation the fix
is about (or "schema X" for component fixes); it is documentation and is checked against `path`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .schemawalk import Json


class FixError(Exception):
    pass


def load_fixes(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    entries: list[dict[str, Any]] = json.loads(path.read_text())
    for index, entry in enumerate(entries):
        missing = {"op", "path", "reason", "operation"} - set(entry)
        if missing:
            raise FixError(f"{path} entry {index}: missing {sorted(missing)}")
        if entry["op"] not in ("add", "replace", "remove"):
            raise FixError(f"{path} entry {index}: unsupported op {entry['op']!r}")
        if not str(entry["reason"]).strip():
            raise FixError(f"{path} entry {index}: every fix needs a reason")
    return entries


def _tokens(pointer: str) -> list[str]:
    if not pointer.startswith("/"):
        raise FixError(f"not a JSON pointer: {pointer!r}")
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/")]


def apply_fixes(doc: Json, entries: list[dict[str, Any]]) -> None:
    for entry in entries:
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
