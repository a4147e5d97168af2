"""Body mistakes mypy must flag (tests/test_typing.py lists the lines): a misspelled key at any depth, a
missing required field, a value of the wrong type, a field only the server sets, body= with fields."""

from __future__ import annotations

from bitbucket_client import BitbucketCloud


async def main() -> None:
    async with BitbucketCloud("T") as bb:
        await bb.pullrequests.create("ws", "repo", body={"titel": "t", "source": {"branch": {"name": "f"}}})
        await bb.pullrequests.create("ws", "repo", title="t", source={"branch": {"nmae": "feature"}})
        await bb.pullrequests.create("ws", "repo", source={"branch": {"name": "feature"}})
        await bb.pullrequests.create("ws", "repo", title="t", source={"branch": {"name": 5}})
        await bb.pullrequests.create("ws", "r", title="t", source={"branch": {"name": "f"}}, id=1)
        await bb.pullrequests.create("ws", "repo", body={"title": "t"}, title="t")
        await bb.pipelines.run("ws", "repo", target={"type": "pipeline_target"})
