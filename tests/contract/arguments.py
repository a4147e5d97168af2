"""Arguments for every operation, built from the document and the generated signatures.

For an operation, `build_call` reads the facade method's signature (with its type hints resolved) and the
operation's declaration in the document Prism serves (`documents.contract_document`), and returns the
positional and keyword arguments to call `bb.<namespace>.<method>(...)` with:

- path parameters positionally in URL order, typed as the facade says (an `int` id is an `int`), with
  values that satisfy the document's schema (enums, patterns, formats);
- every query and header parameter (the required ones, and the optional ones too, so that every
  encoding is exercised; not deprecated ones, nor `Content-Length`), enums given as their string values
  as users write them;
- a request body built through the generated request models' constructors: required fields always,
  optional ones down to `OPTIONAL_DEPTH` nested models, defaults (Cloud's `type`) left to the models.
  When the facade takes every field set as a keyword, the fields are passed as keywords (exercising
  `build_body`), else as `body=`;
- a form body (multipart or url-encoded) as the method's keyword fields, every one of them, files as
  named uploads.

A typed variant of an operation (`Operation.variants`, such as `source.get_file`) is called the same
way, with the parameters it takes. `Call.sent` lists what the request must carry (`sent.py` checks it).
"""

from __future__ import annotations

import ast
import builtins
import collections.abc
import datetime
import enum
import functools
import importlib
import inspect
import os
import pathlib
import re
import textwrap
import types
import typing
import uuid
from collections.abc import Callable
from typing import Any, Literal, Union

import attrs
from openapi_python_client.strings import PythonIdentifier

from bitbucket_client import UNSET, File, Unset
from bitbucket_client._operations import Operation

from .documents import Document, Json

OPTIONAL_DEPTH = 6  # nested models (counted from the body) whose optional fields are filled too
FIELD_PREFIX = "field_"  # specs/openapi-python-client.yaml
PAGINATION_OPTIONS = {"page_size", "max_items", "prefetch"}
PAGING_PARAMETERS = {"cloud": ("page", "pagelen"), "server": ("start", "limit")}
_PATH_PARAM = re.compile(r"{([^}]+)}")
FIXED_DATETIME = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.UTC)

# Strings that satisfy the patterns the two documents use (Prism tests `pattern` as a JS RegExp search).
PATTERN_CANDIDATES = (
    "0123456789abcdef0123456789abcdef01234567",
    "refs/heads/main",
    "DEVELOPMENT",
    "BOOLEAN",
    "FAIL",
    "LOW",
    "VULNERABILITY",
    "contract",
)
FORMAT_EXAMPLES = {
    "date-time": "2024-05-06T07:08:09Z",
    "date": "2024-05-06",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "uri": "https://example.com/contract",
    "url": "https://example.com/contract",
    "email": "contract@example.com",
}


class ArgumentError(Exception):
    """The suite cannot build arguments for an operation (a defect of the suite or of the generator)."""


# ---- resolving the generated annotations ------------------------------------------------------------


class _Names(dict[str, Any]):
    """Local names for evaluating generated annotations: the product's models (loaded on demand) and
    what the namespace modules import only under TYPE_CHECKING."""

    def __init__(self, product: str) -> None:
        super().__init__()
        from bitbucket_client._base_client import BaseClient
        from bitbucket_client._merge import MergeTask
        from bitbucket_client._pagination import AsyncPaginator
        from bitbucket_client._types import Response
        from bitbucket_client._uploads import Upload

        self.models = importlib.import_module(f"bitbucket_client.{product}._generated.models")
        self.update(
            builtins=builtins,
            datetime=datetime,
            UUID=uuid.UUID,
            File=File,
            Unset=Unset,
            Any=Any,
            Literal=Literal,
            BaseClient=BaseClient,
            MergeTask=MergeTask,
            Sequence=collections.abc.Sequence,
            Mapping=collections.abc.Mapping,
            AsyncPaginator=AsyncPaginator,
            Response=Response,
            Upload=Upload,
            os=os,
            Path=pathlib.Path,
        )

    def __missing__(self, key: str) -> Any:
        try:
            value = getattr(self.models, key)
        except AttributeError:
            raise KeyError(key) from None
        self[key] = value
        return value


