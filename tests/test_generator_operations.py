"""The generator's features for issue #13: path parameter kinds, form bodies, typed variants, file
answers (scripts/bbgen: rules.py, normalize_operations.split_form_bodies, plan_forms.py, and the
planner), checked on the rules' data and on the generated code."""

from __future__ import annotations

import inspect
import json
import shutil
import typing
from pathlib import Path
from typing import Any

import pytest
from bbgen.normalize_operations import FORM_BODY, split_form_bodies
from bbgen.plan_forms import form_body_expression, form_fields
from bbgen.rules import RULES_DIR, RulesError, load_rules

from bitbucket_client import Upload, cloud, server
from bitbucket_client.cloud._generated.namespaces.source import SourceNamespace
from bitbucket_client.cloud.models import CommitFile, Treeentry

# ---- rules ------------------------------------------------------------------------------------------


def test_the_kinds_of_path_parameters_are_data() -> None:
    rules = load_rules("server")
    assert rules.path_kind("source.get_raw", "path") == "file_path"
    assert rules.path_kind("commits.compare_diff", "path") == "file_path_suffix"
    assert rules.path_kind("pullrequests.get_diff", "path") == "optional_file_path"
    assert rules.path_default("pullrequests.get_diff", "path") == ""
    assert rules.path_kind("refs.get_tag", "name") == "file_path"
    assert rules.path_kind("repositories.get", "repositorySlug") == "segment"
    assert load_rules("cloud").path_kind("source.get", "commit") == "ref"


def _edited(tmp_path: Path, key: str, value: object) -> Path:
    shutil.copy(RULES_DIR / "cloud.json", tmp_path / "cloud.json")
    data = json.loads((tmp_path / "cloud.json").read_text())
    data[key] = value
    (tmp_path / "cloud.json").write_text(json.dumps(data))
    return tmp_path


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (
            "path_kinds",
            [{"kind": "glob", "parameter": "path", "operations": "*", "reason": "r"}],
            "unknown path kind",
        ),
        (
            "path_kinds",
            [{"kind": "file_path", "parameter": "path", "operations": "*"}],
            "'path_kinds' needs a `reason`",
        ),
        ("file_answers", {"operations": {"downloads.get": "json"}, "reason": "r"}, "'binary' or 'text'"),
        (
            "variants",
            {"source.x": {"of": "source.get", "summary": "s", "answer": "xml", "reason": "r"}},
            "unknown answer",
        ),
        (
            "variants",
            {"source.x": {"of": "source.get", "summary": "s", "answer": "binary"}},
            "'variants' needs a `reason`",
        ),
    ],
)
def test_bad_rules_are_refused(tmp_path: Path, key: str, value: object, message: str) -> None:
    with pytest.raises(RulesError, match=message):
        load_rules("cloud", _edited(tmp_path, key, value))


# ---- form bodies --------------------------------------------------------------------------------------


def test_form_bodies_leave_the_json_body_and_their_component() -> None:
    avatar = {"type": "object", "properties": {"avatar": {"type": "string", "format": "binary"}}}
    doc: dict[str, Any] = {
        "paths": {
            "/avatar": {
                "post": {
                    "requestBody": {
                        "required": True,
                        "content": {
                            "multipart/form-data": {"schema": {"$ref": "#/components/schemas/Avatar"}}
                        },
                    }
                }
            },
            "/snippets": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": {"type": "object"}},
                            "multipart/form-data": {
                                "schema": {"type": "object", "properties": {"title": {"type": "string"}}}
                            },
                        }
                    }
                }
            },
        },
        "components": {"schemas": {"Avatar": avatar}},
    }
    split_form_bodies(doc)
    post = doc["paths"]["/avatar"]["post"]
    assert "requestBody" not in post and "Avatar" not in doc["components"]["schemas"]
    assert post[FORM_BODY] == {"content_type": "multipart/form-data", "schema": avatar, "required": True}
    snippets = doc["paths"]["/snippets"]["post"]
    assert list(snippets["requestBody"]["content"]) == ["application/json"] and FORM_BODY in snippets


def test_form_fields_are_typed_by_what_they_carry() -> None:
    form = {
        "required": True,
        "schema": {
            "type": "object",
            "required": ["files"],
            "properties": {
                "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                "sourceBranch": {"type": "string"},
                "paths": {"type": "array", "items": {"type": "string"}, "x-python-name": "delete"},
                "is_private": {"type": "boolean"},
            },
            "additionalProperties": {"type": "string", "format": "binary", "x-python-name": "contents"},
        },
    }
    fields = form_fields(form, {"workspace"}, "x.y")
    assert [(f.name, f.annotation, f.field_kind, f.required) for f in fields] == [
        ("files", "Upload | Sequence[Upload]", "files", True),
        ("source_branch", "str", "text", False),
        ("delete", "Sequence[str]", "texts", False),
        ("is_private", "bool", "text", False),
        ("contents", "Mapping[str, Upload]", "file_map", False),
    ]
    assert form_body_expression("x.y", fields[:2]) == (
        "form_body(\"x.y\", [('files', files, 'files'), ('sourceBranch', source_branch, 'text')])"
    )
    with pytest.raises(ValueError, match="of type 'object'"):
        form_fields({"schema": {"properties": {"meta": {"type": "object"}}}}, set(), "x.y")


