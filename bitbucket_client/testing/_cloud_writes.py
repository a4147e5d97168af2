"""The writes of `FakeBitbucketCloud` beyond pull requests, comments and webhooks: tasks, tags, commit
statuses, branch restrictions, deployment variables and pipeline runs (and reading them back), plus the
inline anchor of pull request comments.

A mixin: `FakeBitbucketCloud` inherits it, and `@handles` is collected through the MRO. What these
operations create lives in `CloudWriteState`, next to the shared `FakeState`. Answers are built in the
document's shapes, and refusals are Cloud's error bodies with the messages Bitbucket gives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import httpx

from bitbucket_client.cloud.models import (
    BranchrestrictionBranchType,
    BranchrestrictionKind,
    CommitstatusState,
    PipelineTargetInputType,
)

from ._fake import Call, FakeError, handles, json_response
from ._files import resolve_revision

if TYPE_CHECKING:
    from ._cloud_models import CloudModels
    from ._files import FileTrees
    from ._state import Comment, Commit, FakeState, Owner, PullRequest, Repository, User

__all__ = ["CloudWriteState", "CloudWrites"]

# What the document allows, from its enums.
RESTRICTION_KINDS = frozenset(kind.value for kind in BranchrestrictionKind)
BRANCH_TYPES = frozenset(kind.value for kind in BranchrestrictionBranchType)
COMMIT_STATUS_STATES = frozenset(state.value for state in CommitstatusState)
TARGET_TYPES = frozenset(kind.value for kind in PipelineTargetInputType)


@attrs.define
class CloudWriteState:
    """What the writes of this module created, by repository (``"workspace/slug"``)."""

    tasks: dict[tuple[str, int], dict[int, dict[str, Any]]] = attrs.Factory(dict)  # (repo, pr) -> id -> task
    tags: dict[str, dict[str, dict[str, Any]]] = attrs.Factory(dict)
    statuses: dict[tuple[str, str], dict[str, dict[str, Any]]] = attrs.Factory(dict)  # (repo, hash) -> key
    restrictions: dict[str, dict[int, dict[str, Any]]] = attrs.Factory(dict)
    environments: dict[str, dict[str, dict[str, Any]]] = attrs.Factory(dict)  # repo -> uuid -> variables
    pipelines: dict[str, dict[str, dict[str, Any]]] = attrs.Factory(dict)  # repo -> uuid -> pipeline
    inline: dict[tuple[str, int, int], dict[str, Any]] = attrs.Factory(dict)  # (repo, pr, comment) -> anchor


class CloudWrites:
    """Handlers of `FakeBitbucketCloud` for the writes listed in the module docstring."""

    if TYPE_CHECKING:
        state: FakeState
        models: CloudModels

        def _repo(self, call: Call) -> tuple[Owner, Repository]: ...
        def _pull_request(self, call: Call) -> tuple[Repository, PullRequest]: ...
        def _find_user(self, reference: Any) -> User: ...
        def _page(self, call: Call, items: Any, build: Any) -> httpx.Response: ...
        @property
        def _files(self) -> FileTrees: ...
        async def _event(
            self, event_key: str, call: Call, repo: Repository, pr: PullRequest | None = None, **extra: Any
        ) -> None: ...

    @property
    def writes(self) -> CloudWriteState:
        """Tasks, tags, commit statuses, branch restrictions, deployment variables and pipelines."""
        found: CloudWriteState | None = self.__dict__.get("_writes")
        if found is None:
            found = self.__dict__["_writes"] = CloudWriteState()
        return found

    # ---- pull request tasks ---------------------------------------------------------------------------

    @handles("pullrequests.create_task")
    async def _create_task(self, call: Call) -> httpx.Response:
        repo, pr = self._pull_request(call)
        body = call.body()
        raw = _raw(body.get("content"))
        if not raw:
            raise FakeError(400, 'content: {"raw": "..."} is required.')
        comment = body.get("comment")
        comment_id = comment.get("id") if isinstance(comment, dict) else None
        if comment_id is not None and comment_id not in pr.comments:
            raise FakeError(400, f"comment: comment {comment_id} not found")
        tasks = self.writes.tasks.setdefault((repo.full_name, pr.id), {})
        task_id = self.state.next_id("task")
        now = self.models.timestamp(self.state.now())
        base = f"{self.models.api}/repositories/{repo.full_name}/pullrequests/{pr.id}"
        task = {
            "id": task_id,
            "created_on": now,
            "updated_on": now,
            "state": "UNRESOLVED",
            "content": self.models.markup(raw).to_dict(),
            "creator": self.models.account(call.user).to_dict(),
            "pending": body.get("pending") is True,
            "resolved_on": None,
            "resolved_by": None,
            "links": {"self": {"href": f"{base}/tasks/{task_id}"}},
        }
        if comment_id is not None:
            task["comment"] = {"type": "pullrequest_comment", "id": comment_id}
        tasks[task_id] = task
        return json_response(201, task)

    @handles("pullrequests.list_tasks")
    async def _list_tasks(self, call: Call) -> httpx.Response:
        repo, pr = self._pull_request(call)
        tasks = list(self.writes.tasks.get((repo.full_name, pr.id), {}).values())
        return self._page(call, tasks, dict)

    # ---- tags -----------------------------------------------------------------------------------------

    @handles("refs.create_tag")
    async def _create_tag(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        body = call.body()
        name, target = body.get("name"), body.get("target")
        start = target.get("hash") if isinstance(target, dict) else None
        if not isinstance(name, str) or not name or not isinstance(start, str) or not start:
            raise FakeError(400, 'A tag needs a "name" and a "target": {"hash": "<commit>"}.')
        tags = self.writes.tags.setdefault(repo.full_name, {})
        if name in tags:
            raise FakeError(400, f'tag "{name}" already exists')
        commit = repo.commits.get(_commit_of(repo, start))
        if commit is None:
            raise FakeError(400, f"The target {start!r} is not a commit of {repo.full_name}.")
        message = body.get("message")
        tag = self._tag(repo, name, commit, message if isinstance(message, str) else None, call.user)
        tags[name] = tag
        self._files.tags.setdefault(repo.full_name, {})[name] = commit.hash  # `src` at the tag
        change: dict[str, Any] = {
            "old": None,
            "new": {
                key: tag[key] for key in ("type", "name", "target", "message", "date", "tagger", "links")
            },
            "created": True,
            "closed": False,
            "forced": False,
            "truncated": False,
            "commits": [],
        }
        await self._event("repo:push", call, repo, push={"changes": [change]})  # a tag is pushed too
        return json_response(201, tag)

    @handles("refs.get_tag")
    async def _get_tag(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        tag = self._tags_of(repo).get(call.params["name"])
        if tag is None:
            raise FakeError(404, f"Tag not found: {call.params['name']}")
        return json_response(200, tag)

    @handles("refs.list_tags", query={"q", "sort"})
    async def _list_tags(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        tags = self._tags_of(repo)
        if call.query.get("sort", "name").removeprefix("-") != "name" or call.query.get("q"):
            raise FakeError(501, "refs.list_tags: FakeBitbucketCloud sorts by name only and filters nothing")
        names = sorted(tags, reverse=call.query.get("sort", "").startswith("-"))
        return self._page(call, names, lambda name: tags[name])

    def _tags_of(self, repo: Repository) -> dict[str, dict[str, Any]]:
        """The repository's tags: made through the API, and seeded with files (`add_file(..., tag=)`)."""
        made = self.writes.tags.get(repo.full_name, {})
        seeded = {
            name: self._tag(repo, name, repo.commits[commit], None, None)
            for name, commit in self._files.tags.get(repo.full_name, {}).items()
            if name not in made and commit in repo.commits
        }
        return {**seeded, **made}

    def _tag(
        self, repo: Repository, name: str, commit: Commit, message: str | None, tagger: User | None
    ) -> dict[str, Any]:
        """A tag as Cloud answers it (`refs.get_tag`); a seeded tag has the commit's author as tagger."""
        who = tagger if tagger is not None else commit.author
        return {
            "type": "tag",
            "name": name,
            "target": self.models.commit(repo, commit).to_dict(),
            "message": message or f"Added tag {name} for changeset {commit.hash[:12]}",
            "date": self.models.timestamp(self.state.now() if tagger is not None else commit.date),
            "tagger": {
                "type": "author",
                "raw": who.display_name,
                "user": self.models.account(who).to_dict(),
            },
            "links": {
                "self": {"href": f"{self.models.api}/repositories/{repo.full_name}/refs/tags/{name}"},
                "commits": {"href": f"{self.models.api}/repositories/{repo.full_name}/commits/{name}"},
                "html": {"href": f"{self.models.web}/{repo.full_name}/commits/tag/{name}"},
            },
        }

    # ---- commit statuses ------------------------------------------------------------------------------

    @handles("commit_statuses.create")
    async def _create_commit_status(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        commit_hash = _commit_of(repo, call.params["commit"])
        if commit_hash not in repo.commits:
            raise FakeError(404, f"Commit not found: {call.params['commit']}")
        body = call.body()
        key, state, url = body.get("key"), body.get("state"), body.get("url")
        if not isinstance(key, str) or not key or not isinstance(url, str) or not url:
            raise FakeError(400, 'A commit status needs a "key", a "state" and a "url".')
        if state not in COMMIT_STATUS_STATES:
            raise FakeError(400, f"state: {state!r} is not one of {', '.join(sorted(COMMIT_STATUS_STATES))}")
        statuses = self.writes.statuses.setdefault((repo.full_name, commit_hash), {})
        now = self.models.timestamp(self.state.now())
        base = f"{self.models.api}/repositories/{repo.full_name}/commit/{commit_hash}"
        status = {
            "type": "build",
            "key": key,
            "state": state,
            "url": url,
            "name": body.get("name") if isinstance(body.get("name"), str) else key,
            "description": body.get("description") if isinstance(body.get("description"), str) else "",
            "refname": body.get("refname") if isinstance(body.get("refname"), str) else None,
            "created_on": statuses.get(key, {}).get("created_on", now),
            "updated_on": now,
            "links": {"self": {"href": f"{base}/statuses/build/{key}"}, "commit": {"href": base}},
            "commit": {"type": "commit", "hash": commit_hash},
            "repository": self.models.repository_summary(repo).to_dict(),
        }
        created = key not in statuses
        statuses[key] = status  # the same key overwrites, as on Bitbucket
        event = "repo:commit_status_created" if created else "repo:commit_status_updated"
        await self._event(event, call, repo, commit_status=status)
        return json_response(201, status)

    @handles("commit_statuses.list")
    async def _list_commit_statuses(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        statuses = self.writes.statuses.get((repo.full_name, _commit_of(repo, call.params["commit"])), {})
        return self._page(call, list(statuses.values()), dict)

    # ---- branch restrictions --------------------------------------------------------------------------

    @handles("branch_restrictions.create")
    async def _create_restriction(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        body = call.body()
        kind, match = body.get("kind"), body.get("branch_match_kind", "glob")
        if kind not in RESTRICTION_KINDS:
            raise FakeError(400, f"kind: {kind!r} is not a valid choice.")
        if match == "glob":
            if not isinstance(body.get("pattern"), str) or not body["pattern"]:
                raise FakeError(400, "pattern: This field is required for glob restrictions.")
            matcher = ("glob", body["pattern"])
        elif match == "branching_model":
            if body.get("branch_type") not in BRANCH_TYPES:
                raise FakeError(400, f"branch_type: {body.get('branch_type')!r} is not a valid choice.")
            matcher = ("branching_model", body["branch_type"])
        else:
            raise FakeError(400, f"branch_match_kind: {match!r} is not a valid choice.")
        restrictions = self.writes.restrictions.setdefault(repo.full_name, {})
        for existing in restrictions.values():
            if existing["kind"] == kind and existing["_matcher"] == matcher:
                raise FakeError(409, f"A {kind} restriction for this branch already exists.")
        restriction_id = self.state.next_id("branch-restriction")
        href = f"{self.models.api}/repositories/{repo.full_name}/branch-restrictions/{restriction_id}"
        restriction = {
            "type": "branchrestriction",
            "id": restriction_id,
            "kind": kind,
            "branch_match_kind": match,
            "pattern": body.get("pattern", ""),
            "value": body.get("value"),
            "users": [
                self.models.account(self._find_user(user)).to_dict() for user in body.get("users") or []
            ],
            "groups": [_group(group) for group in body.get("groups") or []],
            "links": {"self": {"href": href}},
            "_matcher": matcher,
        }
        if match == "branching_model":
            restriction["branch_type"] = body["branch_type"]
        restrictions[restriction_id] = restriction
        return json_response(201, _public(restriction))

    @handles("branch_restrictions.get")
    async def _get_restriction(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        restriction = self.writes.restrictions.get(repo.full_name, {}).get(call.int_param("id"))
        if restriction is None:
            raise FakeError(404, f"Branch restriction {call.params['id']} not found")
        return json_response(200, _public(restriction))

    # ---- deployment variables -------------------------------------------------------------------------

    @handles("deployments.create_environment_variable")
    async def _create_deployment_variable(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        environments = self.writes.environments.get(repo.full_name.lower(), {})
        wanted = call.params["environment_uuid"].strip("{}")
        variables = next((v for uuid, v in environments.items() if uuid.strip("{}") == wanted), None)
        if variables is None:
            raise FakeError(404, f"Environment {call.params['environment_uuid']} not found")
        body = call.body()
        key, value = body.get("key"), body.get("value")
        if not isinstance(key, str) or not key or not isinstance(value, str):
            raise FakeError(400, 'A variable needs a "key" and a "value".')
        if key in variables:
            raise FakeError(409, f"A variable with the key {key} already exists.")
        secured = body.get("secured") is True
        variable = {
            "type": "deployment_variable",
            "uuid": self.state.new_uuid(),
            "key": key,
            "secured": secured,
        }
        variables[key] = {**variable, "value": value}
        # A secured variable's value is never given back.
        return json_response(201, variable if secured else {**variable, "value": value})

    # ---- pipelines ------------------------------------------------------------------------------------

    @handles("pipelines.run")
    async def _run_pipeline(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        body = call.body()
        target = body.get("target")
        if not isinstance(target, dict) or target.get("type") not in TARGET_TYPES:
            raise FakeError(400, f"target.type: one of {', '.join(sorted(TARGET_TYPES))} is required.")
        commit_hash = self._pipeline_commit(repo, target)
        pipelines = self.writes.pipelines.setdefault(repo.full_name, {})
        uuid = self.state.new_uuid()
        out_target: dict[str, Any] = {
            key: value
            for key, value in target.items()
            if key in ("type", "ref_type", "ref_name", "selector", "source", "destination")
        }
        out_target["commit"] = {"type": "commit", "hash": commit_hash}
        if isinstance(target.get("selector"), dict):
            out_target["selector"] = {"type": "pipeline_selector", **target["selector"]}
        pipeline = {
            "type": "pipeline",
            "uuid": uuid,
            "build_number": len(pipelines) + 1,
            "creator": self.models.account(call.user).to_dict(),
            "repository": self.models.repository_summary(repo).to_dict(),
            "target": out_target,
            "trigger": {"type": "pipeline_trigger_manual", "name": "MANUAL"},
            "state": {"type": "pipeline_state_pending", "name": "PENDING"},
            "variables": [_pipeline_variable(v, self.state.new_uuid()) for v in body.get("variables") or []],
            "created_on": self.models.timestamp(self.state.now()),
            "build_seconds_used": 0,
            "links": {
                "self": {"href": f"{self.models.api}/repositories/{repo.full_name}/pipelines/{uuid}"},
            },
        }
        pipelines[uuid] = pipeline
        return json_response(201, pipeline)

    def _pipeline_commit(self, repo: Repository, target: dict[str, Any]) -> str:
        commit = target.get("commit")
        if isinstance(commit, dict) and isinstance(commit.get("hash"), str):
            found = _commit_of(repo, commit["hash"])
            if found not in repo.commits:
                raise FakeError(
                    400, f"target.commit: {commit['hash']!r} is not a commit of {repo.full_name}."
                )
            return found
        ref = target.get("ref_name") if target["type"] == "pipeline_ref_target" else target.get("source")
        if not isinstance(ref, str) or ref not in repo.branches:
            raise FakeError(400, f"target: the branch {ref!r} does not exist in {repo.full_name}.")
        return repo.branches[ref]

    # ---- inline comments (used by FakeBitbucketCloud's comment handlers) ------------------------------

    def inline_anchor(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """The `inline` of a comment's body, checked: a `path` and `from`/`to` lines (None: not inline)."""
        inline = body.get("inline")
        if inline is None:
            return None
        path = inline.get("path") if isinstance(inline, dict) else None
        if not isinstance(path, str) or not path:
            raise FakeError(400, 'inline: {"path": "...", "to": <line>} is required for an inline comment.')
        lines = {key: inline.get(key) for key in ("from", "to", "start_from", "start_to")}
        if any(value is not None and (not isinstance(value, int) or value < 1) for value in lines.values()):
            raise FakeError(400, "inline: line numbers start at 1.")
        return {"path": path, **{key: value for key, value in lines.items() if value is not None}}

    def comment_data(self, repo: Repository, pr: PullRequest, comment: Comment) -> dict[str, Any]:
        """A pull request comment as Cloud answers it, with its inline anchor if it has one."""
        data = self.models.comment(repo, pr, comment).to_dict()
        anchor = self.writes.inline.get((repo.full_name, pr.id, comment.id))
        if anchor is not None:
            data["inline"] = {**anchor, "outdated": False}
        return data


def _raw(content: Any) -> str | None:
    raw = content.get("raw") if isinstance(content, dict) else None
    return raw if isinstance(raw, str) and raw.strip() else None


def _commit_of(repo: Repository, revision: str) -> str:
    """The commit a branch, a hash or a unique prefix names (`_files.resolve_revision`); else `revision`
    itself, which the caller finds in no repository."""
    try:
        return resolve_revision(repo, revision)
    except KeyError:
        return revision


def _group(reference: Any) -> dict[str, Any]:
    slug = reference.get("slug") or reference.get("name") if isinstance(reference, dict) else None
    if not isinstance(slug, str) or not slug:
        raise FakeError(400, f"groups: unknown group {reference!r}")
    return {"type": "group", "slug": slug, "name": reference.get("name") or slug}


def _pipeline_variable(variable: Any, uuid: str) -> dict[str, Any]:
    if not isinstance(variable, dict) or not isinstance(variable.get("key"), str):
        raise FakeError(400, 'variables: each variable needs a "key" and a "value".')
    secured = variable.get("secured") is True
    out = {"type": "pipeline_variable", "uuid": uuid, "key": variable["key"], "secured": secured}
    return out if secured else {**out, "value": variable.get("value", "")}


def _public(restriction: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in restriction.items() if not key.startswith("_")}
