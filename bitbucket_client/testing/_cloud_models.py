"""The fake Cloud's answers, built as the generated response models and then ``to_dict()``-ed, so the
JSON has the document's field names and types (with ``specs/fixes/cloud.json``: the fields and nulls real
Cloud sends). Error bodies are plain dicts of the documented shape.
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from bitbucket_client.cloud.models import (
    Account,
    AccountLinks,
    Author,
    BaseCommit,
    Branch,
    BranchLinks,
    Comment,
    CommentLinks,
    Commit,
    CommitSummary,
    Link,
    Participant,
    ParticipantRole,
    ParticipantState,
    Project,
    ProjectLinks,
    Pullrequest,
    PullRequestBranch,
    PullrequestComment,
    PullRequestCommit,
    PullrequestEndpoint,
    PullrequestLinks,
    PullrequestMergeTaskStatus,
    PullrequestsGetMergeTaskStatusResponseTaskStatus,
    PullrequestState,
    Repository,
    RepositoryForkPolicy,
    RepositoryLinks,
    RepositoryScm,
    TaskContentMarkup,
    WebhookSubscription,
    WebhookSubscriptionSubject,
    WebhookSubscriptionSubjectLinks,
    WebhookSubscriptionSubjectType,
    Workspace,
    WorkspaceLinks,
)

from . import _state

__all__ = ["CloudModels"]

M = TypeVar("M")

MERGE_STRATEGIES = (
    "merge_commit",
    "squash",
    "fast_forward",
    "squash_fast_forward",
    "rebase_fast_forward",
    "rebase_merge",
)


class CloudModels:
    """Renders fake state as Cloud JSON. Links point at ``api`` (the API root) and the matching web UI."""

    def __init__(self, api: str) -> None:
        self.api = api.rstrip("/")
        url = httpx.URL(self.api)
        self.web = (
            "https://bitbucket.org" if url.host == "api.bitbucket.org" else f"{url.scheme}://{url.host}"
        )
        self.web_host = httpx.URL(self.web).host

    # ---- people and places ----------------------------------------------------------------------------

    def account(self, user: _state.User) -> Account:
        return Account(
            type_="user",
            display_name=user.display_name,
            uuid=user.uuid,
            links=AccountLinks(
                self_=Link(href=f"{self.api}/users/{user.uuid}"),
                html=Link(href=f"{self.web}/{user.uuid}/"),
                avatar=Link(href=f"{self.web}/account/{user.slug}/avatar/"),
            ),
            nickname=user.slug,
            account_id=f"557058:{user.uuid.strip('{}')}",
        )

    def workspace(self, owner: _state.Owner) -> Workspace:
        return Workspace(
            type_="workspace",
            uuid=owner.uuid,
            name=owner.name,
            slug=owner.key,
            is_private=True,
            created_on=owner.created,
            links=WorkspaceLinks(
                self_=Link(href=f"{self.api}/workspaces/{owner.key}"),
                html=Link(href=f"{self.web}/{owner.key}/"),
                repositories=Link(href=f"{self.api}/repositories/{owner.key}"),
            ),
        )

    def workspace_account(self, owner: _state.Owner) -> Account:
        return Account(type_="team", display_name=owner.name, uuid=owner.uuid, username=owner.key)

    def repository(self, repo: _state.Repository, owner: _state.Owner) -> Repository:
        model = self._repository_of_owner(repo)
        model.owner = self.workspace_account(owner)
        model.project = self.project(owner)
        model.workspace = self.workspace(owner)
        return model

    def repository_page(self, owner: _state.Owner) -> Callable[[_state.Repository], dict[str, Any]]:
        """`repository(repo, owner).to_dict()` for the repositories of one page: the parts they share
        (owner, project, workspace) are built and encoded once, when the page is, so never stale. Listing
        builds thousands of repositories (issue #15)."""
        shared = {
            "owner": self.workspace_account(owner).to_dict(),
            "project": self.project(owner).to_dict(),
            "workspace": self.workspace(owner).to_dict(),
        }

        def build(repo: _state.Repository) -> dict[str, Any]:
            body = self.repository_dict(repo)
            body.update(shared)  # the same dicts in every item: the page is serialised at once
            return body

        return build

    def repository_dict(self, repo: _state.Repository) -> dict[str, Any]:
        """`_repository_of_owner(repo).to_dict()`, written out as JSON directly: listing builds thousands
        of repositories (issue #15), and building then encoding each model costs twice what the page's
        serialisation does. `tests/testing/test_fake_cloud.py` checks that both give the same JSON."""
        full_name = repo.full_name
        api, web = f"{self.api}/repositories/{full_name}", f"{self.web}/{full_name}"
        return {
            "type": "repository",
            "links": {
                "self": {"href": api},
                "html": {"href": web},
                "pullrequests": {"href": f"{api}/pullrequests"},
                "commits": {"href": f"{api}/commits"},
                "clone": [
                    {"href": f"https://{self.web_host}/{full_name}.git", "name": "https"},
                    {"href": f"git@{self.web_host}:{full_name}.git", "name": "ssh"},
                ],
                "hooks": {"href": f"{api}/hooks"},
            },
            "uuid": repo.uuid,
            "full_name": full_name,
            "is_private": repo.is_private,
            "scm": "git",
            "name": repo.name,
            "description": repo.description,
            "created_on": repo.created.isoformat(),
            "updated_on": repo.updated.isoformat(),
            "size": 0,
            "language": "",
            "has_issues": False,
            "has_wiki": False,
            "fork_policy": "allow_forks",
            "mainbranch": {"type": "branch", "name": repo.main_branch},
            "slug": repo.slug,
        }

    def project(self, owner: _state.Owner) -> Project:
        return Project(
            type_="project",
            key="PROJ",
            name="Untitled project",
            uuid=owner.uuid,
            links=ProjectLinks(html=Link(href=f"{self.web}/{owner.key}/workspace/projects/PROJ")),
        )

    def _repository_of_owner(self, repo: _state.Repository) -> Repository:
        """The repository without the parts that depend on its owner only."""
        # Built in one call, each URL once: listing repositories builds thousands of these (issue #15).
        full_name = repo.full_name
        api, web = f"{self.api}/repositories/{full_name}", f"{self.web}/{full_name}"
        return Repository(
            type_="repository",
            full_name=full_name,
            name=repo.name,
            slug=repo.slug,
            uuid=repo.uuid,
            links=RepositoryLinks(
                self_=Link(href=api),
                html=Link(href=web),
                pullrequests=Link(href=f"{api}/pullrequests"),
                commits=Link(href=f"{api}/commits"),
                hooks=Link(href=f"{api}/hooks"),
                clone=[
                    Link(href=f"https://{self.web_host}/{full_name}.git", name="https"),
                    Link(href=f"git@{self.web_host}:{full_name}.git", name="ssh"),
                ],
            ),
            is_private=repo.is_private,
            scm=RepositoryScm.GIT,
            description=repo.description,
            created_on=repo.created,
            updated_on=repo.updated,
            size=0,
            language="",
            has_issues=False,
            has_wiki=False,
            fork_policy=RepositoryForkPolicy.ALLOW_FORKS,
            mainbranch=Branch(type_="branch", name=repo.main_branch),
        )

    def repository_summary(self, repo: _state.Repository) -> Repository:
        return Repository(
            type_="repository",
            full_name=repo.full_name,
            name=repo.name,
            slug=repo.slug,
            uuid=repo.uuid,
            links=RepositoryLinks(
                self_=Link(href=f"{self.api}/repositories/{repo.full_name}"),
                html=Link(href=f"{self.web}/{repo.full_name}"),
            ),
        )

    # ---- git ------------------------------------------------------------------------------------------

    def commit(self, repo: _state.Repository, commit: _state.Commit) -> Commit:
        return Commit(
            type_="commit",
            hash_=commit.hash,
            date=commit.date,
            author=Author(
                type_="author",
                raw=f"{commit.author.display_name} <{commit.author.email}>",
                user=self.account(commit.author),
            ),
            message=commit.message,
            summary=self.markup(commit.message),
            parents=[BaseCommit(type_="commit", hash_=parent) for parent in commit.parents],
            repository=self.repository_summary(repo),
        )

    def branch(self, repo: _state.Repository, name: str) -> Branch:
        head = repo.commits[repo.branches[name]]
        return Branch(
            type_="branch",
            name=name,
            target=self.commit(repo, head),
            links=BranchLinks(
                self_=Link(href=f"{self.api}/repositories/{repo.full_name}/refs/branches/{name}"),
                commits=Link(href=f"{self.api}/repositories/{repo.full_name}/commits/{name}"),
                html=Link(href=f"{self.web}/{repo.full_name}/branch/{name}"),
            ),
            merge_strategies=list(MERGE_STRATEGIES),
            default_merge_strategy="merge_commit",
        )

    # ---- pull requests --------------------------------------------------------------------------------

    def pull_request(self, repo: _state.Repository, pr: _state.PullRequest) -> Pullrequest:
        base = f"{self.api}/repositories/{repo.full_name}/pullrequests/{pr.id}"
        model = Pullrequest(
            type_="pullrequest",
            id=pr.id,
            title=pr.title,
            description=pr.description,
            summary=self.markup(pr.description),
            state=PullrequestState(pr.state),
            author=self.account(pr.author),
            source=self.endpoint(repo, pr.source, pr.source_commit),
            destination=self.endpoint(repo, pr.destination, pr.destination_commit),
            comment_count=len(pr.comments),
            task_count=0,
            close_source_branch=pr.close_source_branch,
            reason=pr.reason,
            created_on=pr.created,
            updated_on=pr.updated,
            reviewers=[self.account(user) for user in pr.reviewers],
            participants=self.participants(pr),
            draft=pr.draft,
            queued=False,
            links=PullrequestLinks(
                self_=Link(href=base),
                html=Link(href=f"{self.web}/{repo.full_name}/pull-requests/{pr.id}"),
                commits=Link(href=f"{base}/commits"),
                approve=Link(href=f"{base}/approve"),
                diff=Link(href=f"{base}/diff"),
                diffstat=Link(href=f"{base}/diffstat"),
                comments=Link(href=f"{base}/comments"),
                activity=Link(href=f"{base}/activity"),
                merge=Link(href=f"{base}/merge"),
                decline=Link(href=f"{base}/decline"),
            ),
        )
        # Real Cloud sends null for both until the pull request is merged or declined.
        model.merge_commit = (
            None if pr.merge_commit is None else BaseCommit(type_="commit", hash_=pr.merge_commit)
        )
        model.closed_by = None if pr.closed_by is None else self.account(pr.closed_by)
        return model

    def endpoint(self, repo: _state.Repository, branch: str, commit: str) -> PullrequestEndpoint:
        return PullrequestEndpoint(
            branch=PullRequestBranch(name=branch),
            commit=PullRequestCommit(type_="commit", hash_=commit[:12]),
            repository=self.repository_summary(repo),
        )

    def participants(self, pr: _state.PullRequest) -> list[Participant]:
        return [self.participant(pr, user, review) for user, review in pr.participants()]

    def participant(
        self, pr: _state.PullRequest, user: _state.User, review: _state.Review | None
    ) -> Participant:
        participant = Participant(
            type_="participant",
            user=self.account(user),
            role=ParticipantRole.REVIEWER if pr.is_reviewer(user) else ParticipantRole.PARTICIPANT,
            approved=review is not None and review.approved,
        )
        if review is not None and review.status != "UNAPPROVED":
            participant.state = (
                ParticipantState.APPROVED if review.approved else ParticipantState.CHANGES_REQUESTED
            )
            participant.participated_on = review.date
        else:
            participant.state = None  # real Cloud sends nulls
            participant.participated_on = None
        return participant

    def comment(
        self, repo: _state.Repository, pr: _state.PullRequest, comment: _state.Comment
    ) -> PullrequestComment:
        base = f"{self.api}/repositories/{repo.full_name}/pullrequests/{pr.id}"
        model = PullrequestComment(
            type_="pullrequest_comment",
            id=comment.id,
            created_on=comment.created,
            updated_on=comment.updated,
            content=self.markup(comment.text),
            user=self.account(comment.author),
            deleted=False,
            pending=False,
            links=CommentLinks(
                self_=Link(href=f"{base}/comments/{comment.id}"),
                html=Link(href=f"{self.web}/{repo.full_name}/pull-requests/{pr.id}#comment-{comment.id}"),
            ),
            pullrequest=Pullrequest(
                type_="pullrequest",
                id=pr.id,
                title=pr.title,
                links=PullrequestLinks(self_=Link(href=base)),
            ),
        )
        if comment.parent_id is not None:
            model.parent = Comment(id=comment.parent_id)
        return model

    def merge_task(
        self, repo: _state.Repository, pr: _state.PullRequest | None
    ) -> PullrequestMergeTaskStatus:
        if pr is None:
            return PullrequestMergeTaskStatus(
                task_status=PullrequestsGetMergeTaskStatusResponseTaskStatus.PENDING
            )
        return PullrequestMergeTaskStatus(
            task_status=PullrequestsGetMergeTaskStatusResponseTaskStatus.SUCCESS,
            merge_result=self.pull_request(repo, pr),
        )

    # ---- webhooks -------------------------------------------------------------------------------------

    def webhook(self, repo: _state.Repository, hook: _state.Webhook) -> WebhookSubscription:
        return WebhookSubscription(
            type_="webhook_subscription",
            uuid=hook.uuid,
            url=hook.url,
            description=hook.description,
            subject_type=WebhookSubscriptionSubjectType.REPOSITORY,
            subject=WebhookSubscriptionSubject(
                type_="repository",
                full_name=repo.full_name,
                name=repo.name,
                uuid=repo.uuid,
                links=WebhookSubscriptionSubjectLinks(
                    self_=Link(href=f"{self.api}/repositories/{repo.full_name}"),
                    html=Link(href=f"{self.web}/{repo.full_name}"),
                ),
            ),
            active=hook.active,
            created_at=hook.created,
            events=list(hook.events),
            secret_set=hook.secret is not None,
        )

    # ---- errors and text ------------------------------------------------------------------------------

    def error(self, message: str, detail: str | None = None) -> dict[str, Any]:
        """Cloud's error body (errors are not generated as models: the client parses them itself)."""
        error: dict[str, Any] = {"message": message}
        if detail is not None:
            error["detail"] = detail
        return {"type": "error", "error": error}

    def markup(self, text: str) -> CommitSummary:
        return CommitSummary(
            type_="rendered",
            raw=text,
            markup=TaskContentMarkup.MARKDOWN,
            html=f"<p>{html.escape(text)}</p>" if text else "",
        )

    @staticmethod
    def timestamp(value: datetime.datetime) -> str:
        return value.isoformat()
