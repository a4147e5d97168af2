"""What a fake Bitbucket knows: owners (Cloud workspaces or Data Center projects), repositories with
branches and commits, pull requests with comments and approvals, and webhook subscriptions.

The state is product-neutral; `_cloud.py` and `_server.py` turn it into each product's JSON. Everything
is deterministic: ids count up, commit hashes are SHA-1s of a counter, and the clock starts at
2026-01-01T00:00:00Z and ticks one second per change, so two runs of a test see the same answers.
"""

from __future__ import annotations

import datetime
import hashlib
import uuid as uuid_module
from typing import Literal

import attrs

__all__ = [
    "Comment",
    "Commit",
    "FakeState",
    "Owner",
    "PullRequest",
    "PullRequestState",
    "Repository",
    "Review",
    "ReviewStatus",
    "User",
    "Webhook",
]

PullRequestState = Literal["OPEN", "MERGED", "DECLINED"]
ReviewStatus = Literal["APPROVED", "NEEDS_WORK", "UNAPPROVED"]

_EPOCH = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


@attrs.define(eq=False)
class User:
    slug: str
    display_name: str
    id: int
    uuid: str
    email: str


@attrs.define(eq=False)
class Commit:
    hash: str
    message: str
    author: User
    date: datetime.datetime
    parents: list[str]


@attrs.define(eq=False)
class Comment:
    id: int
    text: str
    author: User
    created: datetime.datetime
    updated: datetime.datetime
    version: int = 0
    parent_id: int | None = None


@attrs.define(eq=False)
class Review:
    """Where one person stands on a pull request (an approval, or Data Center's "needs work")."""

    user: User
    status: ReviewStatus
    date: datetime.datetime

    @property
    def approved(self) -> bool:
        return self.status == "APPROVED"


@attrs.define(eq=False)
class PullRequest:
    id: int
    title: str
    description: str
    source: str
    """Source branch name."""
    destination: str
    """Destination branch name."""
    author: User
    created: datetime.datetime
    updated: datetime.datetime
    source_commit: str
    destination_commit: str
    state: PullRequestState = "OPEN"
    version: int = 0
    """Data Center's optimistic-locking version: every change bumps it."""
    draft: bool = False
    close_source_branch: bool = False
    conflicted: bool = False
    """Seeded only: the branches conflict, so every merge is refused."""
    reviewers: list[User] = attrs.field(factory=list)
    reviews: dict[str, Review] = attrs.field(factory=dict)
    """User slug → their review (approvals included)."""
    comments: dict[int, Comment] = attrs.field(factory=dict)
    merge_commit: str | None = None
    closed_by: User | None = None
    closed: datetime.datetime | None = None
    reason: str = ""

    @property
    def approvals(self) -> int:
        return sum(1 for review in self.reviews.values() if review.approved)

    def participants(self) -> list[tuple[User, Review | None]]:
        """Reviewers first, then everyone else who reviewed; the author is not a participant."""
        people = {user.slug: user for user in self.reviewers}
        for review in self.reviews.values():
            people.setdefault(review.user.slug, review.user)
        return [(user, self.reviews.get(user.slug)) for user in people.values()]

    def is_reviewer(self, user: User) -> bool:
        return any(reviewer.slug == user.slug for reviewer in self.reviewers)


@attrs.define(eq=False)
class Webhook:
    id: int
    uuid: str
    url: str
    description: str
    events: list[str]
    active: bool
    secret: str | None
    created: datetime.datetime


@attrs.define(eq=False)
class Repository:
    owner: str
    """The workspace slug (Cloud) or project key (Data Center)."""
    slug: str
    name: str
    description: str
    is_private: bool
    id: int
    uuid: str
    created: datetime.datetime
    updated: datetime.datetime
    main_branch: str
    required_approvals: int = 0
    """A merge check: merging needs this many approvals (Data Center answers 409 with a veto)."""
    branches: dict[str, str] = attrs.field(factory=dict)
    """Branch name → head commit hash."""
    commits: dict[str, Commit] = attrs.field(factory=dict)
    pull_requests: dict[int, PullRequest] = attrs.field(factory=dict)
    webhooks: dict[int, Webhook] = attrs.field(factory=dict)
    next_pull_request_id: int = 1

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.slug}"

    def history(self, head: str) -> list[Commit]:
        """Commits reachable from `head`, newest first (first parents first, each commit once)."""
        seen: set[str] = set()
        out: list[Commit] = []
        pending = [head]
        while pending:
            commit = self.commits.get(pending.pop(0))
            if commit is None or commit.hash in seen:
                continue
            seen.add(commit.hash)
            out.append(commit)
            pending.extend(commit.parents)
        return sorted(out, key=lambda c: c.date, reverse=True)


