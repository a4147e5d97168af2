"""scripts/typed_coverage.py: what it counts as typed, and the floor the project's corpus must meet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typed_coverage
from typed_coverage import DEFAULT_CORPUS, Tally, load_index, measure, measure_entry

# The share of JSON keys that must land in typed attributes, per (product, kind), on tests/fixtures/real.
FLOORS = {
    ("cloud", "response"): 0.995,
    ("server", "response"): 0.995,
    ("cloud", "webhook"): 0.995,
    ("server", "webhook"): 0.995,
}


def _entry(**fields: object) -> dict[str, object]:
    return {"file": "test.json", **fields}


def test_known_keys_are_typed_and_unknown_ones_are_not() -> None:
    body = {"type": "pullrequest", "id": 7, "title": "t", "made_up": {"a": 1, "b": [{"c": 2}]}}
    tally = measure_entry(
        _entry(product="cloud", kind="response", operation="pullrequests.get"), json.dumps(body).encode()
    )
    # type, id, title typed; made_up + a + b + c untyped.
    assert (tally.typed, tally.total) == (3, 7)
    assert tally.untyped == {"Pullrequest.made_up": 4}
    assert not tally.errors


def test_a_value_of_the_wrong_type_is_untyped() -> None:
    body = {"id": "seven", "title": "t"}
    tally = measure_entry(
        _entry(product="cloud", kind="response", operation="pullrequests.get"), json.dumps(body).encode()
    )
    assert (tally.typed, tally.total) == (1, 2)
    assert tally.untyped == {"Pullrequest.id": 1}


def test_null_for_a_type_without_none_is_typed_as_no_value() -> None:
    body = {"id": 7, "title": None, "author": None, "made_up": None}
    tally = measure_entry(
        _entry(product="cloud", kind="response", operation="pullrequests.get"), json.dumps(body).encode()
    )
    assert (tally.typed, tally.total) == (3, 4)
    assert tally.untyped == {"Pullrequest.made_up": 1}


def test_nested_models_and_lists_are_walked() -> None:
    body = {"participants": [{"user": {"display_name": "A", "zzz": 1}, "role": "REVIEWER"}]}
    tally = measure_entry(
        _entry(product="cloud", kind="response", operation="pullrequests.get"), json.dumps(body).encode()
    )
    assert tally.total == 5
    assert tally.typed == 4
    assert list(tally.untyped) == ["Account.zzz"]


def test_a_page_counts_its_envelope_and_its_items() -> None:
    body = {"size": 1, "page": 1, "pagelen": 10, "values": [{"id": 1, "nope": True}], "odd": 1}
    tally = measure_entry(
        _entry(product="cloud", kind="response", operation="pullrequests.list"), json.dumps(body).encode()
    )
    assert (tally.typed, tally.total) == (5, 7)
    assert set(tally.untyped) == {"<page>.odd", "Pullrequest.nope"}


def test_a_body_the_client_cannot_decode_is_an_error_and_untyped() -> None:
    tally = measure_entry(
        _entry(product="cloud", kind="response", operation="pullrequests.get"), b'[{"a": 1}]'
    )
    assert tally.typed == 0 and tally.total == 1
    assert tally.errors


def test_webhook_fields_are_followed_from_their_payload_paths() -> None:
    body = {"actor": {"display_name": "A"}, "repository": {"name": "r"}, "mystery": 1}
    tally = measure_entry(
        _entry(product="cloud", kind="webhook", event="repo:updated"), json.dumps(body).encode()
    )
    assert tally.untyped == {"RepoUpdatedEvent.mystery": 1}
    assert tally.typed == tally.total - 1


def test_corpus_index_names_existing_files_with_their_source() -> None:
    for entry in load_index(DEFAULT_CORPUS):
        assert (DEFAULT_CORPUS / entry["file"]).is_file(), entry["file"]
        assert str(entry.get("source", "")).startswith("http"), entry["file"]
        assert entry["kind"] in ("response", "webhook")
        assert ("operation" in entry) if entry["kind"] == "response" else ("event" in entry)


@pytest.mark.parametrize("group", list(FLOORS), ids=lambda g: f"{g[0]}-{g[1]}")
def test_corpus_meets_the_typed_coverage_floor(group: tuple[str, str]) -> None:
    tally = _measured()[group]
    assert not tally.errors
    assert tally.share >= FLOORS[group], (
        f"{group}: {tally.share:.2%} typed; most untyped: {tally.untyped.most_common(10)}"
    )


_CACHE: dict[tuple[str, str], Tally] = {}


def _measured() -> dict[tuple[str, str], Tally]:
    if not _CACHE:
        _CACHE.update(measure(DEFAULT_CORPUS))
    return _CACHE


def test_the_script_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert typed_coverage.main(["--corpus", str(Path(DEFAULT_CORPUS)), "--top", "1"]) == 0
    assert "keys typed" in capsys.readouterr().out