@functools.cache
def names(product: str) -> _Names:
    return _Names(product)


@functools.cache
def type_hints(product: str, target: Any) -> dict[str, Any]:
    return typing.get_type_hints(target, localns=names(product))


def namespace_method(product: str, operation: Operation, name: str | None = None) -> Callable[..., Any]:
    """The unbound facade method `XNamespace.<name>` of an operation (or of one of its variants)."""
    module = importlib.import_module(
        f"bitbucket_client.{product}._generated.namespaces.{operation.namespace}"
    )
    class_name = "".join(part.capitalize() for part in operation.namespace.split("_")) + "Namespace"
    method: Callable[..., Any] = getattr(getattr(module, class_name), name or operation.name)
    return method


# ---- type helpers ---------------------------------------------------------------------------------------


def union_members(hint: Any) -> list[Any]:
    """The members of a union (a plain hint is a union of one)."""
    origin = typing.get_origin(hint)
    if origin is Union or origin is types.UnionType:
        out: list[Any] = []
        for member in typing.get_args(hint):
            out += union_members(member)
        return out
    return [hint]


def without_unset(hint: Any) -> list[Any]:
    return [m for m in union_members(hint) if m is not Unset and m is not type(None)]


def is_model(hint: Any) -> bool:
    return isinstance(hint, type) and attrs.has(hint)


def is_enum(hint: Any) -> bool:
    return isinstance(hint, type) and issubclass(hint, enum.Enum) and hint is not Unset


# ---- values -------------------------------------------------------------------------------------------


def example_string(schema: Json, fallback: str) -> str:
    """A string valid against a string schema: enum, format, pattern, example, length limits."""
    if schema.get("enum"):
        return str(next(value for value in schema["enum"] if value is not None))
    pattern = schema.get("pattern")
    candidates: list[str] = []
    if isinstance(schema.get("example"), str):
        candidates.append(schema["example"])
    if schema.get("format") in FORMAT_EXAMPLES:
        candidates.append(FORMAT_EXAMPLES[schema["format"]])
    candidates.append(fallback)
    if pattern:
        candidates += PATTERN_CANDIDATES
        candidates = [c for c in candidates if re.search(pattern, c)]
        if not candidates:
            raise ArgumentError(
                f"no example string matches the pattern {pattern!r}: extend PATTERN_CANDIDATES"
            )
    value = candidates[0]
    minimum, maximum = int(schema.get("minLength", 0)), schema.get("maxLength")
    if len(value) < minimum:
        value = value + "x" * (minimum - len(value))
    if maximum is not None and len(value) > int(maximum):
        value = value[: int(maximum)]
    return value


def example_number(schema: Json, integer: bool) -> int | float:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    if integer:
        value = int(schema["example"]) if isinstance(schema.get("example"), int) else 1
        if low is not None:
            value = max(value, int(low) + (1 if "exclusiveMinimum" in schema else 0))
        if schema.get("maximum") is not None:
            value = min(value, int(schema["maximum"]))
        return value
    number = 1.5 if low is None else float(low) + 1
    return min(number, float(schema["maximum"])) if schema.get("maximum") is not None else number


