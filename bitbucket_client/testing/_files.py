"""What both fakes know of files: the tree of each commit, commits that change files, and the form
bodies uploads arrive in. Product-neutral: `_cloud_source.py` and `_server_source.py` answer with it.

A commit's tree is stored only when the commit changed files; any other commit has the tree of its
first parent (the commits a fake makes for branches and pull requests change no file).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable, Mapping
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qsl

import attrs
import httpx

from ._fake import FakeBitbucket, FakeError
from ._state import Commit, FakeState, Repository, User

__all__ = ["FileTrees", "FilesMixin", "FormPart", "media_type", "read_form", "resolve_revision"]


@attrs.frozen
class FormPart:
    """One field of a form body: its name, the file name of a file part (None for a plain field)."""

    name: str
    file_name: str | None
    content: bytes
    media_type: str | None = None


class FileTrees:
    """The files of every commit of one fake: commit hash → {path: content}."""

    def __init__(self) -> None:
        self._trees: dict[str, dict[str, bytes]] = {}
        self.tags: dict[str, dict[str, str]] = {}  # repository full name -> tag name -> commit hash

    def resolve(self, repo: Repository, revision: str) -> str:
        """A commit hash from a branch, a tag (`v1.0`, `refs/tags/v1.0`) or a commit; `KeyError`."""
        tags = self.tags.get(repo.full_name, {})
        name = revision.removeprefix("refs/tags/")
        if name in tags and revision.removeprefix("refs/heads/") not in repo.branches:
            return tags[name]
        return resolve_revision(repo, revision)

    def tree(self, repo: Repository, commit: str) -> dict[str, bytes]:
        """The files at `commit` (a hash of `repo`)."""
        seen: set[str] = set()
        current: str | None = commit
        while current is not None and current not in seen:
            seen.add(current)
            if current in self._trees:
                return self._trees[current]
            parents = repo.commits[current].parents if current in repo.commits else []
            current = parents[0] if parents else None
        return {}

    def commit(
        self,
        state: FakeState,
        repo: Repository,
        branch: str,
        *,
        files: Mapping[str, bytes],
        deleted: Iterable[str] = (),
        message: str,
        author: User,
        start: str | None = None,
    ) -> Commit:
        """A new commit on `branch` (created from `start`, else the main branch, when missing) that
        writes `files` and removes `deleted`; `FakeError(404)` for a deleted path that does not exist."""
        if branch not in repo.branches:
            state.add_branch(repo, branch, start or repo.branches[repo.main_branch])
        tree = dict(self.tree(repo, repo.branches[branch]))
        for path in deleted:
            if path not in tree:
                raise FakeError(404, f"No such file or directory: {path}")
            del tree[path]
        tree.update(files)
        new = state.add_commit(repo, branch, message, author)
        self._trees[new.hash] = tree
        return new


class FilesMixin(FakeBitbucket):
    """Seeding and reading back files, for both fakes."""

    @property
    def _files(self) -> FileTrees:
        trees: FileTrees = self.__dict__.setdefault("_file_trees", FileTrees())
        return trees

    def add_file(
        self,
        owner: str,
        slug: str,
        path: str,
        content: bytes | str,
        *,
        branch: str | None = None,
        message: str | None = None,
        author: str | None = None,
        tag: str | None = None,
    ) -> Commit:
        """A commit on `branch` (default: the main branch; created if missing) adding or replacing the
        file at `path` (`docs/guide.md`). `owner` is the workspace (Cloud) or project key (Data Center).
        With `tag`, the file operations also know the commit by that tag name (`v1.0`)."""
        repo = self.repository(owner, slug)
        data = content.encode() if isinstance(content, str) else content
        commit = self._files.commit(
            self.state,
            repo,
            branch or repo.main_branch,
            files={path.strip("/"): data},
            message=message or f"Add {path}",
            author=self._user(author),
        )
        if tag is not None:
            self._files.tags.setdefault(repo.full_name, {})[tag] = commit.hash
        return commit

    def files(self, owner: str, slug: str, revision: str | None = None) -> dict[str, bytes]:
        """The files at `revision` (a branch, tag or commit; default: the main branch), path → content."""
        repo = self.repository(owner, slug)
        return dict(self._files.tree(repo, self._files.resolve(repo, revision or repo.main_branch)))


def resolve_revision(repo: Repository, revision: str) -> str:
    """A commit hash from a branch (`main`, `refs/heads/main`), a full hash, or a unique prefix of at
    least 7 characters; `KeyError` otherwise."""
    name = revision.removeprefix("refs/heads/")
    if name in repo.branches:
        return repo.branches[name]
    if revision in repo.commits:
        return revision
    if len(revision) >= 7:
        found = [commit for commit in repo.commits if commit.startswith(revision)]
        if len(found) == 1:
            return found[0]
    raise KeyError(revision)


def children(tree: Mapping[str, bytes], folder: str, depth: int) -> list[tuple[str, bool]]:
    """(path, is_folder) of what lies in `folder` ("" for the root) down to `depth` levels, sorted."""
    prefix = f"{folder}/" if folder else ""
    found: dict[str, bool] = {}
    for path in tree:
        if not path.startswith(prefix):
            continue
        parts = path[len(prefix) :].split("/")
        for level in range(min(depth, len(parts))):
            entry = prefix + "/".join(parts[: level + 1])
            found[entry] = found.get(entry, False) or level < len(parts) - 1
    return sorted(found.items())


def is_folder(tree: Mapping[str, bytes], path: str) -> bool:
    return not path or any(name.startswith(f"{path}/") for name in tree)


def media_type(path: str) -> str:
    return mimetypes.guess_type(path)[0] or "application/octet-stream"


def read_form(request: httpx.Request) -> list[FormPart]:
    """The fields of a `multipart/form-data` or url-encoded body; a 400 for anything else."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        return [FormPart(name, None, value.encode()) for name, value in parse_qsl(request.content.decode())]
    if not content_type.startswith("multipart/form-data"):
        raise FakeError(
            415, f"Expected a multipart/form-data or url-encoded body, got {content_type or 'none'}"
        )
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + request.content
    )
    parts = []
    for part in message.iter_parts():
        assert isinstance(part, Message)
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if not isinstance(name, str) or not isinstance(payload, bytes):
            raise FakeError(400, "A multipart part without a name")
        parts.append(FormPart(name, part.get_filename(), payload, part.get("content-type")))
    return parts
