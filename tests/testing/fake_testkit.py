"""Shared by the tests of `bitbucket_client.testing`: instant, recorded retry and polling sleeps.

Import the fixture into a test module (`from fake_testkit import sleeps_fixture`); a conftest.py here would
shadow tests/conftest.py, which other test modules import by name.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import bitbucket_client._base_client as client_module
import bitbucket_client._merge as merge_module


@pytest.fixture(name="sleeps")
def sleeps_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """The client's retry and merge-polling waits, recorded instead of slept."""
    recorded: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        recorded.append(seconds)

    monkeypatch.setattr(client_module, "sleep", fake_sleep)
    monkeypatch.setattr(merge_module, "sleep", fake_sleep)
    yield recorded
