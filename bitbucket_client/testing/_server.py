"""`FakeBitbucketServer`: an in-memory Bitbucket Data Center, served as an httpx transport."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from ._fake import Call, FakeBitbucket, FakeError, WebhookCallback, handles, json_response, page_of
from ._faults import Fault, retry_after_header
from ._files import resolve_revision as _resolve
from ._server_hooks import ServerWebhooks
from ._server_models import ServerModels
from ._server_source import ServerFiles
from ._server_tags_builds_users import ServerTagsBuildsUsers
from ._server_writes import ServerWrites
from ._state import Owner, PullRequest, Repository, ReviewStatus, User, Webhook
from ._sync_client import SyncClientFactory

if TYPE_CHECKING:
    from bitbucket_client import BitbucketServer
    from bitbucket_client.sync import BitbucketServer as SyncBitbucketServer  # noqa: F401 (a base's argument)

__all__ = ["FakeBitbucketServer"]

T = TypeVar("T")

_EXCEPTIONS = "com.atlassian.bitbucket."
_PR_STATES = ("OPEN", "MERGED", "DECLINED", "ALL")
_REVIEW_EVENTS: dict[ReviewStatus, str] = {
    "APPROVED": "pr:reviewer:approved",
    "UNAPPROVED": "pr:reviewer:unapproved",
    "NEEDS_WORK": "pr:reviewer:needs_work",
}
_VERSIONED_PATH = re.compile(r"^/([a-z-]+)/1\.0/")


class FakeBitbucketServer(
    ServerFiles,
    ServerWebhooks,
    ServerWrites,
    ServerTagsBuildsUsers,
    SyncClientFactory["SyncBitbucketServer"],
    FakeBitbucket,
):
    """An in-memory Bitbucket Data Center (REST, as in the 9.4 document) for tests::

        fake = FakeBitbucketServer()
        fake.add_repository("PRJ", "widgets")
        async with BitbucketServer(fake.base_url, "any-token", transport=fake) as bb:  # or fake.client()
            repo = await bb.repositories.get("PRJ", "widgets")

    Pull requests carry a ``version``: merge, decline, reopen, update and delete must send the current
    one, and a stale one gets 409 (``PullRequestOutOfDateException``), as on a real server. A
    repository's ``required_approvals`` (see ``add_repository``) is a merge check: merging with fewer
    approvals gets 409 with a veto. ``page_size`` is the default ``limit`` (smaller than a real
    server's 25, so paging is exercised); the other options are those of :class:`FakeBitbucketCloud`.
    """

    product = "server"
    repository_params = ("projectKey", "repositorySlug")
    pagination_params = frozenset({"start", "limit"})

    def __init__(
        self,
        *,
        base_url: str = "https://bitbucket.example.com",
        page_size: int = 10,
        max_page_size: int = 1000,
        tokens: Iterable[str] | Mapping[str, str] | None = None,
        user: str = "fake-user",
        webhook_callback: WebhookCallback | None = None,
        webhook_secret: str | None = None,
    ) -> None:
        from bitbucket_client.server import OPERATIONS

        root = base_url.rstrip("/")
        root = root.removesuffix("/rest")
        super().__init__(
            base_url=root,
            operations=OPERATIONS,
            page_size=page_size,
            max_page_size=max_page_size,
            tokens=tokens,
            user=user,
            webhook_callback=webhook_callback,
            webhook_secret=webhook_secret,
        )
        self.models = ServerModels(self.base_url)

    def add_project(self, key: str, name: str | None = None, *, description: str = "") -> Owner:
        """A project (``add_repository`` creates missing ones too)."""
        return self.state.add_owner(key, name, description=description)

    def client(self, token: str = "fake-token", **kwargs: Any) -> BitbucketServer:
        """A `BitbucketServer` wired to this fake (keyword arguments go to the client)."""
        from bitbucket_client import BitbucketServer

        return BitbucketServer(self.base_url, token, transport=self, **kwargs)

    # ---- product specifics ----------------------------------------------------------------------------

    @staticmethod
    def api_root_for(base_url: str) -> str:
        return httpx.URL(base_url).path.rstrip("/") + "/rest"

    @staticmethod
    def normalize_path(path: str) -> str:
        # `/rest/api/1.0/...` is the same resource as `/rest/api/latest/...`.
        return _VERSIONED_PATH.sub(r"/\1/latest/", path)

    def error_response(
        self,
        status: int,
        message: str,
        *,
        exception_name: str | None = None,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        return json_response(status, self.models.error(message, exception_name, dict(extra or {})), headers)

    def fault_response(self, fault: Fault) -> httpx.Response:
        headers = retry_after_header(fault)
        if fault.status == 429:
            return self.error_response(
                429,
                "You have exceeded the rate limit for this resource (injected fault).",
                exception_name=_EXCEPTIONS + "throttle.ThrottledException",
                headers=headers,
            )
        return self.error_response(
            fault.status,
            f"{httpx.codes.get_reason_phrase(fault.status) or 'Error'} (injected fault)",
            headers=headers,
        )

    def not_found_route(self, request: httpx.Request) -> httpx.Response:
        return self.error_response(
            404,
            f"No operation of the Bitbucket Data Center document matches {request.method} "
            f"{request.url.path} ({type(self).__name__})",
        )

    def delivery_headers(self, event_key: str, hook: Webhook | None) -> dict[str, str]:
        return {"X-Event-Key": event_key, "X-Request-Id": str(uuid.uuid4())}

    # ---- lookups --------------------------------------------------------------------------------------

    def _project(self, call: Call) -> Owner:
        key = call.params["projectKey"]
        owner = self.state.find_owner(key)
        user = self.state.users.get(key[1:].lower()) if key.startswith("~") else None
        if owner is None and user is not None:  # every user has a personal project, `~SLUG`
            owner = self.state.add_owner(f"~{user.slug.upper()}", user.display_name)
            owner.user = user
        if owner is None:
            raise FakeError(
                404,
                f"Project {call.params['projectKey']} does not exist.",
                exception_name=_EXCEPTIONS + "project.NoSuchProjectException",
            )
        return owner

    def _repo(self, call: Call) -> tuple[Owner, Repository]:
        owner = self._project(call)
        repo = owner.repositories.get(call.params["repositorySlug"].lower())
        if repo is None:
            raise FakeError(
                404,
                f"Repository {owner.key}/{call.params['repositorySlug']} does not exist.",
                exception_name=_EXCEPTIONS + "repository.NoSuchRepositoryException",
            )
        return owner, repo

    def _pull_request(self, call: Call) -> tuple[Owner, Repository, PullRequest]:
        owner, repo = self._repo(call)
        pr = repo.pull_requests.get(call.int_param("pullRequestId"))
        if pr is None:
            raise FakeError(
                404,
                f"Pull request {call.params['pullRequestId']} does not exist in {owner.key}/{repo.slug}.",
                exception_name=_EXCEPTIONS + "pull.NoSuchPullRequestException",
            )
        return owner, repo, pr

    def _versioned(
        self, call: Call, action: str, *, body_version: Any = None
    ) -> tuple[Owner, Repository, PullRequest]:
        """The pull request, after the optimistic-locking check on ``version`` (query or body)."""
        owner, repo, pr = self._pull_request(call)
        raw = call.query.get("version", body_version)
        if raw is None:
            raise FakeError(
                400,
                f"To {action} a pull request, send its current version (version={pr.version}, from GET).",
                exception_name=_EXCEPTIONS + "validation.ArgumentValidationException",
            )
        if str(raw) != str(pr.version):
            raise FakeError(
                409,
                "You are attempting to modify a pull request based on out-of-date information.",
                exception_name=_EXCEPTIONS + "pull.PullRequestOutOfDateException",
                extra={
                    "currentVersion": pr.version,
                    "expectedVersion": int(raw) if str(raw).lstrip("-").isdigit() else raw,
                    "pullRequest": self.models.pull_request(repo, owner, pr).to_dict(),
                },
            )
        return owner, repo, pr

    def _require_open(self, pr: PullRequest, action: str) -> None:
        if pr.state != "OPEN":
            raise FakeError(
                409,
                f"Pull request {pr.id} is {pr.state.lower()} and cannot be {action}.",
                exception_name=_EXCEPTIONS + "pull.IllegalPullRequestStateException",
            )

    def _find_user(self, reference: Any) -> User:
        """A user named in a request body: ``{"user": {"name": ...}}`` or ``{"name": ...}``."""
        user = reference.get("user", reference) if isinstance(reference, dict) else None
        name = user.get("name") or user.get("slug") if isinstance(user, dict) else None
        if isinstance(name, str):
            found = self.state.users.get(name.lower())
            if found is not None:
                return found
        raise FakeError(
            400, f"Unknown user: {reference!r}", exception_name=_EXCEPTIONS + "user.NoSuchUserException"
        )

    # ---- pagination -----------------------------------------------------------------------------------

    def _page(self, call: Call, items: Iterable[T], build: Callable[[T], dict[str, Any]]) -> httpx.Response:
        """Data Center's envelope: ``size``, ``limit``, ``start``, ``isLastPage``, ``nextPageStart``. Only
        the items on the page are built."""
        limit = self.page_window(call, call.query.get("limit"))
        raw_start = call.query.get("start", "0")
        if not raw_start.isdigit():
            raise FakeError(400, f"Invalid start: {raw_start!r}")
        start = int(raw_start)
        chosen, total = page_of(items, start, limit)
        chunk = [build(item) for item in chosen]
        is_last = start + limit >= total
        body: dict[str, Any] = {
            "size": len(chunk),
            "limit": limit,
            "start": start,
            "isLastPage": is_last,
            "values": chunk,
        }
        if not is_last:
            body["nextPageStart"] = start + len(chunk)
        stale = self.faults.stale_next_for(call.operation.qualified_name, is_last_page=is_last)
        if stale is not None:
            body["isLastPage"] = False
            body["nextPageStart"] = start + len(chunk) if stale == "last_page" else start
        return json_response(200, body)

    # ---- webhooks -------------------------------------------------------------------------------------

    def subscriptions(self, repository: Repository) -> Iterable[Webhook]:
        owner = self.state.find_owner(repository.owner)
        project_hooks = list(owner.webhooks.values()) if owner is not None else []
        return [*repository.webhooks.values(), *project_hooks]

    async def _event(self, event_key: str, call: Call, repo: Repository, **fields: Any) -> None:
        payload = {
            "eventKey": event_key,
            "date": self.state.now().strftime("%Y-%m-%dT%H:%M:%S%z"),
            "actor": self.models.user(call.user).to_dict(),
            **fields,
        }
        await self.deliver(event_key, payload, repository=repo)

    async def _pr_event(
        self, event_key: str, call: Call, owner: Owner, repo: Repository, pr: PullRequest, **fields: Any
    ) -> None:
        await self._event(
            event_key, call, repo, pullRequest=self.models.pull_request(repo, owner, pr).to_dict(), **fields
        )

    async def pushed(self, call: Call, repo: Repository, before: dict[str, str]) -> None:
        """Send ``repo:refs_changed`` for the branches that moved since `before` (branch → head, taken
        before the change): ADD, UPDATE or DELETE each, the zero hash standing for no branch."""
        zero = "0" * 40
        changes = [
            (name, before.get(name, zero), repo.branches.get(name, zero))
            for name in sorted(before.keys() | repo.branches.keys())
            if before.get(name) != repo.branches.get(name)
        ]
        if not changes:
            return
        owner = self.state.find_owner(repo.owner)
        assert owner is not None
        await self._event(
            "repo:refs_changed",
            call,
            repo,
            repository=self.models.repository(repo, owner).to_dict(),
            changes=[
                {
                    "ref": self.models.minimal_ref(branch).to_dict(),
                    "refId": f"refs/heads/{branch}",
                    "fromHash": old,
                    "toHash": new,
                    "type": "ADD" if old == zero else "DELETE" if new == zero else "UPDATE",
                }
                for branch, old, new in changes
            ],
        )
        for pr, previous in self.state.follow_sources(repo):
            await self._pr_event("pr:from_ref_updated", call, owner, repo, pr, previousFromHash=previous)

    # ---- users and projects ---------------------------------------------------------------------------

    @handles("users.get")
    async def _get_user(self, call: Call) -> httpx.Response:
        user = self.state.users.get(call.params["userSlug"].lower())
        if user is None:
            raise FakeError(
                404,
                f"User {call.params['userSlug']} does not exist.",
                exception_name=_EXCEPTIONS + "user.NoSuchUserException",
            )
        return json_response(200, self.models.user(user).to_dict())

    @handles("projects.list")
    async def _list_projects(self, call: Call) -> httpx.Response:
        return self._page(call, self.state.owners.values(), lambda o: self.models.project(o).to_dict())

    @handles("projects.get")
    async def _get_project(self, call: Call) -> httpx.Response:
        return json_response(200, self.models.project(self._project(call)).to_dict())

    @handles("projects.create")
    async def _create_project(self, call: Call) -> httpx.Response:
        body = call.body()
        key, name = body.get("key"), body.get("name")
        if not isinstance(key, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", key):
            raise FakeError(
                400, "Project keys must start with a letter and contain only letters, digits and _."
            )
        if self.state.find_owner(key) is not None:
            raise FakeError(409, f"Project key {key} is already in use.")
        owner = self.state.add_owner(
            key.upper(),
            name if isinstance(name, str) and name else key,
            description=str(body.get("description") or ""),
        )
        return json_response(201, self.models.project(owner).to_dict())

    # ---- repositories ---------------------------------------------------------------------------------

    @handles("repositories.list")
    async def _list_repositories(self, call: Call) -> httpx.Response:
        owner = self._project(call)
        repos = self.visible(call, owner.repositories.values())
        return self._page(call, repos, lambda r: self.models.repository(r, owner).to_dict())

    @handles("repositories.get")
    async def _get_repository(self, call: Call) -> httpx.Response:
        owner, repo = self._repo(call)
        return json_response(200, self.models.repository(repo, owner).to_dict())

    @handles("repositories.create")
    async def _create_repository(self, call: Call) -> httpx.Response:
        owner = self._project(call)
        body = call.body()
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise FakeError(400, "name: A repository name is required.")
        slug = re.sub(r"[^a-z0-9._-]+", "-", name.strip().lower()).strip("-")
        if slug in owner.repositories:
            raise FakeError(
                409,
                "This repository URL is already taken.",
                exception_name=_EXCEPTIONS + "repository.DuplicateRepositoryNameException",
            )
        if body.get("scmId", "git") != "git":
            raise FakeError(400, f"scmId: {body.get('scmId')!r} is not supported (only git).")
        default_branch = body.get("defaultBranch")
        repo = self.state.add_repository(
            owner.key,
            slug,
            name=name.strip(),
            description=str(body.get("description") or ""),
            main_branch=default_branch if isinstance(default_branch, str) and default_branch else "main",
            author=call.user,
        )
        return json_response(201, self.models.repository(repo, owner).to_dict())

    @handles("repositories.delete")
    async def _delete_repository(self, call: Call) -> httpx.Response:
        owner, repo = self._repo(call)
        del owner.repositories[repo.slug]
        return httpx.Response(202)  # scheduled for deletion

    @handles("repositories.get_default_branch")
    async def _get_default_branch(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        return json_response(200, self.models.branch(repo, repo.main_branch).to_dict())

    # ---- branches and commits -------------------------------------------------------------------------

    @handles("refs.list_branches", query={"filterText", "orderBy"})
    async def _list_branches(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        text = call.query.get("filterText", "").lower()
        order = call.query.get("orderBy", "MODIFICATION").upper()
        if order not in ("ALPHABETICAL", "MODIFICATION"):
            raise FakeError(400, f"orderBy: {order!r} is not ALPHABETICAL or MODIFICATION")
        names = [name for name in repo.branches if text in name.lower()]
        if order == "ALPHABETICAL":
            names.sort()
        else:
            names.sort(key=lambda n: repo.commits[repo.branches[n]].date, reverse=True)
        return self._page(call, names, lambda name: self.models.branch(repo, name).to_dict())

    @handles("refs.create_branch")
    async def _create_branch(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        body = call.body()
        name, start = body.get("name"), body.get("startPoint")
        if not isinstance(name, str) or not name or not isinstance(start, str) or not start:
            raise FakeError(400, 'A branch needs a "name" and a "startPoint".')
        name = name.removeprefix("refs/heads/")
        if name in repo.branches:
            raise FakeError(
                409,
                f"Branch {name} already exists.",
                exception_name=_EXCEPTIONS + "repository.DuplicateRefException",
            )
        before = dict(repo.branches)
        try:
            self.state.add_branch(repo, name, _resolve(repo, start))
        except KeyError:
            raise FakeError(
                400,
                f"The start point {start!r} does not exist.",
                exception_name=_EXCEPTIONS + "commit.NoSuchCommitException",
            ) from None
        await self.pushed(call, repo, before)
        return json_response(200, self.models.branch(repo, name).to_dict())

    @handles("refs.delete_branch")
    async def _delete_branch(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        body = call.body()
        name = body.get("name")
        if not isinstance(name, str):
            raise FakeError(400, 'Send {"name": "<branch>"} to delete a branch.')
        name = name.removeprefix("refs/heads/")
        if name not in repo.branches:
            raise FakeError(404, f"Branch {name} does not exist.")
        if body.get("dryRun") is True:
            return httpx.Response(204)
        before = dict(repo.branches)
        del repo.branches[name]
        await self.pushed(call, repo, before)
        return httpx.Response(204)

    @handles("commits.list", query={"until", "since"})
    async def _list_commits(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        try:
            head = _resolve(repo, call.query.get("until", repo.main_branch))
            since = call.query.get("since")
            excluded = {c.hash for c in repo.history(_resolve(repo, since))} if since else set()
        except KeyError as missing:
            raise FakeError(
                404,
                f"Commit {missing.args[0]} does not exist.",
                exception_name=_EXCEPTIONS + "commit.NoSuchCommitException",
            ) from None
        commits = [c for c in repo.history(head) if c.hash not in excluded]
        return self._page(call, commits, lambda c: self.models.commit(c).to_dict())

    @handles("commits.get")
    async def _get_commit(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        try:
            commit = repo.commits[_resolve(repo, call.params["commitId"])]
        except KeyError:
            raise FakeError(
                404,
                f"Commit {call.params['commitId']} does not exist.",
                exception_name=_EXCEPTIONS + "commit.NoSuchCommitException",
            ) from None
        return json_response(200, self.models.commit(commit).to_dict())

    # ---- pull requests --------------------------------------------------------------------------------

    @handles("pullrequests.list", query={"state", "order", "direction", "at"})
    async def _list_pull_requests(self, call: Call) -> httpx.Response:
        owner, repo = self._repo(call)
        state = call.query.get("state", "OPEN").upper()
        if state not in _PR_STATES:
            raise FakeError(400, f"state: {state!r} is not one of {', '.join(_PR_STATES)}")
        order = call.query.get("order", "NEWEST").upper()
        direction = call.query.get("direction", "INCOMING").upper()
        if order not in ("NEWEST", "OLDEST") or direction not in ("INCOMING", "OUTGOING"):
            raise FakeError(400, "order must be NEWEST or OLDEST; direction INCOMING or OUTGOING")
        at = call.query.get("at")
        branch = at.removeprefix("refs/heads/") if at else None
        prs = [
            pr
            for pr in repo.pull_requests.values()
            if (state == "ALL" or pr.state == state)
            and (branch is None or branch == (pr.destination if direction == "INCOMING" else pr.source))
        ]
        prs.sort(key=lambda pr: pr.id, reverse=order == "NEWEST")
        return self._page(call, prs, lambda pr: self.models.pull_request(repo, owner, pr).to_dict())

    @handles("pullrequests.get")
    async def _get_pull_request(self, call: Call) -> httpx.Response:
        owner, repo, pr = self._pull_request(call)
        return json_response(200, self.models.pull_request(repo, owner, pr).to_dict())

    @handles("pullrequests.create")
    async def _create_pull_request(self, call: Call) -> httpx.Response:
        owner, repo = self._repo(call)
        body = call.body()
        title = body.get("title")
        if not isinstance(title, str) or not title:
            raise FakeError(400, "title: A pull request needs a title.")
        source = self._ref(body, "fromRef", owner, repo)
        destination = self._ref(body, "toRef", owner, repo)
        if source == destination:
            raise FakeError(
                409,
                "The source and target branches are the same.",
                exception_name=_EXCEPTIONS + "pull.EmptyPullRequestException",
            )
        for existing in repo.pull_requests.values():
            if existing.state == "OPEN" and (existing.source, existing.destination) == (source, destination):
                raise FakeError(
                    409,
                    f"Only one pull request may be open for a given source and target branch "
                    f"(#{existing.id} is).",
                    exception_name=_EXCEPTIONS + "pull.DuplicatePullRequestException",
                )
        reviewers = [self._find_user(r) for r in body.get("reviewers") or []]
        pr = self.state.add_pull_request(
            repo,
            title=title,
            source=source,
            destination=destination,
            author=call.user,
            description=str(body.get("description") or ""),
            reviewers=reviewers,
            draft=body.get("draft") is True,
        )
        await self._pr_event("pr:opened", call, owner, repo, pr)
        return json_response(201, self.models.pull_request(repo, owner, pr).to_dict())

    def _ref(self, body: dict[str, Any], key: str, owner: Owner, repo: Repository) -> str:
        ref = body.get(key)
        ref_id = ref.get("id") if isinstance(ref, dict) else None
        if key == "toRef" and ref_id is None:
            return repo.main_branch
        if not isinstance(ref_id, str):
            raise FakeError(400, f'{key}: {{"id": "refs/heads/<branch>"}} is required.')
        target = ref.get("repository") if isinstance(ref, dict) else None
        if isinstance(target, dict):
            slug = target.get("slug")
            project = target.get("project")
            key_ = project.get("key") if isinstance(project, dict) else owner.key
            if (str(key_).lower(), str(slug).lower()) != (owner.key.lower(), repo.slug):
                raise FakeError(501, "Pull requests between repositories are not implemented by this fake.")
        name = ref_id.removeprefix("refs/heads/")
        if name not in repo.branches:
            raise FakeError(
                404,
                f"Repository {owner.key}/{repo.slug} does not contain a branch {ref_id}.",
                exception_name=_EXCEPTIONS + "repository.NoSuchBranchException",
            )
        return name

    @handles("pullrequests.update")
    async def _update_pull_request(self, call: Call) -> httpx.Response:
        body = call.body()
        owner, repo, pr = self._versioned(call, "update", body_version=body.get("version"))
        self._require_open(pr, "updated")
        previous: dict[str, Any] = {"previousTitle": pr.title, "previousDescription": pr.description}
        modified = (pr.title, pr.description, pr.draft, pr.destination)
        reviewers_before = {user.slug: user for user in pr.reviewers}
        if isinstance(body.get("title"), str):
            pr.title = body["title"]
        if isinstance(body.get("description"), str):
            pr.description = body["description"]
        if isinstance(body.get("draft"), bool):
            pr.draft = body["draft"]
        if isinstance(body.get("reviewers"), list):
            pr.reviewers = [self._find_user(r) for r in body["reviewers"]]
        if isinstance(body.get("toRef"), dict):
            previous["previousTarget"] = self.models.minimal_ref(pr.destination).to_dict()
            pr.destination = self._ref(body, "toRef", owner, repo)
            pr.destination_commit = repo.branches[pr.destination]
        self.state.touch(pr)
        reviewers_after = {user.slug: user for user in pr.reviewers}
        # Data Center tells reviewer changes apart from the rest (and sends nothing for no change).
        if modified != (pr.title, pr.description, pr.draft, pr.destination):
            await self._pr_event("pr:modified", call, owner, repo, pr, **previous)
        if reviewers_before.keys() != reviewers_after.keys():
            await self._pr_event(
                "pr:reviewer:updated",
                call,
                owner,
                repo,
                pr,
                addedReviewers=[
                    self.models.user(u).to_dict()
                    for s, u in reviewers_after.items()
                    if s not in reviewers_before
                ],
                removedReviewers=[
                    self.models.user(u).to_dict()
                    for s, u in reviewers_before.items()
                    if s not in reviewers_after
                ],
            )
        return json_response(200, self.models.pull_request(repo, owner, pr).to_dict())

    async def _set_status(self, call: Call, user: User, status: ReviewStatus) -> httpx.Response:
        owner, repo, pr = self._pull_request(call)
        self._require_open(pr, "reviewed")
        if user.slug == pr.author.slug:
            raise FakeError(
                400,
                "The author of a pull request cannot review it.",
                exception_name=_EXCEPTIONS + "pull.InvalidPullRequestParticipantException",
            )
        before = pr.reviews.get(user.slug)
        review = self.state.review(pr, user, status)
        participant = self.models.participant(pr, user, review).to_dict()
        await self._pr_event(
            _REVIEW_EVENTS[status],
            call,
            owner,
            repo,
            pr,
            participant=participant,
            previousStatus=before.status if before is not None else "UNAPPROVED",
        )
        return json_response(200, participant)

    @handles("pullrequests.approve")
    async def _approve(self, call: Call) -> httpx.Response:
        return await self._set_status(call, call.user, "APPROVED")

    @handles("pullrequests.unapprove")
    async def _unapprove(self, call: Call) -> httpx.Response:
        return await self._set_status(call, call.user, "UNAPPROVED")

    @handles("pullrequests.set_participant_status", query={"version"})
    async def _set_participant_status(self, call: Call) -> httpx.Response:
        if call.params["userSlug"].lower() != call.user.slug.lower():
            raise FakeError(
                403,
                "You can only change your own review status.",
                exception_name=_EXCEPTIONS + "AuthorisationException",
            )
        status = call.body().get("status")
        if status not in _REVIEW_EVENTS:
            raise FakeError(400, f"status: {status!r} is not APPROVED, NEEDS_WORK or UNAPPROVED")
        return await self._set_status(call, call.user, status)

    @handles("pullrequests.can_merge")
    async def _can_merge(self, call: Call) -> httpx.Response:
        _, repo, pr = self._pull_request(call)
        self._require_open(pr, "merged")
        return json_response(
            200, self.models.mergeability(self._vetoes(repo, pr), conflicted=pr.conflicted).to_dict()
        )

    def _vetoes(self, repo: Repository, pr: PullRequest) -> list[tuple[str, str]]:
        if pr.approvals >= repo.required_approvals:
            return []
        return [
            (
                "Not enough approvals",
                f"This pull request needs {repo.required_approvals} approval(s) before it can be merged; "
                f"it has {pr.approvals}.",
            )
        ]

    @handles("pullrequests.merge", query={"version"})
    async def _merge(self, call: Call) -> httpx.Response:
        body = call.body()
        owner, repo, pr = self._versioned(call, "merge", body_version=body.get("version"))
        self._require_open(pr, "merged")
        if pr.conflicted:
            raise FakeError(
                409,
                f"Pull request #{pr.id} has conflicts and cannot be merged.",
                exception_name=_EXCEPTIONS + "pull.PullRequestMergeVetoedException",
                extra={"conflicted": True, "vetoes": []},
            )
        vetoes = self._vetoes(repo, pr)
        if vetoes:
            raise FakeError(
                409,
                "Merging the pull request has been vetoed.",
                exception_name=_EXCEPTIONS + "pull.PullRequestMergeVetoedException",
                extra={
                    "conflicted": False,
                    "vetoes": [{"summaryMessage": s, "detailedMessage": d} for s, d in vetoes],
                },
            )
        strategy = body.get("strategyId") or "no-ff"
        before = dict(repo.branches)
        self.state.merge(
            repo,
            pr,
            by=call.user,
            strategy="merge_commit" if strategy in ("no-ff", "ff") else "squash",
            message=body.get("message") if isinstance(body.get("message"), str) else None,
            # The "delete source branch after merging" box of the UI (seeded with close_source_branch).
            close_source_branch=pr.close_source_branch,
        )
        await self._pr_event("pr:merged", call, owner, repo, pr)
        await self.pushed(call, repo, before)
        return json_response(200, self.models.pull_request(repo, owner, pr).to_dict())

    @handles("pullrequests.decline", query={"version"})
    async def _decline(self, call: Call) -> httpx.Response:
        body = call.body()
        owner, repo, pr = self._versioned(call, "decline", body_version=body.get("version"))
        self._require_open(pr, "declined")
        self.state.decline(pr, by=call.user, reason=str(body.get("comment") or ""))
        await self._pr_event("pr:declined", call, owner, repo, pr)
        return json_response(200, self.models.pull_request(repo, owner, pr).to_dict())

    @handles("pullrequests.reopen", query={"version"})
    async def _reopen(self, call: Call) -> httpx.Response:
        body = call.body()
        owner, repo, pr = self._versioned(call, "reopen", body_version=body.get("version"))
        if pr.state != "DECLINED":
            raise FakeError(
                409,
                f"Only a declined pull request can be reopened; #{pr.id} is {pr.state.lower()}.",
                exception_name=_EXCEPTIONS + "pull.IllegalPullRequestStateException",
            )
        pr.state, pr.closed, pr.closed_by = "OPEN", None, None
        self.state.touch(pr)
        await self._pr_event("pr:opened", call, owner, repo, pr)
        return json_response(200, self.models.pull_request(repo, owner, pr).to_dict())

    @handles("pullrequests.delete")
    async def _delete_pull_request(self, call: Call) -> httpx.Response:
        body = call.body()
        owner, repo, pr = self._versioned(call, "delete", body_version=body.get("version"))
        await self._pr_event("pr:deleted", call, owner, repo, pr)
        del repo.pull_requests[pr.id]
        return httpx.Response(204)

    # ---- comments -------------------------------------------------------------------------------------

    @handles("pullrequests.create_comment")
    async def _create_comment(self, call: Call) -> httpx.Response:
        owner, repo, pr = self._pull_request(call)
        body = call.body()
        text = body.get("text")
        if not isinstance(text, str) or not text:
            raise FakeError(400, "text: A comment needs text.")
        if body.get("anchor") is not None:
            raise FakeError(
                501, "Anchored (file or line) comments are not implemented by FakeBitbucketServer."
            )
        parent = body.get("parent")
        parent_id = parent.get("id") if isinstance(parent, dict) else None
        if parent_id is not None and parent_id not in pr.comments:
            raise FakeError(404, f"Comment {parent_id} does not exist.")
        comment = self.state.add_comment(pr, text, call.user, parent_id=parent_id)
        data = self.models.comment(comment, []).to_dict()
        extra = {"commentParentId": parent_id} if parent_id is not None else {}
        await self._pr_event("pr:comment:added", call, owner, repo, pr, comment=data, **extra)
        return json_response(201, data)

    @handles("pullrequests.get_comment")
    async def _get_comment(self, call: Call) -> httpx.Response:
        _, _, pr = self._pull_request(call)
        comment = pr.comments.get(call.int_param("commentId"))
        if comment is None:
            raise FakeError(
                404,
                f"Comment {call.params['commentId']} does not exist.",
                exception_name=_EXCEPTIONS + "comment.NoSuchCommentException",
            )
        replies = [c for c in pr.comments.values() if c.parent_id == comment.id]
        return json_response(200, self.models.comment(comment, replies).to_dict())
