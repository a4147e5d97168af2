"""`FakeBitbucketCloud`: an in-memory Bitbucket Cloud 2.0, served as an httpx transport."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import attrs
import httpx

from bitbucket_client._client import CLOUD_BASE_URL

from ._cloud_deployments import CloudDeployments
from ._cloud_forks import CloudForks
from ._cloud_hooks import CloudWebhooks
from ._cloud_mixin import text_field as _text
from ._cloud_models import MERGE_STRATEGIES, CloudModels
from ._cloud_oauth import CloudOAuth
from ._cloud_pipelines import CloudPipelines
from ._cloud_snippets import CloudSnippets
from ._cloud_source import CloudFiles
from ._cloud_writes import CloudWrites
from ._fake import Call, FakeBitbucket, FakeError, WebhookCallback, handles, json_response, page_of
from ._faults import Fault, retry_after_header
from ._files import resolve_revision as _resolve
from ._state import Owner, PullRequest, Repository, User, Webhook
from ._sync_client import SyncClientFactory

if TYPE_CHECKING:
    from bitbucket_client import BitbucketCloud
    from bitbucket_client.sync import BitbucketCloud as SyncBitbucketCloud  # noqa: F401 (a base's argument)

__all__ = ["FakeBitbucketCloud"]

T = TypeVar("T")

_PUSH_COMMITS = 5  # a push event lists at most this many commits per change, then says `truncated`
_PULL_REQUEST_STATES = ("OPEN", "MERGED", "DECLINED", "SUPERSEDED")
_REPOSITORY_SORT_KEYS: dict[str, Callable[[Repository], Any]] = {
    "name": lambda repo: repo.name.lower(),
    "slug": lambda repo: repo.slug,
    "created_on": lambda repo: repo.created,
    "updated_on": lambda repo: repo.updated,
}


@attrs.define
class _MergeTask:
    owner: str
    slug: str
    pull_request_id: int
    pending_polls: int
    strategy: str
    message: str | None
    close_source_branch: bool | None
    by: User
    done: bool = False


class FakeBitbucketCloud(
    CloudOAuth,
    CloudDeployments,
    CloudPipelines,
    CloudSnippets,
    CloudForks,
    CloudWebhooks,
    CloudFiles,
    CloudWrites,
    SyncClientFactory["SyncBitbucketCloud"],
    FakeBitbucket,
):
    """An in-memory Bitbucket Cloud (REST 2.0) for tests, served as an httpx transport::

        fake = FakeBitbucketCloud()
        fake.add_repository("acme", "widgets")
        async with BitbucketCloud("any-token", transport=fake) as bb:   # or: fake.client()
            repo = await bb.repositories.get("acme", "widgets")

    ``page_size`` is the default ``pagelen`` (a client's ``page_size=`` still wins, up to
    ``max_page_size``). With ``tokens`` (a set, or a mapping token → user slug) only those credentials
    are accepted (Bearer, or the password of Basic); otherwise any credential passes and only a
    missing one gets 401. ``user`` is who the credentials belong to. With ``async_merge=True`` every
    merge answers 202 and its task status is ``PENDING`` for ``merge_pending_polls`` polls before the
    merge happens (a client's ``async=true`` does the same). With ``webhook_callback``, every change
    made through the API is also delivered as a webhook, signed with ``webhook_secret``.
    """

    product = "cloud"
    repository_params = ("workspace", "repo_slug")
    hides_private_repositories = True
    pagination_params = frozenset({"page", "pagelen"})

    def __init__(
        self,
        *,
        base_url: str = CLOUD_BASE_URL,
        page_size: int = 10,
        max_page_size: int = 100,
        tokens: Iterable[str] | Mapping[str, str] | None = None,
        user: str = "fake-user",
        async_merge: bool = False,
        merge_pending_polls: int = 1,
        webhook_callback: WebhookCallback | None = None,
        webhook_secret: str | None = None,
    ) -> None:
        from bitbucket_client.cloud import OPERATIONS

        super().__init__(
            base_url=base_url,
            operations=OPERATIONS,
            page_size=page_size,
            max_page_size=max_page_size,
            tokens=tokens,
            user=user,
            webhook_callback=webhook_callback,
            webhook_secret=webhook_secret,
        )
        self.async_merge = async_merge
        self.merge_pending_polls = merge_pending_polls
        self.models = CloudModels(self.base_url)
        self.hook_uuid = self.state.new_uuid()
        self._merge_tasks: dict[str, _MergeTask] = {}

    def add_workspace(self, slug: str, name: str | None = None) -> Owner:
        """A workspace (``add_repository`` creates missing ones too)."""
        return self.state.add_owner(slug, name)

    def client(self, token: str = "fake-token", **kwargs: Any) -> BitbucketCloud:
        """A `BitbucketCloud` wired to this fake (keyword arguments go to the client)."""
        from bitbucket_client import BitbucketCloud

        return BitbucketCloud(token, base_url=self.base_url, transport=self, **kwargs)

    # ---- product specifics ----------------------------------------------------------------------------

    @staticmethod
    def api_root_for(base_url: str) -> str:
        return httpx.URL(base_url).path.rstrip("/")

    def error_response(
        self,
        status: int,
        message: str,
        *,
        exception_name: str | None = None,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        detail = (extra or {}).get("detail")
        body = self.models.error(message, detail if isinstance(detail, str) else None)
        return json_response(status, body, headers)

    def fault_response(self, fault: Fault) -> httpx.Response:
        headers = retry_after_header(fault)
        if fault.status == 429:
            # What Cloud really sends: plain text, and usually no Retry-After.
            return httpx.Response(
                429,
                text="Rate limit for this resource has been exceeded",
                headers={"Content-Type": "text/plain", **headers},
            )
        return self.error_response(
            fault.status,
            f"{httpx.codes.get_reason_phrase(fault.status) or 'Error'} (injected fault)",
            headers=headers,
        )

    def not_found_route(self, request: httpx.Request) -> httpx.Response:
        return self.error_response(
            404,
            f"Resource not found: no operation of the Bitbucket Cloud document matches "
            f"{request.method} {request.url.path} ({type(self).__name__})",
            extra={"detail": "There is no API hosted at this URL."},
        )

    def delivery_headers(self, event_key: str, hook: Webhook | None) -> dict[str, str]:
        return {
            "User-Agent": "Bitbucket-Webhooks/2.0",
            "X-Event-Key": event_key,
            "X-Hook-UUID": (self.hook_uuid if hook is None else hook.uuid).strip("{}"),
            "X-Request-UUID": str(uuid.uuid4()),
            "X-Attempt-Number": "1",
        }

    # ---- lookups --------------------------------------------------------------------------------------

    def _owner(self, call: Call) -> Owner:
        owner = self.state.find_owner(call.params["workspace"])
        if owner is None:
            raise FakeError(404, f"No workspace with identifier '{call.params['workspace']}'.")
        return owner

    def _repo(self, call: Call) -> tuple[Owner, Repository]:
        owner = self._owner(call)
        repo = owner.repositories.get(call.params["repo_slug"].lower())
        if repo is None:
            raise FakeError(404, f"Repository {owner.key}/{call.params['repo_slug']} not found")
        return owner, repo

    def _pull_request(self, call: Call) -> tuple[Repository, PullRequest]:
        _, repo = self._repo(call)
        pr = repo.pull_requests.get(call.int_param("pull_request_id"))
        if pr is None:
            raise FakeError(404, f"Pull request {call.params['pull_request_id']} not found")
        return repo, pr

    def _open_pull_request(self, call: Call, action: str) -> tuple[Repository, PullRequest]:
        repo, pr = self._pull_request(call)
        if pr.state != "OPEN":
            raise FakeError(400, f"You can't {action} a pull request that is {pr.state.lower()}.")
        return repo, pr

    def _find_user(self, reference: Any) -> User:
        """A user named in a request body by uuid, account_id or nickname."""
        if isinstance(reference, dict):
            for user in self.state.users.values():
                if (
                    reference.get("uuid") in (user.uuid, user.uuid.strip("{}"))
                    or reference.get("account_id") == f"557058:{user.uuid.strip('{}')}"
                    or reference.get("nickname") == user.slug
                ):
                    return user
        raise FakeError(400, f"Unknown user: {reference!r}")

    # ---- pagination -----------------------------------------------------------------------------------

    def _page(self, call: Call, items: Iterable[T], build: Callable[[T], dict[str, Any]]) -> httpx.Response:
        """Cloud's envelope: ``size``, ``page``, ``pagelen``, ``values``, and ``next``/``previous`` links
        that keep the request's other parameters. Only the items on the page are built."""
        pagelen = self.page_window(call, call.query.get("pagelen"))
        raw_page = call.query.get("page", "1")
        if not raw_page.isdigit() or int(raw_page) < 1:
            raise FakeError(400, f"Invalid page: {raw_page!r}")
        page = int(raw_page)
        start = (page - 1) * pagelen
        url = call.request.url
        chosen, total = page_of(items, start, pagelen)
        body: dict[str, Any] = {
            "size": total,
            "page": page,
            "pagelen": pagelen,
            "values": [build(item) for item in chosen],
        }
        is_last = start + pagelen >= total
        if not is_last:
            body["next"] = str(url.copy_set_param("page", str(page + 1)))
        if page > 1:
            body["previous"] = str(url.copy_set_param("page", str(page - 1)))
        stale = self.faults.stale_next_for(call.operation.qualified_name, is_last_page=is_last)
        if stale == "last_page":
            body["next"] = str(url.copy_set_param("page", str(page + 1)))
        elif stale == "repeat":
            body["next"] = str(url)
        return json_response(200, body)

    # ---- webhooks -------------------------------------------------------------------------------------

    async def _event(
        self, event_key: str, call: Call, repo: Repository, pr: PullRequest | None = None, **extra: Any
    ) -> None:
        owner = self.state.find_owner(repo.owner)
        assert owner is not None
        payload: dict[str, Any] = {
            "actor": self.models.account(call.user).to_dict(),
            "repository": self.models.repository(repo, owner).to_dict(),
        }
        if pr is not None:
            payload["pullrequest"] = self.models.pull_request(repo, pr).to_dict()
        payload.update(extra)
        await self.deliver(event_key, payload, repository=repo)

    def _review(self, user: User, date: Any) -> dict[str, Any]:
        return {"date": self.models.timestamp(date), "user": self.models.account(user).to_dict()}

    # ---- users and workspaces -------------------------------------------------------------------------

    @handles("users.get_current")
    async def _get_current_user(self, call: Call) -> httpx.Response:
        return json_response(200, self.models.account(call.user).to_dict())

    @handles("workspaces.get")
    async def _get_workspace(self, call: Call) -> httpx.Response:
        return json_response(200, self.models.workspace(self._owner(call)).to_dict())

    # ---- repositories ---------------------------------------------------------------------------------

    @handles("repositories.list", query={"sort"})
    async def _list_repositories(self, call: Call) -> httpx.Response:
        owner = self._owner(call)
        repos = list(self.visible(call, owner.repositories.values()))
        sort = call.query.get("sort")
        if sort is not None:
            key = _REPOSITORY_SORT_KEYS.get(sort.removeprefix("-"))
            if key is None:
                raise FakeError(
                    501,
                    f"repositories.list: sort={sort!r} is not implemented by FakeBitbucketCloud "
                    f"(it sorts by {', '.join(sorted(_REPOSITORY_SORT_KEYS))}, or their reverse with '-')",
                )
            repos.sort(key=key, reverse=sort.startswith("-"))
        return self._page(call, repos, self.models.repository_page(owner))

    @handles("repositories.get")
    async def _get_repository(self, call: Call) -> httpx.Response:
        owner, repo = self._repo(call)
        return json_response(200, self.repository_json(repo, owner))

    @handles("repositories.create")
    async def _create_repository(self, call: Call) -> httpx.Response:
        owner = self._owner(call)
        slug = call.params["repo_slug"]
        if slug.lower() in owner.repositories:
            raise FakeError(400, "Repository with this Slug and Owner already exists.")
        body = call.body()
        scm = body.get("scm", "git")
        if scm != "git":
            raise FakeError(400, f"scm: {scm!r} is not a valid choice (only 'git').")
        main = body.get("mainbranch")
        repo = self.state.add_repository(
            owner.key,
            slug,
            name=_text(body, "name") or slug,
            description=_text(body, "description") or "",
            is_private=body.get("is_private", True) is not False,
            main_branch=(main.get("name") if isinstance(main, dict) else None) or "main",
            author=call.user,
        )
        await self._event("repo:created", call, repo)
        return json_response(200, self.models.repository(repo, owner).to_dict())

    @handles("repositories.delete")
    async def _delete_repository(self, call: Call) -> httpx.Response:
        owner, repo = self._repo(call)
        await self._event("repo:deleted", call, repo)
        del owner.repositories[repo.slug]
        return httpx.Response(204)

    # ---- branches and commits -------------------------------------------------------------------------

    @handles("refs.list_branches")
    async def _list_branches(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        return self._page(call, sorted(repo.branches), lambda name: self.models.branch(repo, name).to_dict())

    @handles("refs.get_branch")
    async def _get_branch(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        name = call.params["name"]
        if name not in repo.branches:
            raise FakeError(404, f"Branch not found: {name}")
        return json_response(200, self.models.branch(repo, name).to_dict())

    @handles("refs.create_branch")
    async def _create_branch(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        body = call.body()
        name = _text(body, "name")
        target = body.get("target")
        start = target.get("hash") if isinstance(target, dict) else None
        if not name or not isinstance(start, str) or not start:
            raise FakeError(400, 'A branch needs a "name" and a "target": {"hash": "<commit or branch>"}.')
        if name in repo.branches:
            raise FakeError(400, f"Branch {name} already exists.")
        before = dict(repo.branches)
        try:
            self.state.add_branch(repo, name, _resolve(repo, start))
        except KeyError:
            raise FakeError(400, f"The target {start!r} is not a commit of {repo.full_name}.") from None
        await self.pushed(call, repo, before)
        return json_response(201, self.models.branch(repo, name).to_dict())

    @handles("refs.delete_branch")
    async def _delete_branch(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        name = call.params["name"]
        if name not in repo.branches:
            raise FakeError(404, f"Branch not found: {name}")
        if name == repo.main_branch:
            raise FakeError(400, "You can't delete the main branch.")
        before = dict(repo.branches)
        del repo.branches[name]
        await self.pushed(call, repo, before)
        return httpx.Response(204)

    async def pushed(self, call: Call, repo: Repository, before: dict[str, str]) -> None:
        """Send ``repo:push`` for the branches that moved since `before` (branch → head, taken before the
        change): one change each, created, updated or closed, as a ``git push`` would report them."""
        changes = []
        for name in sorted(before.keys() | repo.branches.keys()):
            old, new = before.get(name), repo.branches.get(name)
            if old == new:
                continue
            added = [c for c in repo.history(new) if c.hash != old] if new else []
            if old is not None:
                known = {c.hash for c in repo.history(old)}
                added = [c for c in added if c.hash not in known]
            changes.append(
                {
                    "old": None if old is None else self._branch_at(repo, name, old),
                    "new": None if new is None else self.models.branch(repo, name).to_dict(),
                    "created": old is None,
                    "closed": new is None,
                    "forced": False,
                    "truncated": len(added) > _PUSH_COMMITS,
                    "commits": [self.models.commit(repo, c).to_dict() for c in added[:_PUSH_COMMITS]],
                }
            )
        if changes:
            await self._event("repo:push", call, repo, push={"changes": changes})
        for pr, _ in self.state.follow_sources(repo):  # new commits on a pull request's source branch
            await self._event("pullrequest:updated", call, repo, pr)

    def _branch_at(self, repo: Repository, name: str, head: str) -> dict[str, Any]:
        """The branch as it was, pointing at `head`."""
        return self.models.branch(attrs.evolve(repo, branches={name: head}), name).to_dict()

    @handles("commits.list")
    async def _list_commits(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        seen: dict[str, Any] = {}
        for head in repo.branches.values():
            for commit in repo.history(head):
                seen.setdefault(commit.hash, commit)
        commits = sorted(seen.values(), key=lambda c: c.date, reverse=True)
        return self._page(call, commits, lambda c: self.models.commit(repo, c).to_dict())

    @handles("commits.list_for_revision")
    async def _list_commits_for_revision(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        try:
            head = _resolve(repo, call.params["revision"])
        except KeyError:
            raise FakeError(404, f"Commit not found: {call.params['revision']}") from None
        return self._page(call, repo.history(head), lambda c: self.models.commit(repo, c).to_dict())

    @handles("commits.get")
    async def _get_commit(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        try:
            commit = repo.commits[_resolve(repo, call.params["commit"])]
        except KeyError:
            raise FakeError(404, f"Commit not found: {call.params['commit']}") from None
        return json_response(200, self.models.commit(repo, commit).to_dict())

    # ---- pull requests --------------------------------------------------------------------------------

    @handles("pullrequests.list", query={"state"})
    async def _list_pull_requests(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        states = call.query.get_list("state") or ["OPEN"]
        for state in states:
            if state.upper() not in _PULL_REQUEST_STATES:
                raise FakeError(400, f"Invalid state: {state!r} (one of {', '.join(_PULL_REQUEST_STATES)})")
        wanted = {state.upper() for state in states}
        prs = sorted((pr for pr in repo.pull_requests.values() if pr.state in wanted), key=lambda p: -p.id)
        return self._page(call, prs, lambda pr: self.models.pull_request(repo, pr).to_dict())

    @handles("pullrequests.get")
    async def _get_pull_request(self, call: Call) -> httpx.Response:
        repo, pr = self._pull_request(call)
        return json_response(200, self.models.pull_request(repo, pr).to_dict())

    @handles("pullrequests.create")
    async def _create_pull_request(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        body = call.body()
        title = _text(body, "title")
        if not title:
            raise FakeError(400, "title: This field is required.")
        source = _endpoint(body, "source")
        if not source.branch:
            raise FakeError(400, 'source: a source branch is required ({"branch": {"name": ...}}).')
        if source.repository not in (None, repo.full_name):
            raise FakeError(501, "Pull requests from forks are not implemented by FakeBitbucketCloud.")
        if source.branch not in repo.branches:
            raise FakeError(400, f"source: Branch not found: {source.branch}")
        destination = _endpoint(body, "destination").branch or repo.main_branch
        if destination not in repo.branches:
            raise FakeError(400, f"destination: Branch not found: {destination}")
        if destination == source.branch:
            raise FakeError(400, "source and destination branches must be different.")
        pr = self.state.add_pull_request(
            repo,
            title=title,
            source=source.branch,
            destination=destination,
            author=call.user,
            description=_text(body, "description") or _summary(body) or "",
            reviewers=[self._find_user(r) for r in body.get("reviewers") or []],
            draft=body.get("draft") is True,
            close_source_branch=body.get("close_source_branch") is True,
        )
        await self._event("pullrequest:created", call, repo, pr)
        data = self.models.pull_request(repo, pr).to_dict()
        return json_response(201, data, {"Location": data["links"]["self"]["href"]})

    @handles("pullrequests.update")
    async def _update_pull_request(self, call: Call) -> httpx.Response:
        repo, pr = self._open_pull_request(call, "update")
        body = call.body()
        if (title := _text(body, "title")) is not None:
            pr.title = title
        if (description := _text(body, "description") or _summary(body)) is not None:
            pr.description = description
        if (destination := _endpoint(body, "destination").branch) is not None:
            if destination not in repo.branches:
                raise FakeError(400, f"destination: Branch not found: {destination}")
            pr.destination = destination
            pr.destination_commit = repo.branches[destination]
        if isinstance(body.get("reviewers"), list):
            pr.reviewers = [self._find_user(r) for r in body["reviewers"]]
        if isinstance(body.get("draft"), bool):
            pr.draft = body["draft"]
        if isinstance(body.get("close_source_branch"), bool):
            pr.close_source_branch = body["close_source_branch"]
        self.state.touch(pr)
        await self._event("pullrequest:updated", call, repo, pr)
        return json_response(200, self.models.pull_request(repo, pr).to_dict())

    @handles("pullrequests.approve")
    async def _approve(self, call: Call) -> httpx.Response:
        repo, pr = self._open_pull_request(call, "approve")
        review = self.state.review(pr, call.user, "APPROVED")
        await self._event(
            "pullrequest:approved", call, repo, pr, approval=self._review(call.user, review.date)
        )
        return json_response(200, self.models.participant(pr, call.user, review).to_dict())

    @handles("pullrequests.unapprove")
    async def _unapprove(self, call: Call) -> httpx.Response:
        repo, pr = self._open_pull_request(call, "unapprove")
        existing = pr.reviews.get(call.user.slug)
        if existing is None or not existing.approved:
            raise FakeError(404, "You haven't approved this pull request.")
        review = self.state.review(pr, call.user, "UNAPPROVED")
        await self._event(
            "pullrequest:unapproved", call, repo, pr, approval=self._review(call.user, review.date)
        )
        return httpx.Response(204)

    @handles("pullrequests.request_changes")
    async def _request_changes(self, call: Call) -> httpx.Response:
        repo, pr = self._open_pull_request(call, "request changes on")
        review = self.state.review(pr, call.user, "NEEDS_WORK")
        await self._event(
            "pullrequest:changes_request_created",
            call,
            repo,
            pr,
            changes_request=self._review(call.user, review.date),
        )
        return json_response(200, self.models.participant(pr, call.user, review).to_dict())

    @handles("pullrequests.remove_change_request")
    async def _remove_change_request(self, call: Call) -> httpx.Response:
        repo, pr = self._open_pull_request(call, "update")
        existing = pr.reviews.get(call.user.slug)
        if existing is None or existing.status != "NEEDS_WORK":
            raise FakeError(404, "You haven't requested changes on this pull request.")
        review = self.state.review(pr, call.user, "UNAPPROVED")
        await self._event(
            "pullrequest:changes_request_removed",
            call,
            repo,
            pr,
            changes_request=self._review(call.user, review.date),
        )
        return httpx.Response(204)

    @handles("pullrequests.decline")
    async def _decline(self, call: Call) -> httpx.Response:
        repo, pr = self._open_pull_request(call, "decline")
        body = call.body()
        self.state.decline(pr, by=call.user, reason=_text(body, "reason") or "")
        await self._event("pullrequest:rejected", call, repo, pr)
        return json_response(200, self.models.pull_request(repo, pr).to_dict())

    # ---- comments -------------------------------------------------------------------------------------

    @handles("pullrequests.create_comment")
    async def _create_comment(self, call: Call) -> httpx.Response:
        repo, pr = self._pull_request(call)
        body = call.body()
        content = body.get("content")
        text = content.get("raw") if isinstance(content, dict) else None
        if not isinstance(text, str) or not text:
            raise FakeError(400, 'content: {"raw": "..."} is required.')
        inline = self.inline_anchor(body)
        parent = body.get("parent")
        parent_id = parent.get("id") if isinstance(parent, dict) else None
        if parent_id is not None and parent_id not in pr.comments:
            raise FakeError(400, f"parent: comment {parent_id} not found")
        comment = self.state.add_comment(pr, text, call.user, parent_id=parent_id)
        if inline is not None:
            self.writes.inline[(repo.full_name, pr.id, comment.id)] = inline
        data = self.comment_data(repo, pr, comment)
        await self._event("pullrequest:comment_created", call, repo, pr, comment=data)
        return json_response(201, data, {"Location": data["links"]["self"]["href"]})

    @handles("pullrequests.list_comments")
    async def _list_comments(self, call: Call) -> httpx.Response:
        repo, pr = self._pull_request(call)
        return self._page(call, pr.comments.values(), lambda c: self.comment_data(repo, pr, c))

    @handles("pullrequests.get_comment")
    async def _get_comment(self, call: Call) -> httpx.Response:
        repo, pr = self._pull_request(call)
        comment = pr.comments.get(call.int_param("comment_id"))
        if comment is None:
            raise FakeError(404, f"Comment {call.params['comment_id']} not found")
        return json_response(200, self.comment_data(repo, pr, comment))

    # ---- merging --------------------------------------------------------------------------------------

    @handles("pullrequests.merge", query={"async"})
    async def _merge(self, call: Call) -> httpx.Response:
        repo, pr = self._open_pull_request(call, "merge")
        body = call.body()
        strategy = body.get("merge_strategy") or "merge_commit"
        if strategy not in MERGE_STRATEGIES:
            raise FakeError(400, f"merge_strategy: {strategy!r} is not one of {', '.join(MERGE_STRATEGIES)}")
        if pr.conflicted:
            raise FakeError(400, "Conflicts during merge.")
        close = body.get("close_source_branch")
        task = _MergeTask(
            owner=repo.owner,
            slug=repo.slug,
            pull_request_id=pr.id,
            pending_polls=self.merge_pending_polls,
            strategy=strategy,
            message=_text(body, "message"),
            close_source_branch=close if isinstance(close, bool) else None,
            by=call.user,
        )
        if self.async_merge or call.query.get("async", "").lower() == "true":
            task_id = str(uuid.UUID(int=self.state.next_id("merge-task"), version=4))
            self._merge_tasks[task_id] = task
            location = call.request.url.copy_with(
                raw_path=(call.request.url.raw_path.partition(b"?")[0] + f"/task-status/{task_id}".encode())
            )
            return httpx.Response(202, headers={"Location": str(location)})
        await self._finish_merge(call, repo, pr, task)
        return json_response(200, self.models.pull_request(repo, pr).to_dict())

    @handles("pullrequests.get_merge_task_status")
    async def _merge_task_status(self, call: Call) -> httpx.Response:
        repo, pr = self._pull_request(call)
        task = self._merge_tasks.get(call.params["task_id"])
        if task is None or task.pull_request_id != pr.id or task.slug != repo.slug:
            raise FakeError(404, f"Merge task {call.params['task_id']} not found")
        if task.pending_polls > 0:
            task.pending_polls -= 1
            return json_response(200, self.models.merge_task(repo, None).to_dict())
        if not task.done:
            if pr.state != "OPEN":
                raise FakeError(400, f"The merge failed: the pull request is {pr.state.lower()}.")
            await self._finish_merge(call, repo, pr, task)
        return json_response(200, self.models.merge_task(repo, pr).to_dict())

    async def _finish_merge(self, call: Call, repo: Repository, pr: PullRequest, task: _MergeTask) -> None:
        before = dict(repo.branches)
        self.state.merge(
            repo,
            pr,
            by=task.by,
            strategy=task.strategy,
            message=task.message,
            close_source_branch=task.close_source_branch,
        )
        task.done = True
        await self._event("pullrequest:fulfilled", call, repo, pr)
        await self.pushed(call, repo, before)  # the destination moved; a closed source branch is gone


# ---- request bodies ---------------------------------------------------------------------------------


@attrs.frozen
class _Endpoint:
    branch: str | None
    repository: str | None


def _endpoint(body: dict[str, Any], key: Literal["source", "destination"]) -> _Endpoint:
    value = body.get(key)
    if not isinstance(value, dict):
        return _Endpoint(None, None)
    branch = value.get("branch")
    repository = value.get("repository")
    return _Endpoint(
        branch.get("name") if isinstance(branch, dict) and isinstance(branch.get("name"), str) else None,
        repository.get("full_name") if isinstance(repository, dict) else None,
    )


def _summary(body: dict[str, Any]) -> str | None:
    summary = body.get("summary")
    raw = summary.get("raw") if isinstance(summary, dict) else None
    return raw if isinstance(raw, str) else None
