"""How much of what Bitbucket really sends lands in typed attributes.

    python scripts/typed_coverage.py                     # the project's corpus, tests/fixtures/real
    python scripts/typed_coverage.py --corpus DIR        # another corpus with the same layout
    python scripts/typed_coverage.py --top 40 --json     # more untyped keys; machine-readable output

A corpus is a folder holding `index.json` files (at any depth), each a list of entries, one per JSON
file, whose `file` is relative to that index's folder:

    {"file": "responses/pullrequests.get.json", "product": "cloud", "kind": "response",
     "operation": "pullrequests.get", "source": "https://developer.atlassian.com/..."}
    {"file": "webhooks/pr.opened.json", "product": "server", "kind": "webhook",
     "event": "pr:opened", "source": "https://confluence.atlassian.com/..."}

A response is decoded through the public API: the facade method of its `operation` is called on a client
whose transport answers the file's body (status `status`, default 200), with placeholder path arguments and
the entry's optional `args` / `kwargs`. For a list operation the first page is taken. A webhook delivery goes
through `bitbucket_client.webhooks.parse_event` with its `event` as `X-Event-Key`.

Every key of every JSON object in the body, at every depth, is counted once. A key is typed when its value
was decoded into an attribute of a declared, non-`Any` type, or is a `null` for a field whose type does
not admit None (the model reads it as `UNSET`, "no value", and keeps it out of `additional_properties`);
it is untyped when it landed in `additional_properties`, under a field typed `Any`, or below such a key.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import re
import sys
import warnings
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import httpx

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT / "tests" / "fixtures" / "real"
GROUPS = (("cloud", "response"), ("server", "response"), ("cloud", "webhook"), ("server", "webhook"))

# Envelope keys the paginator reads and `Page` exposes as typed attributes.
PAGE_KEYS = {
    "cloud": {"size", "page", "pagelen", "next", "previous", "values"},
    "server": {"size", "limit", "isLastPage", "start", "nextPageStart", "values"},
}


@attrs.define
class Tally:
    """Typed and total key counts, and where the untyped keys are (`Class.key` -> untyped keys there)."""

    typed: int = 0
    total: int = 0
    untyped: Counter[str] = attrs.field(factory=Counter)
    errors: list[str] = attrs.field(factory=list)

    def add(self, other: Tally) -> None:
        self.typed += other.typed
        self.total += other.total
        self.untyped.update(other.untyped)
        self.errors += other.errors

    @property
    def share(self) -> float:
        return self.typed / self.total if self.total else 1.0


def count_keys(value: Any) -> int:
    """Every key of every object in a JSON value."""
    if isinstance(value, dict):
        return len(value) + sum(count_keys(item) for item in value.values())
    if isinstance(value, list):
        return sum(count_keys(item) for item in value)
    return 0


# ---- walking a decoded value beside its JSON ------------------------------------------------------


def _model_spec(value: Any) -> Any:
    """The `ModelSpec` of a generated response model instance, or None."""
    module = sys.modules.get(type(value).__module__)
    spec_function = getattr(module, "_spec", None)
    if spec_function is None or not hasattr(value, "additional_properties"):
        return None
    return spec_function()


def _field_paths(value: Any) -> list[tuple[str, tuple[tuple[str | int, ...], ...]]] | None:
    """For a hand-written attrs class that keeps its JSON in `raw` (webhook events and their parts):
    (attribute, JSON paths it is read from). A field declared with `payload_field` names its paths;
    any other field is read from the key of its own name."""
    if not attrs.has(type(value)) or not isinstance(getattr(value, "raw", None), dict):
        return None
    from bitbucket_client.webhooks._base import _SPEC_KEY

    out = []
    for field in attrs.fields(type(value)):
        if field.name in ("raw", "event_key", "delivery"):
            continue
        spec = field.metadata.get(_SPEC_KEY)
        paths = spec[0] if spec is not None else ((field.name.rstrip("_"),),)
        out.append((field.name, paths))
    return out


def _is_any_converter(convert: Any) -> bool:
    from bitbucket_client._converters import as_any

    return convert is as_any


def walk(value: Any, raw: Any, where: str, tally: Tally) -> None:
    """Count the keys of `raw` (the JSON) that `value` (what it decoded to) reaches through types."""
    if isinstance(raw, list):
        if isinstance(value, list) and len(value) == len(raw):
            for item_value, item_raw in zip(value, raw, strict=True):
                walk(item_value, item_raw, where, tally)
        else:
            _untyped_below(raw, where, tally)
        return
    if not isinstance(raw, dict):
        return
    spec = _model_spec(value)
    if spec is not None:
        _walk_model(value, spec, raw, tally)
        return
    paths = _field_paths(value)
    if paths is not None:
        _walk_attrs(value, paths, raw, tally)
        return
    # A plain dict (a field typed Any, or a JSON object nobody decoded): nothing below is typed.
    _untyped_below(raw, where, tally)


def _walk_model(value: Any, spec: Any, raw: dict[str, Any], tally: Tally) -> None:
    from bitbucket_client._converters import INVALID
    from bitbucket_client._types import UNSET

    name = type(value).__name__
    by_key = {key: (attribute, convert) for key, attribute, convert in spec.fields}
    for key, item in raw.items():
        found = by_key.get(key)
        decoded: Any = INVALID
        if found is not None:
            attribute, convert = found
            decoded = getattr(value, attribute, UNSET)
            if decoded is UNSET and item is None and key not in value.additional_properties:
                decoded = None  # null for a type without None: understood as "no value"
            elif decoded is UNSET or _is_any_converter(convert):
                decoded = INVALID
        elif spec.extra is not None and not _is_any_converter(spec.extra) and spec.extra(item) is not INVALID:
            decoded = value.additional_properties.get(key, INVALID)
        if decoded is INVALID:
            _untyped_key(item, f"{name}.{key}", tally)
            continue
        tally.total += 1
        tally.typed += 1
        walk(decoded, item, f"{name}.{key}", tally)


def _walk_attrs(
    value: Any, paths: list[tuple[str, tuple[tuple[str | int, ...], ...]]], raw: dict[str, Any], tally: Tally
) -> None:
    """A hand-written class: the keys on the path of a decoded field are typed, and so is what the
    field's value reaches below; the rest of `raw` is not."""
    from bitbucket_client._types import UNSET

    name = type(value).__name__
    reached: dict[tuple[str | int, ...], tuple[Any, Any]] = {}
    for attribute, candidates in paths:
        decoded = getattr(value, attribute)
        for path in candidates:
            found = _lookup(raw, path)
            if found is _MISSING:
                continue
            if decoded is UNSET or (found is not None and decoded is None):
                break
            if isinstance(found, list) and len(found) != len(decoded if isinstance(decoded, list) else ()):
                break
            reached[path] = (decoded, found)
            break
    _count_reached(raw, (), reached, name, tally)


