"""What a generated method sends: the `Request` it describes, and how its parts are encoded.

A namespace method describes its request (HTTP method, the document's path template and the path values,
query, headers, body) and hands it to the pipeline (`BaseClient._call`, or `_list` for a list operation)
with an `Answer` (`_answer`). `Request.to_httpx` turns it into httpx's keyword arguments: each path value
percent-encoded inside its own segment, `UNSET`/None query values and headers left out, the body encoded
by its kind.

Nothing here imports generated code.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import quote

from ._converters import encode_value
from ._types import UNSET, File

__all__ = ["BodyType", "Request", "encode_body", "encode_path_segment", "fill_path"]

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_~.")


def encode_path_segment(value: object) -> str:
    """Percent-encode a path parameter so it stays inside its own URL segment: `/`, `?`, `#`, spaces
    and `%` are escaped, and `.`/`..` cannot be read as dot-segments."""
    if value.__class__ is int:
        return str(value)
    if value.__class__ is str and value not in (".", "..") and _UNRESERVED.issuperset(value):
        return value  # the usual slug or key: nothing to escape
    text = value.value if isinstance(value, enum.Enum) else value
    encoded = quote(str(text), safe="")
    if encoded in (".", ".."):
        encoded = encoded.replace(".", "%2E")
    return encoded


def encode_body(
    kwargs: dict[str, Any], headers: dict[str, Any], body: Any, kind: str, content_type: str
) -> None:
    """Put a request body into httpx keyword arguments. `kind` is openapi-python-client's body type."""
    if kind == "json":
        kwargs["json"] = encode_value(body)
        headers["Content-Type"] = content_type
    elif kind == "files":
        kwargs["files"] = body.to_multipart()
    elif kind == "data":
        kwargs["data"] = body.to_dict()
        headers["Content-Type"] = content_type
    else:
        kwargs["content"] = body.payload if isinstance(body, File) else body
        headers["Content-Type"] = content_type


BodyType = Literal["json", "files", "data", "content"]
"""How a body is sent: JSON, multipart (`files`), a form (`data`), or raw `content` (bytes, text, a File)."""


_PATH_PARTS: dict[str, tuple[str, ...]] = {}


def fill_path(template: str, values: tuple[object, ...]) -> str:
    """`template` (the document's path, `{name}` placeholders) with `values` in URL order, each
    percent-encoded so that it stays inside its own segment."""
    parts = _PATH_PARTS.get(template)
    if parts is None:
        # "/a/{x}/b/{y}" -> ("/a/", "/b/", ""): the literal text around the placeholders.
        pieces = template.split("{")
        parts = _PATH_PARTS[template] = (pieces[0], *(piece.partition("}")[2] for piece in pieces[1:]))
    if len(parts) != len(values) + 1:
        raise ValueError(f"{template} has {len(parts) - 1} path parameter(s), got {len(values)} value(s)")
    # A place for parameters encoded by kind (file paths keep `/` between encoded segments): a value
    # could carry its kind, and be encoded by it here.
    out = [parts[0]]
    for value, literal in zip(values, parts[1:], strict=True):
        out.append(encode_path_segment(value))
        out.append(literal)
    return "".join(out)


class Request:
    """One request of a documented operation, as a generated method describes it.

    `path` is the document's template (relative to the base URL) and `path_values` its parameters in URL
    order. `query` and `headers` map the document's names to values; `UNSET` and `None` are left out, and
    enum members, dates and UUIDs are sent as their JSON form. `body` is `UNSET` when there is none.
    """

    # A plain class rather than attrs: generated methods build one per call, and an attrs class costs
    # a millisecond of import time.
    __slots__ = ("body", "body_type", "content_type", "headers", "method", "path", "path_values", "query")

    def __init__(
        self,
        method: str,
        path: str,
        path_values: tuple[object, ...] = (),
        *,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        body: Any = UNSET,
        body_type: BodyType = "json",
        content_type: str = "application/json",
    ) -> None:
        self.method = method
        self.path = path
        self.path_values = path_values
        self.query = query
        self.headers = headers
        self.body = body
        self.body_type = body_type
        self.content_type = content_type

    def __repr__(self) -> str:
        return f"Request({self.method!r}, {self.path!r}, {self.path_values!r})"

    def to_httpx(self) -> dict[str, Any]:
        """The keyword arguments of `httpx.AsyncClient.build_request` (the pipeline's `_send` input)."""
        kwargs: dict[str, Any] = {"method": self.method, "url": fill_path(self.path, self.path_values)}
        if self.query:
            kwargs["params"] = _present(self.query)
        headers = _present(self.headers) if self.headers else {}
        if self.body is not UNSET:
            encode_body(kwargs, headers, self.body, self.body_type, self.content_type)
        if headers:
            kwargs["headers"] = headers
        return kwargs


def _present(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: encode_value(value) for key, value in values.items() if value is not UNSET and value is not None
    }
