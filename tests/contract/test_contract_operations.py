"""Every operation of both products, and every typed variant of one, called through the facade
against Prism.

For each operation: build its arguments from the document (`arguments.build_call`), call
`bb.<namespace>.<method>(...)` against the product's Prism asking for the lowest documented 2xx (the
documented 3xx of an operation that only redirects, which the client then follows) with
`Prefer: code=...`, and check

- that Prism found nothing wrong with the request, and that the request carries every argument the
  test gave (`sent.py`: a dropped query parameter or body field fails even when Prism would not mind);
- that the answer decoded into the method's documented return type, every field of every model
  included, and that nothing Prism sent was lost (`checks.dropped`: every key of the body is a decoded
  field or kept in `additional_properties`). A problem at the root of a body is never tolerated.

List operations read their first page. A variant whose answer the document does not describe (a file's
bytes, its metadata) has its request checked only. An operation listed in `exclusions.py` must still
send a valid request and fail in Prism the way its entry says. The tally per product is printed at the
end of the run, with the operations whose answer is typed `Any` counted apart.
"""

from __future__ import annotations

import typing
import warnings
from typing import Any

import httpx
import pytest

from bitbucket_client import BitbucketError

from .arguments import build_call, union_members
from .checks import Problem, Recorder, check_value, dropped, response_violations, split_tolerated
from .clients import make_client
from .conftest import PrismProcess
from .documents import Document, contract_document
from .exclusions import EXCLUDED
from .report import OPERATIONS, record
from .sent import missing_arguments

pytestmark = pytest.mark.contract

# (product, method name, operation name): an operation is its own method; a variant is one more.
CASES = [
    (product, f"{operation.namespace}.{method}", qualified)
    for product, table in OPERATIONS.items()
    for qualified, operation in sorted(table.items())
    for method in (operation.name, *operation.variants)
]


def _document(product: str) -> Document:
    return Document(contract_document(product))


@pytest.mark.parametrize(("product", "qualified", "of"), CASES, ids=[f"{p}:{q}" for p, q, _ in CASES])
async def test_operation(product: str, qualified: str, of: str, prism: dict[str, PrismProcess]) -> None:
    operation = OPERATIONS[product][of]
    variant = None if qualified == of else qualified.split(".")[1]
    outcome = record(product, qualified, variant_of=of if variant else None)
    doc = _document(product)
    call = build_call(product, operation, doc, variant)
    outcome.body_mode = call.body_mode
    outcome.typed_any = Any in union_members(
        typing.get_args(call.return_hint)[0] if call.paginated else call.return_hint
    )
    recorder = Recorder()
    error: BaseException | None = None
    value: Any = None
    items: list[Any] | None = None
    hooks = {"request": [recorder.prefer(call.status)], "response": [recorder.hook]}
    # Redirects are followed, as by the http client the library makes when none is passed.
    async with httpx.AsyncClient(event_hooks=hooks, timeout=30.0, follow_redirects=True) as http:
        client = make_client(product, prism[product], http)
        method = getattr(getattr(client, operation.namespace), variant or operation.name)
        outcome.exercised = not outcome.excluded
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                if call.paginated:
                    async for page in method(*call.args, **call.kwargs).pages():
                        items = page.items
                        break
                else:
                    value = await method(*call.args, **call.kwargs)
        except BitbucketError as exc:
            error = exc

    violations = recorder.request_violations()
    prism_errors = recorder.prism_errors()
    assert recorder.responses, f"{qualified}: nothing was sent"
    first = recorder.responses[0]
    exclusion = EXCLUDED.get((product, qualified))
    if exclusion is not None:
        assert not violations, f"{qualified} (excluded) sends a request Prism rejects:\n" + "\n".join(
            violations
        )
        assert first.status_code == exclusion.status and any(exclusion.detail in e for e in prism_errors), (
            f"{qualified} is excluded ({exclusion.reason}) but Prism answered {first.status_code} "
            f"{prism_errors}: remove or update its entry in exclusions.py"
        )
        return

    assert not violations, f"{qualified}: Prism rejects the request:\n" + "\n".join(violations)
    assert not prism_errors, f"{qualified}: Prism could not answer:\n" + "\n".join(prism_errors)
    assert str(first.status_code) == call.status, (
        f"{qualified}: Prism answered {first.status_code} (asked for {call.status}): {first.text[:500]}"
    )
    missing = missing_arguments(call, first.request)
    assert not missing, f"{qualified}: the request lacks arguments it was given:\n" + "\n".join(missing)
    outcome.accepted = True

    assert error is None, f"{qualified}: the call raised {error!r}"
    if variant is not None and call.return_hint != _operation_return(product, operation):
        outcome.parsed = outcome.answer_unchecked = True  # the document does not describe this answer
        return
    last = recorder.responses[-1]
    assert last.is_success, f"{qualified}: the exchange ended with {last.status_code}"
    if call.paginated:
        assert items is not None, f"{qualified}: no page"
        assert items, f"{qualified}: Prism's page has no values to decode"
        (item_hint,) = typing.get_args(call.return_hint)
        key = "results" if "results" in last.json() else "values"
        problems = [
            problem
            for index, item in enumerate(items)
            for problem in check_value(product, item, item_hint, (key, str(index)))
        ]
        problems += dropped(product, items, last.json()[key], (key,))
    else:
        problems = check_value(product, value, call.return_hint)
        content = doc.response_content(operation.http_method, operation.path, str(last.status_code))
        if content and last.content and value is None:
            problems.append(Problem((), "the answer has a documented body, but the method returned None"))
        if isinstance(value, bytes | str) and not _is_json(last):  # a file, or text, as sent
            if value not in (last.content, last.text):
                problems.append(Problem((), f"{last.content[:60]!r} was returned as {value[:60]!r}"))
        elif _is_json(last) and not outcome.typed_any:
            problems += dropped(product, value, last.json())
    problems, tolerated = split_tolerated(problems, response_violations(last))
    outcome.tolerated = [str(problem) for problem in tolerated]
    assert not problems, f"{qualified}: the answer does not decode into {call.return_hint}:\n" + "\n".join(
        str(problem) for problem in problems[:20]
    )
    outcome.parsed = True


def _operation_return(product: str, operation: Any) -> Any:
    from .arguments import namespace_method, type_hints

    return type_hints(product, namespace_method(product, operation))["return"]


def _is_json(response: httpx.Response) -> bool:
    media = response.headers.get("content-type", "").split(";")[0].strip()
    return bool(response.content) and (media == "application/json" or media.endswith("+json"))