class Builder:
    """Typed values for one product: Python hints guided by the document's schemas."""

    def __init__(self, product: str, document: Document) -> None:
        self.product = product
        self.doc = document

    def value(
        self, hint: Any, node: Json, name: str, *, depth: int, stack: tuple[type, ...], facade: bool
    ) -> Any:
        """A value of type `hint` valid against the schema `node`. `facade` gives enums as their
        string values (how users pass them to facade methods; models take members)."""
        schema = self.doc.schema(node)
        members = without_unset(hint)
        if not members:
            raise ArgumentError(f"{name}: no type to build in {hint!r}")
        if File in members and bytes in members:  # an `Upload`: a named file, as a store of files needs
            upload = ("contract.txt", b"contract test payload\n", "text/plain")
            if any(typing.get_origin(m) is collections.abc.Sequence for m in members):
                return [upload, ("second.txt", b"second\n", "text/plain")]  # several files: an array
            return upload
        chosen, schema = self._choose(members, schema)
        origin = typing.get_origin(chosen)
        if origin is collections.abc.Sequence:
            origin = list
        if origin is collections.abc.Mapping:  # a form's fields named by the caller (a path in a commit)
            _key, item_hint = typing.get_args(chosen)
            return {
                "contract/added.txt": self.value(
                    item_hint, schema, name, depth=depth, stack=stack, facade=facade
                )
            }
        if chosen is Any:
            return self.doc.example(schema)
        if origin is Literal:
            return typing.get_args(chosen)[0]
        if is_enum(chosen):
            wanted = [v for v in schema.get("enum", []) if v is not None]
            member = next((m for m in chosen if m.value in wanted), next(iter(chosen)))
            return member.value if facade else member
        if origin is list or origin is collections.abc.Sequence:  # body fields take any sequence
            (item_hint,) = typing.get_args(chosen)
            items = self.doc.schema(schema.get("items", {}))
            count = max(1, int(schema.get("minItems", 1)))
            return [
                self.value(item_hint, items, name, depth=depth, stack=stack, facade=facade)
                for _ in range(count)
            ]
        if origin is dict or origin is collections.abc.Mapping:
            return {}
        if chosen is File:
            return File(payload=b"contract test payload\n", file_name="contract.txt", mime_type="text/plain")
        if is_model(chosen):
            return self.model(chosen, schema, depth=depth, stack=stack)
        if chosen is bytes:
            return b"contract test payload\n"
        if chosen is bool:
            return True
        if chosen is int:
            return int(example_number(schema, integer=True))
        if chosen is float:
            return float(example_number(schema, integer=schema.get("type") == "integer"))
        if chosen is datetime.datetime:
            return FIXED_DATETIME
        if chosen is datetime.date:
            return FIXED_DATETIME.date()
        if chosen is uuid.UUID:
            return uuid.UUID(FORMAT_EXAMPLES["uuid"])
        if chosen is str:
            return example_string(schema, name)
        raise ArgumentError(f"{name}: cannot build a value of type {chosen!r}")

    def _choose(self, members: list[Any], schema: Json) -> tuple[Any, Json]:
        """The union member to build and its schema: the enum of an `Enum | Literal[...]` pair; for a
        `oneOf`/`anyOf` of models, the model whose fields best match an option's properties (with that
        option's schema); else the first member."""
        enums = [m for m in members if is_enum(m)]
        if enums:
            return enums[0], schema
        options = [self.doc.schema(o) for o in schema.get("oneOf") or schema.get("anyOf") or []]
        models = [m for m in members if is_model(m) and m is not File]
        if options and models:

            def fit(pair: tuple[type, Json]) -> tuple[int, int]:
                cls, option = pair
                fields = {f.name for f in attrs.fields(cls)} - {"additional_properties"}
                required = {f.name for f in attrs.fields(cls) if f.default is attrs.NOTHING}
                names = {str(PythonIdentifier(key, FIELD_PREFIX)) for key in option.get("properties", {})}
                return (int(required <= names), len(fields & names))

            return max(((m, o) for m in models for o in options), key=fit)
        return members[0], schema

    def model(self, cls: type, node: Json, *, depth: int, stack: tuple[type, ...]) -> Any:
        """An instance of a generated request model, through its constructor: required fields always,
        optional fields while `depth <= OPTIONAL_DEPTH` and the class is not already being built."""
        schema = self.doc.schema(node)
        if schema.get("oneOf") or schema.get("anyOf"):
            schema = self.doc.schema((schema.get("oneOf") or schema.get("anyOf"))[0])
        properties: dict[str, Json] = schema.get("properties", {})
        keys = {str(PythonIdentifier(key, FIELD_PREFIX)): key for key in properties}
        hints = type_hints(self.product, cls)
        fill_optional = depth <= OPTIONAL_DEPTH and cls not in stack
        kwargs: dict[str, Any] = {}
        for field in attrs.fields(cls):
            if field.name == "additional_properties":
                continue
            required = field.default is attrs.NOTHING
            if not required and field.default is not UNSET:
                continue  # a default the model fills in (Cloud's `type` discriminator)
            if not required and not fill_optional:
                continue
            key = keys.get(field.name)
            if key is None:
                raise ArgumentError(
                    f"{cls.__name__}.{field.name}: the document's schema has no property of that name "
                    f"({sorted(properties)})"
                )
            kwargs[field.name] = self.value(
                hints[field.name],
                properties[key],
                key,
                depth=depth + 1,
                stack=(*stack, cls),
                facade=False,
            )
        return cls(**kwargs)


