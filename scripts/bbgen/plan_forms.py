"""Plan the keyword fields of a form body (multipart or url-encoded), for the namespace methods.

`normalize_operations.split_form_bodies` keeps each such body apart (`x-form-body`, its schema inlined);
here each property becomes a keyword of the method, typed by what it carries, and the method builds
the body with `form_body(...)` (`bitbucket_client/_uploads.py`):

- a binary string (`format: binary`) is one file: `Upload` (bytes, text, an open file, a `File`, or a
  `(name, content[, media type])` tuple);
- an array of them, several files: `Upload | Sequence[Upload]`;
- `additionalProperties` of files, fields named by the caller (Cloud's `source.create_commit`: a path
  in the repository to its content): `Mapping[str, Upload]`;
- anything else, a plain field: `str`, `int`, `float` or `bool`, or a sequence of them (the field
  repeated).

A property may give its keyword's name with `x-python-name` (set by a fix in `specs/fixes`) where the
document's name would mislead.
"""

from __future__ import annotations

import keyword
import re

import attrs

from .schemawalk import Json

__all__ = ["FormField", "form_body_expression", "form_fields"]

_SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
_EXTRA_DEFAULT = "files"


@attrs.frozen
class FormField:
    name: str  # the keyword
    wire_name: str  # the form field's name ("" for the caller-named fields of additionalProperties)
    annotation: str
    field_kind: str  # text, texts, file, files, file_map (bitbucket_client._uploads.FieldKind)
    required: bool
    description: str


def form_fields(form: Json, taken: set[str], where: str) -> list[FormField]:
    """The keyword fields of a form body (`x-form-body`); `taken` are the method's other names."""
    schema: Json = form.get("schema") or {}
    required = set(schema.get("required") or [])
    properties = schema.get("properties") or {}
    if len(properties) == 1 and not schema.get("additionalProperties"):
        required |= set(properties)  # a body of one field is that field (Data Center's avatar uploads)
    fields: list[FormField] = []
    for wire_name, prop in properties.items():
        name = _keyword(prop.get("x-python-name") or wire_name, taken, where)
        annotation, kind = _typed(prop, where, wire_name)
        fields.append(
            FormField(
                name, wire_name, annotation, kind, wire_name in required, str(prop.get("description") or "")
            )
        )
        taken.add(name)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict) and _is_file(extra):
        name = _keyword(extra.get("x-python-name") or _EXTRA_DEFAULT, taken, where)
        description = str(extra.get("description") or "Fields named by the caller, each holding a file.")
        fields.append(FormField(name, "", "Mapping[str, Upload]", "file_map", False, description))
    if not fields:
        raise ValueError(f"{where}: a form body without properties")
    return fields


def form_body_expression(qualified: str, fields: list[FormField]) -> str:
    """The `form_body(...)` call building the body from the keywords."""
    entries = ", ".join(f"({field.wire_name!r}, {field.name}, {field.field_kind!r})" for field in fields)
    return f'form_body("{qualified}", [{entries}])'


def _typed(prop: Json, where: str, wire_name: str) -> tuple[str, str]:
    if _is_file(prop):
        return "Upload", "file"
    if prop.get("type") == "array":
        items = prop.get("items") or {}
        if _is_file(items):
            return "Upload | Sequence[Upload]", "files"
        return f"Sequence[{_scalar(items, where, wire_name)}]", "texts"
    return _scalar(prop, where, wire_name), "text"


def _scalar(prop: Json, where: str, wire_name: str) -> str:
    kind = prop.get("type", "string")
    if kind not in _SCALARS:
        raise ValueError(
            f"{where}: the form field {wire_name!r} is of type {kind!r}, which a form cannot carry"
        )
    return _SCALARS[kind]


def _is_file(prop: Json) -> bool:
    return prop.get("type") == "string" and prop.get("format") in ("binary", "byte")


def _keyword(name: str, taken: set[str], where: str) -> str:
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()
    snake = re.sub(r"[^a-z0-9_]", "_", snake).strip("_")
    if not snake or snake[0].isdigit() or keyword.iskeyword(snake):
        snake = f"field_{snake}"
    if snake in taken:
        snake = f"{snake}_field"
    if snake in taken:
        raise ValueError(f"{where}: the form field {name!r} has no free keyword name")
    return snake
