"""Every operation of both products, called through the facade against Prism.

For each operation: build its arguments from the document (`arguments.build_call`), call
`bb.<namespace>.<method>(...)` against the product's Prism asking for the lowest documented 2xx (the
documented 3xx of an operation that only redirects, which the client then follows) with
`Prefer: code=...`, and check that Prism found nothing wrong with the request and that the answer
decoded into the method's documented return type, every field of every model included. List operations
read their first page. An operation listed in `exclusions.py` must still send a valid request and fail
in Prism the way its entry says. The tally per product is printed at the end of the run.
"""

from __future__ import annotations

import typing
import warnings
from typing import Any

import httpx
import pytest

from bitbucket_client import BitbucketError

from .arguments import build_call
from .checks import Problem, Recorder, check_value, response_violations, split_tolerated
from .clients import make_client
from .conftest import PrismProcess
from .documents import Document, contract_document
from .exclusions import EXCLUDED
from .report import OPERATIONS, record

pytestmark = pytest.mark.contract

CASES = [(product, qualified) for product, table in OPERATIONS.items() for qualified in sorted(table)]


def _document(product: str) -> Document:
    return Document(contract_document(product))


@pytest.mark.parametrize(("product", "qualified"), CASES, ids=[f"{p}:{q}" for p, q in CASES])
async def test_operation(product: str, qualified: str, prism: dict[str, PrismProcess]) -> None:
    operation = OPERATIONS[product][qualified]
    outcome = record(product, qualified)
    doc = _document(product)
    call = build_call(product, operation, doc)
    outcome.body_mode = call.body_mode
    recorder = Recorder()
    error: BaseException | None = None
    value: Any = None
    items: list[Any] | None = None
    hooks = {"request": [recorder.prefer(call.status)], "response": [recorder.hook]}
    # Redirects are followed, as by the http client the library makes when none is passed.
    async with httpx.AsyncClient(event_hooks=hooks, timeout=30.0, follow_redirects=True) as http:
        client = make_client(product, prism[product], http)
        method = getattr(getattr(client, operation.namespace), operation.name)
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
    outcome.accepted = True

    assert error is None, f"{qualified}: the call raised {error!r}"
    last = recorder.responses[-1]
    assert last.is_success, f"{qualified}: the exchange ended with {last.status_code}"
    if call.paginated:
        assert items is not None, f"{qualified}: no page"
        assert items, f"{qualified}: Prism's page has no values to decode"
        (item_hint,) = typing.get_args(call.return_hint)
        problems = [
            problem
            for index, item in enumerate(items)
            for problem in check_value(product, item, item_hint, ("values", str(index)))
        ]
    else:
        problems = check_value(product, value, call.return_hint)
        content = doc.response_content(operation.http_method, operation.path, str(last.status_code))
        if content and last.content and value is None:
            problems.append(Problem((), "the answer has a documented body, but the method returned None"))
    problems, tolerated = split_tolerated(problems, response_violations(last))
    outcome.tolerated = [str(problem) for problem in tolerated]
    assert not problems, f"{qualified}: the answer does not decode into {call.return_hint}:\n" + "\n".join(
        str(problem) for problem in problems[:20]
    )
    outcome.parsed = True
