"""FakeBitbucketCloud: deployment environments and deployments, as Bitbucket Cloud answers them."""

from __future__ import annotations

import pytest

from bitbucket_client import ConflictError, NotFoundError
from bitbucket_client.cloud.models import DeploymentEnvironmentEnvironmentTypeInput
from bitbucket_client.testing import FakeBitbucketCloud


@pytest.fixture
def fake() -> FakeBitbucketCloud:
    fake = FakeBitbucketCloud(page_size=2)
    fake.add_repository("acme", "shop")
    return fake


def kind(name: str) -> DeploymentEnvironmentEnvironmentTypeInput:
    return DeploymentEnvironmentEnvironmentTypeInput(type_="deployment_environment_type", name=name)


async def test_environments_are_created_listed_read_and_deleted(fake: FakeBitbucketCloud) -> None:
    async with fake.client() as bb:
        production = await bb.deployments.create_environment(
            "acme", "shop", name="Production", environment_type=kind("Production")
        )
        review = await bb.deployments.create_environment(
            "acme", "shop", name="review/feature-x", environment_type=kind("Test")
        )
        await bb.deployments.create_environment(
            "acme", "shop", name="Staging", environment_type=kind("Staging")
        )
        with pytest.raises(ConflictError, match="already exists"):
            await bb.deployments.create_environment(
                "acme", "shop", name="production", environment_type=kind("Test")
            )
        listed = [e.name async for e in bb.deployments.list_environments("acme", "shop")]
        assert review.uuid is not None and production.uuid is not None
        got = await bb.deployments.get_environment("acme", "shop", review.uuid)
        await bb.deployments.delete_environment("acme", "shop", review.uuid)
        with pytest.raises(NotFoundError):
            await bb.deployments.get_environment("acme", "shop", review.uuid)
    assert listed == ["review/feature-x", "Staging", "Production"]  # by type: Test, Staging, Production
    assert got.slug == "review-feature-x" and got.environment_type and got.environment_type.name == "Test"
    assert got.lock and got.lock.name == "OPEN"
    assert [e.name for e in fake.environments("acme", "shop")] == ["Production", "Staging"]
    assert [r.status for r in fake.requests_for("deployments.list_environments")] == [200, 200]  # 2 pages
    (created, *_) = fake.requests_for("deployments.create_environment")
    assert created.status == 201


async def test_a_bad_environment_gets_400(fake: FakeBitbucketCloud) -> None:
    async with fake.client() as bb:
        with pytest.raises(Exception, match="not one of"):
            await bb.deployments.create_environment("acme", "shop", name="QA", environment_type=kind("QA"))


async def test_deployments_are_listed_newest_first_and_read(fake: FakeBitbucketCloud) -> None:
    production = fake.add_environment("acme", "shop", "Production", environment_type="Production")
    fake.add_commit("acme", "shop", "main", "Release")
    first = fake.add_deployment("acme", "shop", "Production")
    second = fake.add_deployment("acme", "shop", production.uuid, status="FAILED", deployer="alice")
    async with fake.client() as bb:
        listed = [d async for d in bb.deployments.list("acme", "shop")]
        got = await bb.deployments.get("acme", "shop", first.uuid)
    assert [d.uuid for d in listed] == [second.uuid, first.uuid]
    assert listed[0].state and listed[0].state.status and listed[0].state.status.name == "FAILED"
    assert listed[0].state.deployer and listed[0].state.deployer.nickname == "alice"
    assert got.release and got.release.commit and got.release.commit.hash_ == first.commit
    assert got.release.name == "#1"
    assert got.environment and got.environment.uuid == production.uuid
    with pytest.raises(LookupError):
        fake.add_deployment("acme", "shop", "Nowhere")
