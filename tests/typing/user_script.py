"""A user's script: mypy --strict must accept it (tests/test_typing.py runs it)."""

from __future__ import annotations

from bitbucket_client import UNSET, ApiToken, BitbucketCloud, BitbucketServer, MergeTask, Response
from bitbucket_client.cloud.models import Account, Pullrequest
from bitbucket_client.server.models import RestPullRequest, RestRepository


async def cloud(token: str) -> list[str]:
    titles: list[str] = []
    async with BitbucketCloud(token) as bb:
        pr: Pullrequest = await bb.pullrequests.get("ws", "repo", 7)
        if pr.title is not UNSET:
            titles.append(pr.title)
        async for item in bb.pullrequests.list("ws", "repo", state="OPEN", page_size=50, max_items=200):
            titles.append(str(item.id))
        async for page in bb.pullrequests.list("ws", "repo").pages():
            titles.extend(str(p.title) for p in page.items)
        merged: Pullrequest = await bb.pullrequests.merge("ws", "repo", 7, merge_strategy="squash")
        task: MergeTask = await bb.pullrequests.merge("ws", "repo", 8, wait=False)
        later: Pullrequest = await task.wait()
        me: Account = await bb.users.get_current()
        await bb.pullrequests.approve("ws", "repo", 7)
        raw: Response[Pullrequest] = await bb.with_raw_response.pullrequests.get("ws", "repo", 7)
        titles.append(str(raw.status_code))
        del merged, later, me
    async with BitbucketCloud(auth=ApiToken("me@example.com", token)) as bb:
        repos = [repo.full_name async for repo in bb.repositories.list("ws")]
        titles.extend(str(name) for name in repos)
    return titles


async def server(url: str, token: str) -> int:
    async with BitbucketServer(url, token) as bb:
        count = 0
        async for repo in bb.repositories.list("PROJ"):
            assert isinstance(repo, RestRepository)
            count += 1
        merged: RestPullRequest = await bb.pullrequests.merge("PROJ", "repo", 7, version=3)
        await bb.pullrequests.decline("PROJ", "repo", 7, version=4)
        return count + (merged.version if isinstance(merged.version, int) else 0)
