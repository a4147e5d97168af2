"""`_encoders`: `to_dict()` of models built by their constructor, and of decoded ones whose fields have
not all been read."""

from __future__ import annotations

import copy
import datetime
from collections.abc import Iterator
from typing import Any

import pytest

from bitbucket_client import _encoders as encoders
from bitbucket_client._decoders import slot_of
from bitbucket_client._types import UNSET
from bitbucket_client.cloud.models import (
    Account,
    Branch,
    Link,
    Pullrequest,
    PullrequestState,
    Repository,
    RepositoryLinks,
    RepositoryScm,
)


@pytest.fixture(params=["generic", "compiled"], autouse=True)
def encoding(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Every test runs with the generic loop, then with compiled encoders: they must agree."""
    compiled = request.param == "compiled"
    monkeypatch.setattr(encoders, "COMPILE_AFTER", -1 if compiled else 10**9)
    monkeypatch.setattr(encoders, "_ENCODERS", {})
    yield request.param


WHEN = datetime.datetime(2026, 5, 1, 10, 20, 30, tzinfo=datetime.UTC)


def _built_repository() -> Repository:
    return Repository(
        type_="repository",
        full_name="ws/widgets",
        is_private=True,
        scm=RepositoryScm.GIT,
        created_on=WHEN,
        owner=Account(display_name="Ada"),
        links=RepositoryLinks(
            self_=Link(href="https://api/ws/widgets"), clone=[Link(href="https://git", name="https")]
        ),
        mainbranch=Branch(name="main"),
        parent=None,
    )


BUILT_JSON = {
    "type": "repository",
    "full_name": "ws/widgets",
    "is_private": True,
    "scm": "git",
    "created_on": "2026-05-01T10:20:30+00:00",
    "owner": {"display_name": "Ada"},
    "links": {
        "self": {"href": "https://api/ws/widgets"},
        "clone": [{"href": "https://git", "name": "https"}],
    },
    "mainbranch": {"name": "main"},
    "parent": None,
}


def test_a_built_model_gives_its_set_fields_as_json() -> None:
    assert _built_repository().to_dict() == BUILT_JSON


def test_additional_properties_come_along_at_every_level() -> None:
    repository = _built_repository()
    repository.additional_properties["x_bot"] = {"verdict": "ok"}
    assert repository.links is not UNSET
    repository.links.additional_properties["x_report"] = {"href": "https://bot"}
    assert repository.owner is not UNSET
    repository.owner.additional_properties["when"] = WHEN  # encoded too

    out = repository.to_dict()

    assert out["x_bot"] == {"verdict": "ok"}
    assert out["links"]["x_report"] == {"href": "https://bot"}
    assert out["owner"] == {"display_name": "Ada", "when": "2026-05-01T10:20:30+00:00"}


def test_a_value_of_another_class_than_declared_is_still_encoded() -> None:
    # Type checkers stop most of these; what gets through still has a JSON form.
    repository = Repository(name=PullrequestState.OPEN, size=True)  # type: ignore[arg-type]
    repository.links = {"self": {"href": "x"}}  # type: ignore[assignment]
    assert repository.to_dict() == {"name": "OPEN", "size": True, "links": {"self": {"href": "x"}}}


def test_a_built_model_may_hold_a_decoded_one() -> None:
    links = RepositoryLinks.from_dict({"self": {"href": "https://api/ws/widgets"}, "x": 1})
    repository = Repository(name="widgets", links=links)
    assert repository.to_dict() == {
        "name": "widgets",
        "links": {"self": {"href": "https://api/ws/widgets"}, "x": 1},
    }


# ---- decoded models ----------------------------------------------------------------------------------


PULL_REQUEST: dict[str, Any] = {
    "id": 7,
    "title": None,
    "state": "QUEUED",
    "created_on": "2026-05-01T10:20:30+00:00",
    "author": {"display_name": "Ada", "x_badge": "gold", "links": {"avatar": {"href": "https://a"}}},
    "participants": [{"role": "REVIEWER", "approved": True, "user": {"display_name": "Bob"}}],
    "source": "not an object",
    "merge_commit": None,
    "x_bot": {"verdict": "ok"},
}


def test_a_decoded_model_gives_back_what_it_was_decoded_from_without_reading_it() -> None:
    pr = Pullrequest.from_dict(PULL_REQUEST)

    assert pr.to_dict() == PULL_REQUEST
    for attribute in ("author", "participants"):  # still waiting for their first read
        with pytest.raises(AttributeError):
            slot_of(Pullrequest, attribute).__get__(pr)


def test_a_decoded_model_read_in_part_gives_back_the_same() -> None:
    pr = Pullrequest.from_dict(PULL_REQUEST)
    assert pr.author is not UNSET and pr.author.links is not UNSET
    assert pr.to_dict() == PULL_REQUEST


def test_changes_after_decoding_show_in_to_dict() -> None:
    pr = Pullrequest.from_dict(PULL_REQUEST)
    assert pr.author is not UNSET and isinstance(pr.participants, list)
    pr.author.display_name = "Ada Lovelace"
    pr.participants.append(pr.participants[0])
    pr.id = UNSET
    pr.title = "Now titled"
    del pr.additional_properties["x_bot"]

    expected = copy.deepcopy(PULL_REQUEST)
    expected["author"]["display_name"] = "Ada Lovelace"
    expected["participants"].append(expected["participants"][0])
    del expected["id"], expected["x_bot"]
    expected["title"] = "Now titled"
    assert pr.to_dict() == expected


def test_to_dict_is_a_copy_that_shares_nothing_with_the_model_or_its_input() -> None:
    body = copy.deepcopy(PULL_REQUEST)
    pr = Pullrequest.from_dict(body)

    out = pr.to_dict()
    out["author"]["display_name"] = "changed"  # not read yet: copied from the input
    out["participants"][0]["user"]["display_name"] = "changed"
    out["x_bot"]["verdict"] = "changed"

    assert body == PULL_REQUEST
    assert pr.author is not UNSET and pr.author.display_name == "Ada"
    assert pr["x_bot"] == {"verdict": "ok"}


def test_a_decoded_and_a_built_model_with_the_same_content_are_equal_and_encode_alike() -> None:
    built = Pullrequest(id=7, author=Account(display_name="Ada"), state=PullrequestState.OPEN)
    decoded = Pullrequest.from_dict({"id": 7, "author": {"display_name": "Ada"}, "state": "OPEN"})
    assert decoded == built and built == decoded
    assert decoded.to_dict() == built.to_dict()
    assert Pullrequest.from_dict({"id": 8}) != built
