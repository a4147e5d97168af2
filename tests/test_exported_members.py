"""The public surface: every public module's `__all__` names what it defines and nothing else, every
hand-written module of the package is private or public on purpose, and each core module has its tests."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PUBLIC_MODULES = [
    "bitbucket_client",
    "bitbucket_client.cloud",
    "bitbucket_client.server",
    "bitbucket_client.sync",
    "bitbucket_client.testing",
    "bitbucket_client.webhooks",
    "bitbucket_client.webhooks.cloud",
    "bitbucket_client.webhooks.server",
]


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_all_names_exist_and_are_exported_once(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert len(exported) == len(set(exported)), "a name is listed twice"
    for member in exported:
        assert hasattr(module, member), f"{name}.__all__ lists {member!r}, which it does not have"


@pytest.mark.parametrize(
    "name", [m for m in PUBLIC_MODULES if m not in ("bitbucket_client.cloud", "bitbucket_client.server")]
)
def test_every_public_class_and_function_of_the_package_is_in_all(name: str) -> None:
    # Like httpx's test_exported_members: what a user can reach without an underscore is listed.
    module = importlib.import_module(name)
    public = {
        member
        for member, value in vars(module).items()
        if not member.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and getattr(value, "__module__", "").startswith("bitbucket_client")
    }
    assert public <= set(module.__all__), sorted(public - set(module.__all__))


@pytest.mark.parametrize("name", ["bitbucket_client", "bitbucket_client.sync"])
def test_exported_classes_say_they_come_from_the_package(name: str) -> None:
    module = importlib.import_module(name)
    for member in module.__all__:
        value = getattr(module, member)
        if inspect.isclass(value):
            assert value.__module__.startswith("bitbucket_client."), member
            assert value.__doc__, f"{member} has no docstring"


def test_the_sync_package_offers_what_the_async_one_does() -> None:
    # The same errors, auth classes and types; its own clients, paginator and merge task.
    import bitbucket_client
    import bitbucket_client.sync

    async_only = {"AsyncPaginator", "MergeTask"}
    sync_only = {"SyncPaginator", "SyncMergeTask"}
    assert set(bitbucket_client.__all__) - async_only == set(bitbucket_client.sync.__all__) - sync_only
    blocking_forms = {"BitbucketCloud", "BitbucketServer", "fetch_tree", "fetch_archive"}
    for member in set(bitbucket_client.__all__) - async_only - blocking_forms:
        assert getattr(bitbucket_client.sync, member) is getattr(bitbucket_client, member), member


def test_each_core_module_has_a_test_file() -> None:
    # tests/ mirrors the modules: bitbucket_client/_pagination.py -> tests/test_pagination.py.
    missing = [
        path.name
        for path in sorted((ROOT / "bitbucket_client").glob("_*.py"))
        if path.stem not in ("__init__", "_version")
        and not (ROOT / "tests" / f"test{path.stem}.py").is_file()
    ]
    assert missing == []
