"""Plan the namespace methods the clients expose (`bb.<namespace>.<method>(...)`), for the templates.

For each operation, from openapi-python-client's parsed endpoint (types) and the normalised document
(text): the signature, the docstring, the `Request` the method builds and the `Answer` that decodes
its 2xx answer (see `bitbucket_client/_request.py` and `_answer.py`). `templates/namespace.py.jinja`
writes them.

Methods take path parameters positionally in URL order, query and header parameters as keywords with
the document's types (an enum also accepts its values as string literals), and a JSON body either as
`body=` (the generated request model) or as keyword fields of that model.
"""

from __future__ import annotations

import keyword
import re
from typing import Any

import attrs

from .docstrings import method_docstring
from .model_types import converter, endpoint_return_type, response_type
from .normalize import Normalized, OperationRow, success_schema
from .schemawalk import Json, pascal, ref_name

PAGINATION_OPTIONS = ("page_size", "max_items", "prefetch")
_PLACEHOLDER = re.compile(r"{([^}]+)}")
_PAGINATION_DOCS = [
    ("page_size", "Items per page the server is asked for (it may send fewer)."),
    ("max_items", "Stop after this many items (None: all of them)."),
    ("prefetch", "Fetch this many pages ahead while the current one is used."),
]
_WAIT_DOC = (
    "When Bitbucket answers that the work goes on in the background, poll the task until it ends and "
    "return the result (the default); with False, return a `MergeTask` at once."
)


@attrs.frozen
class Param:
    name: str  # the Python name
    wire_name: str  # the document's name
    annotation: str
    required: bool
    convert: str  # expression turning the caller's value into what is sent
    description: str


@attrs.frozen
class RequestPlan:
    """The `Request` a method builds (`namespace.py.jinja` writes it): Python expressions for the values."""

    http_method: str
    path: str  # the document's template
    path_values: list[str]  # in URL order
    query: list[tuple[str, str]]  # (the document's name, value)
    headers: list[tuple[str, str]]
    body: str | None
    body_type: str
    content_type: str


@attrs.frozen
class MethodPlan:
    """What `namespace.py.jinja` needs to write one method."""

    name: str
    qualified: str  # "namespace.method"
    kind: str  # "call", "list" (returns a paginator) or "long_running" (`wait=` overloads)
    deprecated: bool
    parameters: list[str]  # after `self`, `*` included
    returns: str  # the decoded value; the item type of a list; the finished result of a long-running one
    docstring: str  # quoted
    runtime_imports: list[str]  # model and enum classes the body uses, imported when it runs
    annotation_imports: set[str]  # the ones annotations name (imported under TYPE_CHECKING)
    request: RequestPlan
    answer: str  # an `Answer` expression
    item_decoder: str
    accepted_status: int


def plan_methods(normalized: Normalized, data: Any) -> dict[str, list[MethodPlan]]:
    models_by_class = {m.class_info.name: m for m in data.models}
    rows = {f"{r.namespace}_{r.method}": r for r in normalized.operations}
    plans: dict[str, list[MethodPlan]] = {}
    for collection in data.endpoint_collections_by_tag.values():
        for endpoint in collection.endpoints:
            row = rows[str(endpoint.name)]
            planner = _Planner(row, endpoint, normalized, models_by_class)
            plans.setdefault(row.namespace, []).append(planner.plan())
    for methods in plans.values():
        methods.sort(key=lambda plan: plan.name)
    return plans


def class_name(namespace: str, raw: bool = False) -> str:
    return pascal(namespace) + ("RawNamespace" if raw else "Namespace")


def sync_class_name(namespace: str, raw: bool = False) -> str:
    """The namespace's class in the synchronous views (`namespace_sync.py.jinja`)."""
    return pascal(namespace) + ("SyncRawNamespace" if raw else "SyncNamespace")


# ---- one method -----------------------------------------------------------------------------------


