"""`LenientModel`, the base of every generated response model (`_lenient`)."""

from __future__ import annotations

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
    assert pr.id == 7 and pr.title is UNSET  # null for a str field: kept aside, not set
    assert isinstance(pr.author, Account) and pr.author["extra"] == [1]
    assert pr["unknown"] == {"a": 1} and "title" in pr and "id" not in pr
    assert pr.to_dict() == body


def test_only_a_json_object_decodes() -> None:
    with pytest.raises(TypeError, match="Pullrequest expects a JSON object, got list"):
        Pullrequest.from_dict([1, 2])  # type: ignore[arg-type]
