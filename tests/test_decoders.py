"""`_decoders`: decoding JSON into lenient models, nested models decoded on first read, the null rule,
and the depth bound on hostile nesting."""

from __future__ import annotations

import copy
import datetime
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from bitbucket_client import BitbucketCloud
from bitbucket_client import _decoders as runtime
from bitbucket_client._decoders import slot_of
from bitbucket_client._exceptions import UnexpectedResponseError
from bitbucket_client._types import UNSET
from bitbucket_client.cloud.models import Account, Participant, Pullrequest, PullrequestState, Repository


@pytest.fixture(params=["generic", "compiled"])
def decoding(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run a test with the generic loop, then with compiled decoders: they must behave the same."""
    compiled = request.param == "compiled"
    monkeypatch.setattr(runtime, "COMPILE_AFTER", -1 if compiled else 10**9)
    monkeypatch.setattr(runtime, "_DECODERS", {})
    yield request.param


def _is_loaded(model: object, attribute: str) -> bool:
    try:
        slot_of(type(model), attribute).__get__(model)
    except AttributeError:
        return False
    return True


PULL_REQUEST: dict[str, Any] = {
    "id": 7,
    "title": "Fix the flaky test",
    "state": "OPEN",
    "created_on": "2026-05-01T10:20:30+00:00",
    "author": {"display_name": "Ada", "x_badge": "gold"},
    "participants": [{"role": "REVIEWER", "approved": True}, {"role": "PARTICIPANT", "approved": False}],
    "merge_commit": None,
    "x_bot": {"verdict": "ok"},
}


# ---- nested models wait for their first read ----------------------------------------------------------


def test_nested_models_are_decoded_on_first_read_and_kept(decoding: str) -> None:
    pr = Pullrequest.from_dict(PULL_REQUEST)

    assert not _is_loaded(pr, "author") and not _is_loaded(pr, "participants")
    assert _is_loaded(pr, "id") and _is_loaded(pr, "title") and _is_loaded(pr, "merge_commit")
    author = pr.author
    assert isinstance(author, Account) and author.display_name == "Ada" and author["x_badge"] == "gold"
    assert pr.author is author  # read once, then a plain slot
    assert _is_loaded(pr, "author") and not _is_loaded(pr, "participants")
    assert isinstance(pr.participants, list)
    assert [p.role for p in pr.participants if isinstance(p, Participant)] == ["REVIEWER", "PARTICIPANT"]


def test_fields_that_are_set_at_once_have_their_types(decoding: str) -> None:
    pr = Pullrequest.from_dict(PULL_REQUEST)
    assert pr.id == 7 and pr.title == "Fix the flaky test" and pr.state is PullrequestState.OPEN
    assert pr.created_on == datetime.datetime(2026, 5, 1, 10, 20, 30, tzinfo=datetime.UTC)
    assert pr.merge_commit is None  # a model or None: null is None
    assert pr.closed_by is UNSET and pr.reviewers is UNSET  # absent


def test_additional_properties_are_exact_before_anything_is_read(decoding: str) -> None:
    body = {**PULL_REQUEST, "author": "Ada", "participants": [{"role": "REVIEWER"}, 3], "source": {}}
    pr = Pullrequest.from_dict(body)

    # Read first: the nested values of the wrong JSON type are already there, the right ones are not.
    assert pr.additional_properties == {
        "author": "Ada",
        "participants": [{"role": "REVIEWER"}, 3],
        "x_bot": {"verdict": "ok"},
    }
    assert pr.author is UNSET and pr.participants is UNSET
    assert pr.source is not UNSET and pr.source.additional_properties == {}
    assert set(pr.additional_properties) == {"author", "participants", "x_bot"}  # reading changed nothing


def test_an_empty_list_of_models_is_an_empty_list(decoding: str) -> None:
    assert Pullrequest.from_dict({"participants": []}).participants == []


def test_a_changed_input_is_checked_again_when_a_field_loads(decoding: str) -> None:
    # from_dict does not copy its input (documented): a field not read yet is decoded from it later.
    body = copy.deepcopy(PULL_REQUEST)
    pr = Pullrequest.from_dict(body)
    body["author"] = "not an object any more"
    body["participants"] = None

    assert pr.author is UNSET and pr["author"] == "not an object any more"
    assert pr.participants is UNSET and "participants" not in pr


def test_decoding_and_reading_do_not_change_the_input(decoding: str) -> None:
    body = copy.deepcopy(PULL_REQUEST)
    pr = Pullrequest.from_dict(body)
    assert pr == Pullrequest.from_dict(body)  # equality reads every field
    pr.to_dict()
    assert body == PULL_REQUEST


def test_threads_reading_one_instance_get_the_same_object(monkeypatch: pytest.MonkeyPatch) -> None:
    decoded: list[object] = []
    decode_nested = runtime._decode_nested

    def slow_decode(model_class: type, data: dict[str, Any], depth: int) -> Any:
        time.sleep(0.01)  # every thread arrives while the first is still decoding
        decoded.append(data)
        return decode_nested(model_class, data, depth)

    monkeypatch.setattr(runtime, "_decode_nested", slow_decode)
    pr = Pullrequest.from_dict(PULL_REQUEST)
    start = threading.Barrier(8)
    seen: list[object] = []

    def read() -> None:
        start.wait()
        seen.append(pr.author)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(seen) == 8 and all(author is seen[0] for author in seen)
    assert len(decoded) == 1


def test_an_unknown_attribute_is_an_attribute_error(decoding: str) -> None:
    pr = Pullrequest.from_dict(PULL_REQUEST)
    with pytest.raises(AttributeError, match="'Pullrequest' object has no attribute 'titel'"):
        pr.titel  # type: ignore[attr-defined]  # noqa: B018
    assert not hasattr(pr, "titel")


def test_a_deleted_attribute_of_a_built_model_stays_deleted() -> None:
    built = Pullrequest(title="t")
    del built.title
    with pytest.raises(AttributeError):
        built.title  # noqa: B018


# ---- null: "no value" for a type without None ---------------------------------------------------------


NULLS: dict[str, Any] = {
    "title": None,  # str
    "id": None,  # int
    "draft": None,  # bool
    "state": None,  # enum
    "created_on": None,  # datetime
    "author": None,  # model
    "participants": None,  # list of models
    "merge_commit": None,  # model or None
}


def test_null_for_a_type_without_none_is_unset_and_not_kept_aside(decoding: str) -> None:
    pr = Pullrequest.from_dict(NULLS)

    assert pr.additional_properties == {}
    assert pr.title is UNSET and pr.id is UNSET and pr.draft is UNSET and pr.state is UNSET
    assert pr.created_on is UNSET and pr.author is UNSET and pr.participants is UNSET
    assert pr.merge_commit is None  # its type admits None
    assert pr.additional_properties == {}


def test_null_is_given_back_by_to_dict_before_and_after_reading(decoding: str) -> None:
    pr = Pullrequest.from_dict(NULLS)
    assert pr.to_dict() == NULLS
    assert pr.title is UNSET and pr.author is UNSET
    assert pr.to_dict() == NULLS


def test_a_value_set_after_decoding_replaces_the_null(decoding: str) -> None:
    pr = Pullrequest.from_dict(NULLS)
    pr.title = "Now it has one"
    pr.author = Account(display_name="Ada")
    assert pr.to_dict() == {**NULLS, "title": "Now it has one", "author": {"display_name": "Ada"}}


def test_null_for_a_key_the_document_does_not_know_is_kept(decoding: str) -> None:
    pr = Pullrequest.from_dict({"x_bot": None})
    assert pr.additional_properties == {"x_bot": None}


def test_null_inside_a_list_of_models_does_not_fit() -> None:
    pr = Pullrequest.from_dict({"participants": [{"role": "REVIEWER"}, None]})
    assert pr.participants is UNSET and pr["participants"] == [{"role": "REVIEWER"}, None]


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


def test_a_model_nested_past_the_bound_keeps_the_deep_part_raw(decoding: str) -> None:
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


def test_the_bound_counts_from_the_model_that_was_decoded() -> None:
    # A model read 60 levels down, then used as the top of its own walk, still stops at the bound.
    repository = Repository.from_dict(_nested_repository(200))
    node = repository
    for _ in range(60):
        assert isinstance(node.parent, Repository)
        node = node.parent
    for _ in range(runtime.MAX_MODEL_DEPTH - 60):
        assert isinstance(node.parent, Repository)
        node = node.parent
    assert node.parent is UNSET and "parent" in node


def test_a_shallow_model_decodes_the_same_with_or_without_the_bound() -> None:
    data = _nested_repository(5)
    repository = Repository.from_dict(data)
    assert repository.to_dict() == data
    assert repository.parent.parent.parent.parent.parent.name == "r0"  # type: ignore[union-attr]


def test_a_body_deeper_than_the_stack_decodes_reads_and_gives_itself_back() -> None:
    depth = 5 * sys.getrecursionlimit()
    data = _nested_repository(depth)

    repository = Repository.from_dict(data)

    assert repository.name == f"r{depth}"
    assert _chain(repository.to_dict()) == _chain(data)  # nothing read yet: copied from the JSON
    node = repository
    while isinstance(node.parent, Repository):
        node = node.parent
    assert _chain(repository.to_dict()) == _chain(data)  # read down to the bound: models, then JSON


def _chain(repository: dict[str, Any]) -> list[tuple[str, ...]]:
    """The keys and name of each level (`==` on the dicts themselves would exhaust the stack)."""
    levels = []
    node: Any = repository
    while node is not None:
        levels.append((*sorted(node), node["name"]))
        node = node.get("parent")
    return levels


def test_decoding_with_the_stack_nearly_full_keeps_the_object_whole() -> None:
    data = {"name": "r", "parent": {"name": "p"}, "created_on": "2026-05-01T10:20:30+00:00"}
    for _ in range(runtime.COMPILE_AFTER + 1):
        Repository.from_dict(data)  # compiled by now

    results = [_at_the_stack_limit(lambda: Repository.from_dict(data))]

    repository = results[0]
    assert repository.to_dict() == data
    assert repository.name is UNSET and repository.additional_properties == data  # the last resort


def _at_the_stack_limit(call: Callable[[], Any]) -> Any:
    """`call()` from the deepest frame where it returns: each frame that cannot make it lets the
    RecursionError through to the frame above, which has one more frame of room."""

    def dive() -> Any:
        try:
            return dive()
        except RecursionError:
            return call()

    return dive()