def _hints(function: Any) -> dict[str, Any]:
    """Type hints of a generated method: its annotations name what it imports for type checkers only."""
    import os
    from collections.abc import Mapping, Sequence

    from bitbucket_client import AsyncPaginator
    from bitbucket_client.cloud import models

    names = {"os": os, "Path": Path, "Mapping": Mapping, "Sequence": Sequence, "Upload": Upload}
    names |= {"AsyncPaginator": AsyncPaginator, "CommitFile": CommitFile, "Treeentry": Treeentry}
    names |= {name: getattr(models, name) for name in ("Snippet",)}
    return typing.get_type_hints(function, localns=names)


# ---- the generated code --------------------------------------------------------------------------------


def test_the_variants_of_cloud_source_get_are_typed_for_each_answer() -> None:
    operation = cloud.OPERATIONS["source.get"]
    assert operation.variants == ("get_file", "get_file_meta", "list_directory")
    assert operation.path_kinds == (("commit", "ref"), ("path", "file_path"))
    hints = {name: _hints(getattr(SourceNamespace, name)) for name in operation.variants}
    assert hints["get_file_meta"]["return"] is CommitFile
    assert "AsyncPaginator" in str(inspect.signature(SourceNamespace.list_directory).return_annotation)
    assert typing.get_args(hints["list_directory"]["return"]) == (Treeentry,)
    assert inspect.signature(SourceNamespace.list_directory).parameters["path"].default == ""
    listing = inspect.getsource(SourceNamespace.list_directory)
    assert "{path:directory}" in listing and "max_depth" in listing and "format" not in listing
    assert "'format': 'meta'" in inspect.getsource(SourceNamespace.get_file_meta).replace('"', "'")


def test_every_binary_or_text_answer_can_be_saved_to_a_file() -> None:
    """A method answering bytes or str takes `save_to=`, and a method taking it answers bytes or str."""
    seen = 0
    for product, table in (("cloud", cloud.OPERATIONS), ("server", server.OPERATIONS)):
        for operation in table.values():
            module = __import__(f"bitbucket_client.{product}._generated.{operation.module}", fromlist=["x"])
            namespace = getattr(
                module, "".join(p.capitalize() for p in operation.namespace.split("_")) + "Namespace"
            )
            for name in (operation.name, *operation.variants):
                source = inspect.getsource(getattr(namespace, name))
                answers_a_file = "Answer.binary()" in source or "Answer.text()" in source
                assert answers_a_file == (
                    "save_to" in inspect.signature(getattr(namespace, name)).parameters
                ), name
                seen += answers_a_file
    assert seen >= 30


def test_upload_keywords_take_uploads() -> None:
    from collections.abc import Sequence

    from bitbucket_client.cloud._generated.namespaces.downloads import DownloadsNamespace
    from bitbucket_client.server._generated.namespaces.projects import ProjectsNamespace

    upload = _hints(DownloadsNamespace.upload)["files"]
    assert Sequence[Upload] in typing.get_args(upload) and bytes in typing.get_args(upload)
    assert _hints(ProjectsNamespace.upload_avatar)["avatar"] == Upload
    commit = inspect.signature(SourceNamespace.create_commit).parameters
    assert {"files", "delete", "message", "branch", "author", "parents"} <= set(commit)


# ---- envelopes the documents mistype (issue #13, item 5) ------------------------------------------------


@pytest.mark.parametrize(
    ("product", "paging"), [("cloud", {"page", "pagelen"}), ("server", {"start", "limit"})]
)
def test_every_list_that_takes_the_paging_parameters_is_a_paginator(
    product: str, paging: set[str], upstream_documents: dict[str, dict[str, Any]]
) -> None:
    """An operation whose caller would page by hand is a defect: each is a paginator (specs/fixes)."""
    table = cloud.OPERATIONS if product == "cloud" else server.OPERATIONS
    document = upstream_documents[product]
    by_route = {(op.http_method, op.path): op for op in table.values()}
    hand_paged = []
    for path, item in document["paths"].items():
        operation = item.get("get")
        if operation is None:
            continue
        names = {p.get("name") for p in [*item.get("parameters", []), *operation.get("parameters", [])]}
        if paging <= names and not by_route[("GET", path)].paginated:
            hand_paged.append(by_route[("GET", path)].qualified_name)
    assert hand_paged == []


@pytest.mark.parametrize(
    "qualified",
    [
        "users.list",
        "authentication.get_login_options",
        "authentication.list_idps",
        "dashboard.list_inbox_pullrequests",
        "pullrequests.list_changes",
        "mirroring.list_repositories",
        "mirroring.list_repository_mirrors",
        "signing.list_certificates",
    ],
)
def test_data_center_lists_the_document_types_as_one_object_are_paginators(qualified: str) -> None:
    assert server.OPERATIONS[qualified].paginated


async def test_the_authentication_configuration_pages_through_its_results() -> None:
    import httpx

    from bitbucket_client import BitbucketServer
    from bitbucket_client.server.models import IdpConfigEntity

    pages = {
        None: {"results": [{"id": 1, "name": "Okta"}], "isLastPage": False, "nextPageStart": 1, "start": 0},
        "1": {"results": [{"id": 2, "name": "Azure"}], "isLastPage": True, "start": 1},
    }

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=pages[request.url.params.get("start")])

    async with BitbucketServer("https://bb.example.com", "T", transport=httpx.MockTransport(answer)) as bb:
        idps = [idp async for idp in bb.authentication.list_idps()]
    assert [idp.name for idp in idps] == ["Okta", "Azure"] and all(
        isinstance(i, IdpConfigEntity) for i in idps
    )
