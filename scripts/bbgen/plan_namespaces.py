"""Write the namespace classes the clients expose: `bb.<namespace>.<method>(...)`.

One module per namespace under `_generated/namespaces/`, each with two classes: `XNamespace`, whose
methods return the decoded model (or an `AsyncPaginator` for list operations), and `XRawNamespace`, whose
methods return the whole `Response`. `namespaces/__init__.py` holds the mixins the clients inherit.

Methods take path parameters positionally in URL order, query and header parameters as keywords with the
document's types (an enum also accepts its values as string literals), and a JSON body either as `body=`
(the generated request model) or as keyword fields of that model.
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path
from typing import Any

import attrs

from .model_types import endpoint_return_type
from .normalize import Normalized, OperationRow, success_schema
from .rules import Rules
from .schemawalk import pascal, ref_name

PAGINATION_OPTIONS = ("page_size", "max_items", "prefetch")


@attrs.frozen
class Param:
    name: str
    annotation: str
    required: bool
    convert: str  # expression turning the user's value into what `_get_kwargs` expects


def _kind(prop: Any) -> str:
    return type(prop).__name__


def _literal(values: list[object]) -> str:
    return "Literal[" + ", ".join(repr(v) for v in values) + "]"


def relaxed_type(prop: Any) -> str:
    """The strict type, except that an enum also accepts its values as literals."""
    kind = _kind(prop)
    if kind == "EnumProperty":
        return f"{prop.class_info.name} | {_literal(list(prop.values.values()))}"
    if kind == "ListProperty" and _kind(prop.inner_property) == "EnumProperty":
        return f"list[{relaxed_type(prop.inner_property)}]"
    return str(prop.get_type_string(no_optional=True).as_unembedded_code())


def _convert(prop: Any, name: str) -> str:
    kind = _kind(prop)
    if kind == "EnumProperty":
        return f"coerce_enum({prop.class_info.name}, {name})"
    if kind == "ListProperty" and _kind(prop.inner_property) == "EnumProperty":
        return f"coerce_enum_list({prop.inner_property.class_info.name}, {name})"
    return name


def _param(prop: Any) -> Param:
    return Param(
        str(prop.python_name), relaxed_type(prop), bool(prop.required), _convert(prop, prop.python_name)
    )


def _import_line(info: Any) -> str:
    return f"from ..models.{info.module_name} import {info.name}"


def _converter_imports(prop: Any) -> set[str]:
    """Imports for the enum classes `_convert` names."""
    kind = _kind(prop)
    if kind == "EnumProperty":
        return {_import_line(prop.class_info)}
    if kind == "ListProperty" and _kind(prop.inner_property) == "EnumProperty":
        return {_import_line(prop.inner_property.class_info)}
    return set()


def _signature_part(param: Param) -> str:
    if param.required:
        return f"{param.name}: {param.annotation}"
    return f"{param.name}: {param.annotation} | Unset = UNSET"


@attrs.frozen
class MethodPlan:
    row: OperationRow
    module: str  # endpoint module name inside api/<namespace>/
    path_params: list[Param]
    keyword_params: list[Param]  # query and header parameters
    body: Any | None  # openapi-python-client Body
    body_model: Any | None  # ModelProperty whose fields may be passed as keywords
    body_fields: list[Param]
    returns: str
    item_type: str | None  # set for paginated operations
    item_decoder: str | None
    imports: set[str]  # "from ..models.x import X" lines for annotations (under TYPE_CHECKING)
    runtime_imports: set[str]  # the ones the method body needs when it runs (imported there, lazily)


def plan_methods(normalized: Normalized, data: Any, product: str) -> dict[str, list[MethodPlan]]:
    models_by_class = {m.class_info.name: m for m in data.models}
    rows = {f"{r.namespace}_{r.method}": r for r in normalized.operations}
    plans: dict[str, list[MethodPlan]] = {}
    for tag, collection in data.endpoint_collections_by_tag.items():
        for endpoint in collection.endpoints:
            row = rows[str(endpoint.name)]
            plans.setdefault(row.namespace, []).append(
                _plan(row, endpoint, normalized, models_by_class, product, f"api.{tag}.{endpoint.name}")
            )
    for methods in plans.values():
        methods.sort(key=lambda plan: plan.row.method)
    return plans


def _plan(
    row: OperationRow,
    endpoint: Any,
    normalized: Normalized,
    models_by_class: dict[str, Any],
    product: str,
    module: str,
) -> MethodPlan:
    imports = {line for line in endpoint.relative_imports if "..models." in line or "...models." in line}
    imports = {line.replace("...models.", "..models.") for line in imports}
    paging = normalized.rules.paging_parameters if row.paginated else ()
    keyword_props = [
        p for p in [*endpoint.query_parameters, *endpoint.header_parameters] if p.name not in paging
    ]
    path_params = [_param(p) for p in endpoint.path_parameters]
    keyword_params = [_param(p) for p in keyword_props]
    runtime_imports: set[str] = set()
    for prop in [*endpoint.path_parameters, *keyword_props]:
        runtime_imports |= _converter_imports(prop)
    body = endpoint.bodies[0] if endpoint.bodies else None
    body_model = None
    body_fields: list[Param] = []
    taken = {p.name for p in path_params + keyword_params} | {"body", "wait", *PAGINATION_OPTIONS}
    if body is not None and _kind(body.prop) == "ModelProperty" and str(body.body_type) == "json":
        body_model = models_by_class.get(body.prop.class_info.name)
        if body_model is not None:
            runtime_imports.add(_import_line(body_model.class_info))
            for prop in (body_model.required_properties or []) + (body_model.optional_properties or []):
                if prop.name == "type" and prop.default is not None:
                    continue  # Cloud's discriminator: filled in by the model's default
                field = _param(prop)
                if field.name in taken or keyword.iskeyword(field.name):
                    continue
                body_fields.append(Param(field.name, field.annotation, False, field.convert))
                imports.update(_model_imports(prop))
                runtime_imports |= _converter_imports(prop)
    item_type = item_decoder = None
    if row.paginated:
        item_type, item_decoder, item_import = _page_item(normalized, models_by_class, row)
        if item_import:
            imports.add(item_import)
            runtime_imports.add(item_import)
    return MethodPlan(
        row,
        module.rsplit(".", 1)[-1],
        path_params,
        keyword_params,
        body,
        body_model,
        body_fields,
        endpoint_return_type(endpoint),
        item_type,
        item_decoder,
        imports,
        runtime_imports,
    )


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


def _page_item(
    normalized: Normalized, models_by_class: dict[str, Any], row: OperationRow
) -> tuple[str, str, str | None]:
    """The item class of a list operation's page envelope, its decoder, and its import."""
    operation = normalized.document["paths"][row.path][row.http_method.lower()]
    envelope = normalized.document["components"]["schemas"][ref_name(success_schema(operation)) or ""]
    item = ref_name(envelope["properties"]["values"].get("items", {}))
    model = models_by_class.get(item or "")
    if item is None or model is None:
        return "Any", "as_any", None
    return item, f"{item}.from_dict", f"from ..models.{model.class_info.module_name} import {item}"


