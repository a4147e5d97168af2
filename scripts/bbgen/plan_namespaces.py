"""Plan the namespace methods the clients expose (`bb.<namespace>.<method>(...)`), for the templates.

For each operation, from openapi-python-client's parsed endpoint (types) and the normalised document
(text): the signature, the docstring, the `Request` the method builds and the `Answer` that decodes
its 2xx answer (see `bitbucket_client/_request.py` and `_answer.py`). `templates/namespace.py.jinja`
writes them.

Methods take path parameters positionally in URL order, query and header parameters as keywords with
the document's types (an enum also accepts its values as string literals), and a JSON body either as
`body=` (the generated request model, or its dict form) or as keyword fields of that model (each a model
or a dict at every depth). When the body has required fields, the method has two overloads: the keyword
fields with those required, and `body=` alone; the validator (`_arguments`) checks either at run time.
"""

from __future__ import annotations

import itertools
import keyword
import re
from typing import Any

import attrs

from .docstrings import method_docstring
from .model_types import converter, endpoint_return_type, response_type
from .normalize import Normalized, OperationRow, success_schema
from .normalize_operations import FORM_BODY
from .plan_bodies import BodyPlanner
from .plan_forms import FormField, form_body_expression, form_fields
from .request_shapes import DICT_SUFFIX, RequestSide
from .rules import Variant
from .schemawalk import Json, pascal, ref_name

PAGINATION_OPTIONS = ("page_size", "max_items", "prefetch")
_PLACEHOLDER = re.compile(r"{([^}]+)}")
_PAGINATION_DOCS = [
    ("page_size", "Items per page the server is asked for (it may send fewer)."),
    ("max_items", "Stop after this many items (None: all of them)."),
    ("prefetch", "Fetch this many pages ahead while the current one is used."),
]
_SAVE_TO_DOC = (
    "A file path: stream the body into that file (never held in memory whole) and return its `Path`. "
    "The file is replaced only once the whole body has arrived."
)
FILE_ANSWERS = {"Answer.binary()": "bytes", "Answer.text()": "str"}
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
    kind: (
        str  # "call", "list" (a paginator), "long_running" (`wait=` overloads), "file" (`save_to=` overloads)
    )
    deprecated: bool
    parameters: list[str]  # after `self`, `*` included
    overloads: list[list[str]]  # the parameter lists of the body overloads (none: one signature)
    returns: str  # the decoded value; the item type of a list; the finished result of a long-running one
    docstring: str  # quoted
    runtime_imports: list[str]  # model and enum classes the body uses, imported when it runs
    annotation_imports: set[str]  # the ones annotations name (imported under TYPE_CHECKING)
    request: RequestPlan
    answer: str  # an `Answer` expression
    item_decoder: str
    accepted_status: int
    variant: bool = False  # a typed variant of the operation (specs/rules `variants`)
    items_key: str = "values"  # a list's envelope: where its items are


