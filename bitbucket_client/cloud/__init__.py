"""Bitbucket Cloud (REST 2.0): the generated operation table and models.

`OPERATIONS` maps `"namespace.method"` to an `Operation`; `models` holds the typed models. Both load on
first use, so importing this package costs almost nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

    from bitbucket_client._operations import Operation

    from . import models as models

    OPERATIONS: Mapping[str, Operation]

__all__ = ["OPERATIONS", "models"]


def __getattr__(name: str) -> Any:
    if name == "OPERATIONS":
        from ._generated.operations import OPERATIONS

        return OPERATIONS
    if name == "models":
        import importlib

        return importlib.import_module(f"{__name__}.models")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
