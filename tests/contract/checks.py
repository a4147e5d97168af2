"""What the suite checks on each exchange: Prism's verdict on the request, and the parsed response.

Prism reports a request that breaks the document in two ways: a 422 `application/problem+json` answer
whose `validation` array lists the violations, or (when the operation declares a 400) that 400 with the
violations in the `sl-violations` header. The header also lists response-side violations of Prism's own
samples, which are not the client's business: only `location[0] == "request"` entries count.
"""

from __future__ import annotations

import enum
import json
import sys
import typing
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import attrs
import httpx

from bitbucket_client import UNSET, Unset

from .arguments import is_enum, is_model, type_hints, union_members


class Recorder:
    """The httpx event hooks of one test: every response is kept (body read), and the first request
    asks Prism for the status under test."""

    def __init__(self) -> None:
        self.responses: list[httpx.Response] = []

    def prefer(self, status: str) -> Callable[[httpx.Request], Awaitable[None]]:
        """A request hook asking Prism for `status` on the first request of the exchange only (the
        request a redirect leads to must get that endpoint's own answer)."""

        async def hook(request: httpx.Request) -> None:
            if not self.responses:
                request.headers["Prefer"] = f"code={status}"
            else:  # httpx copies the first request's headers into the redirected one
                request.headers.pop("Prefer", None)

        return hook

    async def hook(self, response: httpx.Response) -> None:
        await response.aread()
        self.responses.append(response)

    def request_violations(self) -> list[str]:
        """Everything Prism found wrong with the requests (any status, either way of reporting it)."""
        out: list[str] = []
        for response in self.responses:
            where = f"{response.request.method} {response.request.url}"
            header = response.headers.get("sl-violations")
            if header:
                for violation in json.loads(header):
                    if violation.get("location", [None])[0] == "request":
                        out.append(f"{where}: {_describe(violation)}")
            for violation in _problem(response).get("validation") or []:
                out.append(f"{where}: {_describe(violation)}")
        return out

    def prism_errors(self) -> list[str]:
        """Prism's own failures to answer (no route, undocumented status, no serializer, ...)."""
        out = []
        for response in self.responses:
            problem = _problem(response)
            if problem and not problem.get("validation"):
                out.append(
                    f"{response.request.method} {response.request.url}: Prism {response.status_code} "
                    f"{problem.get('title')}: {problem.get('detail')}"
                )
        return out


def _problem(response: httpx.Response) -> dict[str, Any]:
    if not response.headers.get("content-type", "").startswith("application/problem+json"):
        return {}
    problem = response.json()
    return problem if isinstance(problem, dict) else {}


def _describe(violation: dict[str, Any]) -> str:
    location = ".".join(str(part) for part in violation.get("location", []))
    return f"[{violation.get('code')}] {location}: {violation.get('message')}"


# ---- "parses into the documented type" --------------------------------------------------------------

Path = tuple[str, ...]


@attrs.frozen
class Problem:
    path: Path  # JSON location in the answer's body
    message: str

    def __str__(self) -> str:
        return f"{'.'.join(self.path) or '$'}: {self.message}"


def response_violations(response: httpx.Response) -> list[Path]:
    """Where Prism says its own sample breaks the document (`sl-violations`, response body side)."""
    header = response.headers.get("sl-violations")
    if not header:
        return []
    out = []
    for violation in json.loads(header):
        location = [str(part) for part in violation.get("location", [])]
        if location[:2] == ["response", "body"]:
            out.append(tuple(location[2:]))
    return out


def split_tolerated(problems: list[Problem], violations: list[Path]) -> tuple[list[Problem], list[Problem]]:
    """(problems, tolerated): a value the client refused where Prism's own sample breaks the document
    (a `null` for a plain type, an example of another type) is the lenient decoding doing its job.
    A problem at the root of the body is never tolerated: a body that did not decode at all is not a
    field Prism sampled wrongly."""
    kept, tolerated = [], []
    for problem in problems:
        size = len(problem.path)
        if size and any(location[:size] == problem.path for location in violations):
            tolerated.append(problem)
        else:
            kept.append(problem)
    return kept, tolerated


