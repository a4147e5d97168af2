"""Whether a request carries every argument the test gave the method (`Call.sent`): each path value in
its place (a file path with its slashes), each query and header parameter with its value, the body's
JSON as the model encodes it, and each form field by name. A facade that drops a query parameter, or
a body field, fails here even when Prism accepts the request without it."""

from __future__ import annotations

import datetime
import enum
import json
import uuid
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import quote

import httpx

from bitbucket_client import File
from bitbucket_client._converters import encode_value

from .arguments import Call, Sent

__all__ = ["missing_arguments"]


def missing_arguments(call: Call, request: httpx.Request) -> list[str]:
    """What `request` lacks of what the test passed, one line each."""
    problems: list[str] = []
    request.read()  # a multipart body is a stream until read
    raw_path = request.url.raw_path.partition(b"?")[0].decode("ascii")
    for sent in call.sent:
        problem = _check(sent, request, raw_path)
        if problem:
            problems.append(f"{sent.location} {sent.name or 'body'!r}: {problem}")
    return problems


def _check(sent: Sent, request: httpx.Request, raw_path: str) -> str | None:
    if sent.location == "path":
        safe = "" if sent.kind in ("segment", "ref") else "/"
        encoded = quote(str(_plain(sent.value)), safe=safe)
        # A segment of its own, or a part of one (`{repo_name}-issues-{task_id}.zip`).
        return None if encoded in raw_path else f"{encoded!r} not in {raw_path}"
    if sent.location == "query":
        expected = [_text(item) for item in (sent.value if isinstance(sent.value, list) else [sent.value])]
        got = request.url.params.get_list(sent.name)
        return None if got == expected else f"sent {got}, given {expected}"
    if sent.location == "header":
        header = request.headers.get(sent.name)
        return None if header == _text(sent.value) else f"sent {header!r}, given {_text(sent.value)!r}"
    if sent.location == "body":
        if "json" not in request.headers.get("content-type", ""):
            given = sent.value.payload if isinstance(sent.value, File) else sent.value
            raw = given.encode() if isinstance(given, str) else given
            return None if request.content == raw else f"sent {request.content[:100]!r}, given {raw[:100]!r}"
        expected = json.loads(json.dumps(encode_value(sent.value)))
        body = json.loads(request.content) if request.content else None
        return None if body == expected else f"sent {_short(body)}, given {_short(expected)}"
    names = _form_names(request)
    wanted = list(sent.value) if isinstance(sent.value, dict) else [sent.name]
    absent = [name for name in wanted if name not in names]
    return f"no form field {absent} in {sorted(names)}" if absent else None


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _text(value: Any) -> str:
    """A query or header value as the client writes it."""
    value = _plain(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | File):
        return str(value)
    return str(value)


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) < 200 else text[:200] + "..."


def _form_names(request: httpx.Request) -> set[str]:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        return set(httpx.QueryParams(request.content.decode()).keys())
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + request.content
    )
    names = set()
    for part in message.iter_parts():
        assert isinstance(part, Message)
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str):
            names.add(name)
    return names
