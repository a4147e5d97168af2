"""The runtime shared by generated code: path encoding (requests and answers: tests/test_operation.py)."""

from __future__ import annotations

import pytest

from bitbucket_client._runtime import encode_path_segment


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("repo", "repo"),
        ("a/b", "a%2Fb"),
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("what?", "what%3F"),
        ("tag#1", "tag%231"),
        ("my repo", "my%20repo"),
        ("100%", "100%25"),
        ("{uuid}", "%7Buuid%7D"),
        (7, "7"),
        ("é", "%C3%A9"),
    ],
)
def test_path_segments_are_percent_encoded(value: object, encoded: str) -> None:
    assert encode_path_segment(value) == encoded
