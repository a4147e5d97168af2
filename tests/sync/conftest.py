"""Fixtures of the sync tests: the fault suite's loopback server (real sockets, real timeouts)."""

from __future__ import annotations

from reliability.conftest import _fault_server, server

__all__ = ["_fault_server", "server"]
