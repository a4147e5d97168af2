"""What a generated method sends: the `Request` it describes, and how its parts are encoded.

A namespace method describes its request (HTTP method, the document's path template and the path values,
query, headers, body) and hands it to the pipeline (`BaseClient._call`, or `_list` for a list operation)
with an `Answer` (`_answer`). `Request.to_httpx` turns it into httpx's keyword arguments: each path value
encoded by its kind (`_paths`), `UNSET`/None query values and headers left out, the body encoded by its
kind (JSON, or a form body from `_uploads`).

Nothing here imports generated code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from ._converters import encode_value
from ._paths import encode_path_segment, fill_path
from ._types import UNSET, File
from ._uploads import FormBody

__all__ = ["BodyType", "Request", "encode_body", "encode_path_segment", "fill_path"]


def encode_body(
    kwargs: dict[str, Any], headers: dict[str, Any], body: Any, kind: str, content_type: str
) -> None:
    """Put a request body into httpx keyword arguments, by its kind (`BodyType`). A multipart body's
    Content-Type (with its boundary) is httpx's to write."""
    if kind == "json":
        kwargs["json"] = encode_value(body)
        headers["Content-Type"] = content_type
    elif kind == "files":
        kwargs["files"] = body.multipart() if isinstance(body, FormBody) else body.to_multipart()
    elif kind == "data":
        kwargs["data"] = body.urlencoded() if isinstance(body, FormBody) else body.to_dict()
        headers["Content-Type"] = content_type
    else:
        kwargs["content"] = body.payload if isinstance(body, File) else body
        headers["Content-Type"] = content_type


BodyType = Literal["json", "files", "data", "content"]
"""How a body is sent: JSON, multipart (`files`: a `FormBody`), a url-encoded form (`data`), or raw
`content` (bytes, text, a File)."""


class Request:
    """One request of a documented operation, as a generated method describes it.

        `path` is the document's template (relative to the base URL) and `path_values` its parameters in URL
        order; where a parameter is not a plain segment, the template gives its kind (`{path:file_path}`, see
    `_paths`). `query` and `headers` map the document's names to values; `UNSET` and `None` are left out, and
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

    def with_path_values(self, path_values: tuple[object, ...]) -> Request:
        """The same request with other path values (a branch name resolved to its commit hash)."""
        copy = Request(self.method, self.path, path_values, query=self.query, headers=self.headers)
        copy.body, copy.body_type, copy.content_type = self.body, self.body_type, self.content_type
        return copy

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