@functools.cache
def wire_names(product: str, operation: Operation, name: str | None = None) -> dict[tuple[str, str], str]:
    """(location, name in the document) -> keyword of the namespace method, read from the `query=` and
    `headers=` of the `Request` it builds (the generator renames a parameter that clashes, such as
    `url` -> `url_query`), and from the fields of its `form_body(...)` (location `form`)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(namespace_method(product, operation, name))))
    out: dict[tuple[str, str], str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "form_body":
            fields = node.args[1]
            assert isinstance(fields, ast.List)
            for field in fields.elts:
                assert isinstance(field, ast.Tuple)
                wire, keyword, _kind = field.elts
                assert isinstance(wire, ast.Constant) and isinstance(keyword, ast.Name)
                out[("form", str(wire.value))] = keyword.id
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Request"):
            continue
        for keyword in node.keywords:
            if keyword.arg not in ("query", "headers") or not isinstance(keyword.value, ast.Dict):
                continue
            location = "query" if keyword.arg == "query" else "header"
            for key, value in zip(keyword.value.keys, keyword.value.values, strict=True):
                names = [n.id for n in ast.walk(value) if isinstance(n, ast.Name)]
                if isinstance(key, ast.Constant) and names:
                    out[(location, str(key.value))] = names[-1]  # `coerce_enum(Enum, name)` ends with it
    return out


# ---- one call -----------------------------------------------------------------------------------------


@attrs.frozen
class Call:
    """How the suite calls one operation."""

    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    body_mode: Literal["none", "body", "keywords", "form"]
    status: str  # the documented 2xx asked of Prism (`Prefer: code=...`)
    return_hint: Any
    paginated: bool
    sent: list[Sent] = attrs.Factory(list)  # what the request must carry


@attrs.frozen
class Sent:
    """One argument the request must carry: where (path, query, header, body, form), under which name
    in the document, and the value given."""

    location: str
    name: str
    value: Any
    kind: str = "segment"  # a path parameter's kind (`Operation.path_kinds`)


def build_call(product: str, operation: Operation, doc: Document, name: str | None = None) -> Call:
    """The call of `operation`, or of its variant `name`."""
    qualified = f"{operation.namespace}.{name or operation.name}"
    method = namespace_method(product, operation, name)
    signature = inspect.signature(method)
    hints = type_hints(product, method)
    builder = Builder(product, doc)
    parameters = doc.parameters(operation.http_method, operation.path)
    by_location: dict[str, dict[str, Json]] = {}
    for parameter in parameters:
        by_location.setdefault(parameter["in"], {})[parameter["name"]] = parameter
    sent: list[Sent] = []

    positional = [
        p
        for p in signature.parameters.values()
        if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and p.name != "self"
    ]
    url_names = _PATH_PARAM.findall(operation.path)
    if len(positional) != len(url_names):
        raise ArgumentError(
            f"{qualified}: {len(positional)} positional parameters for the "
            f"{len(url_names)} path parameters of {operation.path}"
        )
    args = []
    kinds = path_kinds(product, operation, name)
    for parameter, url_name in zip(positional, url_names, strict=True):
        declared = by_location.get("path", {}).get(url_name, {})
        schema = doc.schema(declared.get("schema", {}))
        fallback = re.sub(r"[^A-Za-z0-9]", "", url_name) + "1"
        if str in without_unset(hints[parameter.name]) and not schema.get("enum"):
            schema = {**schema, "example": fallback}  # a slug that cannot collide with a literal segment
        args.append(builder.value(hints[parameter.name], schema, fallback, depth=0, stack=(), facade=True))
        sent.append(Sent("path", url_name, args[-1], kinds.get(url_name, "segment")))

    kwargs: dict[str, Any] = {}
    taken: set[str] = set()
    for location in ("query", "header"):
        for wire, declared in by_location.get(location, {}).items():
            python_name = wire_names(product, operation, name).get((location, wire), "")
            required = bool(declared.get("required"))
            if python_name not in signature.parameters:
                if (operation.paginated or name) and wire in PAGING_PARAMETERS[product] and not required:
                    continue  # the paginator sets it
                if location == "header" and wire.lower() in ("content-length", "user-agent"):
                    continue  # httpx sets them; the facade does not expose them
                if name is not None and not required:
                    continue  # a variant takes the parameters that mean something for its answer
                raise ArgumentError(
                    f"{qualified}: the {location} parameter {wire!r} is not a parameter "
                    f"of the facade method (generated name: {python_name or 'none'})"
                )
            taken.add(python_name)
            if declared.get("deprecated") and not required:
                continue  # Prism reports the use of a deprecated parameter
            kwargs[python_name] = builder.value(
                hints[python_name], declared.get("schema", {}), wire, depth=0, stack=(), facade=True
            )
            sent.append(Sent(location, wire, kwargs[python_name]))

    body_mode: Literal["none", "body", "keywords", "form"] = "none"
    forms = {
        wire: keyword
        for (where, wire), keyword in wire_names(product, operation, name).items()
        if where == "form"
    }
    if forms:
        body_mode = "form"
        form_body = doc.request_body(operation.http_method, operation.path, form=True)
        properties = doc.schema(form_body[1] if form_body else {}).get("properties", {})
        for wire, keyword in forms.items():
            schema = properties.get(wire, {})
            kwargs[keyword] = builder.value(hints[keyword], schema, wire, depth=0, stack=(), facade=True)
            sent.append(Sent("form", wire, kwargs[keyword]))
    elif "body" in signature.parameters:
        body_mode = "body"
        declared_body = doc.request_body(operation.http_method, operation.path)
        body_schema = declared_body[1] if declared_body else {}
        body = builder.value(hints["body"], body_schema, "body", depth=0, stack=(), facade=False)
        field_names = {
            keyword
            for keyword, p in signature.parameters.items()
            if p.kind is inspect.Parameter.KEYWORD_ONLY
            and keyword not in taken | PAGINATION_OPTIONS | {"body", "wait", "save_to"}
        }
        given = _given_fields(body)
        if is_model(type(body)) and given and set(given) <= field_names:
            body_mode = "keywords"
            kwargs.update({keyword: _as_keyword(value) for keyword, value in given.items()})
        else:
            kwargs["body"] = body
        sent.append(Sent("body", "", body))
    unknown_required = [
        keyword
        for keyword, p in signature.parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
        and p.default is inspect.Parameter.empty
        and keyword not in kwargs
    ]
    if unknown_required:
        raise ArgumentError(f"{qualified}: no value for required {unknown_required}")

    statuses = doc.success_statuses(operation.http_method, operation.path)  # 2xx, or 3xx for a redirect
    return Call(
        args=tuple(args),
        kwargs=kwargs,
        body_mode=body_mode,
        status=statuses[0] if statuses else "200",
        return_hint=hints["return"],
        paginated="AsyncPaginator" in str(signature.return_annotation),
        sent=sent,
    )


def path_kinds(product: str, operation: Operation, name: str | None = None) -> dict[str, str]:
    """The kind of each path parameter that is not a plain segment, as the method's template gives it."""
    source = inspect.getsource(namespace_method(product, operation, name))
    found = re.search(r'Request\(\s*"[A-Z]+",\s*"([^"]+)"', source)
    assert found is not None, f"{operation.qualified_name}: no Request in the method"
    return dict(re.findall(r"\{(\w+):(\w+)\}", found.group(1)))


def _given_fields(instance: Any) -> dict[str, Any]:
    """The fields of a model instance that were set (not UNSET, not a class default like `type`)."""
    if not is_model(type(instance)):
        return {}
    out = {}
    for field in attrs.fields(type(instance)):
        if field.name == "additional_properties":
            continue
        value = getattr(instance, field.name)
        if value is UNSET or (field.default is not attrs.NOTHING and field.default is not UNSET):
            continue
        out[field.name] = value
    return out


def _as_keyword(value: Any) -> Any:
    """A body field as users pass it to a facade method: enums as their values."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list):
        return [_as_keyword(item) for item in value]
    return value
