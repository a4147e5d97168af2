"""How the pipeline decodes what a generated method receives: `Answer`.

An `Answer` says how a 2xx answer decodes (a model, other JSON, text, bytes or nothing, by status); any
other 2xx decodes like the first documented one. An operation that finishes in the background (Cloud's
merge: a 202 and a task to poll) is an `Answer` option, set by the generator from
`specs/rules/<product>.json`, and performed here through `_merge`. Model classes are handed in by the
generated methods: nothing here imports generated code.

`capturing_response` lets the raw view (`_views`) read the response of the call it wraps.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

import httpx

from ._converters import INVALID, Converter
from ._exceptions import UnexpectedResponseError, error_from_response
from ._merge import finish_cloud_merge

if TYPE_CHECKING:
    from ._base_client import BaseClient

__all__ = [
    "JSON_TOO_DEEP",
    "Answer",
    "capture",
    "capturing_response",
    "decode_json",
    "decode_undocumented",
    "unexpected_body",
    "unexpected_status",
]

T = TypeVar("T")
M = TypeVar("M")


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


def unexpected_body(response: httpx.Response, expected: str) -> UnexpectedResponseError:
    return UnexpectedResponseError(response, f"the body does not decode as {expected}")


def unexpected_status(response: httpx.Response) -> Exception:
    if response.status_code >= 400:
        return error_from_response(response)
    return UnexpectedResponseError(response, "that status is not a success the client can decode")


Decode = Callable[[httpx.Response], Any]


class Answer(Generic[T]):
    """How the pipeline decodes the 2xx answer of a generated method.

    Each documented status has its decoding; any other 2xx decodes like the first documented one (servers
    answer with other codes than documented: Data Center creates webhooks with 201). Build one with the
    constructors (`Answer.model(Pullrequest)`, `Answer.nothing()`, `Answer.by_status({...})`, ...).
    """

    __slots__ = ("_by_status", "_decode", "_model", "_task", "save_to")

    def __init__(
        self,
        decode: Decode,
        by_status: Mapping[int, Decode] | None = None,
        *,
        model: Any = None,
        task: _Task | None = None,
        save_to: str | os.PathLike[str] | None = None,
    ) -> None:
        self._decode = decode
        self._by_status = dict(by_status) if by_status else None
        self._model = model
        self._task = task
        self.save_to = save_to
        """Where the pipeline streams the body instead of reading it (`saving_to`), or None."""

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
        """Other JSON (a list of models, a string, ...) through a `_converters` converter; `expected` names
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

    def saving_to(self, path: str | os.PathLike[str] | None) -> Answer[Any]:
        """This answer, except that with a `path` the body is streamed into that file (never held in
        memory) and the call returns the file's `Path`. A binary or text answer's `save_to=`."""
        if path is None:
            return self
        if not isinstance(path, str | os.PathLike) or not os.fspath(path):
            raise TypeError(f"save_to must be a path (a str or os.PathLike), not {path!r}")
        return Answer(self._decode, self._by_status, model=self._model, save_to=path)

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
        capture(response)
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


_CAPTURED: ContextVar[list[httpx.Response] | None] = ContextVar("bitbucket_client_raw_response", default=None)


def capture(response: httpx.Response) -> None:
    """Hand `response` to the raw view wrapping this call, if any (its first answer only)."""
    captured = _CAPTURED.get()
    if captured is not None and not captured:
        captured.append(response)


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
