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
    {
        "paging",
        "long_running",
        "request_type_default",
        "lenient_timestamps",
        "deprecated_tag",
        "reference",
        "path_kinds",
        "ref_lookups",
        "file_answers",
        "variants",
    }
)
PATH_KINDS = frozenset({"file_path", "optional_file_path", "directory", "file_path_suffix", "ref"})
FILE_ANSWERS = frozenset({"binary", "text"})


@attrs.frozen
class PathKind:
    """Path parameters that are not a plain segment: `parameter` of `operations` (None: every one)."""

    kind: str  # one of PATH_KINDS, see bitbucket_client/_paths.py
    parameter: str
    operations: frozenset[str] | None  # "namespace.method"
    default: str | None = None  # the parameter may be left out: this is its value


@attrs.frozen
class Variant:
    """A typed variant of a documented operation: another method for one of its answers."""

    name: str  # "namespace.method"
    of: str  # the documented operation, "namespace.method"
    summary: str
    description: str
    query: tuple[str, ...]  # the operation's query parameters the variant takes
    fixed_query: dict[str, str]  # sent with every call
    answer: str  # "binary", "text", "page", "form" (the operation's own answer, with the form body)
    model: str | None  # "model": the component schema the answer decodes into
    path_kinds: dict[str, str]  # kinds that differ from the operation's
    defaults: dict[str, str]  # path parameters that may be left out, and their value
    descriptions: dict[str, str]  # argument docs that differ from the operation's


class RulesError(Exception):
    pass


@attrs.frozen
class Rules:
    paging_parameters: tuple[str, ...]
    page_marker: str  # the envelope property that, with a list of items, makes a response a page
    page_items: tuple[str, ...]  # the envelope's list of items: `values` (or another name)
    long_running: dict[str, int]  # "namespace.method" -> the status that starts a task to poll
    request_type_default: bool
    timestamp_names: re.Pattern[str] | None  # response fields that accept epoch ms and ISO strings
    deprecated_tag: str | None
    reference_url: str  # with {group}, {anchor} and, for Data Center, {version}
    path_kinds: tuple[PathKind, ...] = ()
    ref_lookups: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (path template, keys to the hash)
    file_answers: dict[str, str] = attrs.Factory(dict)  # "namespace.method" -> "binary" | "text"
    variants: tuple[Variant, ...] = ()

    def path_kind(self, operation: str, parameter: str) -> str:
        """The kind of a path parameter of `operation` ("segment" unless a rule says otherwise)."""
        rule = self._path_rule(operation, parameter)
        return "segment" if rule is None else rule.kind

    def path_default(self, operation: str, parameter: str) -> str | None:
        """The value of a path parameter that may be left out, or None."""
        rule = self._path_rule(operation, parameter)
        return None if rule is None else rule.default

    def _path_rule(self, operation: str, parameter: str) -> PathKind | None:
        found = None
        for rule in self.path_kinds:  # later rules win
            if rule.parameter == parameter and (rule.operations is None or operation in rule.operations):
                found = rule
        return found


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
    lookups = data["ref_lookups"]
    answers = data["file_answers"]
    return Rules(
        paging_parameters=tuple(data["paging"]["parameters"]),
        page_marker=data["paging"]["envelope_marker"],
        page_items=tuple(data["paging"]["items"]),
        long_running={name: int(rule["accepted_status"]) for name, rule in data["long_running"].items()},
        request_type_default=bool(data["request_type_default"]["enabled"]),
        timestamp_names=re.compile(timestamps["property_name_pattern"]) if timestamps else None,
        deprecated_tag=data["deprecated_tag"]["tag"] if data["deprecated_tag"] else None,
        reference_url=data["reference"]["url"],
        path_kinds=tuple(_path_kind(rule, where) for rule in data["path_kinds"]),
        ref_lookups=tuple((entry["path"], tuple(entry["hash"])) for entry in lookups["lookups"])
        if lookups
        else (),
        file_answers=_file_answers(answers, where) if answers else {},
        variants=tuple(_variant(name, rule, where) for name, rule in data["variants"].items()),
    )


def _path_kind(rule: dict[str, Any], where: str) -> PathKind:
    if rule["kind"] not in PATH_KINDS:
        raise RulesError(f"{where}: unknown path kind {rule['kind']!r} (known: {sorted(PATH_KINDS)})")
    operations = rule["operations"]
    return PathKind(
        rule["kind"],
        rule["parameter"],
        None if operations == "*" else frozenset(operations),
        rule.get("default"),
    )


def _file_answers(rule: dict[str, Any], where: str) -> dict[str, str]:
    answers: dict[str, str] = dict(rule["operations"])
    unknown = sorted(set(answers.values()) - FILE_ANSWERS)
    if unknown:
        raise RulesError(f"{where}: file_answers are 'binary' or 'text', not {unknown}")
    return answers


def _variant(name: str, rule: dict[str, Any], where: str) -> Variant:
    answer = rule["answer"]
    model = answer.get("model") if isinstance(answer, dict) else None
    kind = "model" if model else answer
    if kind not in ("binary", "text", "page", "form", "model"):
        raise RulesError(f"{where}: the variant {name!r} has an unknown answer {answer!r}")
    for parameter, path_kind in rule.get("path_kinds", {}).items():
        if path_kind not in PATH_KINDS:
            raise RulesError(
                f"{where}: the variant {name!r} gives {parameter!r} an unknown kind {path_kind!r}"
            )
    return Variant(
        name=name,
        of=rule["of"],
        summary=rule["summary"],
        description=rule.get("description", ""),
        query=tuple(rule.get("query", ())),
        fixed_query=dict(rule.get("fixed_query", {})),
        answer=kind,
        model=model,
        path_kinds=dict(rule.get("path_kinds", {})),
        defaults=dict(rule.get("defaults", {})),
        descriptions=dict(rule.get("descriptions", {})),
    )


def _entries(key: str, rule: Any) -> list[dict[str, Any]]:
    """The parts of a rule that must give a reason: the rule itself, or each operation it names."""
    if rule is None:
        return []
    if key in ("long_running", "variants"):
        return list(rule.values())
    if key == "path_kinds":
        return list(rule)
    return [rule]
