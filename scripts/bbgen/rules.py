"""Read the generator rules of one product from `specs/rules/<product>.json` (see its README)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import attrs

from .sources import ROOT

RULES_DIR = ROOT / "specs" / "rules"
_KEYS = frozenset(
    {"paging", "long_running", "request_type_default", "lenient_timestamps", "deprecated_tag", "reference"}
)


class RulesError(Exception):
    pass


@attrs.frozen
class Rules:
    paging_parameters: tuple[str, ...]
    page_marker: str  # the envelope property that, with `values`, makes a response a page
    long_running: dict[str, int]  # "namespace.method" -> the status that starts a task to poll
    request_type_default: bool
    timestamp_names: re.Pattern[str] | None  # response fields that accept epoch ms and ISO strings
    deprecated_tag: str | None
    reference_url: str  # with {group}, {anchor} and, for Data Center, {version}


def load_rules(product: str, directory: Path = RULES_DIR) -> Rules:
    path = directory / f"{product}.json"
    data: dict[str, Any] = json.loads(path.read_text())
    where = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    if set(data) != _KEYS:
        raise RulesError(f"{where}: expected the keys {sorted(_KEYS)}, got {sorted(data)}")
    for key, rule in data.items():
        for entry in _entries(key, rule):
            if not isinstance(entry.get("reason"), str) or not entry["reason"].strip():
                raise RulesError(f"{where}: the rule {key!r} needs a `reason`")
    timestamps = data["lenient_timestamps"]
    return Rules(
        paging_parameters=tuple(data["paging"]["parameters"]),
        page_marker=data["paging"]["envelope_marker"],
        long_running={name: int(rule["accepted_status"]) for name, rule in data["long_running"].items()},
        request_type_default=bool(data["request_type_default"]["enabled"]),
        timestamp_names=re.compile(timestamps["property_name_pattern"]) if timestamps else None,
        deprecated_tag=data["deprecated_tag"]["tag"] if data["deprecated_tag"] else None,
        reference_url=data["reference"]["url"],
    )


def _entries(key: str, rule: Any) -> list[dict[str, Any]]:
    """The parts of a rule that must give a reason: the rule itself, or each operation it names."""
    if rule is None:
        return []
    if key == "long_running":
        return list(rule.values())
    return [rule]
