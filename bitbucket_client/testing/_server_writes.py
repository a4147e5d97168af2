"""The writes of `FakeBitbucketServer` beyond pull requests, comments and webhooks: build statuses and
branch permissions (ref restrictions), and reading them back.

A mixin: `FakeBitbucketServer` inherits it, and `@handles` is collected through the MRO. What these
operations create lives in `ServerWriteState`. Answers follow the 9.4 document; refusals are Data
Center's error bodies (`{"errors": [{"message", "exceptionName"}]}`).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import attrs
import httpx

from bitbucket_client.server.models import RestBuildStatusState

from ._fake import Call, FakeError, handles, json_response
from ._server_models import millis

if TYPE_CHECKING:
    from ._server_models import ServerModels
    from ._state import FakeState, Owner, Repository

__all__ = ["ServerWriteState", "ServerWrites"]

_EXCEPTIONS = "com.atlassian.bitbucket."
BUILD_STATES = frozenset(state.value for state in RestBuildStatusState)
RESTRICTION_TYPES = frozenset(
    {"read-only", "no-deletes", "fast-forward-only", "pull-request-only", "no-creates"}
)
MATCHER_TYPES = {
    "BRANCH": "Branch",
    "PATTERN": "Pattern",
    "MODEL_CATEGORY": "Branching model category",
    "MODEL_BRANCH": "Branching model branch",
}


@attrs.define
class ServerWriteState:
    """What the writes of this module created, by repository (``"KEY/slug"``)."""

    builds: dict[tuple[str, str], dict[str, dict[str, Any]]] = attrs.Factory(dict)  # (repo, commit) -> key
    restrictions: dict[str, dict[int, dict[str, Any]]] = attrs.Factory(dict)


class ServerWrites:
    """Handlers of `FakeBitbucketServer` for the writes listed in the module docstring."""

    if TYPE_CHECKING:
        state: FakeState
        models: ServerModels

        def _repo(self, call: Call) -> tuple[Owner, Repository]: ...

    @property
    def writes(self) -> ServerWriteState:
        """Build statuses and branch permissions."""
        found: ServerWriteState | None = self.__dict__.get("_writes")
        if found is None:
            found = self.__dict__["_writes"] = ServerWriteState()
        return found

    # ---- build statuses -------------------------------------------------------------------------------

    @handles("builds.create_status")
    async def _create_build_status(self, call: Call) -> httpx.Response:
        owner, repo = self._repo(call)
        commit = self._commit(call, repo)
        body = call.body()
        key, state, url = body.get("key"), body.get("state"), body.get("url")
        if not isinstance(key, str) or not key or not isinstance(url, str) or not url:
            raise FakeError(400, "A build status needs a key, a state and a url.")
        if state not in BUILD_STATES:
            raise FakeError(400, f"state: {state!r} is not one of {', '.join(sorted(BUILD_STATES))}.")
        statuses = self.writes.builds.setdefault((repo.full_name, commit), {})
        now = millis(self.state.now())
        status: dict[str, Any] = {
            name: body[name]
            for name in (
                "key",
                "state",
                "url",
                "name",
                "description",
                "buildNumber",
                "duration",
                "parent",
                "ref",
                "testResults",
            )
            if name in body
        }
        status.update(
            projectKey=owner.key,
            repositorySlug=repo.slug,
            createdDate=statuses.get(key, {}).get("createdDate", now),
            updatedDate=now,
        )
        statuses[key] = status  # the same key replaces the status, as on Data Center
        return httpx.Response(204)

    @handles("builds.get_status", query={"key"})
    async def _get_build_status(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        key = call.query.get("key", "")
        status = self.writes.builds.get((repo.full_name, self._commit(call, repo)), {}).get(key)
        if status is None:
            raise FakeError(
                404,
                f"No build status with key {key!r}.",
                exception_name=_EXCEPTIONS + "build.NoSuchBuildStatusException",
            )
        return json_response(200, status)

    def _commit(self, call: Call, repo: Repository) -> str:
        wanted = call.params["commitId"]
        found = [h for h in repo.commits if h.startswith(wanted)] if len(wanted) >= 7 else []
        if len(found) != 1:
            raise FakeError(
                404,
                f"Commit '{wanted}' does not exist in repository '{repo.slug}'.",
                exception_name=_EXCEPTIONS + "commit.NoSuchCommitException",
            )
        return found[0]

    # ---- branch permissions (ref restrictions) --------------------------------------------------------

    @handles("branch_restrictions.create_for_repository")
    async def _create_restrictions(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        body = _json(call)
        items = body if isinstance(body, list) else [body]
        if not items:
            raise FakeError(400, "No restriction to create.")
        created = [self._restriction(repo, item) for item in items]
        # The document answers the restriction created (a bulk request of one, the usual case).
        return json_response(200, created[0])

    @handles("branch_restrictions.get_for_repository")
    async def _get_restriction(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        restriction = self.writes.restrictions.get(repo.full_name, {}).get(call.int_param("id"))
        if restriction is None:
            raise FakeError(
                404,
                f"No restriction with id {call.params['id']}.",
                exception_name=_EXCEPTIONS + "permission.NoSuchRestrictionException",
            )
        return json_response(200, restriction)

    def _restriction(self, repo: Repository, item: Any) -> dict[str, Any]:
        if not isinstance(item, dict):
            raise FakeError(400, "Each restriction must be a JSON object.")
        kind, matcher = item.get("type"), item.get("matcher")
        if kind not in RESTRICTION_TYPES:
            raise FakeError(400, f"type: {kind!r} is not one of {', '.join(sorted(RESTRICTION_TYPES))}.")
        matcher_type = matcher.get("type") if isinstance(matcher, dict) else None
        type_id = matcher_type.get("id") if isinstance(matcher_type, dict) else None
        if (
            not isinstance(matcher, dict)
            or not isinstance(matcher.get("id"), str)
            or type_id not in MATCHER_TYPES
        ):
            raise FakeError(400, 'matcher: {"id": ..., "type": {"id": "BRANCH"|"PATTERN"|...}} is required.')
        users = []
        for slug in item.get("userSlugs") or []:
            user = self.state.users.get(str(slug).lower())
            if user is None:
                raise FakeError(
                    400,
                    f"User {slug} does not exist.",
                    exception_name=_EXCEPTIONS + "user.NoSuchUserException",
                )
            users.append(self.models.user(user).to_dict())
        restrictions = self.writes.restrictions.setdefault(repo.full_name, {})
        restriction_id = self.state.next_id("ref-restriction")
        restriction = {
            "id": restriction_id,
            "type": kind,
            "scope": {"type": "REPOSITORY", "resourceId": repo.id},
            "matcher": {
                "id": matcher["id"],
                "displayId": matcher.get("displayId") or str(matcher["id"]).removeprefix("refs/heads/"),
                "type": {"id": type_id, "name": MATCHER_TYPES[type_id]},
                "active": True,
            },
            "users": users,
            "groups": [str(group) for group in item.get("groupNames") or []],
            "accessKeys": [],
        }
        restrictions[restriction_id] = restriction
        return restriction


def _json(call: Call) -> Any:
    """The body, which for the bulk media type is a JSON list (`Call.body` takes objects only)."""
    try:
        return json.loads(call.request.content or b"{}")
    except ValueError as exc:
        raise FakeError(400, f"The request body is not valid JSON: {exc}") from None
