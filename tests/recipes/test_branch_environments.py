"""examples/branch_environments.py: environments created, rebuilt and deleted from verified webhooks.

End to end on both fakes (branch creation and deletion, pull requests opened, merged and declined, each
delivery posted to the ASGI receiver); pushes to a branch or a pull request's source, which the fakes do
not announce yet, are fed as signed deliveries built from the payloads of Atlassian's event pages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import branch_environments as recipe
import httpx
import pytest

from bitbucket_client.webhooks import parse_event, sign

PAYLOADS = Path(__file__).resolve().parents[1] / "webhooks" / "payloads"


def kinds(environments: recipe.Environments) -> list[tuple[str, str]]:
    return [(action.kind, action.environment) for action in environments.history]


def previews(environments: recipe.Environments) -> list[tuple[str, str]]:
    """The actions on environments other than main's (a merge also pushes to main, which rebuilds it)."""
    return [(kind, name) for kind, name in kinds(environments) if name != "main"]


def left_running(environments: recipe.Environments) -> set[str]:
    return {name for _, name in environments.running if name != "main"}


async def test_cloud_end_to_end() -> None:
    environments = await recipe.demo("cloud")
    assert previews(environments) == [
        ("create", "feature-login"),
        ("create", "pr-1"),
        ("create", "pr-2"),
        ("delete", "pr-1"),
        ("delete", "pr-2"),
        ("delete", "feature-login"),
    ]
    assert environments.history[1].branch == "feature/login" and environments.history[1].commit
    assert left_running(environments) == set()


async def test_data_center_end_to_end() -> None:
    environments = await recipe.demo("server")
    assert previews(environments) == [
        ("create", "feature-login"),
        ("create", "pr-1"),
        ("delete", "pr-1"),
        ("delete", "feature-login"),
    ]
    assert {action.repository for action in environments.history} == {"PRJ/shop"}
    assert left_running(environments) == set()


def delivery(product: str, key: str, **changes: Any) -> tuple[dict[str, str], bytes]:
    payload = json.loads((PAYLOADS / product / f"{key.replace(':', '.')}.json").read_text())
    payload.update(changes)
    body = json.dumps(payload).encode()
    return {"X-Event-Key": key, "X-Hub-Signature": sign("secret", body)}, body


async def post(environments: recipe.Environments, headers: dict[str, str], body: bytes) -> int:
    app = recipe.create_app(environments, secret="secret")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://r") as http:
        return (await http.post("/", content=body, headers=headers)).status_code


@pytest.mark.parametrize(
    ("product", "key", "expected"),
    [
        ("cloud", "repo:push", [("rebuild", "main"), ("delete", "feature-old-mill")]),
        ("cloud", "pullrequest:updated", [("rebuild", "pr-")]),
        ("server", "repo:refs_changed", [("rebuild", "main"), ("delete", "feature-old-mill")]),
        ("server", "pr:from_ref_updated", [("rebuild", "pr-")]),
        ("server", "pr:deleted", [("delete", "pr-")]),
        ("cloud", "pullrequest:approved", []),
        ("server", "pr:comment:added", []),
    ],
)
async def test_pushes_rebuild_and_other_events_are_ignored(
    product: str, key: str, expected: list[tuple[str, str]]
) -> None:
    environments = recipe.Environments()
    assert await post(environments, *delivery(product, key)) == 204
    got = kinds(environments)
    assert [(kind, name.rstrip("0123456789")) for kind, name in got] == expected
    if expected and expected[0][0] == "rebuild":
        assert environments.history[0].commit and environments.history[0].branch


def test_tags_have_no_environment() -> None:
    headers, body = delivery("cloud", "repo:push")
    payload = json.loads(body)
    for change in payload["push"]["changes"]:
        for side in ("new", "old"):
            if change[side]:
                change[side]["type"] = "tag"
    assert recipe.actions_for(parse_event(headers, json.dumps(payload).encode())) == []
    refs = json.loads(delivery("server", "repo:refs_changed")[1])
    for change in refs["changes"]:
        change["refId"] = "refs/tags/v1"
    assert (
        recipe.actions_for(parse_event({"X-Event-Key": "repo:refs_changed"}, json.dumps(refs).encode())) == []
    )


async def test_a_forged_delivery_changes_nothing() -> None:
    environments = recipe.Environments()
    headers, body = delivery("server", "pr:deleted")
    headers["X-Hub-Signature"] = sign("not the secret", body)
    assert await post(environments, headers, body) == 401
    assert environments.history == []


@pytest.mark.parametrize(
    ("branch", "name"), [("feature/Login", "feature-login"), ("release/1.2", "release-1-2"), ("//", "branch")]
)
def test_environment_names(branch: str, name: str) -> None:
    assert recipe.environment_name(branch) == name


def test_main_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert recipe.main(["demo", "server"]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.endswith(("0 environment(s) left: []", "1 environment(s) left: ['main']")), last
