"""Runtime support shared by the generated code of both products.

Response models are lenient: real Bitbucket servers send values their documents do not promise (an
unknown enum value, `null` for a plain type, ISO dates where epoch milliseconds are documented, extra
fields, missing "required" fields). Decoding never raises for those. A value that fits its declared
type is set on the model; one that does not leaves the attribute `UNSET` and is kept, untouched, in
`additional_properties` under its JSON key, next to the fields the schema does not know. So the types
never lie, and no data is lost: `to_dict()` gives back what the server sent.
"""

from __future__ import annotations

import datetime
import enum
import sys
from collections.abc import Callable, Mapping
from typing import IO, Any, BinaryIO, Final, Generic, Literal, TypeVar
from urllib.parse import quote
from uuid import UUID

import attrs
import httpx

from ._exceptions import BitbucketError, error_from_response


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


# ---- decoding -----------------------------------------------------------------------------------


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"


INVALID: Final = _Invalid()
"""Returned by a converter when a value does not fit the declared type."""

Converter = Callable[[Any], Any]
Field = tuple[str, str, Converter]  # (JSON key, attribute name, converter)


def as_any(value: Any) -> Any:
    return value


def as_str(value: Any) -> Any:
    return value if value.__class__ is str else INVALID


def as_int(value: Any) -> Any:
    return value if value.__class__ is int else INVALID


def as_float(value: Any) -> Any:
    return value if value.__class__ is float or value.__class__ is int else INVALID


def as_bool(value: Any) -> Any:
    return value if value.__class__ is bool else INVALID


def as_none(value: Any) -> Any:
    return None if value is None else INVALID


def as_datetime(value: Any) -> Any:
    if value.__class__ is not str:
        return INVALID
    try:
        return datetime.datetime.fromisoformat(value)
    except ValueError:
        return INVALID


def as_date(value: Any) -> Any:
    if value.__class__ is not str:
        return INVALID
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return INVALID


def as_uuid(value: Any) -> Any:
    if value.__class__ is not str:
        return INVALID
    try:
        return UUID(value)
    except ValueError:
        return INVALID


E = TypeVar("E", bound=enum.Enum)


def enum_or_str(enum_class: type[E]) -> Converter:
    """A documented value becomes the enum member; an undocumented string is kept as `str`."""
    members = {member.value: member for member in enum_class}

    def convert(value: Any) -> Any:
        member = members.get(value) if value.__class__ in (str, int) else None
        if member is not None:
            return member
        return value if value.__class__ is str else INVALID

    convert._kind = ("enum", members)  # type: ignore[attr-defined]  # read by _decoders
    return convert


def model(model_class: Any) -> Converter:
    from_dict = model_class.from_dict

    def convert(value: Any) -> Any:
        return from_dict(value) if value.__class__ is dict else INVALID

    convert._kind = ("model", model_class)  # type: ignore[attr-defined]  # read by _decoders
    return convert


def list_of(item: Converter) -> Converter:
    def convert(value: Any) -> Any:
        if value.__class__ is not list:
            return INVALID
        out = [item(element) for element in value]
        return INVALID if any(element is INVALID for element in out) else out

    convert._kind = ("list", item)  # type: ignore[attr-defined]  # read by _decoders
    return convert


def one_of(*options: Converter) -> Converter:
    def convert(value: Any) -> Any:
        for option in options:
            result = option(value)
            if result is not INVALID:
                return result
        return INVALID

    convert._kind = ("one_of", options)  # type: ignore[attr-defined]  # read by the depth bound
    return convert


T = TypeVar("T")


@attrs.frozen
class ModelSpec:
    """How one response model maps JSON keys to attributes."""

    fields: tuple[Field, ...]
    extra: Converter | None = None  # converter for typed additionalProperties, if any
    keys: frozenset[str] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "keys", frozenset(key for key, _attr, _conv in self.fields))


def decode_model(model_class: type[T], data: Mapping[str, Any], spec: ModelSpec) -> T:
    """Decode one JSON object into `model_class` (whose module's `_spec()` is `spec`), never raising
    for values that do not fit; see the module docstring. The work is done by a decoder compiled
    once per class (`_decoders`)."""
    if data.__class__ is not dict and not isinstance(data, Mapping):
        raise TypeError(f"{model_class.__name__} expects a JSON object, got {type(data).__name__}")
    try:
        decoder = _DECODERS.get(model_class)
        if decoder is None:
            # Compiling costs a few milliseconds per class: a short-lived job that decodes a handful of
            # objects is faster without it, so a class is compiled once it has been decoded a few times.
            seen = _DECODE_COUNTS[model_class] = _DECODE_COUNTS.get(model_class, 0) + 1
            if seen <= COMPILE_AFTER:
                return _decode_generic(model_class, data, spec)
            decoder = decoder_for(model_class)
        instance: T = decoder(data)
        return instance
    except RecursionError:
        # Hostile or broken data nested deeper than the stack allows (a `parent` 500 levels deep).
        # Costs nothing on the normal path; only the outermost decode starts the bounded one.
        if _inside_another_decode():
            raise
        return _decode_within_bound(model_class, data, spec)


