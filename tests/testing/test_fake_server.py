"""FakeBitbucketServer: pagination, auth, routing, shapes, version and merge rules, faults, webhooks."""

from __future__ import annotations

import logging
import warnings
from typing import Any

import attrs
import httpx
import pytest
from fake_testkit import sleeps_fixture  # noqa: F401  (the `sleeps` fixture)

from bitbucket_client import (
    AuthenticationError,
    BadRequestError,
    BasicAuth,
    BitbucketServer,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ServerError,
)
from bitbucket_client.server import OPERATIONS
from bitbucket_client.server.models import (
    RestApplicationUserInput,
    RestBranch,
    RestComment,
    RestCommit,
    RestProject,
    RestPullRequest,
    RestPullRequestParticipantInput,
    RestPullRequestRefInput,
    RestRepository,
)
from bitbucket_client.testing import FakeBitbucketServer
from bitbucket_client.webhooks import server as server_events
from bitbucket_client.webhooks import unwrap

ROOT = "https://bitbucket.example.com"
PRS = "/api/latest/projects/PRJ/repos/widgets/pull-requests"


@pytest.fixture
def fake() -> FakeBitbucketServer:
    fake = FakeBitbucketServer()
    fake.add_repository("PRJ", "widgets")
    return fake


def raw(fake: FakeBitbucketServer, token: str | None = "t") -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(transport=fake, base_url=f"{ROOT}/rest", headers=headers)


def seed_prs(fake: FakeBitbucketServer, count: int, author: str = "alice") -> None:
    for number in range(count):
        fake.add_pull_request("PRJ", "widgets", title=f"Change {number + 1}", author=author)


def ref(branch: str) -> RestPullRequestRefInput:
    return RestPullRequestRefInput(id=f"refs/heads/{branch}")


# ---- pagination ---------------------------------------------------------------------------------------


async def test_lists_answer_with_data_center_envelopes(fake: FakeBitbucketServer) -> None:
    seed_prs(fake, 23)
    async with raw(fake) as http:
        first = (await http.get(PRS)).json()
        last = (await http.get(f"{PRS}?start=20&limit=10")).json()
    assert {k: first[k] for k in ("size", "limit", "start", "isLastPage", "nextPageStart")} == {
        "size": 10,
        "limit": 10,
        "start": 0,
        "isLastPage": False,
        "nextPageStart": 10,
    }
    assert [pr["id"] for pr in first["values"]][:2] == [23, 22]
    assert (last["size"], last["isLastPage"]) == (3, True)
    assert "nextPageStart" not in last


async def test_the_client_pages_with_start_and_reads_the_limit_back() -> None:
    fake = FakeBitbucketServer(page_size=4, max_page_size=6)
    fake.add_repository("PRJ", "widgets")
    seed_prs(fake, 15)
    async with fake.client() as bb:
        pages = [page async for page in bb.pullrequests.list("PRJ", "widgets", page_size=50).pages()]
    assert [page.raw["limit"] for page in pages] == [6, 6, 6]
    assert [len(page.items) for page in pages] == [6, 6, 3]
    assert [r.params.get("start") for r in fake.requests] == [None, "6", "12"]


async def test_api_1_0_is_the_same_as_api_latest(fake: FakeBitbucketServer) -> None:
    async with raw(fake) as http:
        response = await http.get("/api/1.0/projects/PRJ/repos/widgets")
    assert response.status_code == 200
    assert fake.requests[-1].operation == "repositories.get"


async def test_pull_request_filters(fake: FakeBitbucketServer) -> None:
    seed_prs(fake, 3)
    fake.state.decline(fake.pull_request("PRJ", "widgets", 2), by=fake.user)
    async with fake.client() as bb:
        open_ids = [pr.id async for pr in bb.pullrequests.list("PRJ", "widgets")]
        all_oldest = [
            pr.id async for pr in bb.pullrequests.list("PRJ", "widgets", state="ALL", order="OLDEST")
        ]
        outgoing = [
            pr.id
            async for pr in bb.pullrequests.list("PRJ", "widgets", direction="OUTGOING", at="refs/heads/pr/3")
        ]
    assert open_ids == [3, 1]
    assert all_oldest == [1, 2, 3]
    assert outgoing == [3]


