"""How much of each document the fakes answer: operations answered / operations in the document, per
product, and docs/testing.md states the same figures (run with -s to see them)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bitbucket_client import ServerError
from bitbucket_client.cloud import OPERATIONS as CLOUD_OPERATIONS
from bitbucket_client.server import OPERATIONS as SERVER_OPERATIONS
from bitbucket_client.testing import FakeBitbucketCloud, FakeBitbucketServer

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "testing.md"
FAKES = {
    "FakeBitbucketCloud": (FakeBitbucketCloud, CLOUD_OPERATIONS),
    "FakeBitbucketServer": (FakeBitbucketServer, SERVER_OPERATIONS),
}


def coverage(name: str) -> tuple[int, int]:
    fake_class, operations = FAKES[name]
    answered = fake_class().implemented_operations
    assert set(answered) <= set(operations), set(answered) - set(operations)
    return len(answered), len(operations)


@pytest.mark.parametrize("name", sorted(FAKES))
def test_the_guide_states_each_fakes_coverage(name: str) -> None:
    answered, total = coverage(name)
    figure = f"{name} answers {answered} of the {total} operations of its document ({answered / total:.1%})"
    print(figure)
    stated = re.findall(
        rf"`{name}` answers (\d+) of the (\d+) operations of its document \(([\d.]+)%\)", GUIDE.read_text()
    )
    assert stated == [(str(answered), str(total), f"{100 * answered / total:.1f}")], (
        f"docs/testing.md must say: {figure}"
    )


async def test_an_operation_left_out_answers_501_naming_it() -> None:
    fake = FakeBitbucketCloud()
    fake.add_repository("acme", "shop")
    missing = sorted(set(CLOUD_OPERATIONS) - set(fake.implemented_operations))
    assert "repositories.list_deploy_keys" in missing
    async with fake.client() as bb:
        with pytest.raises(
            ServerError, match=r"repositories\.list_deploy_keys is not implemented by FakeBitbucketCloud"
        ) as caught:
            await anext(aiter(bb.repositories.list_deploy_keys("acme", "shop")))
    assert caught.value.status_code == 501
