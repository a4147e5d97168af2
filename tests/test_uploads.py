"""`_uploads`: multipart and form bodies from bytes, text, open files, `File`s and tuples, for the
generated upload methods of both products and for `bb.request(files=..., data=...)`."""

from __future__ import annotations

import io
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from bitbucket_client import BitbucketCloud, BitbucketServer, File
from bitbucket_client._uploads import form_body, request_form

CLOUD = "https://api.bitbucket.org/2.0"
DC = "https://bb.example.com"


def parts(request: httpx.Request) -> list[tuple[str, str | None, bytes, str | None]]:
    """(field name, file name, content, media type) of each part of a multipart request."""
    content_type = request.headers["content-type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + request.content
    )
    out = []
    for part in message.iter_parts():
        assert isinstance(part, Message)
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        media = part.get("content-type")
        out.append(
            (str(part.get_param("name", header="content-disposition")), part.get_filename(), payload, media)
        )
    return out


# ---- the body -----------------------------------------------------------------------------------------


def test_each_kind_of_upload_becomes_a_named_file() -> None:
    opened = io.BytesIO(b"opened")
    opened.name = "/tmp/build/report.html"
    body = form_body(
        "downloads.upload",
        [
            (
                "files",
                [
                    ("a.txt", b"bytes"),
                    ("b.txt", "text é", "text/markdown"),
                    File(payload=b"file", file_name="c.bin", mime_type="application/x-thing"),
                    opened,
                ],
                "files",
            )
        ],
    )
    assert [(name, part[0], part[2]) for name, part in body.multipart()] == [
        ("files", "a.txt", None),
        ("files", "b.txt", "text/markdown"),
        ("files", "c.bin", "application/x-thing"),
        ("files", "report.html", None),
    ]
    assert body.multipart()[1][1][1] == "text é".encode()


def test_a_single_file_field_may_take_nameless_content() -> None:
    body = form_body("projects.upload_avatar", [("avatar", b"\x89PNG", "file")])
    assert body.multipart() == [("avatar", ("avatar", b"\x89PNG", None))]
    mapped = form_body("source.create_commit", [("", {"docs/guide.md": "# Guide"}, "file_map")])
    assert mapped.multipart() == [("docs/guide.md", ("guide.md", b"# Guide", None))]