@attrs.define(eq=False)
class Owner:
    key: str
    name: str
    id: int
    uuid: str
    created: datetime.datetime
    description: str = ""
    repositories: dict[str, Repository] = attrs.field(factory=dict)
    webhooks: dict[int, Webhook] = attrs.field(factory=dict)
    """Workspace (Cloud) or project (Data Center) webhooks: they hear every repository in it."""
    user: User | None = None  # whose personal project this is (Data Center's `~SLUG`)


class FakeState:
    """The in-memory data behind one fake. Lookups ignore case, as both products do for slugs and keys."""

    def __init__(self) -> None:
        self.owners: dict[str, Owner] = {}
        self.users: dict[str, User] = {}
        self._ticks = 0
        self._counters: dict[str, int] = {}

    # ---- deterministic clock, ids and hashes ----------------------------------------------------------

    def now(self) -> datetime.datetime:
        self._ticks += 1
        return _EPOCH + datetime.timedelta(seconds=self._ticks)

    def next_id(self, kind: str) -> int:
        self._counters[kind] = self._counters.get(kind, 0) + 1
        return self._counters[kind]

    def new_uuid(self) -> str:
        return "{" + str(uuid_module.UUID(int=self.next_id("uuid") + (0x5EED << 96), version=4)) + "}"

    def new_hash(self, seed: str) -> str:
        return hashlib.sha1(f"{self.next_id('commit')}:{seed}".encode()).hexdigest()

    # ---- users ----------------------------------------------------------------------------------------

    def user(self, slug: str, display_name: str | None = None) -> User:
        """The user called `slug`, created on first use."""
        found = self.users.get(slug.lower())
        if found is None:
            found = User(
                slug=slug,
                display_name=display_name or slug.replace("-", " ").replace("_", " ").title(),
                id=self.next_id("user"),
                uuid=self.new_uuid(),
                email=f"{slug}@example.com",
            )
            self.users[slug.lower()] = found
        return found

    # ---- lookups --------------------------------------------------------------------------------------

    def find_owner(self, key: str) -> Owner | None:
        return self.owners.get(key.lower())

    def find_repository(self, owner: str, slug: str) -> Repository | None:
        found = self.find_owner(owner)
        return None if found is None else found.repositories.get(slug.lower())

    # ---- changes --------------------------------------------------------------------------------------

    def add_owner(self, key: str, name: str | None = None, *, description: str = "") -> Owner:
        if self.find_owner(key) is not None:
            raise ValueError(f"{key!r} already exists")
        owner = Owner(
            key=key,
            name=name or key,
            id=self.next_id("owner"),
            uuid=self.new_uuid(),
            created=self.now(),
            description=description,
        )
        self.owners[key.lower()] = owner
        return owner

    def add_repository(
        self,
        owner: str,
        slug: str,
        *,
        name: str | None = None,
        description: str = "",
        is_private: bool = True,
        main_branch: str = "main",
        author: User,
        required_approvals: int = 0,
    ) -> Repository:
        """A repository with one commit on `main_branch`. Creates the owner if needed."""
        container = self.find_owner(owner) or self.add_owner(owner)
        if slug.lower() in container.repositories:
            raise ValueError(f"repository {container.key}/{slug} already exists")
        created = self.now()
        repository = Repository(
            owner=container.key,
            slug=slug.lower(),
            name=name or slug,
            description=description,
            is_private=is_private,
            id=self.next_id("repository"),
            uuid=self.new_uuid(),
            created=created,
            updated=created,
            main_branch=main_branch,
            required_approvals=required_approvals,
        )
        container.repositories[repository.slug] = repository
        self.add_commit(repository, main_branch, "Initial commit", author)
        return repository

    def add_commit(self, repository: Repository, branch: str, message: str, author: User) -> Commit:
        """A new commit on top of `branch` (creating the branch if it does not exist)."""
        parent = repository.branches.get(branch)
        commit = Commit(
            hash=self.new_hash(f"{repository.full_name}:{branch}:{message}"),
            message=message,
            author=author,
            date=self.now(),
            parents=[parent] if parent else [],
        )
        repository.commits[commit.hash] = commit
        repository.branches[branch] = commit.hash
        return commit

    def add_branch(self, repository: Repository, name: str, start: str) -> str:
        """A branch pointing at `start` (a branch name or a commit hash); returns its head."""
        head = repository.branches.get(start) or (start if start in repository.commits else None)
        if head is None:
            raise KeyError(start)
        repository.branches[name] = head
        return head

    def add_pull_request(
        self,
        repository: Repository,
        *,
        title: str,
        source: str,
        destination: str | None,
        author: User,
        description: str = "",
        reviewers: list[User] | None = None,
        draft: bool = False,
        close_source_branch: bool = False,
        conflicted: bool = False,
    ) -> PullRequest:
        """A new open pull request. A missing source branch is created with one commit on top of the
        destination, so the pull request has something to merge."""
        target = destination or repository.main_branch
        if target not in repository.branches:
            raise KeyError(target)
        if source not in repository.branches:
            self.add_branch(repository, source, target)
            self.add_commit(repository, source, title, author)
        created = self.now()
        pull_request = PullRequest(
            id=repository.next_pull_request_id,
            title=title,
            description=description,
            source=source,
            destination=target,
            author=author,
            created=created,
            updated=created,
            source_commit=repository.branches[source],
            destination_commit=repository.branches[target],
            draft=draft,
            close_source_branch=close_source_branch,
            conflicted=conflicted,
            reviewers=list(reviewers or []),
        )
        repository.next_pull_request_id += 1
        repository.pull_requests[pull_request.id] = pull_request
        return pull_request

    def review(self, pull_request: PullRequest, user: User, status: ReviewStatus) -> Review:
        """Record `user`'s review (status UNAPPROVED withdraws an approval)."""
        review = Review(user=user, status=status, date=self.now())
        if status == "UNAPPROVED" and not pull_request.is_reviewer(user):
            pull_request.reviews.pop(user.slug, None)
        else:
            pull_request.reviews[user.slug] = review
        pull_request.updated = review.date  # a review does not change the version (Data Center)
        return review

    def follow_sources(self, repository: Repository) -> list[tuple[PullRequest, str]]:
        """Open pull requests whose source branch moved since they last looked: each now points at its
        branch's head; returns them with their previous source commit."""
        moved = []
        for pull_request in repository.pull_requests.values():
            head = repository.branches.get(pull_request.source)
            if pull_request.state == "OPEN" and head is not None and head != pull_request.source_commit:
                moved.append((pull_request, pull_request.source_commit))
                pull_request.source_commit = head
                pull_request.updated = self.now()
        return moved

    def touch(self, pull_request: PullRequest) -> None:
        pull_request.updated = self.now()
        pull_request.version += 1

    def merge(
        self,
        repository: Repository,
        pull_request: PullRequest,
        *,
        by: User,
        strategy: str,
        message: str | None,
        close_source_branch: bool | None,
    ) -> Commit:
        """Merge: a new commit on the destination branch (two parents for a merge commit, one otherwise)."""
        source_head = repository.branches.get(pull_request.source, pull_request.source_commit)
        destination_head = repository.branches[pull_request.destination]
        text = (
            message
            or f"Merged in {pull_request.source} (pull request #{pull_request.id})\n\n{pull_request.title}"
        )
        commit = Commit(
            hash=self.new_hash(f"{repository.full_name}:merge:{pull_request.id}"),
            message=text,
            author=by,
            date=self.now(),
            parents=[destination_head, source_head] if strategy == "merge_commit" else [destination_head],
        )
        repository.commits[commit.hash] = commit
        repository.branches[pull_request.destination] = commit.hash
        close = pull_request.close_source_branch if close_source_branch is None else close_source_branch
        if close and pull_request.source != repository.main_branch:
            repository.branches.pop(pull_request.source, None)
        pull_request.state = "MERGED"
        pull_request.merge_commit = commit.hash
        pull_request.closed_by = by
        pull_request.closed = commit.date
        self.touch(pull_request)
        return commit

    def decline(self, pull_request: PullRequest, *, by: User, reason: str = "") -> None:
        pull_request.state = "DECLINED"
        pull_request.closed_by = by
        pull_request.reason = reason
        pull_request.closed = self.now()
        self.touch(pull_request)

    def add_comment(
        self, pull_request: PullRequest, text: str, author: User, *, parent_id: int | None = None
    ) -> Comment:
        created = self.now()
        comment = Comment(
            id=self.next_id("comment"),
            text=text,
            author=author,
            created=created,
            updated=created,
            parent_id=parent_id,
        )
        pull_request.comments[comment.id] = comment
        return comment

    def add_webhook(
        self,
        repository: Repository | Owner,
        *,
        url: str,
        events: list[str],
        description: str = "",
        active: bool = True,
        secret: str | None = None,
    ) -> Webhook:
        webhook = Webhook(
            id=self.next_id("webhook"),
            uuid=self.new_uuid(),
            url=url,
            description=description,
            events=list(events),
            active=active,
            secret=secret,
            created=self.now(),
        )
        repository.webhooks[webhook.id] = webhook  # a repository's, or a project's
        return webhook
