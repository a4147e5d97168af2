"""What a generated method hands to the pipeline: the request to send, and how to decode the answer.

A namespace method makes one hop. It describes its request (`Request`: HTTP method, the document's path
template and the path values, query, headers, body) and how a 2xx answer decodes (`Answer`: a model,
other JSON, text, bytes or nothing, by status), and calls `BaseClient._call` (`BaseClient._list` for a
list operation). The pipeline sends it (origin check, retries, typed errors), decodes it with the
`Answer` and returns the value. An operation that finishes in the background (Cloud's merge: a 202 and
a task to poll) is an `Answer` option, set by the generator from `specs/rules/<product>.json`.

Nothing here imports generated code: model classes are handed in by the generated methods.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, cast

import httpx

from ._merge import finish_cloud_merge
from ._runtime import (
    INVALID,
    UNSET,
    Converter,
    decode_json,
    decode_undocumented,
    encode_body,
    encode_path_segment,
    encode_value,
    unexpected_body,
    unexpected_status,
)

if TYPE_CHECKING:
    from ._client import BaseClient

__all__ = ["Answer", "BodyType", "Request", "capturing_response", "fill_path"]

T = TypeVar("T")
M = TypeVar("M")

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


Decode = Callable[[httpx.Response], Any]


class Answer(Generic[T]):
    """How the pipeline decodes the 2xx answer of a generated method.

    Each documented status has its decoding; any other 2xx decodes like the first documented one (servers
    answer with other codes than documented: Data Center creates webhooks with 201). Build one with the
    constructors (`Answer.model(Pullrequest)`, `Answer.nothing()`, `Answer.by_status({...})`, ...).
    """

    __slots__ = ("_by_status", "_decode", "_model", "_task")

    def __init__(
        self,
        decode: Decode,
        by_status: Mapping[int, Decode] | None = None,
        *,
        model: Any = None,
        task: _Task | None = None,
    ) -> None:
        self._decode = decode
        self._by_status = dict(by_status) if by_status else None
        self._model = model
        self._task = task

    # ---- constructors

    @staticmethod
    def model(model_class: type[M]) -> Answer[M]:
        """A JSON object, decoded into `model_class` (a generated model with `from_dict`)."""
        answer: Answer[M] | None = _MODEL_ANSWERS.get(model_class)
        if answer is None:
            answer = _MODEL_ANSWERS[model_class] = Answer(_model_decoder(model_class), model=model_class)
        return answer

    @staticmethod
    def json(convert: Converter, expected: str) -> Answer[Any]:
        """Other JSON (a list of models, a string, ...) through a `_runtime` converter; `expected` names
        the documented type in the error raised for a body of another kind."""
        return Answer(_json_decoder(convert, expected))

    @staticmethod
    def undocumented() -> Answer[Any]:
        """A body the document gives no schema for, decoded by its Content-Type (`decode_undocumented`)."""
        return _UNDOCUMENTED

    @staticmethod
    def text() -> Answer[str]:
        """A text body (`text/*`), as `str`."""
        return _TEXT

    @staticmethod
    def binary() -> Answer[bytes]:
        """Any other body (files, archives, images), as `bytes`."""
        return _BINARY

    @staticmethod
    def nothing() -> Answer[None]:
        """No body is documented (204): the answer is None."""
        return _NOTHING

    @staticmethod
    def by_status(answers: Mapping[int, Answer[Any]]) -> Answer[Any]:
        """Different decodings by status; the first one also decodes undocumented 2xx statuses."""
        first = next(iter(answers.values()))
        return Answer(first._decode, {status: answer._decode for status, answer in answers.items()})

    def long_running(self, *, accepted_status: int, wait: bool) -> Answer[Any]:
        """This answer, except that `accepted_status` means the work goes on in a task to poll (Cloud's
        merge): the call waits for the task's result (decoded like this answer's model), or with
        `wait=False` returns a `MergeTask` at once."""
        if self._model is None:
            raise TypeError("only an answer decoding a model can be long-running")
        task = _Task(accepted_status, wait, self._model.from_dict)
        return Answer(self._decode, model=self._model, task=task)

    # ---- used by the pipeline

    def decode(self, response: httpx.Response) -> T:
        """The value of a 2xx `response`; raises for another status (the pipeline raises typed errors for
        4xx and 5xx before this) and `UnexpectedResponseError` for a body of another kind."""
        if not response.is_success:
            raise unexpected_status(response)
        decode = self._decode
        if self._by_status is not None:
            decode = self._by_status.get(response.status_code, decode)
        value: T = decode(response)
        return value

    async def finish(self, client: BaseClient, response: httpx.Response) -> T:
        """The call's result: the decoded answer, after the background task when there is one."""
        captured = _CAPTURED.get()
        if captured is not None and not captured:
            captured.append(response)
        if self._task is None:
            return self.decode(response)
        decode: Any = self.decode  # the model answer of a long-running operation (the merged pull request)
        result = await finish_cloud_merge(
            client,
            response,
            decode,
            wait=self._task.wait,
            decode_result=self._task.decode_result,
            accepted_status=self._task.accepted_status,
        )
        return cast("T", result)


class _Task:
    __slots__ = ("accepted_status", "decode_result", "wait")

    def __init__(self, accepted_status: int, wait: bool, decode_result: Callable[[Any], Any]) -> None:
        self.accepted_status = accepted_status
        self.wait = wait
        self.decode_result = decode_result


def _model_decoder(model_class: Any) -> Decode:
    from_dict = model_class.from_dict
    name = model_class.__name__

    def decode(response: httpx.Response) -> Any:
        data = decode_json(response)
        if data.__class__ is not dict:
            raise unexpected_body(response, name)
        return from_dict(data)

    return decode


def _json_decoder(convert: Converter, expected: str) -> Decode:
    def decode(response: httpx.Response) -> Any:
        value = convert(decode_json(response))
        if value is INVALID:
            raise unexpected_body(response, expected)
        return value

    return decode


_MODEL_ANSWERS: dict[type, Any] = {}
_UNDOCUMENTED: Answer[Any] = Answer(decode_undocumented)
_TEXT: Answer[str] = Answer(lambda response: response.text)
_BINARY: Answer[bytes] = Answer(lambda response: response.content)
_NOTHING: Answer[None] = Answer(lambda response: None)


# ---- the response of a call, for `with_raw_response` --------------------------------------------

_CAPTURED: ContextVar[list[httpx.Response] | None] = ContextVar("bitbucket_client_raw_response", default=None)


@contextlib.contextmanager
def capturing_response() -> Iterator[list[httpx.Response]]:
    """Within the block, the first answer a generated method receives is appended to the list it yields
    (the raw view's wrappers use it). Context variables keep concurrent calls apart."""
    captured: list[httpx.Response] = []
    token = _CAPTURED.set(captured)
    try:
        yield captured
    finally:
        _CAPTURED.reset(token)
