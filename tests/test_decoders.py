"""`_decoders`: decoding JSON into lenient models; the depth bound on hostile nesting."""

from __future__ import annotations

import sys

import httpx
import pytest

from bitbucket_client import BitbucketCloud
from bitbucket_client import _decoders as runtime
from bitbucket_client._exceptions import UnexpectedResponseError
from bitbucket_client._types import UNSET
from bitbucket_client.cloud.models import Repository

# ---- depth: hostile nesting never raises past the documented errors ----------------------------------


def _nested_repository(depth: int) -> dict[str, object]:
    repository: dict[str, object] = {"type": "repository", "name": "r0"}
    for level in range(1, depth + 1):
        repository = {"type": "repository", "name": f"r{level}", "parent": repository}
    return repository


async def test_a_json_body_nested_beyond_what_json_can_read_is_an_unexpected_response() -> None:
    for body in (b"[" * 5000, b'{"a":' * 5000):
        transport = httpx.MockTransport(lambda request, body=body: httpx.Response(200, content=body))
        async with BitbucketCloud("t", transport=transport) as bb:
            with pytest.raises(UnexpectedResponseError, match="nested too deeply"):
                await bb.pullrequests.get("ws", "repo", 7)


@pytest.mark.parametrize("compiled", [False, True], ids=["generic", "compiled"])
def test_a_model_nested_past_the_bound_keeps_the_deep_part_raw(
    compiled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime, "COMPILE_AFTER", -1 if compiled else 10**9)
    data = _nested_repository(500)

    repository = Repository.from_dict(data)

    level, node = 0, repository
    while isinstance(node.parent, Repository):
        assert node.name == f"r{500 - level}"
        level, node = level + 1, node.parent
    assert level == runtime.MAX_MODEL_DEPTH
    assert node.parent is UNSET
    assert node.additional_properties["parent"] == _data_at(data, level + 1)


def _data_at(data: dict[str, object], level: int) -> object:
    for _ in range(level):
        data = data["parent"]  # type: ignore[assignment]
    return data


def test_a_shallow_model_decodes_the_same_with_or_without_the_bound() -> None:
    data = _nested_repository(5)
    repository = Repository.from_dict(data)
    assert repository.to_dict() == data
    assert repository.parent.parent.parent.parent.parent.name == "r0"  # type: ignore[union-attr]


def test_when_even_the_bounded_decode_has_no_room_the_data_is_kept_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A bound larger than the stack: the bounded decode overflows too, and the last resort keeps
    # the whole object raw instead of raising.
    monkeypatch.setattr(runtime, "MAX_MODEL_DEPTH", 10**6)
    data = _nested_repository(sys.getrecursionlimit())

    repository = Repository.from_dict(data)

    assert repository.name is UNSET and repository.parent is UNSET
    assert repository.additional_properties == data
