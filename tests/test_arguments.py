"""`_arguments`: enum values given as strings, and a body from `body=` or from keyword fields."""

from __future__ import annotations

import enum

import pytest

from bitbucket_client._arguments import build_body, build_required_body, coerce_enum, coerce_enum_list
from bitbucket_client._types import UNSET
from bitbucket_client.cloud.models import PullrequestMergeParameters


class Strategy(enum.Enum):
    SQUASH = "squash"
    MERGE = "merge_commit"


def test_an_enum_accepts_a_member_or_its_value() -> None:
    assert coerce_enum(Strategy, "squash") is Strategy.SQUASH
    assert coerce_enum(Strategy, Strategy.MERGE) is Strategy.MERGE
    assert coerce_enum(Strategy, UNSET) is UNSET
    assert coerce_enum_list(Strategy, ["squash", Strategy.MERGE]) == [Strategy.SQUASH, Strategy.MERGE]


def test_a_wrong_enum_value_names_the_allowed_ones() -> None:
    with pytest.raises(
        ValueError, match="'rebase' is not a valid Strategy; expected one of 'squash', 'merge_commit'"
    ):
        coerce_enum(Strategy, "rebase")


def test_a_body_comes_from_keyword_fields_or_body_but_not_both() -> None:
    built = build_body(PullrequestMergeParameters, None, {"message": "m", "close_source_branch": UNSET}, "op")
    assert built == PullrequestMergeParameters(message="m")
    given = PullrequestMergeParameters(message="given")
    assert build_body(PullrequestMergeParameters, given, {"message": UNSET}, "op") is given
    assert build_body(PullrequestMergeParameters, None, {"message": UNSET}, "op") is UNSET
    with pytest.raises(TypeError, match="either as body= or as keyword fields, not both"):
        build_body(PullrequestMergeParameters, given, {"message": "m"}, "pullrequests.merge")


def test_a_required_body_is_built_even_without_fields() -> None:
    assert build_required_body(PullrequestMergeParameters, None, {}, "op") == PullrequestMergeParameters()
