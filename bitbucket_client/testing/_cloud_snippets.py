"""Snippets of `FakeBitbucketCloud`, answered as Bitbucket Cloud does.

A snippet belongs to a workspace and holds files. It is created from JSON (title, ``is_private``; no
files) or from a ``multipart/form-data`` body whose ``file`` parts are its files; ``PUT`` changes the
title and adds or replaces files the same way. ``files/{path}`` redirects (302) to the file at the
snippet's latest revision, which serves the bytes. Revisions, comments, watching and diffs answer 501.
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import quote

import attrs
import httpx

from bitbucket_client.cloud.models import Link, RepositoryScm, Snippet, SnippetLinks

from ._cloud_mixin import CloudMixin
from ._fake import Call, FakeError, handles, json_response
from ._files import media_type, read_form
from ._state import Owner, User

__all__ = ["CloudSnippets", "FakeSnippet"]


_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
_ROLES = ("owner", "contributor", "member")


@attrs.define(eq=False)
class FakeSnippet:
    """A snippet (``fake.snippet(workspace, encoded_id)``)."""

    encoded_id: str
    """Its id in URLs (``kypj89``)."""
    workspace: str
    """The workspace it belongs to."""
    title: str
    """Its title."""
    is_private: bool
    """Visible to the workspace's members only."""
    creator: User
    """Who created it."""
    created: datetime.datetime
    """When it was created."""
    updated: datetime.datetime
    """When it last changed."""
    files: dict[str, bytes] = attrs.field(factory=dict)
    """File name → content, at its latest revision."""
    revision: str = ""
    """Its latest revision (a commit hash of the snippet's own repository)."""


