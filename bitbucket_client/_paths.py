"""Filling a path template with the values of its parameters, each encoded by its kind.

A generated method's path template is the document's, with the kind of a parameter written after its
name where it is not a plain segment (the generator reads the kinds from `specs/rules/<product>.json`):

- `{name}`: one segment. Everything that could leave the segment (`/`, `?`, `#`, `%`, spaces) is
  percent-encoded, and `.`/`..` cannot be read as dot-segments.
- `{name:file_path}`: a path inside a repository (`docs/guide/intro.md`). The `/` between its segments
  stays a `/` and each segment is percent-encoded: Data Center runs on Tomcat, which refuses an encoded
  slash, and Atlassian's documentation writes these paths with literal slashes. An empty, `.` or `..`
  segment is refused: the server would read another path than the one meant.
- `{name:optional_file_path}`: the same, or empty where the document says the path is optional
  (Data Center's `pull-requests/{id}/diff/{path}`: empty for every file's diff).
- `{name:directory}`: a folder, written with a trailing `/`; the empty string is the root folder.
- `{name:file_path_suffix}`: a file path glued to the end of a segment (Data Center's
  `compare/diff{path}`): empty for none, else `/` and the file path.
- `{name:ref}`: one segment naming a commit, a branch or a tag. Bitbucket Cloud cannot serve a branch
  whose name holds a `/` there (encoded or not); the pipeline first resolves such a name to its
  commit hash (`unresolved_refs`).

A value must be a non-empty `str` or an `int` (enum members of either kind included): `None`, `True`,
or an empty string would send a request to another endpoint (`repositories/ws/` is the list of a
workspace's repositories), so they are refused before anything is sent.
"""

from __future__ import annotations

import enum
from typing import Literal
from urllib.parse import quote

__all__ = ["PathKind", "encode_path_segment", "fill_path", "path_parameters", "unresolved_refs"]

PathKind = Literal["segment", "file_path", "optional_file_path", "directory", "file_path_suffix", "ref"]
_KINDS = frozenset({"segment", "file_path", "optional_file_path", "directory", "file_path_suffix", "ref"})

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_~.")


class _Template:
    """A template split once: the literal text around the placeholders, their names and kinds."""

    __slots__ = ("kinds", "literals", "names", "text")

    def __init__(self, text: str) -> None:
        # "/a/{x}/b/{y:file_path}" -> literals ("/a/", "/b/", ""), names (x, y), kinds (segment, file_path)
        pieces = text.split("{")
        literals, names, kinds = [pieces[0]], [], []
        for piece in pieces[1:]:
            placeholder, _, literal = piece.partition("}")
            name, _, kind = placeholder.partition(":")
            kind = kind or "segment"
            if kind not in _KINDS:
                raise ValueError(f"{text}: unknown kind {kind!r} of the path parameter {name!r}")
            names.append(name)
            kinds.append(kind)
            literals.append(literal)
        self.text = text
        self.literals = tuple(literals)
        self.names = tuple(names)
        self.kinds: tuple[str, ...] = tuple(kinds)


_TEMPLATES: dict[str, _Template] = {}


def _parsed(template: str) -> _Template:
    parsed = _TEMPLATES.get(template)
    if parsed is None:
        parsed = _TEMPLATES[template] = _Template(template)
    return parsed


def path_parameters(template: str) -> tuple[tuple[str, str], ...]:
    """(name, kind) of each placeholder of `template`, in URL order."""
    parsed = _parsed(template)
    return tuple(zip(parsed.names, parsed.kinds, strict=True))


def fill_path(template: str, values: tuple[object, ...]) -> str:
    """`template` with `values` in URL order, each encoded by its kind (see the module docstring).
    Raises `TypeError` for a value that is not a `str` or `int`, and `ValueError` for an empty one or a
    file path with an empty, `.` or `..` segment, naming the parameter."""
    parsed = _parsed(template)
    if len(parsed.names) != len(values):
        raise ValueError(f"{template} has {len(parsed.names)} path parameter(s), got {len(values)} value(s)")
    out = [parsed.literals[0]]
    for index, value in enumerate(values):
        kind = parsed.kinds[index]
        if kind == "segment" or kind == "ref":
            if value.__class__ is str and value and _UNRESERVED.issuperset(value) and value.strip("."):
                out.append(value)  # the usual slug or key: nothing to escape
            else:
                out.append(_segment(_text(value, parsed, index, allow_empty=False)))
        else:
            out.append(
                _file_path(_text(value, parsed, index, allow_empty=kind != "file_path"), kind, parsed, index)
            )
        out.append(parsed.literals[index + 1])
    return "".join(out)


def unresolved_refs(template: str, values: tuple[object, ...]) -> list[tuple[int, str]]:
    """(index, value) of each `ref` parameter whose value holds a `/`: a branch or tag name the pipeline
    resolves to its commit hash before sending (Cloud answers 404 for it, encoded or not)."""
    parsed = _parsed(template)
    return [
        (index, value)
        for index, (kind, value) in enumerate(zip(parsed.kinds, values, strict=False))
        if kind == "ref" and isinstance(value, str) and "/" in value
    ]


def encode_path_segment(value: object) -> str:
    """Percent-encode a path parameter so it stays inside its own URL segment: `/`, `?`, `#`, spaces
    and `%` are escaped, and `.`/`..` cannot be read as dot-segments."""
    if value.__class__ is int:
        return str(value)
    text = value.value if isinstance(value, enum.Enum) else value
    return _segment(str(text))


def _segment(text: str) -> str:
    encoded = quote(text, safe="")
    if encoded in (".", ".."):
        encoded = encoded.replace(".", "%2E")
    return encoded


def _text(value: object, template: _Template, index: int, *, allow_empty: bool) -> str:
    """The text of one path value, or the error that names the parameter."""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TypeError(
            f"the path parameter {template.names[index]!r} of {_plain(template)} must be a str or an int, "
            f"not {type(value).__name__} ({value!r:.60})"
        )
    text = str(value)
    if not text and not allow_empty:
        raise ValueError(
            f"the path parameter {template.names[index]!r} of {_plain(template)} is an empty string: the "
            "request would go to another endpoint"
        )
    return text


def _file_path(text: str, kind: str, template: _Template, index: int) -> str:
    if not text:
        return ""  # a directory's root, or no file after a suffix
    segments = text.split("/")
    for segment in segments:
        if segment in ("", ".", ".."):
            what = "an empty segment (a leading, trailing or doubled '/')" if not segment else repr(segment)
            raise ValueError(
                f"the path parameter {template.names[index]!r} of {_plain(template)} is a file path with "
                f"{what}: {text!r}; give the path from the repository's root, like 'docs/guide.md'"
            )
    encoded = "/".join(quote(segment, safe="") for segment in segments)
    if kind == "directory":
        return encoded + "/"
    if kind == "file_path_suffix":
        return "/" + encoded
    return encoded


def _plain(template: _Template) -> str:
    """The template as the document writes it (without the kinds)."""
    out = [template.literals[0]]
    for name, literal in zip(template.names, template.literals[1:], strict=True):
        out.append("{" + name + "}" + literal)
    return "".join(out)
