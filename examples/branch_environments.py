"""An environment per branch and per pull request, driven by webhooks (what Upsun does with Bitbucket).

A plain ASGI application (``bitbucket_client.webhooks.WebhookApp``, no web framework) verifies each
delivery and turns it into actions on your environments, for Cloud and Data Center alike:

    branch created            -> create the branch's environment
    branch pushed             -> rebuild it
    branch deleted            -> delete it
    pull request opened       -> create ``pr-<id>`` on its source branch
    pull request pushed       -> rebuild ``pr-<id>``
    pull request merged, declined or deleted -> delete ``pr-<id>``

Run it:
    python examples/branch_environments.py demo cloud        # against the in-memory fake (also: server)
    export BITBUCKET_WEBHOOK_SECRET=$(python -c "import secrets; print(secrets.token_urlsafe(32))")
    python examples/branch_environments.py register cloud WORKSPACE REPO https://hooks.example.com/bb
    uvicorn --factory branch_environments:app_from_env        # the receiver, from examples/

``register`` subscribes the URL with that secret (credentials from the environment, see docs/auth.md;
for Data Center also ``BITBUCKET_SERVER_URL``).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import anyio
import httpx

from bitbucket_client import UNSET, BitbucketCloud, BitbucketServer
from bitbucket_client.cloud.models import HookEventEvent
from bitbucket_client.server.models import RestRepository
from bitbucket_client.testing import FakeBitbucketCloud, FakeBitbucketServer, WebhookCallback
from bitbucket_client.webhooks import WebhookApp, WebhookEvent, cloud, server

CLOUD_EVENTS = ["repo:push", "pullrequest:created", "pullrequest:updated", "pullrequest:fulfilled",
                "pullrequest:rejected"]  # fmt: skip
SERVER_EVENTS = ["repo:refs_changed", "pr:opened", "pr:from_ref_updated", "pr:merged", "pr:declined",
                 "pr:deleted"]  # fmt: skip


@dataclass(frozen=True)
class Action:
    """One thing to do to one environment."""

    kind: Literal["create", "rebuild", "delete"]
    repository: str  # "acme/shop" (Cloud) or "PRJ/shop" (Data Center)
    environment: str  # "feature-login" or "pr-7"
    branch: str | None = None  # what to build (None for a deletion)
    commit: str | None = None


def environment_name(branch: str) -> str:
    """A branch name as an environment name: lower case, letters, digits and dashes."""
    return re.sub(r"[^a-z0-9]+", "-", branch.lower()).strip("-") or "branch"


def actions_for(event: WebhookEvent) -> list[Action]:
    """What an event asks of the environments (nothing for the events this recipe ignores)."""
    match event:
        case cloud.RepoPushEvent(repository=repo, changes=changes) if repo is not UNSET:
            return [action for change in changes if (action := _cloud_push(str(repo.full_name), change))]
        case cloud.PullRequestEvent():
            return _cloud_pull_request(event)
        case server.RefsChangedEvent(repository=repo, changes=changes) if repo is not UNSET:
            name = _server_name(repo)
            return [action for change in changes if (action := _server_push(name, change))]
        case server.PullRequestEvent():
            return _server_pull_request(event)
    return []


def _cloud_pull_request(event: cloud.PullRequestEvent) -> list[Action]:
    kind, pr, repo = _CLOUD_PR_KINDS.get(event.event_key), event.pullrequest, event.repository
    if kind is None or pr is UNSET or repo is UNSET or not isinstance(pr.id, int):
        return []
    source = pr.source if pr.source is not UNSET else None
    branch = source.branch.name if source and source.branch is not UNSET else None
    commit = source.commit.hash_ if source and source.commit is not UNSET else None
    return [_pr_action(kind, str(repo.full_name), pr.id, _text(branch), _text(commit))]


def _server_pull_request(event: server.PullRequestEvent) -> list[Action]:
    kind, pr = _SERVER_PR_KINDS.get(event.event_key), event.pull_request
    if kind is None or pr is UNSET or pr.to_ref is UNSET or pr.to_ref.repository is UNSET:
        return []
    if not isinstance(pr.id, int):
        return []
    source = pr.from_ref if pr.from_ref is not UNSET else None
    branch = _text(source.display_id) if source else None
    commit = _text(source.latest_commit) if source else None
    return [_pr_action(kind, _server_name(pr.to_ref.repository), pr.id, branch, commit)]


def _server_name(repo: RestRepository) -> str:
    return f"{repo.project.key if repo.project is not UNSET else '?'}/{repo.slug}"


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


_Kind = Literal["create", "rebuild", "delete"]
_CLOUD_PR_KINDS: dict[str, _Kind] = {
    "pullrequest:created": "create",
    "pullrequest:updated": "rebuild",
    "pullrequest:push": "rebuild",
    "pullrequest:fulfilled": "delete",
    "pullrequest:rejected": "delete",
}
_SERVER_PR_KINDS: dict[str, _Kind] = {
    "pr:opened": "create",
    "pr:from_ref_updated": "rebuild",
    "pr:merged": "delete",
    "pr:declined": "delete",
    "pr:deleted": "delete",
}


def _pr_action(kind: _Kind, repository: str, number: int, branch: str | None, commit: str | None) -> Action:
    if kind == "delete":
        return Action("delete", repository, f"pr-{number}")
    return Action(kind, repository, f"pr-{number}", branch, commit)


def _cloud_push(repository: str, change: cloud.PushChange) -> Action | None:
    new, old = change.new, change.old
    if new is None and old is not None and old.type_ == "branch" and isinstance(old.name, str):
        return Action("delete", repository, environment_name(old.name))
    if new is None or new.type_ != "branch" or not isinstance(new.name, str):
        return None  # tags and other refs have no environment
    target = getattr(new, "target", UNSET)
    commit = target.hash_ if target is not UNSET and isinstance(target.hash_, str) else None
    kind: _Kind = "create" if old is None else "rebuild"
    return Action(kind, repository, environment_name(new.name), new.name, commit)


def _server_push(repository: str, change: server.RefChange) -> Action | None:
    ref_id = change.ref_id if isinstance(change.ref_id, str) else ""
    if not ref_id.startswith("refs/heads/"):
        return None
    branch = ref_id.removeprefix("refs/heads/")
    environment = environment_name(branch)
    if change.type == "DELETE":
        return Action("delete", repository, environment)
    commit = change.to_hash if isinstance(change.to_hash, str) else None
    return Action("create" if change.type == "ADD" else "rebuild", repository, environment, branch, commit)


@dataclass
class Environments:
    """The environments, here in memory: make ``apply`` call your platform's API instead."""

    running: dict[tuple[str, str], Action] = field(default_factory=dict)
    history: list[Action] = field(default_factory=list)

    async def apply(self, action: Action) -> None:
        key = (action.repository, action.environment)
        self.history.append(action)
        if action.kind == "delete":
            self.running.pop(key, None)  # deleting twice (a redelivery, a late event) is fine
        else:
            self.running[key] = action  # "create" of an existing one rebuilds it
        print(f"{action.kind:>7} {action.repository} {action.environment} {action.commit or ''}".rstrip())


