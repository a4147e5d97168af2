"""The typed models of the Bitbucket Cloud (REST 2.0) document (generated), each loaded on first use.

Response models are lenient (see `bitbucket_client._decoders`); request models (`XInput` where a
schema serves both directions) are strict.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import models_getattr

if TYPE_CHECKING:
    from ._generated.models import *  # noqa: F403

__getattr__, __dir__, __all__ = models_getattr(__package__ or "")
