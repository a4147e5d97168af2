"""Module-level `__getattr__` for the product packages (`bitbucket_client.cloud`, `.server`), which load
their operation table and models only when first used."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def product_package_getattr(package: str) -> Callable[[str], Any]:
    """`OPERATIONS` and `models` of `package`, imported on first access."""

    def __getattr__(name: str) -> Any:
        if name == "OPERATIONS":
            return importlib.import_module(f"{package}._generated.operations").OPERATIONS
        if name == "models":
            return importlib.import_module(f"{package}.models")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__


def models_getattr(package: str) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """`__getattr__`, `__dir__` and `__all__` for a product's public `models` module."""
    generated = importlib.import_module(f"{package}._generated.models")
    names = list(generated.__all__)

    def __getattr__(name: str) -> Any:
        return getattr(generated, name)

    def __dir__() -> list[str]:
        return sorted(names)

    return __getattr__, __dir__, names
