"""docs/writing.md against Prism: each example, in both its forms, sends its requests once to the mock
server of its product, which must find nothing wrong with them and answer 2xx.

The examples get what a real program would get from its configuration (a commit hash, an environment's
uuid, a secret) as placeholders that satisfy the document; Prism checks method, path, query and body.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from writing_examples import SECRET, Example, examples

from .checks import Recorder
from .clients import make_client
from .conftest import PrismProcess

pytestmark = pytest.mark.contract

EXAMPLES = examples()
CONTEXT: dict[str, Any] = {
    "commit": "0123456789abcdef0123456789abcdef01234567",
    "environment": "{3fa85f64-5717-4562-b3fc-2c963f66afa6}",
    "secret": SECRET,
}


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.name for example in EXAMPLES])
async def test_the_example_is_accepted_by_prism(example: Example, prism: dict[str, PrismProcess]) -> None:
    recorder = Recorder()
    async with httpx.AsyncClient(event_hooks={"response": [recorder.hook]}, timeout=30.0) as http:
        client = make_client(example.product, prism[example.product], http)
        await example.function(client, **example.arguments(CONTEXT))
    assert recorder.responses, f"{example.name} sent nothing"
    assert not recorder.request_violations(), "\n".join(recorder.request_violations())
    assert not recorder.prism_errors(), "\n".join(recorder.prism_errors())
    for response in recorder.responses:
        assert response.is_success, (
            f"{response.request.method} {response.request.url}: {response.status_code}"
        )
    assert any(response.request.method != "GET" for response in recorder.responses)