# ---- auth, routing, shapes -----------------------------------------------------------------------------


async def test_a_missing_credential_gets_401(
    fake: FakeBitbucketServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BITBUCKET_SERVER_TOKEN", raising=False)
    monkeypatch.delenv("BITBUCKET_SERVER_USERNAME", raising=False)
    async with BitbucketServer(ROOT, transport=fake) as bb:
        with pytest.raises(AuthenticationError):
            await bb.repositories.get("PRJ", "widgets")
    async with raw(fake, token=None) as http:
        body = (await http.get("/api/latest/projects/PRJ")).json()
    assert body["errors"][0]["context"] is None


async def test_only_listed_tokens_pass_and_say_who_calls() -> None:
    fake = FakeBitbucketServer(tokens={"t-alice": "alice", "pat": "bob"})
    fake.add_repository("PRJ", "widgets")
    async with fake.client("nope") as bb:
        with pytest.raises(AuthenticationError):
            await bb.repositories.get("PRJ", "widgets")
    # A personal token also works as the password of Basic auth.
    async with BitbucketServer(ROOT, auth=BasicAuth("bob", "pat"), transport=fake) as bb:
        await bb.repositories.get("PRJ", "widgets")
    assert fake.state.users["bob"].display_name == "Bob"


async def test_unknown_routes_and_missing_operations_are_explained(fake: FakeBitbucketServer) -> None:
    async with raw(fake) as http:
        response = await http.get("/api/latest/nothing/here")
    assert response.status_code == 404
    assert (
        "No operation of the Bitbucket Data Center document matches"
        in response.json()["errors"][0]["message"]
    )
    async with fake.client() as bb:
        with pytest.raises(ServerError) as raised:
            await bb.pullrequests.get_auto_merge("PRJ", "widgets", 1)
    assert raised.value.status_code == 501
    assert "pullrequests.get_auto_merge is not implemented by FakeBitbucketServer" in str(raised.value)


def test_every_implemented_operation_is_an_operation_of_the_document() -> None:
    implemented = FakeBitbucketServer().implemented_operations
    assert set(implemented) <= set(OPERATIONS)
    assert {"pullrequests.merge", "pullrequests.decline", "pullrequests.can_merge"} <= set(implemented)


# Fields real Data Center sends that the 9.4 document lacks; the fake adds them on purpose.
KNOWN_EXTRAS = {"links", "author", "isDefault"}


def unknown_fields(model: Any, path: str = "") -> dict[str, Any]:
    found: dict[str, Any] = {}
    if isinstance(model, list):
        for index, item in enumerate(model):
            found.update(unknown_fields(item, f"{path}[{index}]"))
    elif attrs.has(type(model)):
        found.update({f"{path}.{key}": value for key, value in model.additional_properties.items()})
        for attribute in attrs.fields(type(model)):
            if attribute.name != "additional_properties":
                found.update(unknown_fields(getattr(model, attribute.name), f"{path}.{attribute.name}"))
    return found


async def test_answers_decode_into_the_generated_models_without_surprises(fake: FakeBitbucketServer) -> None:
    pr = fake.add_pull_request("PRJ", "widgets", title="Shape", author="alice", reviewers=["bob"])
    fake.add_approval("PRJ", "widgets", pr.id, by="bob")
    comment = fake.add_comment("PRJ", "widgets", pr.id, "Looks good")
    head = fake.repository("PRJ", "widgets").branches["main"]
    async with raw(fake) as http:
        bodies = {
            RestPullRequest: (await http.get(f"{PRS}/1")).json(),
            RestRepository: (await http.get("/api/latest/projects/PRJ/repos/widgets")).json(),
            RestProject: (await http.get("/api/latest/projects/PRJ")).json(),
            RestBranch: (await http.get("/api/latest/projects/PRJ/repos/widgets/branches")).json()["values"][
                0
            ],
            RestCommit: (await http.get(f"/api/latest/projects/PRJ/repos/widgets/commits/{head}")).json(),
            RestComment: (await http.get(f"{PRS}/1/comments/{comment.id}")).json(),
        }
    for model_class, body in bodies.items():
        extras = unknown_fields(model_class.from_dict(body))
        assert {key.rsplit(".", 1)[-1] for key in extras} <= KNOWN_EXTRAS, (model_class.__name__, extras)
    assert isinstance(bodies[RestPullRequest]["createdDate"], int)  # epoch milliseconds, as in 9.4


# ---- projects, repositories, branches, commits ------------------------------------------------------------


async def test_projects_and_repositories(fake: FakeBitbucketServer) -> None:
    async with fake.client() as bb:
        project = await bb.projects.create(key="NEW")
        assert project.key == "NEW"
        with pytest.raises(ConflictError):
            await bb.projects.create(key="NEW")
        repo = await bb.repositories.create("NEW", name="My Service")
        assert (repo.slug, repo.state, repo.project and repo.project.key) == (
            "my-service",
            "AVAILABLE",
            "NEW",
        )
        with pytest.raises(ConflictError):
            await bb.repositories.create("NEW", name="My Service")
        assert [p.key async for p in bb.projects.list()] == ["PRJ", "NEW"]
        response = await bb.request("DELETE", "api/latest/projects/NEW/repos/my-service")
        assert response.status_code == 202  # scheduled, as on a real server
        with pytest.raises(NotFoundError):
            await bb.repositories.get("NEW", "my-service")


async def test_branches_and_commits(fake: FakeBitbucketServer) -> None:
    async with fake.client() as bb:
        branch = await bb.refs.create_branch("PRJ", "widgets", name="feature/a", start_point="main")
        assert (branch.id, branch.display_id, branch.is_default) == (
            "refs/heads/feature/a",
            "feature/a",
            False,
        )
        first = fake.add_commit("PRJ", "widgets", "feature/a", "One")
        second = fake.add_commit("PRJ", "widgets", "feature/a", "Two")
        found = [b.display_id async for b in bb.refs.list_branches("PRJ", "widgets", filter_text="feat")]
        assert found == ["feature/a"]
        commits = [
            c.message async for c in bb.commits.list("PRJ", "widgets", until="feature/a", since="main")
        ]
        assert commits == ["Two", "One"]
        assert (await bb.commits.get("PRJ", "widgets", first.hash[:10])).id == first.hash
        default = await bb.repositories.get_default_branch("PRJ", "widgets")
        assert default.display_id == "main"
        await bb.request(
            "DELETE", "branch-utils/latest/projects/PRJ/repos/widgets/branches", json={"name": "feature/a"}
        )
    assert "feature/a" not in fake.repository("PRJ", "widgets").branches
    assert second.parents == [first.hash]


# ---- pull requests and the version rules ------------------------------------------------------------------


async def test_create_a_pull_request(fake: FakeBitbucketServer) -> None:
    fake.add_commit("PRJ", "widgets", "topic", "Work")
    fake.state.user("bob")
    async with fake.client() as bb:
        reviewer = RestPullRequestParticipantInput(user=RestApplicationUserInput(name="bob"))
        pr = await bb.pullrequests.create(
            "PRJ", "widgets", title="Topic", from_ref=ref("topic"), to_ref=ref("main"), reviewers=[reviewer]
        )
        assert (pr.id, pr.version, pr.state, pr.open_) == (1, 0, "OPEN", True)
        assert [r.user.name for r in pr.reviewers or [] if r.user] == ["bob"]
        assert pr.author and pr.author.role == "AUTHOR"
        with pytest.raises(ConflictError, match="Only one pull request"):
            await bb.pullrequests.create(
                "PRJ", "widgets", title="Again", from_ref=ref("topic"), to_ref=ref("main")
            )
        with pytest.raises(NotFoundError):
            await bb.pullrequests.create(
                "PRJ", "widgets", title="x", from_ref=ref("missing"), to_ref=ref("main")
            )


async def test_merge_needs_the_current_version(fake: FakeBitbucketServer) -> None:
    fake.add_pull_request("PRJ", "widgets", title="x", author="alice")
    async with fake.client() as bb:
        with pytest.raises(BadRequestError, match="current version"):
            await bb.pullrequests.merge("PRJ", "widgets", 1)
        edited = await bb.pullrequests.update("PRJ", "widgets", 1, version=0, title="x, edited")
        assert edited.version == 1
        with pytest.raises(ConflictError) as raised:
            await bb.pullrequests.merge("PRJ", "widgets", 1, version=0)
        error = raised.value.errors[0]
        assert error["exceptionName"] == "com.atlassian.bitbucket.pull.PullRequestOutOfDateException"
        assert (error["currentVersion"], error["expectedVersion"]) == (1, 0)
        merged = await bb.pullrequests.merge("PRJ", "widgets", 1, version=1)
        assert (merged.state, merged.version, merged.closed) == ("MERGED", 2, True)
        with pytest.raises(ConflictError, match="merged and cannot be merged"):
            await bb.pullrequests.merge("PRJ", "widgets", 1, version=2)
    repo = fake.repository("PRJ", "widgets")
    assert fake.pull_request("PRJ", "widgets", 1).merge_commit == repo.branches["main"]


async def test_merge_checks_veto_with_409(fake: FakeBitbucketServer) -> None:
    fake.add_repository("PRJ", "guarded", required_approvals=1)
    fake.add_pull_request("PRJ", "guarded", title="x", author="alice")
    async with fake.client() as bb:
        mergeability = await bb.pullrequests.can_merge("PRJ", "guarded", 1)
        assert mergeability.can_merge is False and mergeability.vetoes
        with pytest.raises(ConflictError) as raised:
            await bb.pullrequests.merge("PRJ", "guarded", 1, version=0)
        assert raised.value.vetoes[0].summary_message == "Not enough approvals"
        await bb.pullrequests.set_participant_status("PRJ", "guarded", 1, "fake-user", status="APPROVED")
        assert (await bb.pullrequests.can_merge("PRJ", "guarded", 1)).can_merge is True
        merged = await bb.pullrequests.merge("PRJ", "guarded", 1, version=0)  # a review keeps the version
    assert merged.state == "MERGED"


async def test_a_conflicted_pull_request_cannot_be_merged(fake: FakeBitbucketServer) -> None:
    fake.add_pull_request("PRJ", "widgets", title="x", author="alice", conflicted=True)
    async with fake.client() as bb:
        assert (await bb.pullrequests.can_merge("PRJ", "widgets", 1)).outcome == "CONFLICTED"
        with pytest.raises(ConflictError) as raised:
            await bb.pullrequests.merge("PRJ", "widgets", 1, version=0)
    assert raised.value.errors[0]["conflicted"] is True


async def test_decline_reopen_and_delete_check_the_version(fake: FakeBitbucketServer) -> None:
    fake.add_pull_request("PRJ", "widgets", title="x", author="alice")
    async with fake.client() as bb:
        with pytest.raises(ConflictError):
            await bb.pullrequests.decline("PRJ", "widgets", 1, version=5)
        declined = await bb.pullrequests.decline("PRJ", "widgets", 1, version=0)
        assert (declined.state, declined.version) == ("DECLINED", 1)
        reopened = await bb.pullrequests.reopen("PRJ", "widgets", 1, version=1)
        assert reopened.state == "OPEN"
        await bb.pullrequests.delete("PRJ", "widgets", 1, version=2)
        with pytest.raises(NotFoundError):
            await bb.pullrequests.get("PRJ", "widgets", 1)


async def test_review_rules(fake: FakeBitbucketServer) -> None:
    fake.add_pull_request("PRJ", "widgets", title="mine")  # by the fake's user
    fake.add_pull_request("PRJ", "widgets", title="alice's", author="alice")
    async with fake.client() as bb:
        with pytest.raises(BadRequestError, match="author"):
            await bb.pullrequests.set_participant_status("PRJ", "widgets", 1, "fake-user", status="APPROVED")
        with pytest.raises(PermissionDeniedError):
            await bb.pullrequests.set_participant_status("PRJ", "widgets", 2, "alice", status="APPROVED")
        needs_work = await bb.pullrequests.set_participant_status(
            "PRJ", "widgets", 2, "fake-user", status="NEEDS_WORK"
        )
        assert (needs_work.status, needs_work.approved) == ("NEEDS_WORK", False)
        with warnings.catch_warnings():  # `approve` is deprecated (warned once per process)
            warnings.simplefilter("ignore", DeprecationWarning)
            approved = await bb.pullrequests.approve("PRJ", "widgets", 2)
        assert approved.approved is True
        pr = await bb.pullrequests.get("PRJ", "widgets", 2)
        assert [(p.role, p.status) for p in pr.participants or []] == [("PARTICIPANT", "APPROVED")]


async def test_comments(fake: FakeBitbucketServer) -> None:
    fake.add_pull_request("PRJ", "widgets", title="x", author="alice")
    async with fake.client() as bb:
        comment = await bb.pullrequests.create_comment("PRJ", "widgets", 1, text="Why?")
        assert (comment.text, comment.version) == ("Why?", 0)
        response = await bb.request(
            "POST", f"{PRS[1:]}/1/comments", json={"text": "Because", "parent": {"id": comment.id}}
        )
        assert response.status_code == 201
        thread = await bb.pullrequests.get_comment("PRJ", "widgets", 1, int(comment.id or 0))
        assert [reply.text for reply in thread.comments or []] == ["Because"]
        with pytest.raises(ServerError, match="Anchored"):
            await bb.request("POST", f"{PRS[1:]}/1/comments", json={"text": "x", "anchor": {"line": 1}})


async def test_webhook_subscriptions(fake: FakeBitbucketServer) -> None:
    async with fake.client() as bb:
        created = await bb.webhooks.create_for_repository(
            "PRJ", "widgets", name="CI", url="https://ci.example.com/hook", events=["pr:merged"]
        )
        hook_id = created.id
        assert isinstance(hook_id, int)
        assert (created.name, created.events) == ("CI", ["pr:merged"])
        listed = [h.name async for h in bb.webhooks.list_for_repository("PRJ", "widgets", event="pr:merged")]
        assert listed == ["CI"]
        assert [
            h async for h in bb.webhooks.list_for_repository("PRJ", "widgets", event="repo:refs_changed")
        ] == []
        assert (
            await bb.webhooks.get_for_repository("PRJ", "widgets", str(hook_id))
        ).url == "https://ci.example.com/hook"
        await bb.webhooks.delete_for_repository("PRJ", "widgets", str(hook_id))
        with pytest.raises(NotFoundError):
            await bb.webhooks.get_for_repository("PRJ", "widgets", str(hook_id))


# ---- faults ------------------------------------------------------------------------------------------------


async def test_429_is_json_with_retry_after_and_retried(
    fake: FakeBitbucketServer, sleeps: list[float]
) -> None:
    fake.faults.rate_limit(times=1, retry_after=2)
    async with raw(fake) as http:
        response = await http.get("/api/latest/projects/PRJ")
    assert (response.status_code, response.headers["Retry-After"]) == (429, "2")
    assert response.json()["errors"][0]["exceptionName"].endswith("ThrottledException")
    fake.faults.rate_limit(times=1, retry_after=2)
    async with fake.client() as bb:
        await bb.projects.get("PRJ")
    assert sleeps == [2.0]


async def test_server_errors_on_writes_are_not_retried(
    fake: FakeBitbucketServer, sleeps: list[float]
) -> None:
    fake.add_pull_request("PRJ", "widgets", title="x", author="alice")
    fake.faults.server_error(status=502, times=1, operation="pullrequests.merge")
    async with fake.client() as bb:
        with pytest.raises(ServerError):
            await bb.pullrequests.merge("PRJ", "widgets", 1, version=0)
        assert fake.pull_request("PRJ", "widgets", 1).state == "OPEN"
        merged = await bb.pullrequests.merge("PRJ", "widgets", 1, version=0)
    assert merged.state == "MERGED" and sleeps == []


async def test_stale_next_page_starts(fake: FakeBitbucketServer, caplog: pytest.LogCaptureFixture) -> None:
    seed_prs(fake, 15)
    fake.faults.stale_next()
    async with fake.client() as bb:
        assert len([pr async for pr in bb.pullrequests.list("PRJ", "widgets")]) == 15
    assert len(fake.requests_for("pullrequests.list")) == 3
    fake.faults.stale_next(mode="repeat")
    with caplog.at_level(logging.WARNING, logger="bitbucket_client"):
        async with fake.client() as bb:
            assert len([pr async for pr in bb.pullrequests.list("PRJ", "widgets")]) == 10
    assert "already fetched" in caplog.text


# ---- webhooks ----------------------------------------------------------------------------------------------


async def test_changes_deliver_signed_data_center_webhooks() -> None:
    received: list[tuple[dict[str, str], bytes]] = []
    fake = FakeBitbucketServer(
        tokens={"me": "fake-user", "t-bob": "bob"},
        webhook_callback=lambda h, b: received.append((h, b)),
        webhook_secret="s3cret",
    )
    fake.add_repository("PRJ", "widgets")
    async with fake.client("me") as bb, fake.client("t-bob") as bob:
        await bb.refs.create_branch("PRJ", "widgets", name="topic", start_point="main")
        fake.add_commit("PRJ", "widgets", "topic", "Work")
        await bb.pullrequests.create("PRJ", "widgets", title="x", from_ref=ref("topic"), to_ref=ref("main"))
        await bob.pullrequests.set_participant_status("PRJ", "widgets", 1, "bob", status="APPROVED")
        await bob.pullrequests.create_comment("PRJ", "widgets", 1, text="ship it")
        await bb.pullrequests.merge("PRJ", "widgets", 1, version=0)
    events = [unwrap(headers, body, "s3cret") for headers, body in received]
    assert [e.event_key for e in events] == [
        "repo:refs_changed",
        "pr:opened",
        "pr:reviewer:approved",
        "pr:comment:added",
        "pr:merged",
        "repo:refs_changed",  # the merge moved main
    ]
    refs, opened, approved, commented, merged, moved = events
    assert isinstance(moved, server_events.RefsChangedEvent)
    assert [(c.ref_id, c.type) for c in moved.changes] == [("refs/heads/main", "UPDATE")]
    assert isinstance(refs, server_events.RefsChangedEvent) and refs.changes[0].type == "ADD"
    assert isinstance(opened, server_events.PullRequestEvent)
    assert isinstance(approved, server_events.PullRequestReviewerEvent)
    assert approved.participant and approved.participant.status == "APPROVED"
    assert approved.previous_status == "UNAPPROVED"
    assert isinstance(commented, server_events.PullRequestCommentEvent)
    assert commented.comment and commented.comment.text == "ship it"
    assert isinstance(merged, server_events.PullRequestEvent)
    assert merged.pull_request and merged.pull_request.state == "MERGED"
    assert merged.repository and merged.repository.slug == "widgets"
    assert all("X-Request-Id" in headers for headers, _ in received)


async def test_a_base_url_with_a_context_path() -> None:
    fake = FakeBitbucketServer(base_url="http://git.example.com/bitbucket", page_size=2)
    fake.add_repository("PRJ", "widgets")
    seed_prs(fake, 5)
    async with fake.client() as bb:
        assert str(bb.base_url) == "http://git.example.com/bitbucket/rest"
        assert len([pr async for pr in bb.pullrequests.list("PRJ", "widgets")]) == 5
