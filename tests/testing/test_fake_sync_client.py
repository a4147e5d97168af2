"""`fake.sync_client()` (`_sync_client`), and the blocking example of docs/testing.md."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

from bitbucket_client.sync import BitbucketCloud, BitbucketServer
from bitbucket_client.testing import FakeBitbucketCloud, FakeBitbucketServer

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "testing.md"


def test_each_fake_gives_the_synchronous_client_of_its_product() -> None:
    cloud = FakeBitbucketCloud(base_url="https://bitbucket.example.org/2.0")
    cloud.add_repository("acme", "shop")
    with cloud.sync_client("my-token", max_retries=0) as bb:
        assert isinstance(bb, BitbucketCloud) and str(bb.base_url) == "https://bitbucket.example.org/2.0"
        assert bb.repositories.get("acme", "shop").full_name == "acme/shop"
    server = FakeBitbucketServer(base_url="https://git.example.com/bitbucket")
    server.add_repository("PROJ", "repo")
    with server.sync_client() as dc:
        assert isinstance(dc, BitbucketServer)
        assert dc.repositories.get("PROJ", "repo").slug == "repo"
    assert not [t for t in threading.enumerate() if t.name.startswith("bitbucket-client")]


def test_the_guides_blocking_example_passes() -> None:
    found = re.search(r"<!-- example: sync -->\n```python\n(.*?)```", GUIDE.read_text(), re.DOTALL)
    assert found is not None
    namespace: dict[str, Any] = {}
    exec(compile(found.group(1), "testing.md#sync", "exec"), namespace)
    namespace["test_tags_for_the_release_notes"]()
