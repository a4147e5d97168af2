"""The fake Data Center's answers, built as the generated response models and then ``to_dict()``-ed.

Timestamps are epoch milliseconds, as the 9.4 document says. Error bodies are plain dicts of the
documented shape. The fields real servers send that the document lacks (``links``, a pull request's
``author``, a webhook's ``id`` and dates, ...) are typed by the project's fixes (``specs/fixes``).
"""

from __future__ import annotations

import datetime
from typing import Any

from bitbucket_client.server.models import (
    RefType,
    RestApplicationUser,
    RestApplicationUserType,
    RestBranch,
    RestComment,
    RestCommit,
    RestLink,
    RestMinimalCommit,
    RestMinimalRef,
    RestPerson,
    RestProject,
    RestProjectType,
    RestPullRequest,
    RestPullRequestMergeability,
    RestPullRequestMergeResultOutcome,
    RestPullRequestParticipant,
    RestPullRequestParticipantRole,
    RestPullRequestParticipantStatus,
    RestPullRequestRef,
    RestPullRequestState,
    RestRepository,
    RestRepositoryHookVeto,
    RestRepositoryLinks,
    RestRepositoryState,
    RestSelfLinks,
    RestWebhook,
    RestWebhookConfiguration,
)

from . import _state

__all__ = ["ServerModels", "millis"]


def self_links(href: str) -> RestSelfLinks:
    return RestSelfLinks(self_=[RestLink(href=href)])


def millis(value: datetime.datetime) -> int:
    return int(value.timestamp() * 1000)


