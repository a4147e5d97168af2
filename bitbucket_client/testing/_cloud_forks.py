"""Forks and watchers of `FakeBitbucketCloud`, answered as Bitbucket Cloud does.

A fork is a new repository holding the parent's branches and commits (the same hashes), its ``parent``
naming the original; forking sends ``repo:fork`` to the parent's subscriptions. The fork's creator
watches it. Watchers are seeded with ``fake.add_watcher``.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from ._cloud_mixin import CloudMixin
from ._fake import Call, FakeError, handles, json_response
from ._state import Owner, Repository, User

__all__ = ["CloudForks"]


class CloudForks(CloudMixin):
    """Forks and watchers for :class:`FakeBitbucketCloud` (a mixin)."""

    @property
    def _parents(self) -> dict[str, Repository]:
        """Fork's full name → its parent."""
        found: dict[str, Repository] = self.__dict__.setdefault("_fork_parents", {})
        return found

    @property
    def _watchers(self) -> dict[str, dict[str, User]]:
        found: dict[str, dict[str, User]] = self.__dict__.setdefault("_watcher_store", {})
        return found

    def add_watcher(self, owner: str, slug: str, user: str) -> User:
        """`user` (a slug) watches the repository."""
        repo = self.repository(owner, slug)
        watcher = self.state.user(user)
        self._watchers.setdefault(repo.full_name, {})[watcher.slug] = watcher
        return watcher

    def repository_json(self, repo: Repository, owner: Owner) -> dict[str, Any]:
        """A repository as Cloud answers it, with its ``parent`` when it is a fork."""
        data = self.models.repository(repo, owner).to_dict()
        parent = self._parents.get(repo.full_name)
        if parent is not None:
            data["parent"] = self.models.repository_summary(parent).to_dict()
        return data

    @handles("repositories.fork")
    async def _fork(self, call: Call) -> httpx.Response:
        _, parent = self._repo(call)
        body = call.body()
        workspace = body.get("workspace")
        target_key = workspace.get("slug") if isinstance(workspace, dict) else None
        target_key = target_key if isinstance(target_key, str) and target_key else call.user.slug
        target = self.state.find_owner(target_key)
        if target is None:
            if target_key.lower() != call.user.slug.lower():
                raise FakeError(404, f"No workspace with identifier '{target_key}'.")
            target = self.state.add_owner(call.user.slug)  # the caller's personal workspace
        name = body.get("name")
        name = name.strip() if isinstance(name, str) and name.strip() else parent.name
        slug = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-")
        if slug in target.repositories:
            raise FakeError(400, "Repository with this Slug and Owner already exists.")
        fork = self.state.add_repository(
            target.key,
            slug,
            name=name,
            description=str(body.get("description") or parent.description),
            is_private=body.get("is_private", parent.is_private) is not False,
            main_branch=parent.main_branch,
            author=call.user,
        )
        # The fork starts as a copy of the parent: same commits, same branches, nothing of its own.
        fork.commits = dict(parent.commits)
        fork.branches = dict(parent.branches)
        self._parents[fork.full_name] = parent
        self._watchers.setdefault(fork.full_name, {})[call.user.slug] = call.user
        data = self.repository_json(fork, target)
        await self._event("repo:fork", call, parent, fork=data)
        return json_response(201, data, {"Location": data["links"]["self"]["href"]})

    @handles("repositories.list_forks", query={"role", "q", "sort"})
    async def _list_forks(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        if call.query.keys() & {"role", "q", "sort"}:
            raise FakeError(
                501, "repositories.list_forks: role, q and sort are not implemented by this fake."
            )
        forks = [
            found
            for name, parent in self._parents.items()
            if parent is repo and (found := self.state.find_repository(*name.split("/", 1))) is not None
        ]
        return self._page(call, forks, lambda fork: self._fork_json(fork))

    def _fork_json(self, fork: Repository) -> dict[str, Any]:
        owner = self.state.find_owner(fork.owner)
        assert owner is not None
        return self.repository_json(fork, owner)

    @handles("repositories.list_watchers")
    async def _list_watchers(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        watchers = list(self._watchers.get(repo.full_name, {}).values())
        return self._page(call, watchers, lambda user: self.models.account(user).to_dict())