# ---- rendering ----------------------------------------------------------------------------------------


def render_namespaces(out_dir: Path, product: str, rules: Rules, plans: dict[str, list[MethodPlan]]) -> None:
    package = out_dir / "namespaces"
    package.mkdir(exist_ok=True)
    for namespace, methods in sorted(plans.items()):
        (package / f"{namespace}.py").write_text(_namespace_module(rules, namespace, methods))
    (package / "__init__.py").write_text(_mixins(product, sorted(plans)))


def _class_name(namespace: str, raw: bool) -> str:
    return pascal(namespace) + ("RawNamespace" if raw else "Namespace")


def _namespace_module(rules: Rules, namespace: str, methods: list[MethodPlan]) -> str:
    imports: set[str] = set()
    for plan in methods:
        imports |= plan.imports
    lines = [
        f'"""`{namespace}`: {len(methods)} operation(s) of the document, as methods."""',
        "",
        "from __future__ import annotations",
        "",
        "import builtins",
        "from typing import TYPE_CHECKING, Any, Literal, overload",
        "",
        "from bitbucket_client._runtime import (UNSET, Response, Unset, as_any, build_body,",
        "    build_required_body, coerce_enum, coerce_enum_list)",
        "",
        "if TYPE_CHECKING:",
        "    import datetime",
        "    from uuid import UUID",
        "",
        "    from bitbucket_client._runtime import File",
        *("    " + line for line in sorted(imports)),
        "    from bitbucket_client._client import BaseClient",
        "    from bitbucket_client._pagination import AsyncPaginator",
        "    from bitbucket_client._merge import MergeTask",
        "",
    ]
    for raw in (False, True):
        lines += ["", f"class {_class_name(namespace, raw)}:"]
        kind = "the whole `Response` (status, headers, body, parsed model)" if raw else "decoded models"
        lines += [f'    """The `{namespace}` operations, returning {kind}."""', ""]
        lines += ["    def __init__(self, client: BaseClient) -> None:", "        self._client = client", ""]
        for plan in methods:
            lines += _method(rules, plan, raw)
    return "\n".join(lines) + "\n"


