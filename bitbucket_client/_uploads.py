"""Multipart and form bodies: what a generated upload method (or `bb.request(files=..., data=...)`) sends.

An upload is given as an `Upload`: bytes, text, an open binary file, a `File`, or a tuple
`(file name, content)` / `(file name, content, media type)`. A field that takes several files takes a
list of them (a tuple is always one file). `form_body` checks every field and turns the whole body into
the `(name, (file name, content, media type))` entries httpx sends as `multipart/form-data`, in order.

Bitbucket tells a file from a form field by the `filename` of its part (Cloud's `POST .../src` has a
`message` field and may have a file called `message`), so every file is sent with a file name: its own
(a tuple's, a `File`'s, an open file's), or else the last segment of its field's name (Cloud's
`source.create_commit` names each file field by its path in the repository). A file in a list of
files (downloads, attachments, snippet files) is stored under its own name, so it must have one.

Nothing here imports generated code.
"""

from __future__ import annotations

import enum
import io
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any, Literal, TypeAlias, cast

from ._types import UNSET, File

__all__ = ["FieldKind", "FormBody", "Upload", "form_body", "request_form"]

UploadContent: TypeAlias = bytes | str | IO[bytes]
"""What a file holds: bytes, text (sent as UTF-8), or an open binary file (read as the request is sent)."""

Upload: TypeAlias = (
    UploadContent | File | tuple[str | None, UploadContent] | tuple[str | None, UploadContent, str | None]
)
"""One file to upload: its content, a `File`, or a tuple (file name, content[, media type])."""

FieldKind = Literal["text", "texts", "file", "files", "file_map"]
"""How a form field is sent: one text value, several (the field repeated), one file, several files,
or a mapping of field name to file (Cloud's `source.create_commit`: repository path to content)."""

# One part of a multipart body, as httpx takes it: (file name or None for a plain field, content, type).
Part: TypeAlias = tuple[str | None, bytes | IO[bytes], str | None]


class FormBody:
    """A form body: its parts in order, each a field name and an httpx file tuple (a plain field has
    no file name)."""

    __slots__ = ("parts",)

    def __init__(self, parts: list[tuple[str, Part]]) -> None:
        self.parts = parts

    def __repr__(self) -> str:
        names = ", ".join(name for name, _part in self.parts)
        return f"FormBody({names})"

    def multipart(self) -> list[tuple[str, Part]]:
        """httpx's `files=`: always sent as `multipart/form-data`, plain fields included. (httpx reads an
        open file from its start each time it sends it, so a retried request sends it whole again.)"""
        return self.parts

    def urlencoded(self) -> dict[str, str | list[str]]:
        """httpx's `data=`, for `application/x-www-form-urlencoded`: plain fields only (a repeated field
        is a list)."""
        out: dict[str, str | list[str]] = {}
        for name, (file_name, content, _type) in self.parts:
            if file_name is not None or not isinstance(content, bytes):
                raise TypeError(f"the form field {name!r} is a file: a url-encoded form cannot carry one")
            value = content.decode()
            previous = out.get(name)
            if previous is None:
                out[name] = value
            else:
                out[name] = [*([previous] if isinstance(previous, str) else previous), value]
        return out


def form_body(operation: str, fields: Iterable[tuple[str, object, FieldKind]]) -> FormBody:
    """The body of `operation` from its fields: (field name, value, kind). UNSET and None values are left
    out; a value of the wrong type raises `TypeError` naming the operation and the field."""
    parts: list[tuple[str, Part]] = []
    for name, value, kind in fields:
        if value is UNSET or value is None:
            continue
        where = f"{operation}: {name}"
        if kind == "text":
            parts.append((name, (None, _text(where, value), None)))
        elif kind == "texts":
            parts += [(name, (None, _text(where, item), None)) for item in _many(where, value, "values")]
        elif kind == "file":
            parts.append((name, _part(where, value, default_name=name.rsplit("/", 1)[-1])))
        elif kind == "files":
            parts += [(name, _part(where, item, default_name=None)) for item in _many(where, value, "files")]
        elif kind == "file_map":
            if not isinstance(value, Mapping):
                raise TypeError(f"{where} must be a mapping of names to files, not {type(value).__name__}")
            for key, item in value.items():
                if not isinstance(key, str) or not key.strip("/"):
                    raise ValueError(f"{where}: {key!r} is not a field name (a non-empty str)")
                parts.append((key, _part(f"{where}[{key!r}]", item, default_name=key.rsplit("/", 1)[-1])))
        else:
            raise ValueError(f"{where}: unknown field kind {kind!r}")
    return FormBody(parts)


def request_form(
    files: Mapping[str, Upload | Sequence[Upload]] | Sequence[tuple[str, Upload]] | None,
    data: Mapping[str, Any] | None,
) -> FormBody:
    """The body of `bb.request(files=..., data=...)`: `data`'s fields (a list value repeats the field),
    then `files`' (a mapping of field name to one file or a list of them, or (field name, file) pairs)."""
    fields: list[tuple[str, object, FieldKind]] = []
    for name, value in (data or {}).items():
        many = isinstance(value, list | tuple)
        fields.append((name, value, "texts" if many else "text"))
    entries = files.items() if isinstance(files, Mapping) else (files or [])
    for name, value in entries:
        many = isinstance(value, list)
        fields.append((name, value, "files" if many else "file"))
    return form_body("request", fields)


def _text(where: str, value: object) -> bytes:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, str | int | float):
        return str(value).encode()
    raise TypeError(f"{where} must be text (a str or a number), not {type(value).__name__}")


def _many(where: str, value: object, what: str) -> Sequence[object]:
    """A list of values; a single one (a tuple is one file) stands for a list of one."""
    if isinstance(value, str | bytes | tuple | File) or hasattr(value, "read"):
        return [value]
    if isinstance(value, Sequence):
        return value
    raise TypeError(f"{where} must be one of the {what} or a list of them, not {type(value).__name__}")


def _part(where: str, value: object, *, default_name: str | None) -> Part:
    """(file name, content, media type) of one `Upload`."""
    name: object
    content: object
    media_type: object = None
    if isinstance(value, File):
        name, content, media_type = value.file_name, value.payload, value.mime_type
    elif isinstance(value, tuple):
        if len(value) not in (2, 3):
            raise TypeError(f"{where}: a file tuple is (name, content) or (name, content, media type)")
        name, content = value[0], value[1]
        media_type = value[2] if len(value) == 3 else None
    else:
        name, content = None, value
    if isinstance(content, str):
        content = content.encode()
    if not isinstance(content, bytes) and not _is_binary_file(content):
        raise TypeError(
            f"{where} must be bytes, text, an open binary file, a File or a (name, content[, type]) tuple, "
            f"not {type(content).__name__}"
        )
    if name is None and not isinstance(content, bytes):
        own_name = getattr(content, "name", None)
        name = os.path.basename(own_name) if isinstance(own_name, str) and own_name else None
    if name is not None and (not isinstance(name, str) or not name):
        raise TypeError(f"{where}: a file's name must be a non-empty str, not {name!r}")
    if media_type is not None and not isinstance(media_type, str):
        raise TypeError(f"{where}: a media type must be a str, not {type(media_type).__name__}")
    file_name = name or default_name
    if file_name is None:
        raise ValueError(
            f"{where}: each file needs a name, under which Bitbucket stores it: pass (name, content) or a "
            "File with file_name, or an open file"
        )
    return file_name, cast("bytes | IO[bytes]", content), media_type


def _is_binary_file(content: object) -> bool:
    if isinstance(content, io.TextIOBase):
        return False
    return callable(getattr(content, "read", None))