class _Planner:
    def __init__(
        self, row: OperationRow, endpoint: Any, normalized: Normalized, models: dict[str, Any]
    ) -> None:
        self.row, self.endpoint, self.normalized, self.models = row, endpoint, normalized, models
        self.operation: Json = normalized.document["paths"][row.path][row.http_method.lower()]
        self.annotation_imports = {
            line.replace("...models.", "..models.")
            for line in endpoint.relative_imports
            if "..models." in line or "...models." in line
        }
        self.runtime_imports: set[str] = set()

    def plan(self) -> MethodPlan:
        row, endpoint, rules = self.row, self.endpoint, self.normalized.rules
        qualified = f"{row.namespace}.{row.method}"
        paging = rules.paging_parameters if row.paginated else ()
        path_params = [self._param(p, "path") for p in endpoint.path_parameters]
        query_params = [self._param(p, "query") for p in endpoint.query_parameters if p.name not in paging]
        header_params = [self._param(p, "header") for p in endpoint.header_parameters]
        keyword_params = query_params + header_params
        body = endpoint.bodies[0] if endpoint.bodies else None
        taken = {p.name for p in path_params + keyword_params} | {"body", "wait", *PAGINATION_OPTIONS}
        body_model, body_fields = self._body_fields(body, taken)

        kind = "list" if row.paginated else "long_running" if qualified in rules.long_running else "call"
        parameters = [_signature_part(p) for p in path_params]
        keywords = [_signature_part(p) for p in keyword_params]
        if body is not None:
            body_type = _annotation(body.prop)
            required = body_model is None and body.prop.required
            keywords.append(f"body: {body_type}" if required else f"body: {body_type} | None = None")
            keywords += [f"{f.name}: {f.annotation} | Unset = UNSET" for f in body_fields]
        if kind == "list":
            keywords += ["page_size: int | None = None", "max_items: int | None = None", "prefetch: int = 0"]
        if keywords or kind == "long_running":
            parameters += ["*", *keywords]

        returns = endpoint_return_type(endpoint)
        answer = self._answer()
        item_type, item_decoder = "Any", "as_any"
        accepted_status = rules.long_running.get(qualified, 0)
        if kind == "list":
            item_type, item_decoder = self._page_item()
            returns = item_type
        elif kind == "long_running":
            returns, answer = self._finished_result(accepted_status)
        arguments = [(p.name, p.description) for p in path_params + keyword_params]
        if body is not None:
            arguments.append(("body", self._body_description(body, body_model)))
            arguments += [(f.name, f.description) for f in body_fields]
        if kind == "list":
            arguments += _PAGINATION_DOCS
        if kind == "long_running":
            arguments.append(("wait", _WAIT_DOC))
        return MethodPlan(
            name=row.method,
            qualified=qualified,
            kind=kind,
            deprecated=row.deprecated,
            parameters=[_builtin_list(part) for part in parameters],
            returns=_builtin_list(returns),
            docstring=method_docstring(
                summary=row.summary,
                description=row.description,
                deprecated=row.deprecated,
                arguments=arguments,
                returns=self._returns_description(kind, item_type),
                reference=row.reference,
            ),
            runtime_imports=sorted(self.runtime_imports),
            annotation_imports=self.annotation_imports,
            request=self._request(path_params, query_params, header_params, body, body_model, body_fields),
            answer=answer,
            item_decoder=item_decoder,
            accepted_status=accepted_status,
        )

    # -- parameters

    def _param(self, prop: Any, location: str) -> Param:
        self.runtime_imports |= _enum_imports(prop)
        return Param(
            name=str(prop.python_name),
            wire_name=untrusted_text(prop.name),
            annotation=_relaxed_type(prop),
            required=bool(prop.required),
            convert=_convert(prop, str(prop.python_name)),
            description=self._parameter_description(untrusted_text(prop.name), location),
        )

    def _parameter_description(self, name: str, location: str) -> str:
        for parameter in self.operation.get("parameters", []):
            if parameter.get("name") == name and parameter.get("in") == location:
                return str(parameter.get("description") or "")
        return ""

    def _body_fields(self, body: Any, taken: set[str]) -> tuple[Any | None, list[Param]]:
        """The request model whose fields may be passed as keywords, and those fields."""
        if body is None or _kind(body.prop) != "ModelProperty" or str(body.body_type) != "json":
            return None, []
        body_model = self.models.get(body.prop.class_info.name)
        if body_model is None:
            return None, []
        self.runtime_imports.add(_import_line(body_model.class_info))
        schema = self.normalized.document["components"]["schemas"].get(body_model.class_info.name, {})
        fields = []
        for prop in (body_model.required_properties or []) + (body_model.optional_properties or []):
            if prop.name == "type" and prop.default is not None:
                continue  # Cloud's discriminator: filled in by the model's default
            name = str(prop.python_name)
            if name in taken or keyword.iskeyword(name):
                continue
            wire_name = untrusted_text(prop.name)
            description = self._field_description(schema.get("properties", {}).get(wire_name) or {})
            fields.append(
                Param(name, wire_name, _relaxed_type(prop), False, _convert(prop, name), description)
            )
            self.annotation_imports |= _model_imports(prop)
            self.runtime_imports |= _enum_imports(prop)
        return body_model, fields

    def _field_description(self, schema: Json) -> str:
        """A field's description, or that of the component it refers to (a hoisted enum or object)."""
        target = self.normalized.document["components"]["schemas"].get(ref_name(schema) or "", {})
        return str(schema.get("description") or target.get("description") or "")

    def _body_description(self, body: Any, body_model: Any | None) -> str:
        documented = str(self.operation.get("requestBody", {}).get("description") or "").strip()
        first = documented.split("\n\n")[0].strip()
        if body_model is None:
            return first or "The request body."
        how = f"A `{body_model.class_info.name}`, or pass its fields as the keywords that follow."
        if first and not first.endswith((".", "!", "?", ":")):
            first += "."
        return f"{first} {how}" if first else how

    # -- the request

    def _request(
        self,
        path_params: list[Param],
        query_params: list[Param],
        header_params: list[Param],
        body: Any,
        body_model: Any | None,
        body_fields: list[Param],
    ) -> RequestPlan:
        by_wire_name = {p.wire_name: p for p in path_params}
        return RequestPlan(
            http_method=self.row.http_method,
            path=self.row.path,
            path_values=[by_wire_name[name].convert for name in _PLACEHOLDER.findall(self.row.path)],
            query=[(p.wire_name, p.convert) for p in query_params],
            headers=[(p.wire_name, p.convert) for p in header_params],
            body=None if body is None else self._body_expression(body, body_model, body_fields),
            body_type="json" if body is None else str(body.body_type),
            content_type="application/json" if body is None else untrusted_text(body.content_type),
        )

    def _body_expression(self, body: Any, body_model: Any | None, body_fields: list[Param]) -> str:
        if body_model is None:
            return "body" if body.prop.required else "body if body is not None else UNSET"
        fields = ", ".join(f'"{f.name}": {f.convert}' for f in body_fields)
        builder = "build_required_body" if body.prop.required else "build_body"
        qualified = f"{self.row.namespace}.{self.row.method}"
        return f'{builder}({body_model.class_info.name}, body, {{{fields}}}, "{qualified}")'

    # -- the answer

    def _answer(self) -> str:
        by_status = [
            (response.status_code.range[0], self._answer_of(response)) for response in self._patterns()
        ]
        if len({answer for _status, answer in by_status}) == 1:
            return by_status[0][1]
        return "Answer.by_status({" + ", ".join(f"{status}: {answer}" for status, answer in by_status) + "})"

    def _patterns(self) -> list[Any]:
        patterns = list(self.endpoint.responses.patterns)
        if not patterns:
            raise ValueError(f"{self.row.http_method} {self.row.path}: no success response to decode")
        return patterns

    def _answer_of(self, response: Any) -> str:
        attribute, prop = response.source["attribute"], response.prop
        if attribute == "response.content":
            return "Answer.binary()"
        if attribute == "response.text":
            return "Answer.text()"
        if attribute != "response.json()":
            return "Answer.nothing()"
        if _kind(prop) == "AnyProperty":
            return "Answer.undocumented()"
        if _kind(prop) == "ModelProperty":
            self.runtime_imports.add(_import_line(prop.class_info))
            return f"Answer.model({prop.class_info.name})"
        self.runtime_imports |= _model_imports(prop)
        return f"Answer.json({converter(prop)}, {response_type(prop)!r})"

    def _finished_result(self, accepted_status: int) -> tuple[str, str]:
        """A long-running operation's result type, and the answer that decodes it."""
        for response in self._patterns():
            if response.status_code.range[0] != accepted_status and _kind(response.prop) == "ModelProperty":
                return response.prop.class_info.name, self._answer_of(response)
        raise ValueError(
            f"{self.row.namespace}.{self.row.method}: a long-running operation needs a model answer"
        )

    def _page_item(self) -> tuple[str, str]:
        """The item class of a list operation's page envelope, and its decoder."""
        envelope = self.normalized.document["components"]["schemas"][
            ref_name(success_schema(self.operation)) or ""
        ]
        item = ref_name(envelope["properties"]["values"].get("items", {}))
        model = self.models.get(item or "")
        if item is None or model is None:
            return "Any", "as_any"
        line = _import_line(model.class_info)
        self.annotation_imports.add(line)
        self.runtime_imports.add(line)
        return item, f"{item}.from_dict"

    def _returns_description(self, kind: str, item_type: str) -> str:
        if kind == "list":
            items = f"`{item_type}` items" if item_type != "Any" else "items (JSON values)"
            return f"An `AsyncPaginator` of {items}: `async for` fetches the pages as it goes."
        for status, response in sorted(self.operation.get("responses", {}).items()):
            text = str(response.get("description") or "").strip()
            if text and (kind != "long_running" or status != "202"):
                return text
        return ""


