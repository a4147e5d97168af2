"""The file operations of `FakeBitbucketServer`, answered as Bitbucket Data Center does.

- `browse/{path}`: a folder as `{path, revision, children: page}`, a file as a page of `lines`.
- `raw/{path}`: the bytes; `archive`: a zip or tar of the tree (`format`, `prefix`, `path`).
- `files[/{path}]`: a page of file paths; `PUT browse/{path}`: a commit editing one file (multipart).
- `users` (a page, `filter`); project avatars, uploaded as multipart and read back.
- Like Tomcat in front of a real server, any URL holding an encoded slash (`%2F`) gets a 400 HTML page:
  file paths must keep their slashes.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
import zipfile
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from ._fake import Call, FakeError, handles, json_response
from ._files import FilesMixin, children, is_folder, media_type, read_form
from ._state import Owner, Repository

if TYPE_CHECKING:
    from ._server_models import ServerModels

__all__ = ["ServerFiles"]

T = TypeVar("T")

_EXCEPTIONS = "com.atlassian.bitbucket."
_LINES_LIMIT = 500
_ARCHIVES = {
    "zip": "application/zip",
    "tar": "application/x-tar",
    "tgz": "application/x-tar",
    "tar.gz": "application/x-tar",
}
_TOMCAT_400 = (
    '<!doctype html><html lang="en"><head><title>HTTP Status 400 - Bad Request</title></head><body>'
    "<h1>HTTP Status 400 - Bad Request</h1><p><b>Message</b> Invalid URI: [The encoded slash character is "
    "not allowed]</p></body></html>"
)


class ServerFiles(FilesMixin):
    """Files, archives, file edits, users and avatars for :class:`FakeBitbucketServer` (a mixin)."""

    if TYPE_CHECKING:
        models: ServerModels

        def _project(self, call: Call) -> Owner: ...

        def _repo(self, call: Call) -> tuple[Owner, Repository]: ...

        async def pushed(self, call: Call, repo: Repository, before: dict[str, str]) -> None: ...

        def _page(
            self, call: Call, items: Iterable[T], build: Callable[[T], dict[str, Any]]
        ) -> httpx.Response: ...

    @property
    def _avatars(self) -> dict[str, tuple[bytes, str]]:
        found: dict[str, tuple[bytes, str]] = self.__dict__.setdefault("_avatar_store", {})
        return found

    def avatar(self, project: str) -> bytes | None:
        """The avatar uploaded for `project`, if any."""
        return self._avatars.get(project.upper(), (None, ""))[0]

    def answer_elsewhere(self, request: httpx.Request) -> httpx.Response | None:
        if b"%2f" in request.url.raw_path.partition(b"?")[0].lower():
            return httpx.Response(400, text=_TOMCAT_400, headers={"Content-Type": "text/html;charset=utf-8"})
        return super().answer_elsewhere(request)

    # ---- reading files --------------------------------------------------------------------------------

    def _tree(self, call: Call) -> tuple[Repository, str, dict[str, bytes]]:
        _, repo = self._repo(call)
        at = call.query.get("at") or repo.main_branch
        try:
            commit = self._files.resolve(repo, at)
        except KeyError:
            raise FakeError(
                404,
                f"The revision '{at}' does not exist.",
                exception_name=_EXCEPTIONS + "commit.NoSuchCommitException",
            ) from None
        return repo, commit, self._files.tree(repo, commit)

    def _missing(self, path: str, commit: str) -> FakeError:
        return FakeError(
            404,
            f'The path "{path}" does not exist at revision "{commit}"',
            exception_name=_EXCEPTIONS + "content.NoSuchPathException",
        )

    @handles("source.get", query={"at", "start", "limit"})
    async def _browse(self, call: Call) -> httpx.Response:
        return self._browsed(call, call.params["path"].strip("/"))

    @handles("source.get_root", query={"at", "start", "limit"})
    async def _browse_root(self, call: Call) -> httpx.Response:
        return self._browsed(call, "")

    def _browsed(self, call: Call, path: str) -> httpx.Response:
        _, commit, tree = self._tree(call)
        start, limit = _window(call, _LINES_LIMIT)
        if path in tree:
            lines = tree[path].decode("utf-8", errors="replace").splitlines()
            chosen = lines[start : start + limit]
            body: dict[str, Any] = {
                "lines": [{"text": line} for line in chosen],
                "start": start,
                "size": len(chosen),
                "isLastPage": start + limit >= len(lines),
            }
            if not body["isLastPage"]:
                body["nextPageStart"] = start + len(chosen)
            return json_response(200, body)
        if not is_folder(tree, path):
            raise self._missing(path, commit)
        entries = children(tree, path, 1)
        chosen_entries = entries[start : start + limit]
        values = [self._child(tree, entry, nested, path) for entry, nested in chosen_entries]
        page: dict[str, Any] = {
            "size": len(values),
            "limit": limit,
            "isLastPage": start + limit >= len(entries),
            "values": values,
            "start": start,
        }
        if not page["isLastPage"]:
            page["nextPageStart"] = start + len(values)
        revision = call.query.get("at") or "refs/heads/" + self._repo(call)[1].main_branch
        return json_response(200, {"path": _path(path), "revision": revision, "children": page})

    def _child(self, tree: dict[str, bytes], entry: str, nested: bool, folder: str) -> dict[str, Any]:
        relative = entry[len(folder) + 1 :] if folder else entry
        if nested:
            return {"path": _path(relative), "type": "DIRECTORY"}
        content = tree[entry]
        return {
            "path": _path(relative),
            "contentId": hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest(),
            "type": "FILE",
            "size": len(content),
        }

    @handles("source.get_raw", query={"at"})
    async def _raw(self, call: Call) -> httpx.Response:
        _, commit, tree = self._tree(call)
        path = call.params["path"].strip("/")
        if path not in tree:
            raise self._missing(path, commit)
        return httpx.Response(200, content=tree[path], headers={"Content-Type": media_type(path)})

    @handles("source.list_files", query={"at"})
    async def _list_files_under(self, call: Call) -> httpx.Response:
        _, commit, tree = self._tree(call)
        folder = call.params["path"].strip("/")
        if not is_folder(tree, folder) or folder in tree:
            raise self._missing(folder, commit)
        return self._page(
            call, sorted(p[len(folder) + 1 :] for p in tree if p.startswith(folder + "/")), _same
        )

    @handles("source.list_all_files", query={"at"})
    async def _list_all_files(self, call: Call) -> httpx.Response:
        _, _, tree = self._tree(call)
        return self._page(call, sorted(tree), _same)

    @handles("source.get_archive", query={"at", "format", "prefix", "path", "filename"})
    async def _archive(self, call: Call) -> httpx.Response:
        repo, _, tree = self._tree(call)
        kind = call.query.get("format", "zip")
        if kind not in _ARCHIVES:
            raise FakeError(400, f"Unsupported archive format: {kind}")
        wanted = [path.strip("/") for path in call.query.get_list("path")]
        prefix = call.query.get("prefix", "")
        chosen = {
            path: content
            for path, content in sorted(tree.items())
            if not wanted or any(path == w or path.startswith(w + "/") for w in wanted)
        }
        name = call.query.get("filename") or f"{repo.slug}.{kind}"
        return httpx.Response(
            200,
            content=_archived(kind, prefix, chosen),
            headers={
                "Content-Type": _ARCHIVES[kind],
                "Content-Disposition": f'attachment; filename="{name}"',
            },
        )

    # ---- editing a file -------------------------------------------------------------------------------

    @handles("source.edit_file")
    async def _edit_file(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        fields = {part.name: part.content for part in read_form(call.request)}
        path = call.params["path"].strip("/")
        if "content" not in fields or "branch" not in fields:
            raise FakeError(400, "Editing a file needs its `content` and the `branch` to commit on.")
        branch = fields["branch"].decode().removeprefix("refs/heads/")
        source_branch = fields.get("sourceBranch", b"").decode().removeprefix("refs/heads/") or None
        expected = fields.get("sourceCommitId", b"").decode() or None
        base = source_branch or branch
        if base not in repo.branches:
            raise FakeError(
                404,
                f"Branch {base} does not exist.",
                exception_name=_EXCEPTIONS + "repository.NoSuchBranchException",
            )
        exists = path in self._files.tree(repo, repo.branches[base])
        if exists and expected is None:
            raise FakeError(
                409,
                f"{path} exists: send sourceCommitId, the commit the edit is based on.",
                exception_name=_EXCEPTIONS + "content.FileContentCommitIdRequiredException",
            )
        if expected is not None and repo.branches[base] != expected:
            raise FakeError(
                409,
                f"The file was changed since {expected[:11]}.",
                exception_name=_EXCEPTIONS + "content.FileEditOutOfDateException",
            )
        before = dict(repo.branches)
        commit = self._files.commit(
            self.state,
            repo,
            branch,
            files={path: fields["content"]},
            message=fields.get("message", b"").decode() or f"Edit {path}",
            author=call.user,
            start=repo.branches[base],
        )
        await self.pushed(call, repo, before)
        return json_response(200, self.models.commit(commit).to_dict())

    # ---- users and avatars ----------------------------------------------------------------------------

    @handles("users.list", query={"filter"})
    async def _list_users(self, call: Call) -> httpx.Response:
        needle = call.query.get("filter", "").lower()
        users = sorted(self.state.users.values(), key=lambda u: u.slug)
        if needle:
            users = [u for u in users if needle in f"{u.slug} {u.display_name} {u.email}".lower()]
        return self._page(call, users, lambda user: self.models.user(user).to_dict())

    @handles("projects.upload_avatar")
    async def _upload_avatar(self, call: Call) -> httpx.Response:
        owner = self._project(call)
        avatar = next((part for part in read_form(call.request) if part.name == "avatar"), None)
        if avatar is None or not avatar.content:
            raise FakeError(400, "Send the image as the multipart field `avatar`.")
        self._avatars[owner.key.upper()] = (avatar.content, avatar.media_type or "image/png")
        return httpx.Response(201)

    @handles("projects.get_avatar", query={"s"})
    async def _get_avatar(self, call: Call) -> httpx.Response:
        owner = self._project(call)
        content, kind = self._avatars.get(owner.key.upper(), (b"\x89PNG\r\n\x1a\n", "image/png"))
        return httpx.Response(200, content=content, headers={"Content-Type": kind})


def _same(value: str) -> Any:
    return value


def _window(call: Call, default: int) -> tuple[int, int]:
    raw_start, raw_limit = call.query.get("start", "0"), call.query.get("limit", str(default))
    if not raw_start.isdigit() or not raw_limit.isdigit() or int(raw_limit) < 1:
        raise FakeError(400, f"Invalid start or limit: {raw_start!r}, {raw_limit!r}")
    return int(raw_start), int(raw_limit)


def _path(path: str) -> dict[str, Any]:
    """Data Center's path object."""
    components = path.split("/") if path else []
    name = components[-1] if components else ""
    out: dict[str, Any] = {
        "components": components,
        "parent": "/".join(components[:-1]),
        "name": name,
        "toString": path,
    }
    if "." in name.strip("."):
        out["extension"] = name.rsplit(".", 1)[1]
    return out


def _archived(kind: str, prefix: str, files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    if kind == "zip":
        with zipfile.ZipFile(buffer, "w") as archive:
            for path, content in files.items():
                archive.writestr(prefix + path, content)
    else:
        with tarfile.open(fileobj=buffer, mode="w:gz" if kind in ("tgz", "tar.gz") else "w") as archive:
            for path, content in files.items():
                info = tarfile.TarInfo(prefix + path)
                info.size = len(content)
                archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()