COMPILE_AFTER = 8
_DECODE_COUNTS: dict[type, int] = {}

MAX_MODEL_DEPTH = 64
"""Models nested deeper than this below the decoded object keep that part raw in
`additional_properties` (only when the data is too deep to decode whole; real payloads nest a few
levels)."""


def _inside_another_decode() -> bool:
    frame = sys._getframe(2)  # 0: this function, 1: the decode_model that caught the error
    while frame is not None:
        if frame.f_code is decode_model.__code__:
            return True
        frame = frame.f_back  # type: ignore[assignment]
    return False


def _decode_within_bound(model_class: type[T], data: Mapping[str, Any], spec: ModelSpec) -> T:
    try:
        return _decode_bounded(model_class, data, spec, MAX_MODEL_DEPTH)
    except RecursionError:
        # The caller's own stack is nearly full: keep everything raw rather than fail.
        instance = model_class.__new__(model_class)
        for _key, attribute, _convert in spec.fields:
            object.__setattr__(instance, attribute, UNSET)
        object.__setattr__(instance, "additional_properties", dict(data))
        return instance


def _decode_bounded(model_class: type[T], data: Mapping[str, Any], spec: ModelSpec, depth: int) -> T:
    """`_decode_generic` that stops `depth` models down: deeper models stay raw, as values that do not fit."""
    instance = model_class.__new__(model_class)
    extra: dict[str, Any] = {}
    for key, attribute, convert in spec.fields:
        raw = data.get(key, UNSET)
        value = UNSET if raw is UNSET else _convert_bounded(convert, raw, depth)
        if value is INVALID:
            extra[key] = raw
            value = UNSET
        object.__setattr__(instance, attribute, value)
    for key, raw in data.items():
        if key not in spec.keys:
            value = raw if spec.extra is None else _convert_bounded(spec.extra, raw, depth)
            extra[key] = raw if value is INVALID else value
    object.__setattr__(instance, "additional_properties", extra)
    return instance


def _convert_bounded(convert: Converter, raw: Any, depth: int) -> Any:
    kind = getattr(convert, "_kind", None)
    if kind is not None and kind[0] == "model":
        if raw.__class__ is not dict or depth <= 0:
            return INVALID
        return _decode_bounded(kind[1], raw, spec_of(kind[1]), depth - 1)
    if kind is not None and kind[0] == "list":
        if raw.__class__ is not list:
            return INVALID
        items = [_convert_bounded(kind[1], item, depth) for item in raw]
        return INVALID if any(item is INVALID for item in items) else items
    if kind is not None and kind[0] == "one_of":
        for option in kind[1]:
            value = _convert_bounded(option, raw, depth)
            if value is not INVALID:
                return value
        return INVALID
    try:
        return convert(raw)
    except RecursionError:  # a converter the bound does not see into (one_of of models, ...)
        return INVALID


def _decode_generic(model_class: type[T], data: Mapping[str, Any], spec: ModelSpec) -> T:
    """The same decoding as a compiled decoder, field by field through the converters."""
    instance = model_class.__new__(model_class)
    setter = object.__setattr__
    extra: dict[str, Any] = {}
    present = 0
    for key, attribute, convert in spec.fields:
        raw = data.get(key, UNSET)
        if raw is UNSET:
            setter(instance, attribute, UNSET)
            continue
        present += 1
        value = convert(raw)
        if value is INVALID:
            extra[key] = raw
            value = UNSET
        setter(instance, attribute, value)
    if len(data) > present:
        for key, raw in data.items():
            if key not in spec.keys:
                if spec.extra is None:
                    extra[key] = raw
                else:
                    value = spec.extra(raw)
                    extra[key] = raw if value is INVALID else value
    setter(instance, "additional_properties", extra)
    return instance


_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})


def encode_value(value: Any) -> Any:
    if value.__class__ in _JSON_SCALARS:
        return value  # most values: nothing to convert
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, list):
        return [encode_value(item) for item in value]
    if isinstance(value, dict):
        return {key: encode_value(item) for key, item in value.items()}
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None:
        return to_dict()
    return value