def create_app(environments: Environments, *, secret: str) -> WebhookApp:
    """The receiver: every verified delivery becomes actions on ``environments``."""

    async def handle(event: WebhookEvent) -> None:
        for action in actions_for(event):
            await environments.apply(action)

    return WebhookApp(handle, secret=secret)


def app_from_env() -> WebhookApp:
    """For ``uvicorn --factory``: the secret from ``BITBUCKET_WEBHOOK_SECRET``."""
    return create_app(Environments(), secret=os.environ["BITBUCKET_WEBHOOK_SECRET"])


def deliver_to(app: WebhookApp) -> WebhookCallback:
    """A fake's ``webhook_callback`` posting each delivery to ``app`` in process; a refusal fails loudly."""

    async def post(headers: dict[str, str], body: bytes) -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://receiver") as http:
            response = await http.post("/bitbucket", content=body, headers=headers)
        response.raise_for_status()

    return post


async def demo(product: Literal["cloud", "server"]) -> Environments:
    """A branch and two pull requests against an in-memory fake: watch the environments come and go."""
    environments = Environments()
    secret = secrets.token_hex(16)
    callback = deliver_to(create_app(environments, secret=secret))
    if product == "cloud":
        fake = FakeBitbucketCloud(webhook_callback=callback, webhook_secret=secret)
        fake.add_repository("acme", "shop")
        async with fake.client() as bb:
            await bb.refs.create_branch("acme", "shop", name="feature/login", target={"hash": "main"})
            first = await bb.pullrequests.create(
                "acme",
                "shop",
                title="Login",
                source={"branch": {"name": "feature/login"}},
            )
            fake.add_branch("acme", "shop", "fix")
            second = await bb.pullrequests.create(
                "acme",
                "shop",
                title="Fix",
                source={"branch": {"name": "fix"}},
            )
            await bb.pullrequests.merge("acme", "shop", int(first.id or 0))
            await bb.pullrequests.decline("acme", "shop", int(second.id or 0))
            await bb.refs.delete_branch("acme", "shop", "feature/login")
    else:
        dc = FakeBitbucketServer(webhook_callback=callback, webhook_secret=secret)
        dc.add_repository("PRJ", "shop")
        async with dc.client() as bs:
            await bs.refs.create_branch("PRJ", "shop", name="feature/login", start_point="main")
            opened = await bs.pullrequests.create(
                "PRJ",
                "shop",
                title="Login",
                from_ref={"id": "refs/heads/feature/login"},
                to_ref={"id": "refs/heads/main"},
            )
            await bs.pullrequests.merge("PRJ", "shop", int(opened.id or 0), version=int(opened.version or 0))
            await bs.refs.delete_branch("PRJ", "shop", name="refs/heads/feature/login")
    return environments


