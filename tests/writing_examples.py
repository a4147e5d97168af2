"""The examples of docs/writing.md, as the tests run them: against the fakes (tests/test_writing_guide.py)
and against Prism (tests/contract/test_contract_writing.py).

Each Python block of the guide defines async functions whose first parameter is the client
(`BitbucketCloud` or `BitbucketServer`); the other parameters are what a real program would get from its
configuration, given by name from `World.context`. A `World` is a fake with what the examples name: the
repositories `acme/widgets` and `PRJ/widgets`, the branch `feature/login`, pull request 1, the reviewer
`{2f4b8a52-...}` (Cloud) and the users `charlie` and `alice` (Data Center), a deployment environment.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
from conftest import python_blocks

from bitbucket_client import BitbucketCloud, BitbucketServer
from bitbucket_client.testing import FakeBitbucketCloud, FakeBitbucketServer

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "writing.md"
REVIEWER_UUID = "{2f4b8a52-8b5c-4e58-9e2a-5c7e1d9b3a61}"
SECRET = "webhook-secret-of-the-tests"


@attrs.frozen
class Example:
    name: str
    product: str  # "cloud" or "server"
    function: Callable[..., Any]
    source: str  # the block, for mypy

    def arguments(self, context: dict[str, Any]) -> dict[str, Any]:
        names = list(inspect.signature(self.function).parameters)[1:]
        return {name: context[name] for name in names}


def examples() -> list[Example]:
    out = []
    for index, block in enumerate(python_blocks(GUIDE)):
        namespace: dict[str, Any] = {"__name__": f"writing_{index}"}
        exec(compile(block, f"writing.md#{index}", "exec", dont_inherit=True), namespace)
        for name, value in namespace.items():
            if inspect.iscoroutinefunction(value) and value.__module__ == namespace["__name__"]:
                client = next(iter(inspect.signature(value).parameters.values())).annotation
                product = {BitbucketCloud: "cloud", BitbucketServer: "server"}[client]
                out.append(Example(name, product, value, block))
    return out


def pairs(found: list[Example]) -> list[tuple[Example, Example]]:
    """(`x_as_dicts`, `x_as_models`): the two ways of writing the same request."""
    by_name = {example.name: example for example in found}
    return [
        (example, by_name[example.name.replace("_as_dicts", "_as_models")])
        for example in found
        if example.name.endswith("_as_dicts")
    ]


@attrs.frozen
class World:
    fake: FakeBitbucketCloud | FakeBitbucketServer
    context: dict[str, Any]

    def client(self) -> BitbucketCloud | BitbucketServer:
        return self.fake.client()


def world(product: str) -> World:
    """A fresh fake holding what the examples name."""
    if product == "cloud":
        cloud = FakeBitbucketCloud(user="ada")
        cloud.add_repository("acme", "widgets")
        cloud.add_branch("acme", "widgets", "feature/login")
        cloud.state.user("jane").uuid = REVIEWER_UUID
        cloud.add_pull_request("acme", "widgets", title="Add the cart", source="feature/cart", author="bob")
        environment = cloud.add_deployment_environment("acme", "widgets")
        commit = cloud.repository("acme", "widgets").branches["main"]
        return World(cloud, {"commit": commit, "environment": environment, "secret": SECRET})
    server = FakeBitbucketServer(user="ada")
    server.add_repository("PRJ", "widgets")
    server.add_branch("PRJ", "widgets", "feature/login")
    for slug in ("charlie", "alice"):
        server.state.user(slug)
    server.add_pull_request("PRJ", "widgets", title="Add the cart", source="feature/cart", author="bob")
    commit = server.repository("PRJ", "widgets").branches["main"]
    return World(server, {"commit": commit, "secret": SECRET})