def check_value(product: str, value: Any, hint: Any, path: Path = ()) -> list[Problem]:
    """Problems with `value` as a value of the generated type `hint`, recursively: a model whose field
    did not decode (kept in `additional_properties` under a declared key), an enum value that came
    through as a plain string, a wrong type anywhere."""
    members = union_members(hint)
    if Any in members:
        return []
    if value is not UNSET and value is not None:
        members = [m for m in members if m is not Unset and m is not type(None)] or members
    enums = [m for m in members if is_enum(m)]
    if enums and isinstance(value, str) and not isinstance(value, enum.Enum):
        return [Problem(path, f"{value!r} is not a value of {enums[0].__name__}")]
    best: list[Problem] | None = None
    for member in members:
        problems = _check_member(product, value, member, path)
        if not problems:
            return []
        if best is None or len(problems) < len(best):
            best = problems
    return best or [Problem(path, f"{value!r} does not match {hint!r}")]


def _mismatch(path: Path, expected: str, value: Any) -> list[Problem]:
    return [Problem(path, f"expected {expected}, got {type(value).__name__}")]


def _check_member(product: str, value: Any, member: Any, path: Path) -> list[Problem]:
    origin = typing.get_origin(member)
    if member is type(None):
        return [] if value is None else _mismatch(path, "None", value)
    if member is Unset:
        return [] if value is UNSET else _mismatch(path, "UNSET", value)
    if origin is Literal:
        return [] if value in typing.get_args(member) else [Problem(path, f"{value!r} not in {member}")]
    if origin is list:
        if not isinstance(value, list):
            return _mismatch(path, "a list", value)
        (item,) = typing.get_args(member)
        out: list[Problem] = []
        for index, element in enumerate(value):
            out += check_value(product, element, item, (*path, str(index)))
        return out
    if origin is dict:
        if not isinstance(value, dict):
            return _mismatch(path, "a dict", value)
        _key, item = typing.get_args(member)
        out = []
        for key, element in value.items():
            out += check_value(product, element, item, (*path, str(key)))
        return out
    if is_model(member):
        if not isinstance(value, member):
            return _mismatch(path, member.__name__, value)
        return check_model(product, value, path)
    if member is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return [] if ok else _mismatch(path, "float", value)
    if member is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else _mismatch(path, "int", value)
    if isinstance(member, type):
        return [] if isinstance(value, member) else _mismatch(path, member.__name__, value)
    return [Problem(path, f"cannot check against {member!r}")]


def check_model(product: str, instance: Any, path: Path) -> list[Problem]:
    """A lenient response model: every declared field decoded, each value of its field's type."""
    cls = type(instance)
    spec_factory = getattr(sys.modules[cls.__module__], "_spec", None)
    if spec_factory is None:
        return [Problem(path, f"{cls.__name__} is not a generated response model")]
    fields = spec_factory().fields
    hints = type_hints(product, cls)
    out: list[Problem] = []
    for key, attribute, _convert in fields:
        if key in instance.additional_properties:
            raw = json.dumps(instance.additional_properties[key])[:120]
            out.append(Problem((*path, key), f"did not decode into {cls.__name__} (kept as {raw})"))
        value = getattr(instance, attribute)
        if value is not UNSET:
            out += check_value(product, value, hints[attribute], (*path, key))
    return out


def dropped(product: str, value: Any, body: Any, path: Path = ()) -> list[Problem]:
    """Where the decoded `value` lost something of the JSON `body` Prism sent: a key of an object that
    is neither a decoded field nor kept in `additional_properties`, an item of a list, a value that
    decoded to nothing. (What decoded into another type is `check_value`'s business.)"""
    if body is None:
        return []
    if value is UNSET or value is None:
        return [Problem(path, f"{json.dumps(body)[:80]} was sent and decoded to {value!r}")]
    if isinstance(body, list):
        if not isinstance(value, list) or len(value) != len(body):
            return [Problem(path, f"a list of {len(body)} decoded to {type(value).__name__}")]
        return [
            p
            for index, item in enumerate(body)
            for p in dropped(product, value[index], item, (*path, str(index)))
        ]
    if isinstance(body, dict) and attrs.has(type(value)) and hasattr(value, "additional_properties"):
        spec = getattr(sys.modules[type(value).__module__], "_spec", None)
        fields = {key: attribute for key, attribute, _convert in spec().fields} if spec else {}
        out: list[Problem] = []
        for key, item in body.items():
            if key in value.additional_properties:
                continue  # kept as sent
            if key not in fields:
                out.append(Problem((*path, key), "dropped: neither a field nor kept"))
                continue
            out += dropped(product, getattr(value, fields[key]), item, (*path, key))
        return out
    if isinstance(body, dict) and isinstance(value, dict):
        return [p for key, item in body.items() for p in dropped(product, value.get(key), item, (*path, key))]
    return []
