"""Plan the JSON body part of a namespace method: its parameters, overloads, validation call and docs.

A body whose schema is a request model `X` is taken as `body=` (an `X` or its dict form `XDict`) or as
keyword fields of `X`, each of which takes models or dicts at every depth. When `X` (or the operation,
through a `request-required` fix) requires fields, the method gets overloads so that mypy flags a missing
one: the keyword fields with the required ones required, `body=` alone, and, for an optional body, no body
at all. Either way `_arguments.build_body` validates what was given and returns the JSON to send.
A body that is a list of request models is taken as a sequence of models or dicts
(`_arguments.build_body_list`). Other bodies (multipart, forms, raw content) are passed through.
"""

from __future__ import annotations

from typing import Any

import attrs

from .request_shapes import DICT_SUFFIX, RequestSide


@attrs.frozen
class BodyPlan:
    parameters: list[str] = attrs.Factory(list)  # keyword parameters of the implementation
    overloads: list[list[str]] = attrs.Factory(list)  # keyword parameters of each overload
    fields: list[Any] = attrs.Factory(list)  # the keyword fields (`plan_namespaces.Param`)
    expression: str | None = None  # the `body=` value of the Request
    annotation_imports: set[str] = attrs.Factory(set)
    runtime_imports: set[str] = attrs.Factory(set)  # classes the expression names
    models_note: str = ""  # the docstring's list of the models the body takes


class BodyPlanner:
    def __init__(self, side: RequestSide, aliases: dict[str, list[str]], models: dict[str, Any]) -> None:
        self.side, self.aliases, self.models = side, aliases, models

    def plan(
        self,
        qualified: str,
        body: Any,
        body_model: Any | None,
        fields: list[Any],
        operation_required: tuple[str, ...],
    ) -> BodyPlan:
        if body is None:
            return BodyPlan()
        if body_model is not None:
            return self._model_body(qualified, body, body_model, fields, operation_required)
        prop = body.prop
        if operation_required:
            raise ValueError(f"{qualified}: request-required fixes need a body that is a request model")
        if str(body.body_type) == "json" and type(prop).__name__ == "ListProperty":
            inner = prop.inner_property
            if self.side.is_request_model(inner):
                return self._list_body(qualified, prop, inner)
        annotation = str(prop.get_type_string(no_optional=True).as_unembedded_code())
        if prop.required:
            return BodyPlan(parameters=[f"body: {annotation}"], expression="body")
        return BodyPlan(
            parameters=[f"body: {annotation} | None = None"], expression="body if body is not None else UNSET"
        )

    def _model_body(
        self, qualified: str, body: Any, model: Any, fields: list[Any], operation_required: tuple[str, ...]
    ) -> BodyPlan:
        name = model.class_info.name
        by_wire = {field.wire_name: field for field in fields}
        unknown = [wire for wire in operation_required if wire not in by_wire]
        if unknown:
            raise ValueError(f"{qualified}: request-required names fields {name} lacks: {unknown}")
        required = [f.wire_name for f in fields if f.required] + [
            wire for wire in operation_required if not by_wire[wire].required
        ]
        keywords = [f for f in fields if f.name]
        # An operation that requires fields needs its body, whatever the document says of it.
        body_required = bool(body.prop.required or operation_required)
        body_annotation = f"{name} | {name}{DICT_SUFFIX}"
        parameters = [f"body: {body_annotation} | None = None"]
        parameters += [f"{f.name}: {f.annotation} | Unset = UNSET" for f in keywords]
        overloads: list[list[str]] = []
        if required:
            if all(by_wire[wire].name for wire in required):
                overloads.append(
                    [
                        f"{f.name}: {f.annotation}"
                        if f.wire_name in required
                        else f"{f.name}: {f.annotation} | Unset = UNSET"
                        for f in keywords
                    ]
                )
            overloads.append([f"body: {body_annotation}"])
            if not body_required:
                overloads.append([])
        values = ", ".join(f'"{f.name}": {f.name}' for f in keywords)
        builder = "build_required_body" if body_required else "build_body"
        extra = f", required={tuple(operation_required)!r}" if operation_required else ""
        expression = f'{builder}({name}, body, {{{values}}}, "{qualified}"{extra})'
        imports = {f"from ..models.{model.class_info.module_name} import {name}, {name}{DICT_SUFFIX}"}
        return BodyPlan(
            parameters=parameters,
            overloads=overloads,
            fields=keywords,
            expression=expression,
            annotation_imports=imports,
            models_note=self._models_note(model, required),
        )

    def _list_body(self, qualified: str, prop: Any, inner: Any) -> BodyPlan:
        name = inner.class_info.name
        annotation = f"Sequence[{name} | {name}{DICT_SUFFIX}]"
        parameter = f"body: {annotation}" if prop.required else f"body: {annotation} | None = None"
        model = self.models[name]
        module = inner.class_info.module_name
        return BodyPlan(
            parameters=[parameter],
            expression=f'build_body_list({name}, body, "{qualified}")',
            annotation_imports={f"from ..models.{module} import {name}, {name}{DICT_SUFFIX}"},
            runtime_imports={f"from ..models.{module} import {name}"},
            models_note=self._models_note(model, []),
        )

    # -- the docstring note ------------------------------------------------------------------------

    def _models_note(self, model: Any, required: list[str]) -> str:
        """ "`PullrequestInput` or a `PullrequestInputDict` (required: title, source); inside it:
        `PullrequestEndpointInput` (also `PullRequestEndpoint`), ..."""
        name = model.class_info.name
        text = f"`{name}`{self._also(name)} or a `{name}{DICT_SUFFIX}`"
        if required:
            text += " (required: " + ", ".join(required) + ")"
        nested = [f"`{other}`{self._also(other)}" for other in self._nested(model)]
        if nested:
            text += "; inside it: " + ", ".join(nested)
        return text + "."

    def _also(self, name: str) -> str:
        aliases = self.aliases.get(name)
        return f" (also `{aliases[0]}`)" if aliases else ""

    def _nested(self, model: Any) -> list[str]:
        seen: list[str] = []
        stack = [model]
        while stack:
            current = stack.pop(0)
            for prop in self.side.properties(current):
                for other in _model_names(prop):
                    if (
                        other in self.side.request_models
                        and other not in seen
                        and other != model.class_info.name
                    ):
                        seen.append(other)
                        if other in self.models:
                            stack.append(self.models[other])
        return seen


def _model_names(prop: Any) -> list[str]:
    kind = type(prop).__name__
    if kind == "ModelProperty":
        return [prop.class_info.name]
    if kind == "ListProperty":
        return _model_names(prop.inner_property)
    return [name for inner in getattr(prop, "inner_properties", None) or [] for name in _model_names(inner)]
