"""docs/writing.md: every example runs against the fakes and does what it says, the dict and the model
way of writing a request send the same JSON, and the guide type-checks (mypy --strict). Prism checks the
same requests in tests/contract/test_contract_writing.py."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import mypy_strict
from writing_examples import REVIEWER_UUID, SECRET, Example, World, examples, pairs, world

from bitbucket_client.testing import FakeBitbucketCloud, FakeBitbucketServer

EXAMPLES = examples()
BY_NAME = {example.name: example for example in EXAMPLES}
WRITES = {example.name.removesuffix("_as_dicts").removesuffix("_as_models") for example in EXAMPLES}


async def run(example: Example) -> tuple[World, Any]:
    here = world(example.product)
    async with here.client() as bb:
        result = await example.function(bb, **example.arguments(here.context))
    return here, result


def written(here: World) -> Any:
    """The JSON body of the example's write: the last request that was not a GET."""
    writes = [request for request in here.fake.requests if request.method != "GET"]
    assert writes and 200 <= writes[-1].status < 300, here.fake.requests
    return writes[-1].json


def test_the_guide_has_the_twenty_writes() -> None:
    assert len(WRITES) == 20, sorted(WRITES)
    assert len(pairs(EXAMPLES)) == 18  # all but approve and request_changes, which have no body
    assert {example.product for example in EXAMPLES} == {"cloud", "server"}


@pytest.mark.parametrize("name", sorted(BY_NAME))
async def test_each_example_runs_against_the_fake(name: str) -> None:
    here, result = await run(BY_NAME[name])
    written(here)
    check = CHECKS.get(name.removesuffix("_as_dicts").removesuffix("_as_models"))  # every write but comments
    if check is not None:
        check(here, result)


@pytest.mark.parametrize(("dicts", "models"), pairs(EXAMPLES), ids=[d.name for d, _ in pairs(EXAMPLES)])
async def test_dicts_and_models_send_the_same_request(dicts: Example, models: Example) -> None:
    first, _ = await run(dicts)
    second, _ = await run(models)
    assert written(first) == written(second)


def test_the_guide_type_checks(tmp_path: Path) -> None:
    files = []
    for index, example in enumerate({example.source: example for example in EXAMPLES}.values()):
        target = tmp_path / f"writing_{index}.py"
        target.write_text(textwrap.dedent(example.source))
        files.append(str(target))
    result = mypy_strict(*files)
    assert result.returncode == 0, result.stdout


# ---- what each write did, read back from the fake ----------------------------------------------------


def _cloud(here: World) -> FakeBitbucketCloud:
    assert isinstance(here.fake, FakeBitbucketCloud)
    return here.fake


def _server(here: World) -> FakeBitbucketServer:
    assert isinstance(here.fake, FakeBitbucketServer)
    return here.fake


def pull_request(here: World, result: Any) -> None:
    pr = _cloud(here).pull_request("acme", "widgets", result.id)
    assert (pr.source, pr.destination, pr.close_source_branch) == ("feature/login", "main", True)
    assert [user.uuid for user in pr.reviewers] == [REVIEWER_UUID]


def inline_comment(here: World, result: Any) -> None:
    assert result.inline.path == "src/login.py" and result.inline.to == 12
    assert list(_cloud(here).writes.inline.values()) == [{"path": "src/login.py", "to": 12}]


def task(here: World, result: Any) -> None:
    assert result.content.raw == "Update the changelog" and result.state == "UNRESOLVED"


def tag(here: World, result: Any) -> None:
    assert _cloud(here).writes.tags["acme/widgets"]["v2.0.0"]["message"] == "Release 2.0.0"
    assert result.target.hash_ == here.context["commit"]


def commit_status(here: World, result: Any) -> None:
    assert result.state == "SUCCESSFUL" and result.key == "ci/tests"


def webhook(here: World, result: Any) -> None:
    (hook,) = here.fake.repository("acme", "widgets").webhooks.values()
    assert hook.secret == SECRET and hook.events == ["repo:push", "pullrequest:fulfilled"]


def branch_restriction(here: World, result: Any) -> None:
    assert (result.kind, result.pattern, [u.uuid for u in result.users]) == ("push", "main", [REVIEWER_UUID])
    assert [group.slug for group in result.groups] == ["release-managers"]


def deployment_variable(here: World, result: Any) -> None:
    assert (result.key, result.secured) == ("API_TOKEN", True)
    assert result.value is not SECRET and not isinstance(result.value, str)  # never given back


def pipeline(here: World, result: Any) -> None:
    assert result.target.selector.pattern == "deploy-staging" and result.target.ref_name == "main"
    assert [variable.key for variable in result.variables] == ["DRY_RUN"]


def dc_pull_request(here: World, result: Any) -> None:
    pr = _server(here).pull_request("PRJ", "widgets", result.id)
    assert (pr.source, pr.destination) == ("feature/login", "main")
    assert [user.slug for user in pr.reviewers] == ["charlie"]


def dc_merge(here: World, result: Any) -> None:
    assert result.state == "MERGED"


def dc_build_status(here: World, result: Any) -> None:
    (statuses,) = _server(here).writes.builds.values()
    assert statuses["ci-tests"]["state"] == "SUCCESSFUL" and statuses["ci-tests"]["buildNumber"] == "1234"


def dc_webhook(here: World, result: Any) -> None:
    (hook,) = here.fake.repository("PRJ", "widgets").webhooks.values()
    assert hook.secret == SECRET


def dc_branch_permission(here: World, result: Any) -> None:
    assert (result.type_, result.matcher.id, [u.name for u in result.users]) == (
        "no-deletes",
        "refs/heads/main",
        ["charlie"],
    )


def dc_personal_repository(here: World, result: Any) -> None:
    assert result.project.key == "~ALICE" and result.project.type_ == "PERSONAL"


CHECKS: dict[str, Callable[[World, Any], None]] = {
    name: check
    for name, check in globals().items()
    if callable(check) and getattr(check, "__module__", None) == __name__ and name + "_as_dicts" in BY_NAME
}


def test_every_check_is_of_an_example() -> None:
    checks = {name for name, value in globals().items() if callable(value) and name in WRITES}
    assert set(CHECKS) == checks and len(CHECKS) == 15  # all the writes but approvals and comments
