"""A user's script: mypy --strict must accept it (tests/test_typing.py runs it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bitbucket_client import (
    UNSET,
    ApiToken,
    BearerToken,
    BitbucketCloud,
    BitbucketServer,
    MergeTask,
    Response,
    TokenProvider,
)
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


async def rotating(read_token: Callable[[], Awaitable[str]], read_sync: Callable[[], str]) -> str:
    provider: TokenProvider = read_sync
    async with BitbucketCloud(read_token, deadline=30.0) as bb:
        hurried: BitbucketCloud = bb.with_options(deadline=5.0, max_retries=0, timeout=2.0)
        pr: Pullrequest = await hurried.pullrequests.get("ws", "repo", 7)
        response = await bb.request("GET", "/user", deadline=None)
        async with bb.stream("GET", "/repositories/ws/repo/src/main/a.bin", deadline=60) as streamed:
            size = len(await streamed.aread())
    async with BitbucketServer("https://bb.example.com", auth=BearerToken(provider)) as dc:
        await dc.with_options(rate_limit_budget=10).request("GET", "/api/latest/projects")
    return f"{pr.id} {response.status_code} {size}"