def plan_methods(
    normalized: Normalized,
    data: Any,
    request_side: RequestSide | None = None,
    aliases: dict[str, list[str]] | None = None,
) -> dict[str, list[MethodPlan]]:
    models_by_class = {m.class_info.name: m for m in data.models}
    rows = {f"{r.namespace}_{r.method}": r for r in normalized.operations}
    side = request_side or RequestSide(normalized.request_models, normalized.open_request_models)
    bodies = BodyPlanner(side, aliases or {}, models_by_class)
    plans: dict[str, list[MethodPlan]] = {}
    for collection in data.endpoint_collections_by_tag.values():
        for endpoint in collection.endpoints:
            row = rows[str(endpoint.name)]
            planner = _Planner(row, endpoint, normalized, models_by_class, bodies)
            plans.setdefault(row.namespace, []).append(planner.plan())
            for variant in normalized.rules.variants:
                if variant.of == f"{row.namespace}.{row.method}":
                    variant_planner = _Planner(row, endpoint, normalized, models_by_class, bodies, variant)
                    plans[row.namespace].append(variant_planner.plan())
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
        self,
        row: OperationRow,
        endpoint: Any,
        normalized: Normalized,
        models: dict[str, Any],
        bodies: BodyPlanner,
        variant: Variant | None = None,
    ) -> None:
        self.row, self.endpoint, self.normalized, self.models = row, endpoint, normalized, models
        self.bodies = bodies
        self.variant = variant  # planning this typed variant of the operation (specs/rules `variants`)
        self.operation: Json = normalized.document["paths"][row.path][row.http_method.lower()]
        self.annotation_imports = {
            line.replace("...models.", "..models.")
            for line in endpoint.relative_imports
            if "..models." in line or "...models." in line
        }
        self.runtime_imports: set[str] = set()

    def plan(self) -> MethodPlan:
        row, endpoint, rules, variant = self.row, self.endpoint, self.normalized.rules, self.variant
        name = variant.name.split(".")[1] if variant else row.method
        qualified = f"{row.namespace}.{name}"
        paginated = variant.answer == "page" if variant else row.paginated
        paging = rules.paging_parameters if paginated else ()
        path_params = [self._param(p, "path") for p in endpoint.path_parameters]
        query_params = [
            self._param(p, "query") for p in endpoint.query_parameters if self._takes_query(p, paging)
        ]
        header_params = [self._param(p, "header") for p in endpoint.header_parameters]
        keyword_params = query_params + header_params
        body = endpoint.bodies[0] if endpoint.bodies and not self._form_variant() else None
        taken = {p.name for p in path_params + keyword_params} | {
            "body",
            "wait",
            "save_to",
            *PAGINATION_OPTIONS,
        }
        body_model, body_fields = self._body_fields(body, taken)
        body_plan = self.bodies.plan(
            qualified,
            body,
            body_model,
            body_fields,
            self.normalized.body_required.get((row.http_method, row.path), ()),
        )
        self.annotation_imports |= body_plan.annotation_imports
        self.runtime_imports |= body_plan.runtime_imports
        form = self._form_fields(body, taken, qualified)

        answer = self._answer()
        kind = "list" if paginated else "long_running" if qualified in rules.long_running else "call"
        if kind == "call" and answer in FILE_ANSWERS:
            kind = "file"
        parameters = [self._path_signature(p) for p in path_params]
        if any("=" in before and "=" not in after for before, after in itertools.pairwise(parameters)):
            raise ValueError(f"{qualified}: a path parameter with a default comes before one without")
        keywords = [_signature_part(p) for p in keyword_params]
        keywords += [_form_signature(f) for f in form]
        trailing = []
        if kind == "list":
            trailing = ["page_size: int | None = None", "max_items: int | None = None", "prefetch: int = 0"]
        overloads = []
        for overload in body_plan.overloads:
            after_star = [*keywords, *overload, *trailing]
            star = ["*"] if after_star or kind in ("long_running", "file") else []
            overloads.append(_builtin_list_all([*parameters, *star, *after_star]))
        keywords += body_plan.parameters + trailing
        if keywords or kind in ("long_running", "file"):
            parameters += ["*", *keywords]

        returns = FILE_ANSWERS.get(answer) or endpoint_return_type(endpoint)
        item_type, item_decoder = "Any", "as_any"
        accepted_status = rules.long_running.get(qualified, 0)
        if kind == "list":
            item_type, item_decoder = self._page_item()
            returns = item_type
        elif kind == "long_running":
            returns, answer = self._finished_result(accepted_status)
        elif variant is not None and variant.answer == "model":
            returns, answer = self._variant_model()
        arguments = [(p.name, self._description(p)) for p in path_params + keyword_params]
        if body is not None:
            arguments.append(("body", self._body_description(body, body_model)))
            arguments += [(f.name, f.description) for f in body_plan.fields]
        arguments += [(f.name, f.description) for f in form]
        if kind == "list":
            arguments += _PAGINATION_DOCS
        if kind == "long_running":
            arguments.append(("wait", _WAIT_DOC))
        if kind == "file":
            arguments.append(("save_to", _SAVE_TO_DOC))
        request = self._request(path_params, query_params, header_params, body, body_plan.expression)
        if form:
            request = attrs.evolve(
                request,
                body=form_body_expression(qualified, form),
                body_type="files" if self._form()["content_type"] == "multipart/form-data" else "data",
                content_type=str(self._form()["content_type"]),
            )
        return MethodPlan(
            name=name,
            qualified=qualified,
            kind=kind,
            deprecated=row.deprecated,
            parameters=[_builtin_list(part) for part in parameters],
            overloads=overloads,
            returns=_builtin_list(returns),
            docstring=method_docstring(
                summary=variant.summary if variant else row.summary,
                description=variant.description if variant else row.description,
                deprecated=row.deprecated,
                arguments=arguments,
                returns=self._returns_description(kind, item_type),
                reference=row.reference,
                body_models=body_plan.models_note,
            ),
            runtime_imports=sorted(self.runtime_imports),
            annotation_imports=self.annotation_imports,
            request=request,
            answer=answer,
            item_decoder=item_decoder,
            accepted_status=accepted_status,
            variant=variant is not None,
            items_key=self._items_key() if kind == "list" else "values",
        )

    # -- what a variant changes (specs/rules `variants`), and the parts of forms and files

    def _takes_query(self, prop: Any, paging: tuple[str, ...]) -> bool:
        if prop.name in paging:
            return False
        return self.variant is None or untrusted_text(prop.name) in self.variant.query

    def _form_variant(self) -> bool:
        return self.variant is not None and self.variant.answer == "form"

    def _form(self) -> Json:
        form: Json = self.operation.get(FORM_BODY) or {}
        return form

    def _form_fields(self, body: Any, taken: set[str], qualified: str) -> list[FormField]:
        """The keyword fields of the operation's form body, when it is the body the method sends."""
        if body is not None or not self._form():
            return []
        self.annotation_imports |= {
            "from collections.abc import Mapping, Sequence",
            "from bitbucket_client._uploads import Upload",
        }
        return form_fields(self._form(), taken, qualified)

    def _path_kind(self, wire_name: str) -> str:
        if self.variant is not None and wire_name in self.variant.path_kinds:
            return self.variant.path_kinds[wire_name]
        return dict(self.row.path_kinds).get(wire_name, "segment")

    def _path_signature(self, param: Param) -> str:
        default = self.variant.defaults.get(param.wire_name) if self.variant else None
        if default is None:
            qualified = f"{self.row.namespace}.{self.row.method}"
            default = self.normalized.rules.path_default(qualified, param.wire_name)
        if default is None:
            return _signature_part(param)
        return f"{param.name}: {param.annotation} = {default!r}"

    def _description(self, param: Param) -> str:
        if self.variant is not None and param.wire_name in self.variant.descriptions:
            return self.variant.descriptions[param.wire_name]
        return param.description

    def _variant_model(self) -> tuple[str, str]:
        assert self.variant is not None and self.variant.model is not None
        model = self.models.get(pascal(self.variant.model))
        if model is None:
            raise ValueError(f"{self.variant.name}: no response model {self.variant.model!r}")
        line = _import_line(model.class_info)
        self.annotation_imports.add(line)
        self.runtime_imports.add(line)
        return model.class_info.name, f"Answer.model({model.class_info.name})"

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
        """The request model whose fields may be passed as keywords, and those fields (`required` as the
        model says; a field whose name is taken, or a Python keyword, can only go in `body=`)."""
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
            wire_name = untrusted_text(prop.name)
            description = self._field_description(schema.get("properties", {}).get(wire_name) or {})
            if name in taken or keyword.iskeyword(name):
                name = ""  # not a keyword of the method
            fields.append(
                Param(
                    name, wire_name, self.bodies.side.annotation(prop), bool(prop.required), name, description
                )
            )
            self.annotation_imports |= self.bodies.side.imports(prop)
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
        name = body_model.class_info.name
        how = f"A `{name}` or a dict (`{name}{DICT_SUFFIX}`), or pass its fields as the keywords that follow."
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
        body_expression: str | None,
    ) -> RequestPlan:
        by_wire_name = {p.wire_name: p for p in path_params}
        fixed = self.variant.fixed_query if self.variant else {}
        return RequestPlan(
            http_method=self.row.http_method,
            path=_PLACEHOLDER.sub(self._placeholder, self.row.path),
            path_values=[by_wire_name[name].convert for name in _PLACEHOLDER.findall(self.row.path)],
            query=[(p.wire_name, p.convert) for p in query_params] + [(k, repr(v)) for k, v in fixed.items()],
            headers=[(p.wire_name, p.convert) for p in header_params],
            body=body_expression,
            body_type="json" if body is None else str(body.body_type),
            content_type="application/json" if body is None else untrusted_text(body.content_type),
        )

    def _placeholder(self, found: re.Match[str]) -> str:
        """`{name}`, or `{name:kind}` for a path parameter that is not a plain segment (`_paths`)."""
        kind = self._path_kind(found.group(1))
        return found.group(0) if kind == "segment" else "{" + found.group(1) + ":" + kind + "}"

    # -- the answer

    def _answer(self) -> str:
        variant = self.variant
        if variant is not None and variant.answer in ("binary", "text"):
            return f"Answer.{variant.answer}()"
        file_answer = self.normalized.rules.file_answers.get(f"{self.row.namespace}.{self.row.method}")
        if file_answer is not None:
            return f"Answer.{file_answer}()"
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

    def _items_key(self) -> str:
        """The page envelope's list of items: `values`, or the other name the rules allow."""
        envelope = self.normalized.document["components"]["schemas"][
            ref_name(success_schema(self.operation)) or ""
        ]
        return next(key for key in self.normalized.rules.page_items if key in envelope.get("properties", {}))

    def _page_item(self) -> tuple[str, str]:
        """The item class of a list operation's page envelope, and its decoder."""
        envelope = self.normalized.document["components"]["schemas"][
            ref_name(success_schema(self.operation)) or ""
        ]
        item = ref_name(envelope["properties"][self._items_key()].get("items", {}))
        model = self.models.get(item or "")
        if item is None or model is None:
            return "Any", "as_any"
        line = _import_line(model.class_info)
        self.annotation_imports.add(line)
        self.runtime_imports.add(line)
        return item, f"{item}.from_dict"

    def _returns_description(self, kind: str, item_type: str) -> str:
        if kind == "file":
            what = "The file's content" if self.variant else self._documented_returns(kind) or "The body"
            return f"{what.rstrip('.')}; with `save_to`, the `Path` of the file written."
        if self.variant is not None and kind != "list":
            return self.variant.summary
        return self._documented_returns(kind) if kind != "list" else self._list_returns(item_type)

    def _list_returns(self, item_type: str) -> str:
        items = f"`{item_type}` items" if item_type != "Any" else "items (JSON values)"
        return f"An `AsyncPaginator` of {items}: `async for` fetches the pages as it goes."

    def _documented_returns(self, kind: str) -> str:
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


def _form_signature(field: FormField) -> str:
    if field.required:
        return f"{field.name}: {field.annotation}"
    return f"{field.name}: {field.annotation} | Unset = UNSET"


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


def _builtin_list_all(parts: list[str]) -> list[str]:
    return [_builtin_list(part) for part in parts]


def _builtin_list(annotation: str) -> str:
    """A namespace may have a method named `list`, which shadows the builtin in the class body."""
    return re.sub(r"(?<![\w.])list\[", "builtins.list[", annotation)
