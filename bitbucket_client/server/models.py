"""The typed models of the Bitbucket Server document (generated), each loaded on first use.

Response models are lenient (see `bitbucket_client._runtime`); request models (`XInput` where a
schema serves both directions) are strict.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._generated import models as _models

if TYPE_CHECKING:
    from ._generated.models import *  # noqa: F403

__all__ = list(_models.__all__)


def __getattr__(name: str) -> Any:
    return getattr(_models, name)


def __dir__() -> list[str]:
    return sorted(__all__)