async def register(product: Literal["cloud", "server"], owner: str, repo: str, url: str, secret: str) -> None:
    """Subscribe ``url`` to the events this recipe uses, signed with ``secret``."""
    if product == "cloud":
        async with BitbucketCloud() as bb:
            await bb.webhooks.create_for_repository(
                owner,
                repo,
                url=url,
                description="environments",
                active=True,
                events=[HookEventEvent(key) for key in CLOUD_EVENTS],
                secret=secret,
            )
    else:
        async with BitbucketServer(os.environ["BITBUCKET_SERVER_URL"]) as bs:
            await bs.webhooks.create_for_repository(
                owner, repo, name="environments", url=url, active=True, events=SERVER_EVENTS,
                configuration={"secret": secret},
            )  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    demo_parser = commands.add_parser("demo", help="run against the in-memory fake")
    demo_parser.add_argument("product", choices=["cloud", "server"])
    register_parser = commands.add_parser("register", help="subscribe a receiver URL to a repository")
    register_parser.add_argument("product", choices=["cloud", "server"])
    register_parser.add_argument("owner", help="workspace (Cloud) or project key (Data Center)")
    register_parser.add_argument("repo")
    register_parser.add_argument("url")
    args = parser.parse_args(argv)
    if args.command == "demo":
        environments = anyio.run(demo, args.product)
        print(
            f"{len(environments.running)} environment(s) left: {sorted(e for _, e in environments.running)}"
        )
        return 0
    secret = os.environ.get("BITBUCKET_WEBHOOK_SECRET", "")
    if len(secret) < 16:
        print("set BITBUCKET_WEBHOOK_SECRET to a long random value first", file=sys.stderr)
        return 2
    anyio.run(register, args.product, args.owner, args.repo, args.url, secret)
    print(f"{args.url} now receives {args.owner}/{args.repo}'s events", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
