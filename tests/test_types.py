"""`_types`: `UNSET`, `File` and `Response`, the small types every layer shares."""

from __future__ import annotations

import copy
import pickle

import httpx

from bitbucket_client._types import UNSET, File, Response, Unset


def test_unset_is_falsy_a_singleton_and_reads_as_unset() -> None:
    assert not UNSET
    assert repr(UNSET) == "UNSET"
    assert copy.deepcopy(UNSET) is UNSET
    assert pickle.loads(pickle.dumps(UNSET)) is UNSET
    assert isinstance(UNSET, Unset) and list(Unset) == [UNSET]


def test_a_file_gives_httpx_its_tuple() -> None:
    upload = File(payload=b"data", file_name="a.txt", mime_type="text/plain")
    assert upload.to_tuple() == ("a.txt", b"data", "text/plain")
    assert File(b"x").to_tuple() == (None, b"x", None)


def test_a_response_keeps_status_headers_body_and_what_was_parsed() -> None:
    raw = httpx.Response(201, json={"id": 1}, headers={"X-Request-Id": "abc"})
    response = Response.build(raw, {"parsed": True})
    assert (response.status_code, response.headers["x-request-id"]) == (201, "abc")
    assert response.content == b'{"id":1}'
    assert response.parsed == {"parsed": True}
    assert response.http_response is raw
    assert "http_response" not in repr(response)