class ServerModels:
    """Renders fake state as Data Center JSON. ``root`` is the server's address (without ``/rest``)."""

    def __init__(self, root: str) -> None:
        self.root = root.rstrip("/")

    # ---- people and places ----------------------------------------------------------------------------

    def _user_fields(self, user: _state.User) -> dict[str, Any]:
        return {
            "name": user.slug,
            "email_address": user.email,
            "id": user.id,
            "display_name": user.display_name,
            "active": True,
            "slug": user.slug,
            "type_": RestApplicationUserType.NORMAL,
        }

    def user(self, user: _state.User) -> RestApplicationUser:
        return RestApplicationUser(
            **self._user_fields(user), links=self_links(f"{self.root}/users/{user.slug}")
        )

    def project(self, owner: _state.Owner) -> RestProject:
        """A project; a user's personal one (`~SLUG`) has type PERSONAL and its `owner`."""
        if owner.user is not None:
            return RestProject(
                key=owner.key,
                id=owner.id,
                name=owner.name,
                type_=RestProjectType.PERSONAL,
                owner=self.user(owner.user),
                links=self_links(f"{self.root}/users/{owner.user.slug}"),
            )
        return RestProject(
            key=owner.key,
            id=owner.id,
            name=owner.name,
            description=owner.description,
            public=False,
            type_=RestProjectType.NORMAL,
            links=self_links(f"{self.root}/projects/{owner.key}"),
        )

    def repository(self, repo: _state.Repository, owner: _state.Owner) -> RestRepository:
        base = f"{self.root}/projects/{owner.key}/repos/{repo.slug}"
        return RestRepository(
            slug=repo.slug,
            id=repo.id,
            name=repo.name,
            description=repo.description,
            hierarchy_id=repo.uuid.strip("{}").replace("-", "")[:20],
            scm_id="git",
            state=RestRepositoryState.AVAILABLE,
            status_message="Available",
            forkable=True,
            public=not repo.is_private,
            archived=False,
            project=self.project(owner),
            links=RestRepositoryLinks(
                clone=[RestLink(href=f"{self.root}/scm/{owner.key.lower()}/{repo.slug}.git", name="http")],
                self_=[RestLink(href=f"{base}/browse")],
            ),
        )

    # ---- git ------------------------------------------------------------------------------------------

    def branch(self, repo: _state.Repository, name: str) -> RestBranch:
        head = repo.branches[name]
        return RestBranch(
            id=f"refs/heads/{name}",
            display_id=name,
            type_="BRANCH",
            latest_commit=head,
            latest_changeset=head,
            is_default=name == repo.main_branch,
        )

    def minimal_ref(self, name: str) -> RestMinimalRef:
        return RestMinimalRef(id=f"refs/heads/{name}", display_id=name, type_=RefType.BRANCH)

    def commit(self, commit: _state.Commit) -> RestCommit:
        person = RestPerson(name=commit.author.display_name, email_address=commit.author.email)
        return RestCommit(
            id=commit.hash,
            display_id=commit.hash[:11],
            author=person,
            author_timestamp=millis(commit.date),
            committer=person,
            committer_timestamp=millis(commit.date),
            message=commit.message,
            parents=[RestMinimalCommit(id=parent, display_id=parent[:11]) for parent in commit.parents],
        )

    # ---- pull requests --------------------------------------------------------------------------------

    def pull_request(
        self, repo: _state.Repository, owner: _state.Owner, pr: _state.PullRequest
    ) -> RestPullRequest:
        model = RestPullRequest(
            id=pr.id,
            version=pr.version,
            title=pr.title,
            description=pr.description,
            state=RestPullRequestState(pr.state),
            open_=pr.state == "OPEN",
            closed=pr.state != "OPEN",
            created_date=millis(pr.created),
            updated_date=millis(pr.updated),
            from_ref=self.ref(repo, owner, pr.source, pr.source_commit),
            to_ref=self.ref(repo, owner, pr.destination, pr.destination_commit),
            locked=False,
            draft=pr.draft,
            reviewers=[self.participant(pr, user, pr.reviews.get(user.slug)) for user in pr.reviewers],
            participants=[
                self.participant(pr, user, review)
                for user, review in pr.participants()
                if not pr.is_reviewer(user)
            ],
        )
        if pr.closed is not None:
            model.closed_date = millis(pr.closed)
        model.author = RestPullRequestParticipant(
            user=RestApplicationUser(**self._user_fields(pr.author)),
            role=RestPullRequestParticipantRole.AUTHOR,
            approved=False,
            status=RestPullRequestParticipantStatus.UNAPPROVED,
        )
        model.links = self_links(f"{self.root}/projects/{owner.key}/repos/{repo.slug}/pull-requests/{pr.id}")
        return model

    def ref(
        self, repo: _state.Repository, owner: _state.Owner, branch: str, commit: str
    ) -> RestPullRequestRef:
        return RestPullRequestRef(
            id=f"refs/heads/{branch}",
            display_id=branch,
            latest_commit=commit,
            type_=RefType.BRANCH,
            repository=self.repository(repo, owner),
        )

    def participant(
        self, pr: _state.PullRequest, user: _state.User, review: _state.Review | None
    ) -> RestPullRequestParticipant:
        status = review.status if review is not None else "UNAPPROVED"
        participant = RestPullRequestParticipant(
            user=RestApplicationUser(**self._user_fields(user)),
            role=RestPullRequestParticipantRole.REVIEWER
            if pr.is_reviewer(user)
            else RestPullRequestParticipantRole.PARTICIPANT,
            approved=status == "APPROVED",
            status=RestPullRequestParticipantStatus(status),
        )
        if review is not None:
            participant.last_reviewed_commit = pr.source_commit
        return participant

    def comment(self, comment: _state.Comment, replies: list[_state.Comment]) -> RestComment:
        model = RestComment(
            id=comment.id,
            version=comment.version,
            text=comment.text,
            author=RestApplicationUser(**self._user_fields(comment.author)),
            created_date=millis(comment.created),
            updated_date=millis(comment.updated),
            comments=[self.comment(reply, []) for reply in replies],
            severity="NORMAL",
            state="OPEN",
            thread_resolved=False,
        )
        if comment.parent_id is not None:
            model.parent = RestComment(id=comment.parent_id)
        return model

    def mergeability(self, vetoes: list[tuple[str, str]], *, conflicted: bool) -> RestPullRequestMergeability:
        outcome = RestPullRequestMergeResultOutcome
        return RestPullRequestMergeability(
            can_merge=not vetoes and not conflicted,
            conflicted=conflicted,
            outcome=outcome.CONFLICTED if conflicted else outcome.CLEAN,
            vetoes=[RestRepositoryHookVeto(summary_message=s, detailed_message=d) for s, d in vetoes],
        )

    # ---- webhooks and errors --------------------------------------------------------------------------

    def webhook(self, hook: _state.Webhook) -> RestWebhook:
        return RestWebhook(
            id=hook.id,
            name=hook.description,
            created_date=millis(hook.created),
            updated_date=millis(hook.created),
            url=hook.url,
            events=list(hook.events),
            active=hook.active,
            configuration=RestWebhookConfiguration(),
            scope_type="repository",
            ssl_verification_required=True,
        )

    def error(self, message: str, exception_name: str | None, extra: dict[str, Any]) -> dict[str, Any]:
        """Data Center's error body (errors are not generated as models: the client parses them itself)."""
        entry: dict[str, Any] = {"context": None, "message": message, "exceptionName": exception_name}
        entry.update(extra)
        return {"errors": [entry]}
