"""`_converters`: each converter takes what fits its type and answers INVALID for anything else;
`encode_value`/`encode_model` give JSON back."""

from __future__ import annotations

import datetime
import enum
from typing import Any
from uuid import UUID

import pytest

from bitbucket_client._converters import (
    INVALID,
    as_bool,
    as_date,
    as_datetime,
    as_float,
    as_int,
    as_none,
    as_str,
    as_uuid,
    encode_value,
    enum_or_str,
    list_of,
    model,
    one_of,
)
from bitbucket_client.cloud.models import Account, Pullrequest


class Color(enum.Enum):
    RED = "red"
    ONE = 1


@pytest.mark.parametrize(
    ("convert", "good", "bad"),
    [
        (as_str, "x", [1, None, True, ["x"]]),
        (as_int, 3, ["3", 3.0, None]),
        (as_float, 1.5, ["1.5", None]),
        (as_bool, False, [0, "false", None]),
        (as_none, None, [0, "", False]),
    ],
)
def test_primitives_take_only_their_own_json_type(convert: Any, good: Any, bad: list[Any]) -> None:
    assert convert(good) == good
    for value in bad:
        assert convert(value) is INVALID, value


def test_bool_is_not_an_int_but_an_int_is_a_float() -> None:
    assert as_int(True) is INVALID
    assert as_float(2) == 2


def test_dates_and_uuids_parse_from_strings_only() -> None:
    assert as_datetime("2026-11-30T08:00:00+00:00") == datetime.datetime(2026, 11, 30, 8, tzinfo=datetime.UTC)
    assert as_date("2026-11-30") == datetime.date(2026, 11, 30)
    assert as_uuid("5a0e6c2b-8f0e-4b7c-9d51-0a6f2d1e7c11") == UUID("5a0e6c2b-8f0e-4b7c-9d51-0a6f2d1e7c11")
    for convert in (as_datetime, as_date, as_uuid):
        assert convert("not a value") is INVALID
        assert convert(1_700_000_000_000) is INVALID


def test_an_enum_takes_its_values_and_keeps_unknown_strings() -> None:
    convert = enum_or_str(Color)
    assert convert("red") is Color.RED
    assert convert(1) is Color.ONE
    assert convert("green") == "green"
    assert convert(2) is INVALID and convert(None) is INVALID


def test_a_list_is_invalid_when_one_item_is() -> None:
    convert = list_of(as_int)
    assert convert([1, 2]) == [1, 2]
    assert convert([1, "2"]) is INVALID
    assert convert("12") is INVALID


def test_one_of_takes_the_first_option_that_fits() -> None:
    convert = one_of(model(Account), as_none)
    assert isinstance(convert({"display_name": "A"}), Account)
    assert convert(None) is None
    assert convert("A") is INVALID


def test_encoding_gives_json_values_back() -> None:
    when = datetime.datetime(2026, 11, 30, 8, tzinfo=datetime.UTC)
    assert encode_value([Color.RED, when, UUID(int=1), {"k": (1)}]) == [
        "red",
        "2026-11-30T08:00:00+00:00",
        "00000000-0000-0000-0000-000000000001",
        {"k": 1},
    ]
    body = {"id": 7, "title": "t", "author": {"display_name": "A", "odd": [1]}, "unknown": True}
    assert encode_value(Pullrequest.from_dict(body)) == body


def test_encoding_copies_json_nested_deeper_than_the_stack() -> None:
    deep: Any = "bottom"
    for _ in range(5000):
        deep = {"a": [deep, 1]}

    copied = encode_value(deep)

    node, levels = copied, 0
    while isinstance(node, dict):
        assert node is not deep and len(node["a"]) == 2
        node, deep, levels = node["a"][0], deep["a"][0], levels + 1
    assert (node, levels) == ("bottom", 5000)


def test_a_value_that_holds_itself_has_no_json_form() -> None:
    loop: dict[str, Any] = {}
    loop["self"] = [loop]
    with pytest.raises(ValueError, match="holds itself"):
        encode_value(loop)
