"""Routing a request to an operation of the official document, by method and path template.

The routes come from the generated operation table (`bitbucket_client.cloud.OPERATIONS` /
`bitbucket_client.server.OPERATIONS`), so every request is named after the operation it calls, even one
the fake does not implement: that is how a fake can answer "pullrequests.merge is not implemented by
FakeBitbucketServer" instead of a puzzling 404.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import unquote

import attrs

from bitbucket_client._operations import Operation

__all__ = ["Match", "Router"]

_PARAMETER = re.compile(r"\{([^}]+)\}")


@attrs.frozen
class Match:
    operation: Operation
    params: dict[str, str]


@attrs.frozen
class _Route:
    operation: Operation
    pattern: re.Pattern[str]
    specificity: tuple[int, int]


class Router:
    """Finds the operation for `METHOD /path` (the path relative to the API root)."""

    def __init__(self, operations: Mapping[str, Operation]) -> None:
        routes = [_compile(operation) for operation in operations.values()]
        # The most literal template wins: `/pullrequests/activity` before `/pullrequests/{id}`.
        routes.sort(key=lambda route: route.specificity, reverse=True)
        self._routes = routes

    def match(self, method: str, path: str) -> Match | None:
        for route in self._routes:
            if route.operation.http_method != method:
                continue
            found = route.pattern.fullmatch(path)
            if found is not None:
                params = {name: unquote(value) for name, value in found.groupdict().items()}
                return Match(route.operation, params)
        return None

    def allowed_methods(self, path: str) -> list[str]:
        """The methods some operation accepts at `path` (for a 405 answer)."""
        return sorted({r.operation.http_method for r in self._routes if r.pattern.fullmatch(path)})


def _compile(operation: Operation) -> _Route:
    """A regex for the path template (parameter names are identifiers, so they name the groups), and how
    literal the template is."""
    pattern, literal_chars, position = "", 0, 0
    # A file path holds slashes, and may be empty where the kind allows it (a folder's root, an optional
    # path): the handler checks it. Every other parameter is one segment.
    kinds = dict(operation.path_kinds)
    for found in _PARAMETER.finditer(operation.path):
        literal = operation.path[position : found.start()]
        pattern += re.escape(literal)
        literal_chars += len(literal)
        name = found.group(1)
        one_segment = kinds.get(name, "segment") in ("segment", "ref")
        pattern += f"(?P<{name}>{'[^/]+' if one_segment else '.*'})"
        position = found.end()
    tail = operation.path[position:]
    pattern += re.escape(tail)
    literal_chars += len(tail)
    literal_segments = sum(1 for part in operation.path.split("/") if part and "{" not in part)
    return _Route(operation, re.compile(pattern), (literal_segments, literal_chars))
