"""The file operations of `FakeBitbucketCloud`, answered as Bitbucket Cloud does.

- `GET src/{commit}/{path}`: a file's raw bytes (Content-Type from its name), its metadata with
  `format=meta`, or a folder's page of `commit_file`/`commit_directory` entries (`max_depth`, `q`).
  A branch name holding a `/` gets 404, encoded or not, as on Cloud: clients resolve it first.
- `GET src`: a redirect to the main branch's root folder.
- `POST src`: a commit from a form body (file fields named by path; `message`, `author`, `branch`,
  `parents`, and `files` to delete).
- downloads: uploaded as multipart `files`, listed, deleted, and fetched by a 302 to a storage host
  (`STORAGE_HOST`) that, like S3 with a signed URL, refuses a request carrying credentials.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import attrs
import httpx

from ._fake import Call, FakeError, handles, json_response
from ._files import FilesMixin, children, is_folder, media_type, read_form
from ._state import Owner, Repository, User

if TYPE_CHECKING:
    import datetime

    from ._cloud_models import CloudModels

__all__ = ["STORAGE_HOST", "CloudFiles"]

T = TypeVar("T")

STORAGE_HOST = "bbuseruploads.s3.amazonaws.com"
_COMMIT_FIELDS = frozenset({"message", "author", "parents", "branch", "files"})
_FILTERS = frozenset({"type", "path"})


@attrs.define(eq=False)
class _Download:
    name: str
    content: bytes
    user: User
    created: datetime.datetime
    key: str  # where the storage host keeps it
    downloads: int = 0


class CloudFiles(FilesMixin):
    """Files, commits by upload, and downloads for :class:`FakeBitbucketCloud` (a mixin)."""

    if TYPE_CHECKING:
        models: CloudModels

        def _repo(self, call: Call) -> tuple[Owner, Repository]: ...

        async def pushed(self, call: Call, repo: Repository, before: dict[str, str]) -> None: ...

        def _page(
            self, call: Call, items: Iterable[T], build: Callable[[T], dict[str, Any]]
        ) -> httpx.Response: ...

    # ---- seeding and reading back ---------------------------------------------------------------------

    @property
    def _downloads(self) -> dict[str, dict[str, _Download]]:
        found: dict[str, dict[str, _Download]] = self.__dict__.setdefault("_download_store", {})
        return found

    def downloads(self, owner: str, slug: str) -> dict[str, bytes]:
        """The repository's download artifacts, name → content."""
        repo = self.repository(owner, slug)
        return {name: item.content for name, item in self._downloads.get(repo.full_name, {}).items()}

    # ---- files at a commit ----------------------------------------------------------------------------

    @handles("source.get", query={"format", "q", "sort", "max_depth"})
    async def _get_source(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        revision = call.params["commit"]
        if "/" in revision:  # Cloud cannot serve a branch name with a slash here, encoded or not
            raise FakeError(404, f"Commit not found: {revision}")
        try:
            commit = self._files.resolve(repo, revision)
        except KeyError:
            raise FakeError(404, f"Commit not found: {revision}") from None
        tree = self._files.tree(repo, commit)
        path = call.params["path"]
        folder = path.endswith("/") or not path
        path = path.strip("/")
        meta = call.query.get("format")
        if meta not in (None, "meta"):
            raise FakeError(501, f"source.get: format={meta} is not implemented by FakeBitbucketCloud")
        if path in tree and not folder:
            if meta == "meta":
                return json_response(200, self._file_entry(repo, commit, path, tree))
            return httpx.Response(
                200,
                content=tree[path],
                headers={
                    "Content-Type": media_type(path),
                    "Content-Disposition": f'attachment; filename="{path.rsplit("/", 1)[-1]}"',
                },
            )
        if not is_folder(tree, path):
            raise FakeError(404, f"No such file or directory: {path}")
        if meta == "meta":
            return json_response(200, self._folder_entry(repo, commit, path))
        depth = call.query.get("max_depth", "1")
        if not depth.isdigit() or int(depth) < 1:
            raise FakeError(400, f"Invalid max_depth: {depth!r}")
        entries = [
            self._folder_entry(repo, commit, entry) if nested else self._file_entry(repo, commit, entry, tree)
            for entry, nested in children(tree, path, int(depth))
        ]
        entries = _filtered(entries, call.query.get("q"))
        if call.query.get("sort", "path").lstrip("-") != "path":
            raise FakeError(501, "source.get: only sort=path (or -path) is implemented by FakeBitbucketCloud")
        if call.query.get("sort", "").startswith("-"):
            entries.reverse()
        return self._page(call, entries, lambda entry: entry)

    @handles("source.get_root", query={"format"})
    async def _get_source_root(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        head = repo.branches[repo.main_branch]
        url = call.request.url
        target = url.copy_with(raw_path=url.raw_path.partition(b"?")[0] + f"/{head}/".encode() + _query(url))
        return httpx.Response(302, headers={"Location": str(target)})

    def _src(self, repo: Repository, commit: str, path: str) -> str:
        return f"{self.models.api}/repositories/{repo.full_name}/src/{commit}/{quote(path)}"

    def _commit_link(self, repo: Repository, commit: str) -> dict[str, Any]:
        href = f"{self.models.api}/repositories/{repo.full_name}/commit/{commit}"
        return {"type": "commit", "hash": commit, "links": {"self": {"href": href}}}

    def _file_entry(self, repo: Repository, commit: str, path: str, tree: dict[str, bytes]) -> dict[str, Any]:
        history = f"{self.models.api}/repositories/{repo.full_name}/filehistory/{commit}/{quote(path)}"
        return {
            "type": "commit_file",
            "path": path,
            "escaped_path": path,
            "commit": self._commit_link(repo, commit),
            "attributes": [],
            "size": len(tree[path]),
            "mimetype": media_type(path) if "." in path.rsplit("/", 1)[-1] else None,
            "links": {
                "self": {"href": self._src(repo, commit, path)},
                "meta": {"href": self._src(repo, commit, path) + "?format=meta"},
                "history": {"href": history},
            },
        }

    def _folder_entry(self, repo: Repository, commit: str, path: str) -> dict[str, Any]:
        folder = f"{path}/" if path else ""
        return {
            "type": "commit_directory",
            "path": path,
            "commit": self._commit_link(repo, commit),
            "links": {
                "self": {"href": self._src(repo, commit, folder)},
                "meta": {"href": self._src(repo, commit, folder) + "?format=meta"},
            },
        }

    # ---- commits by upload ----------------------------------------------------------------------------

    @handles("source.create_commit")
    async def _create_commit(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        fields: dict[str, str] = {}
        deleted: list[str] = []
        files: dict[str, bytes] = {}
        for part in read_form(call.request):
            if part.file_name is None and part.name in _COMMIT_FIELDS:
                if part.name == "files":
                    deleted.append(part.content.decode().strip("/"))
                else:
                    fields[part.name] = part.content.decode()
            else:  # a file part, or a url-encoded field named by its path (a leading '/' allowed)
                files[part.name.strip("/")] = part.content
        if not files and not deleted:
            raise FakeError(400, "A commit needs files to add, replace or delete.")
        branch = fields.get("branch") or repo.main_branch
        parent = fields.get("parents")
        if parent is not None and branch in repo.branches and repo.branches[branch] != parent:
            raise FakeError(409, f"The parent {parent} is not the head of {branch}.")
        deleted = [path for path in deleted if path not in files]
        before = dict(repo.branches)
        commit = self._files.commit(
            self.state,
            repo,
            branch,
            files=files,
            deleted=deleted,
            message=fields.get("message") or "Edited online with Bitbucket",
            author=call.user,
            start=parent,
        )
        await self.pushed(call, repo, before)
        location = f"{self.models.api}/repositories/{repo.full_name}/commit/{commit.hash}"
        return httpx.Response(201, headers={"Location": location})

    # ---- downloads ------------------------------------------------------------------------------------

    def _download_entry(self, repo: Repository, item: _Download) -> dict[str, Any]:
        href = f"{self.models.api}/repositories/{repo.full_name}/downloads/{quote(item.name)}"
        return {
            "type": "download",
            "name": item.name,
            "size": len(item.content),
            "downloads": item.downloads,
            "created_on": self.models.timestamp(item.created),
            "user": self.models.account(item.user).to_dict(),
            "links": {"self": {"href": href}},
        }

    @handles("downloads.list")
    async def _list_downloads(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        items = sorted(
            self._downloads.get(repo.full_name, {}).values(), key=lambda d: d.created, reverse=True
        )
        return self._page(call, items, lambda item: self._download_entry(repo, item))

    @handles("downloads.upload")
    async def _upload_downloads(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        uploads = [part for part in read_form(call.request) if part.file_name is not None]
        if not uploads:
            raise FakeError(400, "No files were uploaded: send them as multipart `files` fields.")
        store = self._downloads.setdefault(repo.full_name, {})
        for part in uploads:
            assert part.file_name is not None
            key = f"{uuid.uuid4()}/downloads/{uuid.uuid4()}/{quote(part.file_name)}"
            store[part.file_name] = _Download(part.file_name, part.content, call.user, self.state.now(), key)
        return httpx.Response(201)

    def _download(self, call: Call) -> tuple[Repository, _Download]:
        _, repo = self._repo(call)
        item = self._downloads.get(repo.full_name, {}).get(call.params["filename"])
        if item is None:
            raise FakeError(404, f"No download named {call.params['filename']}")
        return repo, item

    @handles("downloads.get")
    async def _get_download(self, call: Call) -> httpx.Response:
        _, item = self._download(call)
        item.downloads += 1
        signature = secrets.token_hex(8)
        self.__dict__.setdefault("_signatures", {})[item.key] = (signature, item)
        location = f"https://{STORAGE_HOST}/{item.key}?Signature={signature}&Expires=1767225600"
        return httpx.Response(302, headers={"Location": location})

    @handles("downloads.delete")
    async def _delete_download(self, call: Call) -> httpx.Response:
        repo, item = self._download(call)
        del self._downloads[repo.full_name][item.name]
        return httpx.Response(204)

    def answer_elsewhere(self, request: httpx.Request) -> httpx.Response | None:
        """The storage host a download redirects to: it serves a signed URL, and (like S3) refuses a
        request that also carries credentials."""
        if request.url.host != STORAGE_HOST:
            return super().answer_elsewhere(request)
        if "authorization" in request.headers:
            return _s3_error(400, "InvalidArgument", "Only one auth mechanism allowed")
        key = request.url.raw_path.decode("ascii").partition("?")[0].lstrip("/")
        signed = self.__dict__.get("_signatures", {}).get(key)
        if request.method != "GET" or signed is None or request.url.params.get("Signature") != signed[0]:
            return _s3_error(403, "AccessDenied", "Request has expired or its signature does not match")
        item = signed[1]
        return httpx.Response(200, content=item.content, headers={"Content-Type": media_type(item.name)})


def _s3_error(status: int, code: str, message: str) -> httpx.Response:
    body = f"<?xml version='1.0'?><Error><Code>{code}</Code><Message>{message}</Message></Error>"
    return httpx.Response(status, text=body, headers={"Content-Type": "application/xml"})


def _query(url: httpx.URL) -> bytes:
    return b"?" + url.query if url.query else b""


def _filtered(entries: list[dict[str, Any]], query: str | None) -> list[dict[str, Any]]:
    """Cloud's `q`, the part the fake implements: `field = "value"` (or `!=`) on `type` and `path`,
    joined with `AND`."""
    if not query:
        return entries
    for clause in query.split(" AND "):
        field, operator, value = _clause(clause)
        entries = [entry for entry in entries if (entry.get(field) == value) == (operator == "=")]
    return entries


def _clause(clause: str) -> tuple[str, str, str]:
    for operator in ("!=", "="):
        field, found, value = clause.partition(operator)
        if found and field.strip() in _FILTERS and value.strip()[:1] == value.strip()[-1:] == '"':
            return field.strip(), operator, value.strip()[1:-1]
    raise FakeError(
        501,
        f"source.get: the filter {clause!r} is not implemented by FakeBitbucketCloud "
        "(it filters on type and path, with = or !=: q='type=\"commit_file\"')",
    )
