"""FakeBitbucketCloud: pagination, auth, routing, answer shapes, merge rules, faults and webhooks."""

from __future__ import annotations

import logging
import time
from typing import Any

import attrs
import httpx
import pytest
import respx
from fake_testkit import sleeps_fixture  # noqa: F401  (the `sleeps` fixture)

from bitbucket_client import (
    ApiToken,
    AuthenticationError,
    BadRequestError,
    BitbucketCloud,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from bitbucket_client.cloud import OPERATIONS
from bitbucket_client.cloud.models import (
    Branch,
    Commit,
    Participant,
    Pullrequest,
    PullRequestBranchInput,
    PullrequestComment,
    PullrequestEndpointInput,
    Repository,
    WebhookSubscription,
)
from bitbucket_client.testing import FakeBitbucketCloud
from bitbucket_client.webhooks import cloud as cloud_events
from bitbucket_client.webhooks import parse_event, unwrap, verify_signature

API = "https://api.bitbucket.org/2.0"


@pytest.fixture
def fake() -> FakeBitbucketCloud:
    fake = FakeBitbucketCloud()
    fake.add_repository("acme", "widgets")
    return fake


def raw(fake: FakeBitbucketCloud, token: str | None = "t") -> httpx.AsyncClient:
    """A plain httpx client on the fake, to look at status codes and bodies as sent."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(transport=fake, base_url=API, headers=headers)


def seed_prs(fake: FakeBitbucketCloud, count: int) -> None:
    for number in range(count):
        fake.add_pull_request("acme", "widgets", title=f"Change {number + 1}", author="alice")


def source(branch: str) -> PullrequestEndpointInput:
    return PullrequestEndpointInput(branch=PullRequestBranchInput(name=branch))


# ---- pagination ---------------------------------------------------------------------------------------


async def test_list_answers_with_cloud_envelopes_and_absolute_next_links(fake: FakeBitbucketCloud) -> None:
    seed_prs(fake, 23)
    async with raw(fake) as http:
        first = (await http.get("/repositories/acme/widgets/pullrequests")).json()
        last = (await http.get("/repositories/acme/widgets/pullrequests?page=3")).json()
    assert {k: first[k] for k in ("size", "page", "pagelen")} == {"size": 23, "page": 1, "pagelen": 10}
    assert len(first["values"]) == 10
    assert first["next"] == f"{API}/repositories/acme/widgets/pullrequests?page=2"
    assert "previous" not in first
    assert len(last["values"]) == 3
    assert "next" not in last
    assert last["previous"] == f"{API}/repositories/acme/widgets/pullrequests?page=2"


async def test_next_keeps_the_other_query_parameters(fake: FakeBitbucketCloud) -> None:
    seed_prs(fake, 4)
    async with raw(fake) as http:
        page = (
            await http.get("/repositories/acme/widgets/pullrequests?state=OPEN&state=MERGED&pagelen=2")
        ).json()
    next_url = httpx.URL(page["next"])
    assert next_url.params.get_list("state") == ["OPEN", "MERGED"]
    assert next_url.params["pagelen"] == "2"
    assert next_url.params["page"] == "2"


async def test_the_client_pages_through_everything_newest_first(fake: FakeBitbucketCloud) -> None:
    seed_prs(fake, 23)
    async with fake.client() as bb:
        ids = [pr.id async for pr in bb.pullrequests.list("acme", "widgets")]
    assert ids == list(range(23, 0, -1))
    assert len(fake.requests_for("pullrequests.list")) == 3


async def test_page_size_is_the_clients_choice_up_to_the_maximum() -> None:
    fake = FakeBitbucketCloud(page_size=3, max_page_size=20)
    fake.add_repository("acme", "widgets")
    seed_prs(fake, 45)
    async with fake.client() as bb:
        pages = [page async for page in bb.pullrequests.list("acme", "widgets", page_size=50).pages()]
    assert [page.raw["pagelen"] for page in pages] == [20, 20, 20]
    assert [len(page.items) for page in pages] == [20, 20, 5]


async def test_a_page_past_the_end_is_empty(fake: FakeBitbucketCloud) -> None:
    seed_prs(fake, 2)
    async with raw(fake) as http:
        body = (await http.get("/repositories/acme/widgets/pullrequests?page=9")).json()
    assert body["values"] == []
    assert "next" not in body


async def test_pull_requests_list_open_ones_unless_asked(fake: FakeBitbucketCloud) -> None:
    seed_prs(fake, 3)
    fake.state.decline(fake.pull_request("acme", "widgets", 2), by=fake.user)
    async with fake.client() as bb:
        open_ids = [pr.id async for pr in bb.pullrequests.list("acme", "widgets")]
        declined = [pr.id async for pr in bb.pullrequests.list("acme", "widgets", state="DECLINED")]
    assert open_ids == [3, 1]
    assert declined == [2]


# ---- auth -----------------------------------------------------------------------------------------------


async def test_a_missing_credential_gets_401(
    fake: FakeBitbucketCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("BITBUCKET_TOKEN", "BITBUCKET_EMAIL", "BITBUCKET_API_TOKEN", "BITBUCKET_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    async with BitbucketCloud(transport=fake) as bb:
        with pytest.raises(AuthenticationError):
            await bb.users.get_current()
    async with raw(fake, token=None) as http:
        response = await http.get("/user")
        private = await http.get("/repositories/acme/widgets")
    assert response.status_code == 401
    assert response.json()["type"] == "error"
    assert private.status_code == 404  # anonymous: Cloud does not say a private repository exists


async def test_any_credential_passes_without_a_token_list(fake: FakeBitbucketCloud) -> None:
    async with fake.client(token="whatever") as bb:
        assert (await bb.repositories.get("acme", "widgets")).full_name == "acme/widgets"


async def test_with_a_token_list_only_those_tokens_pass() -> None:
    fake = FakeBitbucketCloud(tokens={"good"})
    fake.add_repository("acme", "widgets")
    async with fake.client(token="bad") as bb:
        with pytest.raises(AuthenticationError):
            await bb.repositories.get("acme", "widgets")
    async with fake.client(token="good") as bb:
        await bb.repositories.get("acme", "widgets")
    # Basic auth (an API token with the account's e-mail) checks the password part.
    async with BitbucketCloud(auth=ApiToken("me@example.com", "good"), transport=fake) as bb:
        await bb.repositories.get("acme", "widgets")


async def test_a_token_mapping_says_who_is_calling() -> None:
    fake = FakeBitbucketCloud(tokens={"t-alice": "alice", "t-bob": "bob"})
    async with fake.client(token="t-alice") as bb:
        assert (await bb.users.get_current()).display_name == "Alice"
    async with fake.client(token="t-bob") as bb:
        assert (await bb.users.get_current()).nickname == "bob"


# ---- routing --------------------------------------------------------------------------------------------


async def test_an_unknown_route_gets_a_bitbucket_shaped_404(fake: FakeBitbucketCloud) -> None:
    async with raw(fake) as http:
        response = await http.get("/no/such/thing")
    assert response.status_code == 404
    body = response.json()
    assert body["type"] == "error"
    assert (
        "no operation of the Bitbucket Cloud document matches GET /2.0/no/such/thing"
        in body["error"]["message"]
    )
    assert fake.requests[-1].operation is None


async def test_an_operation_the_fake_lacks_says_so(fake: FakeBitbucketCloud) -> None:
    async with fake.client() as bb:
        with pytest.raises(ServerError) as raised:
            await bb.pullrequests.get_patch("acme", "widgets", 1)
    assert raised.value.status_code == 501
    assert "pullrequests.get_patch is not implemented by FakeBitbucketCloud" in str(raised.value)
    assert fake.requests[-1].operation == "pullrequests.get_patch"


async def test_a_query_parameter_the_fake_ignores_would_be_a_wrong_answer_so_it_is_refused(
    fake: FakeBitbucketCloud,
) -> None:
    async with fake.client() as bb:
        with pytest.raises(ServerError) as raised:
            [b async for b in bb.refs.list_branches("acme", "widgets", q='name ~ "feature"')]
    assert raised.value.status_code == 501
    assert "the query parameter(s) q are not implemented" in str(raised.value)


async def test_a_wrong_method_gets_405(fake: FakeBitbucketCloud) -> None:
    async with raw(fake) as http:
        response = await http.patch("/repositories/acme/widgets")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_every_implemented_operation_is_an_operation_of_the_document() -> None:
    implemented = FakeBitbucketCloud().implemented_operations
    assert set(implemented) <= set(OPERATIONS)
    assert {"pullrequests.merge", "pullrequests.get_merge_task_status", "repositories.create"} <= set(
        implemented
    )


async def test_branch_names_with_slashes_stay_one_path_segment(fake: FakeBitbucketCloud) -> None:
    fake.add_branch("acme", "widgets", "feature/deep/name")
    async with fake.client() as bb:
        branch = await bb.refs.get_branch("acme", "widgets", "feature/deep/name")
    assert branch.name == "feature/deep/name"


# ---- answers are the documents' shapes --------------------------------------------------------------------

# Fields real Cloud sends that the document lacks; the fake adds them on purpose.
KNOWN_EXTRAS = {
    "slug",
    "workspace",
    "username",
    "description",
    "merge_commit",
    "closed_by",
    "nickname",
    "account_id",
    "state",
    "participated_on",
    "full_name",
    "name",
    "uuid",
    "links",
}


def unknown_fields(model: Any, path: str = "") -> dict[str, Any]:
    """Every key decoding put in `additional_properties`, anywhere in the model, by path."""
    found: dict[str, Any] = {}
    if isinstance(model, list):
        for index, item in enumerate(model):
            found.update(unknown_fields(item, f"{path}[{index}]"))
    elif attrs.has(type(model)):
        for key, value in model.additional_properties.items():
            found[f"{path}.{key}"] = value
        for attribute in attrs.fields(type(model)):
            if attribute.name != "additional_properties":
                found.update(unknown_fields(getattr(model, attribute.name), f"{path}.{attribute.name}"))
    return found


async def test_answers_decode_into_the_generated_models_without_surprises(fake: FakeBitbucketCloud) -> None:
    pr_state = fake.add_pull_request("acme", "widgets", title="Shape", author="alice", reviewers=["bob"])
    fake.add_comment("acme", "widgets", pr_state.id, "Looks good")
    fake.add_webhook("acme", "widgets", url="https://example.com/hook", events=["repo:push"])
    async with raw(fake) as http:
        bodies = {
            Pullrequest: (await http.get("/repositories/acme/widgets/pullrequests/1")).json(),
            Repository: (await http.get("/repositories/acme/widgets")).json(),
            Branch: (await http.get("/repositories/acme/widgets/refs/branches/main")).json(),
            Commit: (await http.get("/repositories/acme/widgets/commit/main")).json(),
            PullrequestComment: (await http.get("/repositories/acme/widgets/pullrequests/1/comments")).json()[
                "values"
            ][0],
            WebhookSubscription: (await http.get("/repositories/acme/widgets/hooks")).json()["values"][0],
        }
    for model_class, body in bodies.items():
        extras = unknown_fields(model_class.from_dict(body))
        assert {key.rsplit(".", 1)[-1] for key in extras} <= KNOWN_EXTRAS, (model_class.__name__, extras)


async def test_an_unmerged_pull_request_has_null_merge_commit_as_on_real_cloud(
    fake: FakeBitbucketCloud,
) -> None:
    fake.add_pull_request("acme", "widgets", title="x")
    async with raw(fake) as http:
        body = (await http.get("/repositories/acme/widgets/pullrequests/1")).json()
    assert body["merge_commit"] is None
    assert body["closed_by"] is None
    assert body["type"] == "pullrequest"


# ---- repositories, branches, commits ---------------------------------------------------------------------


async def test_repositories_are_created_listed_and_deleted(fake: FakeBitbucketCloud) -> None:
    async with fake.client() as bb:
        created = await bb.repositories.create("acme", "gadgets", name="Gadgets", is_private=False)
        assert created.full_name == "acme/gadgets"
        assert created.is_private is False
        with pytest.raises(BadRequestError):
            await bb.repositories.create("acme", "gadgets")
        names = [r.name async for r in bb.repositories.list("acme", sort="-name")]
        assert names == ["widgets", "Gadgets"]
        await bb.repositories.delete("acme", "gadgets")
        with pytest.raises(NotFoundError):
            await bb.repositories.get("acme", "gadgets")
        with pytest.raises(NotFoundError):
            await bb.repositories.create("nobody", "x")


async def test_a_listed_repository_is_the_one_get_answers_and_follows_its_owner(
    fake: FakeBitbucketCloud,
) -> None:
    fake.add_repository("acme", "gadgets")
    async with raw(fake) as http:
        first = (await http.get("/repositories/acme", params={"pagelen": 1})).json()
        single = (await http.get("/repositories/acme/widgets")).json()
        assert first["values"] == [single]
        assert single["owner"]["username"] == single["workspace"]["slug"] == "acme"
        assert single["project"]["key"] == "PROJ"
        owner = fake.state.find_owner("acme")
        assert owner is not None
        owner.name = "Acme Renamed"  # the owner's parts are built with each page, never kept
        second = (await http.get(first["next"])).json()
        assert second["values"][0]["full_name"] == "acme/gadgets"
        assert second["values"][0]["owner"]["display_name"] == "Acme Renamed"
        assert second["values"][0]["workspace"]["name"] == "Acme Renamed"


async def test_a_listed_repository_is_written_as_its_model_encodes_it(fake: FakeBitbucketCloud) -> None:
    # Listing writes repositories as JSON directly (speed, issue #15): the same JSON as the model's.
    fake.add_repository("acme", "public-one", is_private=False, description="Open", main_branch="trunk")
    fake.add_repository("acme", "named", name="A Named Repo")
    fake.repository("acme", "named").description = "changed later"  # read when listed, never kept
    async with raw(fake) as http:
        listed = (await http.get("/repositories/acme", params={"pagelen": 100})).json()["values"]
    assert len(listed) == 3
    for item in listed:
        repo = fake.repository("acme", item["slug"])
        assert fake.models.repository_dict(repo) == fake.models._repository_of_owner(repo).to_dict()
        encoded = fake.models.repository(repo, fake.state.find_owner("acme")).to_dict()  # type: ignore[arg-type]
        assert item == encoded
    assert {item["description"] for item in listed} >= {"Open", "changed later"}


async def test_branches_and_commits(fake: FakeBitbucketCloud) -> None:
    async with fake.client() as bb:
        created = await bb.request(
            "POST",
            "repositories/acme/widgets/refs/branches",
            json={"name": "topic", "target": {"hash": "main"}},
        )
        assert created.status_code == 201
        pushed = fake.add_commit("acme", "widgets", "topic", "Work")
        branch = await bb.refs.get_branch("acme", "widgets", "topic")
        assert branch.target and branch.target.hash_ == pushed.hash
        names = [b.name async for b in bb.refs.list_branches("acme", "widgets")]
        assert names == ["main", "topic"]
        by_prefix = await bb.commits.get("acme", "widgets", pushed.hash[:8])
        assert by_prefix.message == "Work"
        history = [c.hash_ async for c in bb.commits.list_for_revision("acme", "widgets", "topic")]
        assert history[0] == pushed.hash and len(history) == 2
        await bb.refs.delete_branch("acme", "widgets", "topic")
        with pytest.raises(NotFoundError):
            await bb.refs.get_branch("acme", "widgets", "topic")


# ---- pull requests, reviews, comments ----------------------------------------------------------------------


async def test_create_a_pull_request(fake: FakeBitbucketCloud) -> None:
    fake.add_commit("acme", "widgets", "topic", "Work")
    fake.state.user("bob")
    async with fake.client() as bb:
        pr = await bb.pullrequests.create(
            "acme", "widgets", title="Topic", source=source("topic"), reviewers=[], close_source_branch=True
        )
        with pytest.raises(BadRequestError):
            await bb.pullrequests.create("acme", "widgets", title="Nope", source=source("missing"))
        # The client refuses a body without a title before sending it; the fake refuses it too.
        with pytest.raises(BadRequestError, match="title: This field is required"):
            await bb.request(
                "POST",
                "repositories/acme/widgets/pullrequests",
                json={"source": {"branch": {"name": "topic"}}},
            )
    assert (pr.id, pr.state, pr.close_source_branch) == (1, "OPEN", True)
    assert pr.source and pr.source.branch and pr.source.branch.name == "topic"
    assert pr.destination and pr.destination.branch and pr.destination.branch.name == "main"


async def test_approvals_and_change_requests_show_as_participants(fake: FakeBitbucketCloud) -> None:
    fake.add_pull_request("acme", "widgets", title="x", author="alice")
    async with fake.client() as bb:
        participant = await bb.pullrequests.approve("acme", "widgets", 1)
        assert isinstance(participant, Participant) and participant.approved is True
        assert participant.state == "approved"
        pr = await bb.pullrequests.get("acme", "widgets", 1)
        assert [p.approved for p in pr.participants or []] == [True]
        await bb.pullrequests.unapprove("acme", "widgets", 1)
        with pytest.raises(NotFoundError):
            await bb.pullrequests.unapprove("acme", "widgets", 1)
        changes = await bb.pullrequests.request_changes("acme", "widgets", 1)
        assert changes.state == "changes_requested"


async def test_comments(fake: FakeBitbucketCloud) -> None:
    fake.add_pull_request("acme", "widgets", title="x")
    async with fake.client() as bb:
        response = await bb.request(
            "POST", "repositories/acme/widgets/pullrequests/1/comments", json={"content": {"raw": "Nice"}}
        )
        assert response.status_code == 201
        comment_id = response.json()["id"]
        comment = await bb.pullrequests.get_comment("acme", "widgets", 1, comment_id)
        assert comment.content and comment.content.raw == "Nice"
        listed = [c.id async for c in bb.pullrequests.list_comments("acme", "widgets", 1)]
        assert listed == [comment_id]
        assert (await bb.pullrequests.get("acme", "widgets", 1)).comment_count == 1
        inline = await bb.pullrequests.create_comment(
            "acme", "widgets", 1, content={"raw": "x"}, inline={"path": "a.py", "to": 1}
        )
        assert inline.inline and (inline.inline.path, inline.inline.to) == ("a.py", 1)
        assert isinstance(inline.id, int)
        again = await bb.pullrequests.get_comment("acme", "widgets", 1, inline.id)
        assert again.inline and again.inline.path == "a.py"
        with pytest.raises(BadRequestError, match="line numbers start at 1"):
            await bb.pullrequests.create_comment(
                "acme", "widgets", 1, content={"raw": "x"}, inline={"path": "a", "to": 0}
            )


# ---- merge rules -------------------------------------------------------------------------------------------


async def test_a_synchronous_merge(fake: FakeBitbucketCloud) -> None:
    state = fake.add_pull_request("acme", "widgets", title="x", source="topic", close_source_branch=True)
    repo = fake.repository("acme", "widgets")
    before = repo.branches["main"]
    async with fake.client() as bb:
        merged = await bb.pullrequests.merge("acme", "widgets", 1, merge_strategy="merge_commit")
    assert merged.state == "MERGED"
    assert merged.merge_commit and merged.merge_commit.hash_ == repo.branches["main"]
    assert repo.commits[repo.branches["main"]].parents == [before, state.source_commit]
    assert "topic" not in repo.branches
    assert merged.closed_by and merged.closed_by.display_name == "Fake User"


async def test_an_asynchronous_merge_is_pending_once_then_succeeds(sleeps: list[float]) -> None:
    fake = FakeBitbucketCloud(async_merge=True)
    fake.add_repository("acme", "widgets")
    fake.add_pull_request("acme", "widgets", title="x")
    async with fake.client() as bb:
        task = await bb.pullrequests.merge("acme", "widgets", 1, wait=False)
        assert not task.done
        assert task.location and "/pullrequests/1/merge/task-status/" in task.location
        async with raw(fake) as http:
            first = (await http.get(task.location)).json()
        assert first == {"task_status": "PENDING"}
        assert fake.pull_request("acme", "widgets", 1).state == "OPEN"  # not merged until the task ends
        merged = await task.wait()
    assert merged.state == "MERGED"
    assert fake.pull_request("acme", "widgets", 1).state == "MERGED"
    assert [r.status for r in fake.requests_for("pullrequests.merge")] == [202]


async def test_async_true_asks_for_an_asynchronous_merge(
    fake: FakeBitbucketCloud, sleeps: list[float]
) -> None:
    fake.merge_pending_polls = 3
    fake.add_pull_request("acme", "widgets", title="x")
    async with fake.client() as bb:
        merged = await bb.pullrequests.merge("acme", "widgets", 1, async_=True)
    assert merged.state == "MERGED"
    assert len(fake.requests_for("pullrequests.get_merge_task_status")) == 4
    assert len(sleeps) == 3


async def test_only_an_open_pull_request_can_be_merged_or_declined(fake: FakeBitbucketCloud) -> None:
    fake.add_pull_request("acme", "widgets", title="merged")
    fake.add_pull_request("acme", "widgets", title="declined")
    async with fake.client() as bb:
        await bb.pullrequests.merge("acme", "widgets", 1)
        with pytest.raises(BadRequestError, match="merged"):
            await bb.pullrequests.merge("acme", "widgets", 1)
        declined = await bb.pullrequests.decline("acme", "widgets", 2)
        assert declined.state == "DECLINED"
        with pytest.raises(BadRequestError):
            await bb.pullrequests.decline("acme", "widgets", 2)
        with pytest.raises(BadRequestError):
            await bb.pullrequests.merge("acme", "widgets", 2)
        with pytest.raises(BadRequestError):
            await bb.pullrequests.approve("acme", "widgets", 2)


async def test_a_conflicted_pull_request_cannot_be_merged(fake: FakeBitbucketCloud) -> None:
    fake.add_pull_request("acme", "widgets", title="x", conflicted=True)
    async with fake.client() as bb:
        with pytest.raises(BadRequestError, match="Conflicts during merge"):
            await bb.pullrequests.merge("acme", "widgets", 1)


async def test_an_unknown_merge_strategy_is_refused(fake: FakeBitbucketCloud) -> None:
    fake.add_pull_request("acme", "widgets", title="x")
    async with fake.client() as bb:
        with pytest.raises(BadRequestError, match="merge_strategy"):
            await bb.request(
                "POST", "repositories/acme/widgets/pullrequests/1/merge", json={"merge_strategy": "octopus"}
            )


# ---- faults ------------------------------------------------------------------------------------------------


async def test_429_with_retry_after_is_waited_out(fake: FakeBitbucketCloud, sleeps: list[float]) -> None:
    fake.faults.rate_limit(times=1, retry_after=1)
    async with fake.client() as bb:
        await bb.repositories.get("acme", "widgets")
    assert [r.status for r in fake.requests] == [429, 200]
    assert sleeps == [1.0]


async def test_429_without_retry_after_is_plain_text_and_backed_off(
    fake: FakeBitbucketCloud, sleeps: list[float]
) -> None:
    fake.faults.rate_limit(times=2)
    async with raw(fake) as http:
        response = await http.get("/repositories/acme/widgets")
    assert response.status_code == 429
    assert "retry-after" not in response.headers
    assert response.text == "Rate limit for this resource has been exceeded"
    async with fake.client() as bb:
        await bb.repositories.get("acme", "widgets")
    assert len(sleeps) == 1 and 0.5 <= sleeps[0] <= 1.0


async def test_endless_429s_exhaust_the_budget(fake: FakeBitbucketCloud, sleeps: list[float]) -> None:
    fake.faults.rate_limit(times=10, retry_after=2)
    async with fake.client(rate_limit_budget=5) as bb:
        with pytest.raises(RateLimitError):
            await bb.repositories.get("acme", "widgets")
    assert sleeps == [2.0, 2.0]


async def test_server_errors_are_retried_on_reads_only(fake: FakeBitbucketCloud, sleeps: list[float]) -> None:
    fake.faults.server_error(status=503, times=1)
    async with fake.client() as bb:
        await bb.repositories.get("acme", "widgets")
        fake.faults.server_error(status=555, times=1, operation="pullrequests.create")
        with pytest.raises(ServerError) as raised:
            await bb.pullrequests.create("acme", "widgets", title="x", source=source("main"))
    assert raised.value.status_code == 555
    assert [r.status for r in fake.requests] == [503, 200, 555]
    assert fake.repository("acme", "widgets").pull_requests == {}  # a fault answers before anything changes


async def test_faults_can_target_one_operation(fake: FakeBitbucketCloud, sleeps: list[float]) -> None:
    fault = fake.faults.rate_limit(times=1, operation="pullrequests.list")
    async with fake.client() as bb:
        await bb.repositories.get("acme", "widgets")
        assert fault.triggered == 0
        [pr async for pr in bb.pullrequests.list("acme", "widgets")]
    assert fault.triggered == 1 and fault.remaining == 0


async def test_latency_delays_answers(fake: FakeBitbucketCloud) -> None:
    fake.faults.latency(0.05, times=1)
    async with fake.client() as bb:
        started = time.perf_counter()
        await bb.repositories.get("acme", "widgets")
        slow = time.perf_counter() - started
        started = time.perf_counter()
        await bb.repositories.get("acme", "widgets")
        fast = time.perf_counter() - started
    assert slow >= 0.05 > fast


async def test_a_stale_next_on_the_last_page_leads_to_an_empty_page(fake: FakeBitbucketCloud) -> None:
    seed_prs(fake, 15)
    fake.faults.stale_next()
    async with fake.client() as bb:
        ids = [pr.id async for pr in bb.pullrequests.list("acme", "widgets")]
    assert sorted(ids) == list(range(1, 16))
    assert len(fake.requests_for("pullrequests.list")) == 3  # two pages, then the empty one `next` pointed at


async def test_a_next_link_that_does_not_advance_is_caught_by_the_client(
    fake: FakeBitbucketCloud, caplog: pytest.LogCaptureFixture
) -> None:
    seed_prs(fake, 15)
    fake.faults.stale_next(mode="repeat")
    with caplog.at_level(logging.WARNING, logger="bitbucket_client"):
        async with fake.client() as bb:
            ids = [pr.id async for pr in bb.pullrequests.list("acme", "widgets")]
    assert ids == list(range(15, 5, -1))  # the first page only: following the link would loop forever
    assert "already fetched" in caplog.text


def test_fault_helpers_check_their_arguments(fake: FakeBitbucketCloud) -> None:
    with pytest.raises(ValueError):
        fake.faults.server_error(status=404)
    with pytest.raises(ValueError):
        fake.faults.rate_limit(times=0)
    with pytest.raises(ValueError):
        fake.faults.stale_next(mode="sideways")  # type: ignore[arg-type]
    fake.faults.latency(1)
    fake.faults.clear()
    assert fake.faults.rules == []


# ---- webhooks ----------------------------------------------------------------------------------------------


async def test_changes_deliver_signed_webhooks_that_parse() -> None:
    received: list[tuple[dict[str, str], bytes]] = []
    fake = FakeBitbucketCloud(webhook_callback=lambda h, b: received.append((h, b)), webhook_secret="s3cret")
    fake.add_repository("acme", "widgets")  # seeding sends nothing
    fake.add_commit("acme", "widgets", "topic", "Work")
    assert received == []
    async with fake.client() as bb:
        await bb.request(
            "POST", "repositories/acme/widgets/refs/branches", json={"name": "t2", "target": {"hash": "main"}}
        )
        await bb.pullrequests.create("acme", "widgets", title="x", source=source("topic"))
        await bb.pullrequests.approve("acme", "widgets", 1)
        await bb.request(
            "POST", "repositories/acme/widgets/pullrequests/1/comments", json={"content": {"raw": "hi"}}
        )
        await bb.pullrequests.merge("acme", "widgets", 1)
    keys = [headers["X-Event-Key"] for headers, _ in received]
    assert keys == [
        "repo:push",
        "pullrequest:created",
        "pullrequest:approved",
        "pullrequest:comment_created",
        "pullrequest:fulfilled",
        "repo:push",  # the merge moved main
    ]
    events = [unwrap(headers, body, "s3cret") for headers, body in received]
    assert all(event.delivery.verified for event in events)
    push, created, approved, commented, fulfilled, _ = events
    assert isinstance(push, cloud_events.RepoPushEvent) and push.changes[0].ref_name == "t2"
    assert isinstance(created, cloud_events.PullRequestEvent) and created.pullrequest
    assert isinstance(approved, cloud_events.PullRequestApprovalEvent)
    assert approved.approval and approved.approval.user and approved.approval.user.display_name == "Fake User"
    assert isinstance(commented, cloud_events.PullRequestCommentEvent)
    assert commented.comment and commented.comment.content and commented.comment.content.raw == "hi"
    assert isinstance(fulfilled, cloud_events.PullRequestEvent)
    assert fulfilled.pullrequest and fulfilled.pullrequest.state == "MERGED"
    assert fake.deliveries[-2].json()["pullrequest"]["state"] == "MERGED"
    assert received[0][0]["X-Attempt-Number"] == "1"


async def test_an_async_callback_is_awaited_and_no_secret_means_unsigned(fake: FakeBitbucketCloud) -> None:
    received: list[bytes] = []

    async def callback(headers: dict[str, str], body: bytes) -> None:
        assert "X-Hub-Signature" not in headers
        received.append(body)

    fake.webhook_callback = callback
    fake.add_pull_request("acme", "widgets", title="x")
    async with fake.client() as bb:
        await bb.pullrequests.decline("acme", "widgets", 1)
    event = parse_event(fake.deliveries[0].headers, received[0])
    assert event.event_key == "pullrequest:rejected"


async def test_a_failing_callback_fails_the_call_loudly(fake: FakeBitbucketCloud) -> None:
    def callback(headers: dict[str, str], body: bytes) -> None:
        raise RuntimeError("receiver broke")

    fake.webhook_callback = callback
    fake.add_pull_request("acme", "widgets", title="x")
    async with fake.client() as bb:
        with pytest.raises(RuntimeError, match="receiver broke"):
            await bb.pullrequests.decline("acme", "widgets", 1)


async def test_webhook_subscriptions(fake: FakeBitbucketCloud) -> None:
    async with fake.client() as bb:
        created = await bb.request(
            "POST",
            "repositories/acme/widgets/hooks",
            json={"url": "https://ci.example.com/hook", "events": ["repo:push"], "secret": "x"},
        )
        assert created.status_code == 201
        uuid = created.json()["uuid"]
        hooks = [h async for h in bb.webhooks.list_for_repository("acme", "widgets")]
        assert [(h.url, h.secret_set, h.events) for h in hooks] == [
            ("https://ci.example.com/hook", True, ["repo:push"])
        ]
        got = await bb.webhooks.get_for_repository("acme", "widgets", uuid)
        assert got.uuid == uuid
        await bb.webhooks.delete_for_repository("acme", "widgets", uuid)
        with pytest.raises(BadRequestError, match="unknown event"):
            await bb.request(
                "POST", "repositories/acme/widgets/hooks", json={"url": "https://x", "events": ["repo:nope"]}
            )
    assert fake.repository("acme", "widgets").webhooks == {}


async def test_a_delivery_can_be_verified_by_hand() -> None:
    fake = FakeBitbucketCloud(webhook_callback=lambda h, b: None, webhook_secret="k")
    fake.add_repository("acme", "widgets")
    async with fake.client() as bb:
        await bb.repositories.delete("acme", "widgets")
    delivery = fake.deliveries[0]
    verify_signature("k", delivery.body, delivery.headers["X-Hub-Signature"])
    assert delivery.event_key == "repo:deleted"


# ---- other ways in -----------------------------------------------------------------------------------------


async def test_the_fake_works_under_respx(fake: FakeBitbucketCloud) -> None:
    with respx.mock(assert_all_called=False) as mock:
        mock.get(f"{API}/repositories/acme/widgets/pullrequests/99").respond(
            200, json={"id": 99, "title": "mocked"}
        )
        mock.route(host="api.bitbucket.org").mock(side_effect=fake.handle)
        async with BitbucketCloud("t") as bb:
            assert (await bb.repositories.get("acme", "widgets")).full_name == "acme/widgets"
            assert (await bb.pullrequests.get("acme", "widgets", 99)).title == "mocked"


async def test_the_fake_works_as_the_http_client_s_transport(fake: FakeBitbucketCloud) -> None:
    async with httpx.AsyncClient(transport=fake) as http, BitbucketCloud("t", http_client=http) as bb:
        assert (await bb.repositories.get("acme", "widgets")).name == "widgets"


async def test_a_custom_base_url(sleeps: list[float]) -> None:
    fake = FakeBitbucketCloud(base_url="http://bitbucket.test/api/2.0", page_size=2)
    fake.add_repository("acme", "widgets")
    seed_prs(fake, 5)
    async with fake.client() as bb:
        assert str(bb.base_url) == "http://bitbucket.test/api/2.0"
        assert len([pr async for pr in bb.pullrequests.list("acme", "widgets")]) == 5
        repo = await bb.repositories.get("acme", "widgets")
    assert (
        repo.links
        and repo.links.self_
        and repo.links.self_.href == "http://bitbucket.test/api/2.0/repositories/acme/widgets"
    )


def test_the_request_log(fake: FakeBitbucketCloud) -> None:
    with pytest.raises(ValueError, match="not an operation"):
        fake.requests_for("pullrequests.frobnicate")
    with pytest.raises(LookupError):
        fake.pull_request("acme", "widgets", 42)