# ---- types and conversions ------------------------------------------------------------------------


def untrusted_text(value: Any) -> str:
    """The text of one of openapi-python-client's `UntrustedString`s (it is only ever written through
    `repr` or into docstrings, escaped)."""
    while hasattr(value, "get_untrusted_value"):  # it may wrap another one
        value = value.get_untrusted_value()
    return str(value)


def _kind(prop: Any) -> str:
    return type(prop).__name__


def _annotation(prop: Any) -> str:
    return str(prop.get_type_string(no_optional=True).as_unembedded_code())


def _relaxed_type(prop: Any) -> str:
    """The strict type, except that an enum also accepts its values as literals."""
    kind = _kind(prop)
    if kind == "EnumProperty":
        literal = "Literal[" + ", ".join(repr(v) for v in prop.values.values()) + "]"
        return f"{prop.class_info.name} | {literal}"
    if kind == "ListProperty" and _kind(prop.inner_property) == "EnumProperty":
        return f"list[{_relaxed_type(prop.inner_property)}]"
    return _annotation(prop)


def _convert(prop: Any, name: str) -> str:
    kind = _kind(prop)
    if kind == "EnumProperty":
        return f"coerce_enum({prop.class_info.name}, {name})"
    if kind == "ListProperty" and _kind(prop.inner_property) == "EnumProperty":
        return f"coerce_enum_list({prop.inner_property.class_info.name}, {name})"
    return name


