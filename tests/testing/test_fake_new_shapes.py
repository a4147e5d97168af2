"""The answers of the newer fake areas decode into the generated models with nothing left over: every
field the fakes send is one the documents (with specs/fixes) know."""

from __future__ import annotations

from typing import Any

import attrs
import httpx

from bitbucket_client.cloud.models import (
    Deployment,
    DeploymentEnvironment,
    Pipeline,
    PipelineStep,
    Repository,
    Snippet,
    WebhookSubscription,
)
from bitbucket_client.server.models import RestWebhook
from bitbucket_client.testing import FakeBitbucketCloud, FakeBitbucketServer

OPEN_MAPS = ("files.",)  # a snippet's files: file name -> links, a map the document leaves open


def leftovers(model: Any, path: str = "") -> set[str]:
    """The keys decoding put in `additional_properties`, anywhere in the model."""
    found: set[str] = set()
    if isinstance(model, list):
        for item in model:
            found |= leftovers(item, path)
    elif attrs.has(type(model)):
        found |= {f"{path}{key}" for key in model.additional_properties}
        for attribute in attrs.fields(type(model)):
            if attribute.name != "additional_properties":
                found |= leftovers(getattr(model, attribute.name), f"{path}{attribute.name}.")
    return found


async def test_cloud_answers_have_no_fields_the_models_do_not_know() -> None:
    fake = FakeBitbucketCloud()
    fake.add_repository("acme", "shop")
    environment = fake.add_environment("acme", "shop", "Production", environment_type="Production")
    deployment = fake.add_deployment("acme", "shop", "Production")
    pipeline = fake.add_pipeline("acme", "shop", steps=["Build"])
    snippet = fake.add_snippet("acme", "Notes", {"a.md": "x"})
    fake.add_webhook("acme", None, url="https://ci.example.com/", events=["repo:push"])
    headers = {"Authorization": "Bearer t"}
    async with httpx.AsyncClient(
        transport=fake, base_url="https://api.bitbucket.org/2.0/", headers=headers
    ) as http:
        fork = (
            await http.post(
                "repositories/acme/shop/forks", json={"name": "copy", "workspace": {"slug": "acme"}}
            )
        ).json()
        steps = (await http.get(f"repositories/acme/shop/pipelines/{pipeline}/steps")).json()["values"]
        bodies = [
            (
                DeploymentEnvironment,
                (await http.get(f"repositories/acme/shop/environments/{environment.uuid}")).json(),
            ),
            (Deployment, (await http.get(f"repositories/acme/shop/deployments/{deployment.uuid}")).json()),
            (Pipeline, (await http.get(f"repositories/acme/shop/pipelines/{pipeline}")).json()),
            (PipelineStep, steps[0]),
            (Snippet, (await http.get(f"snippets/acme/{snippet.encoded_id}")).json()),
            (Repository, fork),
            (WebhookSubscription, (await http.get("workspaces/acme/hooks")).json()["values"][0]),
        ]
    for model_class, body in bodies:
        unknown = {key for key in leftovers(model_class.from_dict(body)) if not key.startswith(OPEN_MAPS)}
        assert unknown == set(), (model_class.__name__, unknown)


async def test_data_center_project_webhooks_have_no_unknown_fields() -> None:
    fake = FakeBitbucketServer()
    fake.add_project("PRJ")
    hook = fake.add_webhook("PRJ", None, url="https://ci.example.com/", events=["repo:refs_changed"])
    async with fake.client() as bb:
        answer = await bb.request("GET", f"api/latest/projects/PRJ/webhooks/{hook.id}")
    assert leftovers(RestWebhook.from_dict(answer.json())) == set()