def _docstring(plan: MethodPlan) -> list[str]:
    summary = plan.row.summary.replace("\\", "\\\\").replace('"""', "'''") or plan.row.method
    deprecated = "Deprecated. " if plan.row.deprecated else ""
    return [
        f'        """{deprecated}{summary}',
        "",
        f"        `{plan.row.http_method} {plan.row.path}`",
        '        """',
    ]


def _method(rules: Rules, plan: MethodPlan, raw: bool) -> list[str]:
    name = plan.row.method
    qualified = f"{plan.row.namespace}.{name}"
    params = ["self", *(_signature_part(p) for p in plan.path_params)]
    keywords = [_signature_part(p) for p in plan.keyword_params]
    if plan.body is not None:
        body_type = str(plan.body.prop.get_type_string(no_optional=True).as_unembedded_code())
        if plan.body_model is None and plan.body.prop.required:
            keywords.append(f"body: {body_type}")
        else:
            keywords.append(f"body: {body_type} | None = None")
        keywords += [f"{f.name}: {f.annotation} | Unset = UNSET" for f in plan.body_fields]
    paginated = plan.item_type is not None and not raw
    if paginated:
        keywords += ["page_size: int | None = None", "max_items: int | None = None", "prefetch: int = 0"]
    long_running = "finish_cloud_merge" if not raw and qualified in rules.long_running else None
    call = ["_kwargs = _endpoint._get_kwargs("]
    call += [f"    {p.convert}," for p in plan.path_params]
    call += [f"    {p.name}={p.convert}," for p in plan.keyword_params]
    if plan.body is not None:
        call.append(f"    body={_body_expression(plan, qualified)},")
    call.append(")")
    body = [f"from ..api.{plan.row.namespace} import {plan.module} as _endpoint  # noqa: PLC0415"]
    body += [f"{line}  # noqa: PLC0415" for line in sorted(plan.runtime_imports)]
    if plan.row.deprecated:
        body.append(f'self._client._warn_deprecated("{qualified}")')
    body += call
    out: list[str] = []
    signature = ", ".join(params + (["*", *keywords] if keywords or long_running else []))
    if paginated:
        out.append(f"    def {name}({signature}) -> AsyncPaginator[{plan.item_type}]:")
        body.append(
            f"return self._client._paginate(_kwargs, {plan.item_decoder}, page_size=page_size, "
            "max_items=max_items, prefetch=prefetch)"
        )
    elif long_running:
        base = ", ".join([*params, "*", *keywords])
        done = " | ".join(part for part in plan.returns.split(" | ") if part != "None")
        out += [
            "    @overload",
            f"    async def {name}({base}, wait: Literal[True] = True) -> {done}: ...",
            "    @overload",
            f"    async def {name}({base}, wait: Literal[False]) -> MergeTask: ...",
            f"    async def {name}({base}, wait: bool = True) -> {done} | MergeTask:",
        ]
        body += [
            "from bitbucket_client._merge import " + long_running + "  # noqa: PLC0415",
            "_response = await self._client._send(_kwargs)",
            f"return await {long_running}(self._client, _response, _endpoint._parse_response, wait=wait)",
        ]
    elif raw:
        out.append(f"    async def {name}({signature}) -> Response[{plan.returns}]:")
        body.append("_response = await self._client._send(_kwargs)")
        if plan.returns == "None":
            body += ["_endpoint._parse_response(_response)", "return Response.build(_response, None)"]
        else:
            body.append("return Response.build(_response, _endpoint._parse_response(_response))")
    else:
        out.append(f"    async def {name}({signature}) -> {plan.returns}:")
        if plan.returns == "None":
            body.append("_endpoint._parse_response(await self._client._send(_kwargs))")
        else:
            body.append("return _endpoint._parse_response(await self._client._send(_kwargs))")
    out = [_builtin_list(line) for line in out]
    out += _docstring(plan)
    out += ["        " + line for line in body]
    return [*out, ""]


