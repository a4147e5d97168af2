"""`LenientModel`, the base of every generated response model (`_lenient`)."""

from __future__ import annotations

import copy
import pickle

import attrs
import pytest

from bitbucket_client import UNSET
from bitbucket_client._lenient import LenientModel
from bitbucket_client.cloud.models import Account, Pullrequest
from bitbucket_client.server.models import RestPullRequest


def test_every_response_model_is_a_slotted_lenient_model() -> None:
    for model_class in (Pullrequest, Account, RestPullRequest):
        assert issubclass(model_class, LenientModel)
        assert not hasattr(model_class(), "__dict__")  # attrs slots, and the base adds none


def test_from_dict_and_to_dict_give_back_what_the_server_sent() -> None:
    body = {"id": 7, "title": None, "author": {"display_name": "Ada", "extra": [1]}, "unknown": {"a": 1}}
    pr = Pullrequest.from_dict(body)
    assert pr.id == 7 and pr.title is UNSET  # null for a str field: no value
    assert isinstance(pr.author, Account) and pr.author["extra"] == [1]
    assert pr["unknown"] == {"a": 1} and "unknown" in pr and "title" not in pr and "id" not in pr
    assert pr.to_dict() == body


def test_only_a_json_object_decodes() -> None:
    with pytest.raises(TypeError, match="Pullrequest expects a JSON object, got list"):
        Pullrequest.from_dict([1, 2])  # type: ignore[arg-type]


BODY = {
    "id": 7,
    "title": None,
    "author": {"display_name": "Ada", "links": {"avatar": {"href": "https://a"}}},
    "participants": [{"role": "REVIEWER", "user": {"display_name": "Bob"}}],
    "x_bot": {"verdict": "ok"},
}


def test_a_decoded_model_pickles_and_copies_with_everything_it_holds() -> None:
    pr = Pullrequest.from_dict(BODY)  # nothing nested read yet
    for clone in (pickle.loads(pickle.dumps(pr)), copy.deepcopy(pr), copy.copy(pr)):
        assert clone == pr
        assert clone.to_dict() == BODY  # the null included
        assert isinstance(clone.author, Account) and clone.author.display_name == "Ada"


def test_evolve_reads_every_field() -> None:
    pr = Pullrequest.from_dict(BODY)
    evolved = attrs.evolve(pr, id=8)
    assert evolved.id == 8 and evolved.author == pr.author and evolved.participants == pr.participants


def test_repr_shows_nested_models_whether_read_or_not() -> None:
    untouched, read = Pullrequest.from_dict(BODY), Pullrequest.from_dict(BODY)
    assert read.author is not UNSET
    assert repr(untouched) == repr(read)
    assert "Account(" in repr(untouched) and "display_name='Ada'" in repr(untouched)
    assert "_raw" not in repr(untouched)
