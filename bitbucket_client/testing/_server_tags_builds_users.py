"""What `FakeBitbucketServer` answers about tags and build statuses: with the user list (answered by
`_server_source`), the calls a script coming from atlassian-python-api makes most after pull requests
(`get_tags`, `get_associated_build_statuses`, `get_users`; docs/sync.md shows them side by side), and what
a CI job reports (`builds.create_status`, stored with `_server_writes`' statuses)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import attrs
import httpx

from bitbucket_client.server.models import RestBuildStatusState, RestTag

from ._fake import Call, FakeError, handles, json_response
from ._files import resolve_revision
from ._server_models import millis

if TYPE_CHECKING:
    from ._files import FileTrees
    from ._server_models import ServerModels
    from ._server_writes import ServerWriteState
    from ._state import FakeState, Owner, Repository

__all__ = ["ServerTagsBuildsUsers"]

T = TypeVar("T")

_EXCEPTIONS = "com.atlassian.bitbucket."
_BUILD_STATES = frozenset(state.value for state in RestBuildStatusState)


@attrs.define
class _Tag:
    name: str
    commit: str
    message: str


@attrs.define
class _Store:
    tags: dict[tuple[str, str], dict[str, _Tag]] = attrs.field(factory=dict)
    """(project key, repository slug) → tag name → tag."""


class _ServerFake(Protocol):
    """What the mixin uses of `FakeBitbucketServer`."""

    state: FakeState
    models: ServerModels

    def repository(self, owner: str, slug: str) -> Repository: ...
    def _repo(self, call: Call) -> tuple[Owner, Repository]: ...
    def _page(
        self, call: Call, items: Iterable[T], build: Callable[[T], dict[str, Any]]
    ) -> httpx.Response: ...
    def add_build_status(
        self, commit: str, *, key: str, url: str, state: str, name: str | None, description: str
    ) -> None: ...
    def _store_build_status(self, call: Call) -> httpx.Response: ...
    async def _event(self, event_key: str, call: Call, repo: Repository, **fields: Any) -> None: ...
    @property
    def writes(self) -> ServerWriteState: ...
    @property
    def _files(self) -> FileTrees: ...
    def _tags_of(self, repo: Repository) -> dict[str, _Tag]: ...


class ServerTagsBuildsUsers:
    """Mixin of `FakeBitbucketServer`: tags and build statuses (the user list is `_server_source`'s)."""

    def add_tag(
        self: _ServerFake,
        project: str,
        slug: str,
        name: str,
        *,
        start: str | None = None,
        message: str = "",
    ) -> str:
        """A tag at `start` (a branch or commit; default: the main branch). Returns the commit it names."""
        repo = self.repository(project, slug)
        commit = _commit(repo, start or repo.main_branch)
        _store(self).tags.setdefault((repo.owner, repo.slug), {})[name] = _Tag(name, commit, message)
        self._files.tags.setdefault(repo.full_name, {})[name] = commit  # raw, browse, archive at the tag
        return commit

    def add_build_status(
        self: _ServerFake,
        commit: str,
        *,
        key: str,
        url: str,
        state: str = "SUCCESSFUL",
        name: str | None = None,
        description: str = "",
    ) -> None:
        """A build status on `commit` (what a CI server posts): the newest one of a `key` replaces the
        others of that key, as on a real server."""
        if state not in _BUILD_STATES:
            raise ValueError(f"state must be one of {', '.join(sorted(_BUILD_STATES))}, got {state!r}")
        # One store with the repository-scoped `builds.create_status` (`_server_writes`): the legacy
        # endpoints name a commit only, so the status goes to the repository holding it.
        holder = next(
            (
                repo
                for owner in self.state.owners.values()
                for repo in owner.repositories.values()
                if commit in repo.commits
            ),
            None,
        )
        statuses = self.writes.builds.setdefault((holder.full_name if holder else "", commit), {})
        now = millis(self.state.now())
        statuses[key] = {
            "key": key,
            "state": state,
            "url": url,
            "name": name or key,
            "description": description,
            "createdDate": statuses.get(key, {}).get("createdDate", now),
            "updatedDate": now,
        }

    # ---- tags ---------------------------------------------------------------------------------------

    @handles("refs.list_tags", query={"filterText", "orderBy"})
    async def _list_tags(self: _ServerFake, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        tags = sorted(self._tags_of(repo).values(), key=lambda t: t.name)
        wanted = call.query.get("filterText", "").lower()
        chosen = [tag for tag in tags if wanted in tag.name.lower()]
        return self._page(call, chosen, _tag)

    @handles("refs.create_tag")
    async def _create_tag(self: _ServerFake, call: Call) -> httpx.Response:
        owner, repo = self._repo(call)
        body = call.body()
        name, start = body.get("name"), body.get("startPoint")
        if not isinstance(name, str) or not name or not isinstance(start, str) or not start:
            raise FakeError(
                400,
                'A tag needs a "name" and a "startPoint" (a branch or commit).',
                exception_name=_EXCEPTIONS + "validation.ArgumentValidationException",
            )
        tags = _store(self).tags.setdefault((repo.owner, repo.slug), {})
        if name in self._tags_of(repo):
            raise FakeError(
                409,
                f"Tag '{name}' already exists in repository '{repo.slug}'.",
                exception_name=_EXCEPTIONS + "repository.DuplicateRefException",
            )
        tag = tags[name] = _Tag(name, _commit(repo, start), str(body.get("message") or ""))
        self._files.tags.setdefault(repo.full_name, {})[name] = tag.commit
        change = {
            "ref": {"id": f"refs/tags/{name}", "displayId": name, "type": "TAG"},
            "refId": f"refs/tags/{name}",
            "fromHash": "0" * 40,
            "toHash": tag.commit,
            "type": "ADD",
        }
        repository = self.models.repository(repo, owner).to_dict()
        await self._event("repo:refs_changed", call, repo, repository=repository, changes=[change])
        return json_response(200, _tag(tag))

    def _tags_of(self: _ServerFake, repo: Repository) -> dict[str, _Tag]:
        """The repository's tags: made through the API or `add_tag`, and seeded with files
        (`add_file(..., tag=)`)."""
        made = _store(self).tags.get((repo.owner, repo.slug), {})
        seeded = {
            name: _Tag(name, commit, "") for name, commit in self._files.tags.get(repo.full_name, {}).items()
        }
        return {**seeded, **made}

    # ---- build statuses -----------------------------------------------------------------------------

    @handles("builds.list_statuses_legacy", query={"orderBy"})
    async def _list_build_statuses(self: _ServerFake, call: Call) -> httpx.Response:
        commit = call.params["commitId"]
        statuses = [
            status
            for (_, on), by_key in self.writes.builds.items()
            if on == commit
            for status in by_key.values()
        ]
        statuses.sort(key=lambda status: -int(status.get("updatedDate") or 0))  # newest first
        return self._page(call, statuses, _legacy_status)

    @handles("builds.create_status_legacy")
    async def _create_build_status_legacy(self: _ServerFake, call: Call) -> httpx.Response:
        return self._store_build_status(call)

    def _store_build_status(self: _ServerFake, call: Call) -> httpx.Response:
        body = call.body()
        fields = {name: body.get(name) for name in ("state", "key", "url")}
        missing = [name for name, value in fields.items() if not isinstance(value, str) or not value]
        if missing or body["state"] not in _BUILD_STATES:
            problem = f"missing {', '.join(missing)}" if missing else f"state {body['state']!r} is unknown"
            states = ", ".join(sorted(_BUILD_STATES))
            raise FakeError(
                400,
                f"A build status needs a state ({states}), a key and a url: {problem}.",
                exception_name=_EXCEPTIONS + "validation.ArgumentValidationException",
            )
        self.add_build_status(
            call.params["commitId"],
            key=body["key"],
            url=body["url"],
            state=body["state"],
            name=body.get("name") if isinstance(body.get("name"), str) else None,
            description=str(body.get("description") or ""),
        )
        return httpx.Response(204)


def _store(fake: object) -> _Store:
    store: _Store | None = getattr(fake, "_tags_builds_users", None)
    if store is None:
        store = _Store()
        fake._tags_builds_users = store  # type: ignore[attr-defined]
    return store


def _commit(repo: Repository, revision: str) -> str:
    """The commit named by a branch, a hash or a unique prefix (`_files.resolve_revision`), or Data
    Center's error for a name it does not know."""
    try:
        return resolve_revision(repo, revision)
    except KeyError:
        raise FakeError(
            400,
            f"{revision!r} is neither a branch nor a commit of {repo.full_name}.",
            exception_name=_EXCEPTIONS + "commit.NoSuchCommitException",
        ) from None


def _tag(tag: _Tag) -> dict[str, Any]:
    return RestTag(
        id=f"refs/tags/{tag.name}",
        display_id=tag.name,
        type_="TAG",
        latest_commit=tag.commit,
        latest_changeset=tag.commit,
        hash_=tag.commit,
    ).to_dict()


def _legacy_status(status: dict[str, Any]) -> dict[str, Any]:
    """A status as the legacy build-status API shows it: its fields and `dateAdded`."""
    shown: dict[str, Any] = {
        name: status[name] for name in ("state", "key", "name", "url", "description") if name in status
    }
    return {**shown, "dateAdded": status.get("updatedDate")}
