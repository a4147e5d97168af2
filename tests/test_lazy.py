"""`_lazy`: the product packages load their operation table and models on first use."""

from __future__ import annotations

import subprocess
import sys

import pytest

import bitbucket_client.cloud
import bitbucket_client.server.models


def test_importing_the_package_loads_no_model() -> None:
    code = (
        "import sys, bitbucket_client, bitbucket_client.cloud\n"
        "loaded = [m for m in sys.modules if '._generated.models.' in m]\n"
        "print(len(loaded))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "0"


def test_operations_and_models_load_when_asked_for() -> None:
    assert "pullrequests.get" in bitbucket_client.cloud.OPERATIONS
    assert bitbucket_client.server.models.RestPullRequest.__name__ == "RestPullRequest"
    assert "RestPullRequest" in dir(bitbucket_client.server.models)
    with pytest.raises(AttributeError, match="no attribute 'NOPE'"):
        bitbucket_client.cloud.NOPE  # noqa: B018
