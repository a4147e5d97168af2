"""The small types every layer shares: `UNSET`, `File` (an upload), `Response` (a whole answer)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import IO, BinaryIO, Final, Generic, Literal, TypeVar

import attrs
import httpx

__all__ = ["UNSET", "File", "FileContent", "FileTypes", "RequestFiles", "Response", "Unset"]

T = TypeVar("T")


class Unset(enum.Enum):
    """The type of `UNSET`: a field or argument that was not given (distinct from JSON `null`).

    A one-member enum, so that type checkers narrow `if pr.title is not UNSET:` to `str`.
    """

    UNSET = "UNSET"

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET


# The types that `httpx.AsyncClient(files=)` accepts.
FileContent = IO[bytes] | bytes | str


FileTypes = (
    tuple[str | None, FileContent, str | None] | tuple[str | None, FileContent, str | None, Mapping[str, str]]
)


RequestFiles = list[tuple[str, FileTypes]]


@attrs.define
class File:
    """A file to upload (multipart bodies) or a binary body."""

    payload: BinaryIO | bytes
    file_name: str | None = None
    mime_type: str | None = None

    def to_tuple(self) -> tuple[str | None, BinaryIO | bytes, str | None]:
        return self.file_name, self.payload, self.mime_type


@attrs.frozen
class Response(Generic[T]):
    """A whole response: status, headers, raw body, and the parsed model. (A body streamed into a file
    with `save_to=` is not kept: `content` is empty and `parsed` is the file's path.)"""

    status_code: int
    headers: httpx.Headers
    content: bytes
    parsed: T
    http_response: httpx.Response = attrs.field(repr=False, eq=False)

    @classmethod
    def build(cls, response: httpx.Response, parsed: T) -> Response[T]:
        try:
            content = response.content
        except httpx.ResponseNotRead:
            content = b""  # streamed into a file (`save_to=`): the body is there, not here
        return cls(response.status_code, response.headers, content, parsed, response)
