"""Bitbucket Data Center (REST): the generated operation table and models.

`OPERATIONS` maps `"namespace.method"` to an `Operation`; `models` holds the typed models. Both load on
first use, so importing this package costs almost nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import product_package_getattr

if TYPE_CHECKING:
    from collections.abc import Mapping

    from bitbucket_client._operations import Operation

    from . import models as models

    OPERATIONS: Mapping[str, Operation]

__all__ = ["OPERATIONS", "models"]
__getattr__ = product_package_getattr(__name__)