def _signature_part(param: Param) -> str:
    if param.required:
        return f"{param.name}: {param.annotation}"
    return f"{param.name}: {param.annotation} | Unset = UNSET"


def _import_line(info: Any) -> str:
    return f"from ..models.{info.module_name} import {info.name}"


def _enum_imports(prop: Any) -> set[str]:
    """Imports for the enum classes `_convert` names."""
    kind = _kind(prop)
    if kind == "EnumProperty":
        return {_import_line(prop.class_info)}
    if kind == "ListProperty" and _kind(prop.inner_property) == "EnumProperty":
        return {_import_line(prop.inner_property.class_info)}
    return set()


def _model_imports(prop: Any) -> set[str]:
    """Imports for every model or enum class named in `prop`'s type."""
    out: set[str] = set()
    info = getattr(prop, "class_info", None)
    if info is not None:
        out.add(_import_line(info))
    inner = getattr(prop, "inner_property", None)
    if inner is not None:
        out |= _model_imports(inner)
    for option in getattr(prop, "inner_properties", None) or []:
        out |= _model_imports(option)
    return out


def _builtin_list(annotation: str) -> str:
    """A namespace may have a method named `list`, which shadows the builtin in the class body."""
    return re.sub(r"(?<![\w.])list\[", "builtins.list[", annotation)