_MISSING = object()


def _lookup(raw: Any, path: tuple[str | int, ...]) -> Any:
    for key in path:
        if isinstance(key, int):
            if not isinstance(raw, list) or not -len(raw) <= key < len(raw):
                return _MISSING
        elif not isinstance(raw, dict) or key not in raw:
            return _MISSING
        raw = raw[key]
    return raw


def _count_reached(
    raw: Any,
    prefix: tuple[str | int, ...],
    reached: dict[tuple[str | int, ...], tuple[Any, Any]],
    name: str,
    tally: Tally,
) -> None:
    """Walk `raw` from `prefix`: a key is typed when a field's path goes through or ends at it."""
    if isinstance(raw, list):
        for index, item in enumerate(raw):
            path = (*prefix, index)
            if path in reached:
                walk(reached[path][0], item, name, tally)
            elif any(p[: len(path)] == path for p in reached):
                _count_reached(item, path, reached, name, tally)
            else:
                _untyped_below(item, f"{name}.{_dotted(prefix)}", tally)
        return
    if not isinstance(raw, dict):
        return
    for key, item in raw.items():
        path = (*prefix, key)
        if path in reached:
            tally.total += 1
            tally.typed += 1
            walk(reached[path][0], item, f"{name}.{_dotted(path)}", tally)
        elif any(p[: len(path)] == path for p in reached):
            tally.total += 1
            tally.typed += 1
            _count_reached(item, path, reached, name, tally)
        else:
            _untyped_key(item, f"{name}.{_dotted(path)}", tally)