class CloudSnippets(CloudMixin):
    """Snippets for :class:`FakeBitbucketCloud` (a mixin)."""

    @property
    def _snippets(self) -> dict[str, FakeSnippet]:
        found: dict[str, FakeSnippet] = self.__dict__.setdefault("_snippet_store", {})
        return found

    def snippet(self, workspace: str, encoded_id: str) -> FakeSnippet:
        """The state of a snippet (`LookupError` if there is none)."""
        found = self._snippets.get(encoded_id)
        if found is None or found.workspace.lower() != workspace.lower():
            raise LookupError(f"no snippet {workspace}/{encoded_id} in {type(self).__name__}")
        return found

    def add_snippet(
        self,
        workspace: str,
        title: str,
        files: dict[str, bytes | str] | None = None,
        *,
        is_private: bool = False,
        creator: str | None = None,
    ) -> FakeSnippet:
        """A snippet of `workspace` (created if missing) holding `files` (name → content)."""
        owner = self.state.find_owner(workspace) or self.state.add_owner(workspace)
        user = self.user if creator is None else self.state.user(creator)
        contents = {
            name: data.encode() if isinstance(data, str) else data for name, data in (files or {}).items()
        }
        return self._new_snippet(owner, title, contents, is_private=is_private, creator=user)

    def _new_snippet(
        self, owner: Owner, title: str, files: dict[str, bytes], *, is_private: bool, creator: User
    ) -> FakeSnippet:
        number = self.state.next_id("snippet") + 36**5  # six characters, like Cloud's
        encoded = ""
        while number:
            number, digit = divmod(number, 36)
            encoded = _ALPHABET[digit] + encoded
        created = self.state.now()
        snippet = FakeSnippet(
            encoded_id=encoded,
            workspace=owner.key,
            title=title,
            is_private=is_private,
            creator=creator,
            created=created,
            updated=created,
            files=dict(files),
            revision=self.state.new_hash(f"snippet:{encoded}"),
        )
        self._snippets[encoded] = snippet
        return snippet

    def _snippet_of(self, call: Call) -> FakeSnippet:
        owner = self._owner(call)
        found = self._snippets.get(call.params["encoded_id"])
        if found is None or found.workspace != owner.key:
            raise FakeError(404, f"Snippet {call.params['encoded_id']} not found")
        return found

    # ---- JSON -----------------------------------------------------------------------------------------

    def _snippet_json(self, snippet: FakeSnippet) -> dict[str, Any]:
        owner = self.state.find_owner(snippet.workspace)
        assert owner is not None
        base = f"{self.models.api}/snippets/{snippet.workspace}/{snippet.encoded_id}"
        html = f"{self.models.web}/{snippet.workspace}/workspace/snippets/{snippet.encoded_id}"
        data = Snippet(
            type_="snippet",
            id=snippet.encoded_id,
            title=snippet.title,
            scm=RepositoryScm.GIT,
            created_on=snippet.created,
            updated_on=snippet.updated,
            owner=self.models.workspace_account(owner),
            creator=self.models.account(snippet.creator),
            is_private=snippet.is_private,
            links=SnippetLinks(
                self_=Link(href=base),
                html=Link(href=html),
                comments=Link(href=f"{base}/comments"),
                watchers=Link(href=f"{base}/watchers"),
                commits=Link(href=f"{base}/commits"),
                clone=[
                    Link(
                        href=f"https://{self.models.web_host}/snippets/{snippet.workspace}/{snippet.encoded_id}.git",
                        name="https",
                    ),
                    Link(
                        href=f"git@{self.models.web_host}:snippets/{snippet.workspace}/{snippet.encoded_id}.git",
                        name="ssh",
                    ),
                ],
            ),
        ).to_dict()
        data["files"] = {
            name: {
                "links": {
                    "self": {"href": f"{base}/{snippet.revision}/files/{quote(name)}"},
                    "html": {"href": f"{html}/revisions/{snippet.revision}#file-{quote(name)}"},
                }
            }
            for name in sorted(snippet.files)
        }
        return data

    # ---- handlers -------------------------------------------------------------------------------------

    def _snippet_fields(self, call: Call) -> tuple[dict[str, Any], dict[str, bytes]]:
        """The title/is_private fields and the files of a JSON or form body."""
        content_type = call.request.headers.get("content-type", "")
        if content_type.startswith("application/json") or not call.request.content:
            return call.body(), {}
        fields: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        for part in read_form(call.request):
            if part.file_name is not None:
                files[part.file_name] = part.content
            elif part.name == "title":
                fields["title"] = part.content.decode()
            elif part.name == "is_private":
                fields["is_private"] = part.content.decode().lower() == "true"
        return fields, files

    async def _create(self, call: Call, owner: Owner) -> httpx.Response:
        fields, files = self._snippet_fields(call)
        title = fields.get("title")
        snippet = self._new_snippet(
            owner,
            title if isinstance(title, str) else "",
            files,
            is_private=fields.get("is_private") is True,
            creator=call.user,
        )
        data = self._snippet_json(snippet)
        return json_response(201, data, {"Location": data["links"]["self"]["href"]})

    @handles("snippets.create")
    async def _create_snippet(self, call: Call) -> httpx.Response:
        return await self._create(call, self._owner(call))

    @handles("snippets.create_for_current_user")
    async def _create_own_snippet(self, call: Call) -> httpx.Response:
        owner = self.state.find_owner(call.user.slug) or self.state.add_owner(call.user.slug)
        return await self._create(call, owner)

    @handles("snippets.list", query={"role"})
    async def _list_snippets(self, call: Call) -> httpx.Response:
        owner = self._owner(call)
        snippets = [s for s in self._snippets.values() if s.workspace == owner.key]
        return self._page(call, snippets, self._snippet_json)

    @handles("snippets.list_accessible", query={"role"})
    async def _list_accessible(self, call: Call) -> httpx.Response:
        role = call.query.get("role")
        if role is not None and role not in _ROLES:
            raise FakeError(400, f"role: {role!r} is not one of {', '.join(_ROLES)}")
        mine = [s for s in self._snippets.values() if s.creator is call.user or s.workspace == call.user.slug]
        return self._page(call, mine, self._snippet_json)

    @handles("snippets.get")
    async def _get_snippet(self, call: Call) -> httpx.Response:
        return json_response(200, self._snippet_json(self._snippet_of(call)))

    @handles("snippets.update")
    async def _update_snippet(self, call: Call) -> httpx.Response:
        snippet = self._snippet_of(call)
        fields, files = self._snippet_fields(call)
        if isinstance(fields.get("title"), str):
            snippet.title = fields["title"]
        if isinstance(fields.get("is_private"), bool):
            snippet.is_private = fields["is_private"]
        if files:
            snippet.files.update(files)
            snippet.revision = self.state.new_hash(f"snippet:{snippet.encoded_id}")
        snippet.updated = self.state.now()
        return json_response(200, self._snippet_json(snippet))

    @handles("snippets.delete")
    async def _delete_snippet(self, call: Call) -> httpx.Response:
        snippet = self._snippet_of(call)
        del self._snippets[snippet.encoded_id]
        return httpx.Response(204)

    @handles("snippets.get_file")
    async def _get_snippet_file(self, call: Call) -> httpx.Response:
        snippet = self._snippet_of(call)
        path = call.params["path"]
        if path not in snippet.files:
            raise FakeError(404, f"File {path} not found in snippet {snippet.encoded_id}")
        location = (
            f"{self.models.api}/snippets/{snippet.workspace}/{snippet.encoded_id}/{snippet.revision}"
            f"/files/{quote(path)}"
        )
        return httpx.Response(302, headers={"Location": location})

    @handles("snippets.get_revision_file")
    async def _get_snippet_revision_file(self, call: Call) -> httpx.Response:
        snippet = self._snippet_of(call)
        path = call.params["path"]
        if call.params["node_id"] != snippet.revision:
            raise FakeError(501, "Snippet revisions other than the latest are not implemented by this fake.")
        if path not in snippet.files:
            raise FakeError(404, f"File {path} not found in snippet {snippet.encoded_id}")
        return httpx.Response(200, content=snippet.files[path], headers={"Content-Type": media_type(path)})