def encode_model(instance: Any, spec: ModelSpec) -> dict[str, Any]:
    out: dict[str, Any] = {key: encode_value(raw) for key, raw in instance.additional_properties.items()}
    for key, attribute, _convert in spec.fields:
        value = getattr(instance, attribute)
        if value is not UNSET:
            out[key] = encode_value(value)
    return out


# ---- requests and responses ---------------------------------------------------------------------


@attrs.frozen
class Response(Generic[T]):
    """A whole response: status, headers, raw body, and the parsed model."""

    status_code: int
    headers: httpx.Headers
    content: bytes
    parsed: T
    http_response: httpx.Response = attrs.field(repr=False, eq=False)

    @classmethod
    def build(cls, response: httpx.Response, parsed: T) -> Response[T]:
        return cls(response.status_code, response.headers, response.content, parsed, response)


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


def decode_json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise UnexpectedResponseError(response, f"the body is not valid JSON ({exc})") from None
    except RecursionError:
        raise UnexpectedResponseError(response, JSON_TOO_DEEP) from None


JSON_TOO_DEEP = "the body is JSON nested too deeply to read"


def decode_undocumented(response: httpx.Response) -> Any:
    """A body the document gives no schema for, decoded by what the server says it is: JSON values,
    `str` for text, `bytes` otherwise, and None when empty. Nothing the server sent is dropped."""
    if not response.content.strip():
        return None
    media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "application/json" or media_type.endswith("+json"):
        return decode_json(response)
    if media_type.startswith("text/"):
        return response.text
    return response.content


class UnexpectedResponseError(BitbucketError):
    """A 2xx answer whose body is not what the document describes at all (not JSON, or JSON of another
    kind, such as a list where an object is documented). Smaller differences never raise."""

    def __init__(self, response: httpx.Response, problem: str) -> None:
        self.response = response
        self.status_code = response.status_code
        request = response.request
        super().__init__(
            f"{request.method} {request.url.path} answered {response.status_code}, but {problem}"
        )


def unexpected_body(response: httpx.Response, expected: str) -> UnexpectedResponseError:
    return UnexpectedResponseError(response, f"the body does not decode as {expected}")


def unexpected_status(response: httpx.Response) -> Exception:
    if response.status_code >= 400:
        return error_from_response(response)
    return UnexpectedResponseError(response, "that status is not a success the client can decode")


# ---- facade argument handling ---------------------------------------------------------------------


def coerce_enum(enum_class: type[E], value: Any) -> Any:
    """Accept an enum member or its value (`"squash"` for `MergeStrategy.SQUASH`); UNSET passes through."""
    if value is UNSET or value is None or isinstance(value, enum_class):
        return value
    try:
        return enum_class(value)
    except ValueError:
        allowed = ", ".join(repr(member.value) for member in enum_class)
        raise ValueError(
            f"{value!r} is not a valid {enum_class.__name__}; expected one of {allowed}"
        ) from None


def coerce_enum_list(enum_class: type[E], values: Any) -> Any:
    if values is UNSET or values is None:
        return values
    return [coerce_enum(enum_class, value) for value in values]


M = TypeVar("M")


def build_body(model_class: type[M], body: M | None, fields: dict[str, Any], operation: str) -> M | Unset:
    """The optional request body of `operation`: `body=`, a `model_class` built from keyword fields, or
    UNSET when neither is given."""
    return _build(model_class, body, fields, operation, required=False)


def build_required_body(model_class: type[M], body: M | None, fields: dict[str, Any], operation: str) -> M:
    """The required request body of `operation`: `body=`, or a `model_class` built from keyword fields."""
    built = _build(model_class, body, fields, operation, required=True)
    assert not isinstance(built, Unset)
    return built


def _build(
    model_class: type[M], body: M | None, fields: dict[str, Any], operation: str, *, required: bool
) -> M | Unset:
    given = {name: value for name, value in fields.items() if value is not UNSET}
    if body is not None:
        if given:
            raise TypeError(
                f"{operation}: pass the body either as body= or as keyword fields, not both "
                f"(got body= and {', '.join(sorted(given))})"
            )
        if not isinstance(body, model_class):
            raise TypeError(f"{operation}: body= must be a {model_class.__name__}, not {type(body).__name__}")
        return body
    if not given and not required:
        return UNSET
    try:
        return model_class(**given)
    except TypeError as exc:
        raise TypeError(
            f"{operation}: cannot build {model_class.__name__} from the keyword fields: {exc}"
        ) from None


from ._decoders import _DECODERS, decoder_for, spec_of  # noqa: E402  (it uses the converters defined above)