def _dotted(path: tuple[str | int, ...]) -> str:
    return ".".join("[]" if isinstance(part, int) else part for part in path)


def _untyped_key(raw: Any, where: str, tally: Tally) -> None:
    """A key that is not typed: it and every key below it count against `where`."""
    keys = 1 + count_keys(raw)
    tally.total += keys
    tally.untyped[where] += keys


def _untyped_below(raw: Any, where: str, tally: Tally) -> None:
    """Keys below a value nothing typed (a field typed Any, or a list that did not decode)."""
    below = count_keys(raw)
    tally.total += below
    if below:
        tally.untyped[f"{where} (below)"] += below


# ---- decoding corpus files through the public API --------------------------------------------------


def _placeholder(parameter: inspect.Parameter) -> Any:
    annotation = str(parameter.annotation)
    return 1 if annotation.split(" | ")[0] == "int" else "x"


def _required_body_placeholders(method: Any, given: Mapping[str, Any]) -> dict[str, Any]:
    """Placeholders for the body fields the method requires (its keyword overload) that the entry does
    not give: the call is only there to decode the answer, but the client checks a body before sending."""
    import typing

    for overload in typing.get_overloads(method.__func__):
        parameters = inspect.signature(overload).parameters.values()
        keywords = [p for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY]
        if not any(p.name == "body" for p in keywords):
            return {
                p.name: _body_placeholder(str(p.annotation))
                for p in keywords
                if p.default is inspect.Parameter.empty and p.name not in given
            }
    return {}


def _body_placeholder(annotation: str) -> Any:
    literal = re.search(r"Literal\[('[^']*'|\"[^\"]*\")", annotation)
    if literal:
        return literal.group(1)[1:-1]  # an enum: its first value
    if annotation.startswith("Sequence["):
        return []
    if "Dict" in annotation:
        return {}  # a model's dict form
    return 1 if annotation.split(" | ")[0] == "int" else "x"


def _answer(body: bytes, status: int) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"Content-Type": "application/json"})

    return httpx.MockTransport(handler)


async def decode_response(entry: Mapping[str, Any], body: bytes) -> Any:
    """What the facade method of `entry["operation"]` returns when the server answers `body`."""
    from bitbucket_client import BitbucketCloud, BitbucketServer
    from bitbucket_client._pagination import AsyncPaginator

    transport = _answer(body, int(entry.get("status", 200)))
    client: BitbucketCloud | BitbucketServer
    if entry["product"] == "cloud":
        client = BitbucketCloud("corpus-token", transport=transport, max_retries=0)
    else:
        client = BitbucketServer(
            "https://bitbucket.example.com", "corpus-token", transport=transport, max_retries=0
        )
    async with client:
        namespace, method_name = str(entry["operation"]).split(".")
        method = getattr(getattr(client, namespace), method_name)
        args = list(entry.get("args", []))
        if not args:
            for parameter in inspect.signature(method).parameters.values():
                if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and (
                    parameter.default is inspect.Parameter.empty
                ):
                    args.append(_placeholder(parameter))
        kwargs = dict(entry.get("kwargs", {}))
        result = method(*args, **kwargs, **_required_body_placeholders(method, kwargs))
        if isinstance(result, AsyncPaginator):
            async for page in result.pages():
                return page
            return None
        return await result


def decode_webhook(entry: Mapping[str, Any], body: bytes) -> Any:
    from bitbucket_client.webhooks import parse_event

    return parse_event({"X-Event-Key": str(entry["event"])}, body)