def test_plain_fields_and_repeated_ones() -> None:
    body = form_body(
        "source.create_commit",
        [
            ("message", "Add", "text"),
            ("files", ["old.txt", "older.txt"], "texts"),
            ("is_private", True, "text"),
        ],
    )
    assert body.multipart() == [
        ("message", (None, b"Add", None)),
        ("files", (None, b"old.txt", None)),
        ("files", (None, b"older.txt", None)),
        ("is_private", (None, b"true", None)),
    ]
    assert body.urlencoded() == {"message": "Add", "files": ["old.txt", "older.txt"], "is_private": "true"}


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ([("files", [b"no name"], "files")], ValueError, "downloads.upload: files: each file needs a name"),
        ([("files", [("a", 3)], "files")], TypeError, "must be bytes, text, an open binary file"),
        ([("files", [("a", b"x", "text/plain", "extra")], "files")], TypeError, "a file tuple is"),
        ([("files", 3, "files")], TypeError, "must be one of the files or a list of them"),
        ([("message", object(), "text")], TypeError, "message must be text"),
        ([("", ["not", "a mapping"], "file_map")], TypeError, "must be a mapping"),
        ([("", {"": b"x"}, "file_map")], ValueError, "is not a field name"),
        ([("files", io.StringIO("text mode"), "file")], TypeError, "must be bytes"),
    ],
)
def test_bad_uploads_are_refused_with_the_field_named(
    fields: list[tuple[str, Any, Any]], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        form_body("downloads.upload", fields)


def test_a_url_encoded_form_cannot_carry_a_file() -> None:
    with pytest.raises(TypeError, match="is a file"):
        form_body("x", [("avatar", b"png", "file")]).urlencoded()


def test_unset_and_none_fields_are_left_out() -> None:
    from bitbucket_client import UNSET

    assert form_body("x", [("message", UNSET, "text"), ("branch", None, "text")]).multipart() == []


def test_raw_request_forms() -> None:
    body = request_form(
        {"files": [("a.txt", b"A"), ("b.txt", b"B")], "single": ("c.txt", b"C")}, {"message": "m"}
    )
    assert [(name, part[0]) for name, part in body.multipart()] == [
        ("message", None),
        ("files", "a.txt"),
        ("files", "b.txt"),
        ("single", "c.txt"),
    ]


# ---- through the generated methods (issue #13) ----------------------------------------------------------


@respx.mock
async def test_cloud_downloads_upload_sends_each_file_under_its_name(tmp_path: Path) -> None:
    route = respx.post(f"{CLOUD}/repositories/ws/repo/downloads").respond(201)
    artifact = tmp_path / "app-1.0.zip"
    artifact.write_bytes(b"PK" + b"\0" * 1000)
    async with BitbucketCloud("T") as bb:
        with artifact.open("rb") as opened:
            await bb.downloads.upload("ws", "repo", files=[opened, ("notes.txt", "Release notes")])
        await bb.downloads.upload("ws", "repo", files=("one.txt", b"1"))
    first, second = (call.request for call in route.calls)
    assert parts(first) == [
        ("files", "app-1.0.zip", b"PK" + b"\0" * 1000, "application/zip"),
        ("files", "notes.txt", b"Release notes", "text/plain"),
    ]
    assert [(name, file_name) for name, file_name, _content, _type in parts(second)] == [("files", "one.txt")]


@respx.mock
async def test_cloud_create_commit_sends_contents_by_path_and_its_fields_in_the_body() -> None:
    route = respx.post(f"{CLOUD}/repositories/ws/repo/src").respond(201)
    async with BitbucketCloud("T") as bb:
        await bb.source.create_commit(
            "ws",
            "repo",
            files={"docs/guide.md": "# Guide\n", "bin/tool": b"\x7fELF"},
            delete=["old.txt"],
            message="Update the guide",
            branch="docs/update",
            author="Ada <ada@example.com>",
        )
    request = route.calls.last.request
    assert request.url.query == b"", "the fields go in the body, not the query"
    sent = {(name, file_name, content) for name, file_name, content, _type in parts(request)}
    assert sent == {
        ("message", None, b"Update the guide"),
        ("author", None, b"Ada <ada@example.com>"),
        ("files", None, b"old.txt"),
        ("branch", None, b"docs/update"),
        ("docs/guide.md", "guide.md", b"# Guide\n"),
        ("bin/tool", "tool", b"\x7fELF"),
    }


@respx.mock
async def test_cloud_snippets_and_attachments_carry_their_files() -> None:
    snippets = respx.post(f"{CLOUD}/snippets/ws").respond(
        201, json={"type": "snippet", "id": 1, "title": "T"}
    )
    attachments = respx.post(f"{CLOUD}/repositories/ws/repo/issues/3/attachments").respond(201)
    async with BitbucketCloud("T") as bb:
        snippet = await bb.snippets.create_with_files(
            "ws", title="T", is_private=True, files=[("a.py", "print(1)"), ("b.txt", b"b")]
        )
        with pytest.warns(DeprecationWarning, match="issues.upload_attachment"):
            await bb.issues.upload_attachment("ws", "repo", 3, files=("trace.log", b"boom"))
    assert snippet.title == "T"
    assert [(n, f, c) for n, f, c, _t in parts(snippets.calls.last.request)] == [
        ("title", None, b"T"),
        ("is_private", None, b"true"),
        ("file", "a.py", b"print(1)"),
        ("file", "b.txt", b"b"),
    ]
    assert [(n, f) for n, f, _c, _t in parts(attachments.calls.last.request)] == [("files", "trace.log")]


@respx.mock
async def test_data_center_avatars_and_certificates_are_multipart() -> None:
    avatar = respx.post(f"{DC}/rest/api/latest/projects/PRJ/avatar.png").respond(201)
    certificate = respx.post(f"{DC}/rest/api/latest/signing/x509-certificates").respond(200, json={})
    async with BitbucketServer(DC, "T") as bb:
        await bb.projects.upload_avatar("PRJ", avatar=("logo.png", b"\x89PNG", "image/png"))
        await bb.signing.create_certificate(certificate=b"-----BEGIN CERTIFICATE-----")
    assert parts(avatar.calls.last.request) == [("avatar", "logo.png", b"\x89PNG", "image/png")]
    assert parts(certificate.calls.last.request)[0][:2] == ("certificate", "certificate")


@respx.mock
async def test_a_retried_upload_sends_the_whole_file_again(sleeps: list[float]) -> None:
    route = respx.post(f"{CLOUD}/repositories/ws/repo/downloads")
    route.side_effect = [httpx.Response(429), httpx.Response(201)]
    async with BitbucketCloud("T") as bb:
        await bb.downloads.upload("ws", "repo", files=[("big.bin", io.BytesIO(b"x" * 100_000))])
    first, second = (parts(call.request) for call in route.calls)
    assert first == second and len(first[0][2]) == 100_000


@respx.mock
async def test_raw_requests_take_files_and_data() -> None:
    route = respx.post(f"{CLOUD}/repositories/ws/repo/src").respond(201)
    form = respx.post(f"{CLOUD}/form").respond(200)
    async with BitbucketCloud("T") as bb:
        await bb.request("POST", "/repositories/ws/repo/src", files={"a/b.txt": b"B"}, data={"message": "m"})
        await bb.request("POST", "/form", data={"message": "hello world", "files": ["x", "y"]})
        with pytest.raises(TypeError, match="pass one body"):
            await bb.request("POST", "/form", json={"a": 1}, data={"b": 2})
    assert [(n, f, c) for n, f, c, _t in parts(route.calls.last.request)] == [
        ("message", None, b"m"),
        ("a/b.txt", "b.txt", b"B"),
    ]
    sent = form.calls.last.request
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded"
    assert sent.content == b"message=hello+world&files=x&files=y"
