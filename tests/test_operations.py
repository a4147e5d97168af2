"""`OPERATIONS` covers every operation of both documents exactly once, under readable names."""

from __future__ import annotations

import importlib
import inspect
import keyword
import re
from typing import Any

import pytest

from bitbucket_client import cloud, server
from bitbucket_client._operations import Operation

TABLES = {"cloud": cloud.OPERATIONS, "server": server.OPERATIONS}
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
IDENTIFIER = re.compile(r"^[a-z][a-z_]*[a-z]$")


def document_operations(document: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in HTTP_METHODS
        if method in item
    ]


@pytest.mark.parametrize("product", ["cloud", "server"])
def test_every_document_operation_appears_exactly_once(
    product: str, upstream_documents: dict[str, dict[str, Any]]
) -> None:
    expected = document_operations(upstream_documents[product])
    table = [(op.http_method, op.path) for op in TABLES[product].values()]
    assert len(table) == len(set(table)), "an operation is listed twice"
    assert sorted(table) == sorted(expected)


@pytest.mark.parametrize("product", ["cloud", "server"])
def test_names_are_unique_readable_identifiers(product: str) -> None:
    for qualified, op in TABLES[product].items():
        assert qualified == f"{op.namespace}.{op.name}" == op.qualified_name
        for part in (op.namespace, op.name):
            assert IDENTIFIER.match(part), f"{qualified}: not a plain snake_case name"
            assert not keyword.iskeyword(part)
            assert not re.search(r"\d", part), f"{qualified}: digits (numeric suffix?)"
        assert "repositories_workspace" not in op.name, f"{qualified}: a name derived from the path"


@pytest.mark.parametrize("product", ["cloud", "server"])
def test_the_core_areas_have_the_same_namespaces_in_both_products(product: str) -> None:
    namespaces = {op.namespace for op in TABLES[product].values()}
    assert {"pullrequests", "repositories", "projects"} <= namespaces
    for name in (
        "pullrequests.list",
        "pullrequests.get",
        "pullrequests.merge",
        "pullrequests.decline",
        "pullrequests.approve",
        "repositories.list",
        "repositories.get",
        "projects.list",
    ):
        assert name in TABLES[product], name


def test_paths_are_the_documents_templates() -> None:
    assert cloud.OPERATIONS["pullrequests.merge"].path == (
        "/repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/merge"
    )
    assert cloud.OPERATIONS["pullrequests.merge"].http_method == "POST"
    assert server.OPERATIONS["projects.list"].path == "/api/latest/projects"
    assert server.OPERATIONS["repositories.list"].path == "/api/latest/projects/{projectKey}/repos"


def test_paginated_and_deprecated_flags_follow_the_documents(
    upstream_documents: dict[str, dict[str, Any]],
) -> None:
    assert cloud.OPERATIONS["pullrequests.list"].paginated
    assert server.OPERATIONS["pullrequests.list"].paginated
    assert not cloud.OPERATIONS["pullrequests.get"].paginated
    assert not server.OPERATIONS["pullrequests.merge"].paginated
    for product, table in TABLES.items():
        document = upstream_documents[product]
        flagged = {
            (method.upper(), path)
            for path, item in document["paths"].items()
            for method in HTTP_METHODS
            if method in item
            and (item[method].get("deprecated") or "Deprecated" in item[method].get("tags", []))
        }
        assert {(op.http_method, op.path) for op in table.values() if op.deprecated} == flagged


@pytest.mark.parametrize("product", ["cloud", "server"])
def test_each_entry_points_at_the_method_that_sends_it(product: str) -> None:
    for op in TABLES[product].values():
        assert isinstance(op, Operation)
        module = importlib.import_module(f"bitbucket_client.{product}._generated.{op.module}")
        namespace = getattr(
            module, "".join(part.capitalize() for part in op.namespace.split("_")) + "Namespace"
        )
        for name in (op.name, *op.variants):
            source = inspect.getsource(getattr(namespace, name))
            sent = re.search(r'Request\(\s*"([A-Z]+)",\s*"([^"]+)"', source)
            assert sent is not None, f"{op.namespace}.{name}"
            method, template = sent.groups()
            # The template the method fills is the document's, with the kind of each parameter that is
            # not a plain segment (`{path:file_path}`): the table's path_kinds, for the operation itself.
            assert (method, re.sub(r"\{(\w+):\w+\}", r"{\1}", template)) == (op.http_method, op.path), name
            if name == op.name:
                assert tuple(re.findall(r"\{(\w+):(\w+)\}", template)) == op.path_kinds, name
            assert ("_warn_deprecated" in source) == op.deprecated