def measure_entry(entry: Mapping[str, Any], body: bytes) -> Tally:
    tally = Tally()
    raw = json.loads(body)
    label = entry.get("operation") or entry.get("event")
    try:
        if entry["kind"] == "webhook":
            decoded = decode_webhook(entry, body)
            walk(decoded, raw, type(decoded).__name__, tally)
            return tally
        with warnings.catch_warnings():  # deprecated operations are measured like the others
            warnings.simplefilter("ignore", DeprecationWarning)
            decoded = asyncio.run(decode_response(entry, body))
    except Exception as exc:  # a corpus file the client cannot decode counts as untyped, and is reported
        tally.errors.append(f"{entry['file']} ({label}): {type(exc).__name__}: {exc}")
        _untyped_below(raw, f"<error {label}>", tally)
        return tally
    from bitbucket_client import Page

    if isinstance(decoded, Page):
        _walk_page(decoded, raw, entry["product"], tally)
    else:
        walk(decoded, raw, str(label), tally)
    return tally


def _walk_page(page: Any, raw: Any, product: str, tally: Tally) -> None:
    if not isinstance(raw, dict):
        _untyped_below(raw, "<page>", tally)
        return
    for key, item in raw.items():
        if key not in PAGE_KEYS[product]:
            _untyped_key(item, f"<page>.{key}", tally)
            continue
        tally.total += 1
        tally.typed += 1
        if key == "values":
            walk(page.items, item, "<page>.values", tally)


def load_index(corpus: Path) -> list[dict[str, Any]]:
    """Every entry of every `index.json` under `corpus`, with `file` made relative to `corpus`."""
    entries: list[dict[str, Any]] = []
    for index in sorted(corpus.rglob("index.json")):
        folder = index.parent.relative_to(corpus)
        for entry in json.loads(index.read_text()):
            entries.append({**entry, "file": str(folder / entry["file"])})
    return entries


def measure(
    corpus: Path = DEFAULT_CORPUS, products: tuple[str, ...] = ("cloud", "server")
) -> dict[tuple[str, str], Tally]:
    """One tally per (product, kind) over every file of the corpus."""
    tallies = {group: Tally() for group in GROUPS if group[0] in products}
    for entry in load_index(corpus):
        group = (entry["product"], entry["kind"])
        if group not in tallies:
            continue
        tallies[group].add(measure_entry(entry, (corpus / entry["file"]).read_bytes()))
    return tallies


def _files(tallies: Mapping[tuple[str, str], Tally], corpus: Path) -> Iterator[tuple[str, str, int]]:
    counts = Counter((e["product"], e["kind"]) for e in load_index(corpus))
    for product, kind in tallies:
        yield product, kind, counts[(product, kind)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder with index.json")
    parser.add_argument("--product", choices=("cloud", "server"), help="only this product")
    parser.add_argument("--top", type=int, default=15, help="untyped keys to list per group")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    products = (args.product,) if args.product else ("cloud", "server")
    tallies = measure(args.corpus, products)
    files = {(p, k): n for p, k, n in _files(tallies, args.corpus)}
    if args.json:
        print(
            json.dumps(
                {
                    f"{product} {kind}s": {
                        "files": files[(product, kind)],
                        "typed_keys": tally.typed,
                        "keys": tally.total,
                        "share": round(tally.share, 4),
                        "untyped": dict(tally.untyped.most_common(args.top)),
                        "errors": tally.errors,
                    }
                    for (product, kind), tally in tallies.items()
                },
                indent=2,
            )
        )
        return 0
    print("untyped keys are listed as `Class.key`: that key and every key below it, over the corpus")
    for (product, kind), tally in tallies.items():
        print(
            f"{product:6} {kind + 's':9} {files[(product, kind)]:4} files  "
            f"{tally.typed:6}/{tally.total:<6} keys typed  {tally.share:7.2%}"
        )
        for where, count in tally.untyped.most_common(args.top):
            print(f"    {count:6}  {where}")
        for error in tally.errors:
            print(f"    error: {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
