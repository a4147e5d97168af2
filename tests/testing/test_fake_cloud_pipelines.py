"""FakeBitbucketCloud: reading pipelines, their steps and logs, as Bitbucket Cloud answers them."""

from __future__ import annotations

import uuid

import pytest

from bitbucket_client import NotFoundError, ServerError
from bitbucket_client.testing import FakeBitbucketCloud


@pytest.fixture
def fake() -> FakeBitbucketCloud:
    fake = FakeBitbucketCloud(page_size=2)
    fake.add_repository("acme", "shop")
    fake.add_branch("acme", "shop", "feature")
    return fake


async def test_pipelines_are_listed_filtered_sorted_and_read(fake: FakeBitbucketCloud) -> None:
    first = fake.add_pipeline("acme", "shop")
    failed = fake.add_pipeline("acme", "shop", branch="feature", result="FAILED", steps=["Build", "Test"])
    third = fake.add_pipeline("acme", "shop")
    async with fake.client() as bb:
        oldest_first = [p.uuid async for p in bb.pipelines.list("acme", "shop")]
        newest_first = [p.build_number async for p in bb.pipelines.list("acme", "shop", sort="-created_on")]
        on_feature = [p.uuid async for p in bb.pipelines.list("acme", "shop", target_branch="feature")]
        failures = [p.uuid async for p in bb.pipelines.list("acme", "shop", status="FAILED")]
        got = await bb.pipelines.get("acme", "shop", failed)
        steps = [s async for s in bb.pipelines.list_steps("acme", "shop", failed)]
        assert steps[1].uuid is not None
        step = await bb.pipelines.get_step("acme", "shop", failed, steps[1].uuid)
        log = await bb.pipelines.get_step_log("acme", "shop", failed, steps[1].uuid)
        with pytest.raises(NotFoundError):
            await bb.pipelines.get("acme", "shop", "{00000000-0000-4000-8000-000000000000}")
    assert oldest_first == [first, failed, third]
    assert newest_first == [3, 2, 1]
    assert on_feature == failures == [failed]
    assert (
        got.state and got.state.name == "COMPLETED" and got.state.result and got.state.result.name == "FAILED"
    )
    assert got.target and got.target.ref_name == "feature"  # type: ignore[union-attr]
    assert [s.name for s in steps] == ["Build", "Test"]
    assert steps[0].state and steps[0].state.result and steps[0].state.result.name == "SUCCESSFUL"
    assert step.state and step.state.result and step.state.result.name == "FAILED"
    assert "Test failed" in log


async def test_an_unsupported_sort_answers_501(fake: FakeBitbucketCloud) -> None:
    async with fake.client() as bb:
        with pytest.raises(ServerError, match="not implemented"):
            async for _ in bb.pipelines.list("acme", "shop", creator_uuid=uuid.uuid4()):
                pass


async def test_a_pipeline_run_through_the_api_is_listed_and_read(fake: FakeBitbucketCloud) -> None:
    seeded = fake.add_pipeline("acme", "shop")
    async with fake.client() as bb:
        run = await bb.pipelines.run(
            "acme",
            "shop",
            target={"type": "pipeline_ref_target", "ref_type": "branch", "ref_name": "feature"},
        )
        listed = [p.uuid async for p in bb.pipelines.list("acme", "shop")]
        assert run.uuid is not None
        got = await bb.pipelines.get("acme", "shop", run.uuid)
        pending = [p.uuid async for p in bb.pipelines.list("acme", "shop", status="PENDING")]
    assert listed == [seeded, run.uuid]
    assert got.state and got.state.name == "PENDING"
    assert pending == [run.uuid]


async def test_variables_of_an_environment_made_through_the_api(fake: FakeBitbucketCloud) -> None:
    from bitbucket_client.cloud.models import DeploymentEnvironmentEnvironmentTypeInput

    kind = DeploymentEnvironmentEnvironmentTypeInput(type_="deployment_environment_type", name="Staging")
    async with fake.client() as bb:
        staging = await bb.deployments.create_environment(
            "acme", "shop", name="Staging", environment_type=kind
        )
        assert staging.uuid is not None
        variable = await bb.deployments.create_environment_variable(
            "acme", "shop", staging.uuid, key="API_URL", value="https://staging.example.com", secured=False
        )
        quick = fake.add_deployment_environment("acme", "shop")
        await bb.deployments.create_environment_variable(
            "acme", "shop", quick, key="K", value="v", secured=True
        )
        names = [e.name async for e in bb.deployments.list_environments("acme", "shop")]
    assert variable.key == "API_URL" and variable.value == "https://staging.example.com"
    assert names == ["Test 2", "Staging"]