def _builtin_list(annotation_line: str) -> str:
    """A namespace may have a method named `list`, which shadows the builtin in the class body."""
    return re.sub(r"(?<![\w.])list\[", "builtins.list[", annotation_line)


def _body_expression(plan: MethodPlan, qualified: str) -> str:
    assert plan.body is not None
    if plan.body_model is None:
        return "body" if plan.body.prop.required else "body if body is not None else UNSET"
    fields = ", ".join(f'"{f.name}": {f.convert}' for f in plan.body_fields)
    cls = plan.body_model.class_info.name
    builder = "build_required_body" if plan.body.prop.required else "build_body"
    return f'{builder}({cls}, body, {{{fields}}}, "{qualified}")'


def _mixins(product: str, namespaces: list[str]) -> str:
    title = "Cloud" if product == "cloud" else "Server"
    lines = [
        '"""The namespace attributes of the client (`bb.pullrequests`, ...), loaded on first use."""',
        "",
        "from __future__ import annotations",
        "",
        "import functools",
        "import importlib",
        "from typing import TYPE_CHECKING, Any",
        "",
        "if TYPE_CHECKING:",
        "    from bitbucket_client._client import BaseClient",
    ]
    for namespace in namespaces:
        lines.append(
            f"    from .{namespace} import {_class_name(namespace, False)}, {_class_name(namespace, True)}"
        )
    lines += [
        "",
        "NAMESPACES = (" + "".join(f'"{n}", ' for n in namespaces) + ")",
        "",
        "",
        "def _load(namespace: str, class_name: str, client: Any) -> Any:",
        '    return getattr(importlib.import_module(f"{__name__}.{namespace}"), class_name)(client)',
        "",
    ]
    for raw in (False, True):
        cls = f"{title}{'Raw' if raw else ''}Namespaces"
        doc = "whole responses" if raw else "decoded models"
        lines += [
            "",
            f"class {cls}:",
            f'    """Every namespace of the {title} document, returning {doc}."""',
            "",
        ]
        lines += ["    _client: BaseClient", ""] if raw else []
        for namespace in namespaces:
            target = "self._client" if raw else "self"
            lines += [
                "    @functools.cached_property",
                f"    def {namespace}(self) -> {_class_name(namespace, raw)}:",
                f'        return _load("{namespace}", "{_class_name(namespace, raw)}", {target})'
                "  # type: ignore[no-any-return]",
                "",
            ]
    lines += [
        "",
        f"class {title}RawView({title}RawNamespaces):",
        '    """`client.with_raw_response`: the same namespaces, returning whole responses."""',
        "",
        "    def __init__(self, client: BaseClient) -> None:",
        "        self._client = client",
    ]
    return "\n".join(lines) + "\n"
