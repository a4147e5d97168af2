"""Deployment environments and deployments of `FakeBitbucketCloud`, answered as Bitbucket Cloud does.

Environments are created, read, changed and deleted through the API (or seeded with
``fake.add_environment``); deployments are what pipelines make on Cloud, so a test seeds them with
``fake.add_deployment`` and reads them back through ``deployments.list``/``deployments.get``.
"""

from __future__ import annotations

import datetime
import re
from typing import Any, Literal

import attrs
import httpx

from bitbucket_client.cloud.models import (
    Deployment,
    DeploymentEnvironment,
    DeploymentEnvironmentCategory,
    DeploymentEnvironmentEnvironmentType,
    DeploymentEnvironmentLock,
    DeploymentEnvironmentRestrictions,
    DeploymentRelease,
    DeploymentState,
    DeploymentStateCompletedStatus,
)

from ._cloud_mixin import CloudMixin
from ._fake import Call, FakeError, handles, json_response
from ._files import resolve_revision
from ._state import Repository, User

__all__ = ["CloudDeployments", "Environment", "FakeDeployment"]


ENVIRONMENT_TYPES = ("Test", "Staging", "Production")
DeploymentStatus = Literal["SUCCESSFUL", "FAILED", "STOPPED"]


@attrs.define(eq=False)
class Environment:
    """A deployment environment of a repository (``fake.environments(owner, slug)``)."""

    uuid: str
    """Its ``{uuid}``."""
    name: str
    """Its name, unique in the repository (ignoring case)."""
    environment_type: str
    """``Test``, ``Staging`` or ``Production``."""
    rank: int
    """Its place among the environments of its type."""
    hidden: bool = False
    """Hidden from the deployments dashboard."""
    admin_only: bool = False
    """Only admins may deploy to it."""


@attrs.define(eq=False)
class FakeDeployment:
    """A deployment of a commit to an environment (``fake.add_deployment``)."""

    uuid: str
    """Its ``{uuid}``."""
    environment: Environment
    """Where it went."""
    commit: str
    """The commit deployed."""
    number: int
    """The release number (the pipeline's build number on Cloud)."""
    status: DeploymentStatus
    """How it ended."""
    deployer: User
    """Who deployed."""
    started: datetime.datetime
    """When it started."""
    completed: datetime.datetime
    """When it ended."""
    release_uuid: str
    """The ``{uuid}`` of what was deployed (the release)."""


class CloudDeployments(CloudMixin):
    """Environments and deployments for :class:`FakeBitbucketCloud` (a mixin)."""

    @property
    def _environments(self) -> dict[str, dict[str, Environment]]:
        found: dict[str, dict[str, Environment]] = self.__dict__.setdefault("_environment_store", {})
        return found

    @property
    def _deployments(self) -> dict[str, dict[str, FakeDeployment]]:
        found: dict[str, dict[str, FakeDeployment]] = self.__dict__.setdefault("_deployment_store", {})
        return found

    # ---- seeding and reading back ---------------------------------------------------------------------

    def environments(self, owner: str, slug: str) -> list[Environment]:
        """The repository's deployment environments, in creation order."""
        return list(self._environments.get(self.repository(owner, slug).full_name, {}).values())

    def add_environment(
        self, owner: str, slug: str, name: str, *, environment_type: str = "Test", hidden: bool = False
    ) -> Environment:
        """A deployment environment (`environment_type`: Test, Staging or Production)."""
        return self._new_environment(self.repository(owner, slug), name, environment_type, hidden=hidden)

    def add_deployment_environment(self, owner: str, slug: str, uuid: str | None = None) -> str:
        """A Test environment named ``Test <n>`` (n: how many environments the repository then has),
        for a test that only needs one to create variables in; its uuid (`uuid` chooses it)."""
        repo = self.repository(owner, slug)
        environment = self._new_environment(repo, f"Test {len(self.environments(owner, slug)) + 1}", "Test")
        if uuid is not None:
            environments = self._environments[repo.full_name]
            variables = self.writes.environments[repo.full_name.lower()]
            environments[uuid] = environments.pop(environment.uuid)
            variables[uuid] = variables.pop(environment.uuid)
            environment.uuid = uuid
        return environment.uuid

    def add_deployment(
        self,
        owner: str,
        slug: str,
        environment: str,
        *,
        commit: str | None = None,
        status: DeploymentStatus = "SUCCESSFUL",
        deployer: str | None = None,
    ) -> FakeDeployment:
        """A finished deployment of `commit` (a branch, tag or hash; default: the main branch's head) to
        the environment named `environment` (or with that uuid)."""
        repo = self.repository(owner, slug)
        target = self._find_environment(repo, environment)
        if target is None:
            raise LookupError(f"no environment {environment!r} in {repo.full_name}")
        deployments = self._deployments.setdefault(repo.full_name, {})
        started = self.state.now()
        deployment = FakeDeployment(
            uuid=self.state.new_uuid(),
            environment=target,
            commit=resolve_revision(repo, commit or repo.main_branch),
            number=len(deployments) + 1,
            status=status,
            deployer=self.user if deployer is None else self.state.user(deployer),
            started=started,
            completed=self.state.now(),
            release_uuid=self.state.new_uuid(),
        )
        deployments[deployment.uuid] = deployment
        return deployment

    def _new_environment(
        self, repo: Repository, name: str, environment_type: str, *, hidden: bool = False
    ) -> Environment:
        if environment_type not in ENVIRONMENT_TYPES:
            raise FakeError(
                400,
                f"environment_type.name: {environment_type!r} is not one of {', '.join(ENVIRONMENT_TYPES)}",
            )
        environments = self._environments.setdefault(repo.full_name, {})
        if any(e.name.lower() == name.lower() for e in environments.values()):
            raise FakeError(409, "An environment host with the provided name already exists.")
        rank = sum(1 for e in environments.values() if e.environment_type == environment_type)
        environment = Environment(
            uuid=self.state.new_uuid(), name=name, environment_type=environment_type, rank=rank, hidden=hidden
        )
        environments[environment.uuid] = environment
        # Where `deployments.create_environment_variable` keeps the environment's variables.
        self.writes.environments.setdefault(repo.full_name.lower(), {})[environment.uuid] = {}
        return environment

    def _find_environment(self, repo: Repository, wanted: str) -> Environment | None:
        bare = wanted.strip("{}")
        for environment in self._environments.get(repo.full_name, {}).values():
            if environment.uuid.strip("{}") == bare or environment.name == wanted:
                return environment
        return None

    def _environment(self, call: Call) -> tuple[Repository, Environment]:
        _, repo = self._repo(call)
        found = self._find_environment(repo, call.params["environment_uuid"])
        if found is None or not _is_uuid(call.params["environment_uuid"]):
            raise FakeError(404, f"Environment {call.params['environment_uuid']} not found")
        return repo, found

    # ---- JSON -----------------------------------------------------------------------------------------

    def _environment_model(self, environment: Environment) -> DeploymentEnvironment:
        return DeploymentEnvironment(
            type_="deployment_environment",
            uuid=environment.uuid,
            name=environment.name,
            slug=re.sub(r"[^a-z0-9]+", "-", environment.name.lower()).strip("-"),
            rank=environment.rank,
            hidden=environment.hidden,
            environment_type=DeploymentEnvironmentEnvironmentType(
                type_="deployment_environment_type",
                name=environment.environment_type,
                rank=ENVIRONMENT_TYPES.index(environment.environment_type),
            ),
            lock=DeploymentEnvironmentLock(type_="deployment_environment_lock_open", name="OPEN"),
            restrictions=DeploymentEnvironmentRestrictions(
                type_="deployment_restrictions_configuration", admin_only=environment.admin_only
            ),
            environment_lock_enabled=True,
            deployment_gate_enabled=False,
            category=DeploymentEnvironmentCategory(name=environment.environment_type),
        )

    def _deployment_json(self, repo: Repository, deployment: FakeDeployment) -> dict[str, Any]:
        results = f"{self.models.web}/{repo.full_name}/addon/pipelines/home#!/results/{deployment.number}"
        data = Deployment(
            type_="deployment",
            uuid=deployment.uuid,
            state=DeploymentState(
                type_="deployment_state_completed",
                name="COMPLETED",
                url=results,
                deployer=self.models.account(deployment.deployer),
                status=DeploymentStateCompletedStatus(
                    type_=f"deployment_state_completed_status_{deployment.status.lower()}",
                    name=deployment.status,
                ),
                start_date=deployment.started,
                completion_date=deployment.completed,
            ),
            release=DeploymentRelease(
                type_="deployment_release",
                uuid=deployment.release_uuid,
                name=f"#{deployment.number}",
                url=results,
                commit=self.models.commit(repo, repo.commits[deployment.commit]),
                created_on=deployment.started,
            ),
            last_update_time=deployment.completed,
        ).to_dict()
        # Cloud references the environment by uuid only, not the whole object.
        data["environment"] = {
            "type": "deployment_environment_reference",
            "uuid": deployment.environment.uuid,
        }
        return data

    # ---- environments ---------------------------------------------------------------------------------

    @handles("deployments.list_environments")
    async def _list_environments(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        environments = sorted(
            self._environments.get(repo.full_name, {}).values(),
            key=lambda e: (ENVIRONMENT_TYPES.index(e.environment_type), e.rank),
        )
        return self._page(call, environments, lambda e: self._environment_model(e).to_dict())

    @handles("deployments.get_environment")
    async def _get_environment(self, call: Call) -> httpx.Response:
        _, environment = self._environment(call)
        return json_response(200, self._environment_model(environment).to_dict())

    @handles("deployments.create_environment")
    async def _create_environment(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        body = call.body()
        name = body.get("name")
        kind = body.get("environment_type")
        type_name = kind.get("name") if isinstance(kind, dict) else None
        if not isinstance(name, str) or not name.strip() or not isinstance(type_name, str):
            raise FakeError(400, 'An environment needs a "name" and an "environment_type": {"name": ...}.')
        environment = self._new_environment(repo, name.strip(), type_name, hidden=body.get("hidden") is True)
        data = self._environment_model(environment).to_dict()
        location = f"{self.models.api}/repositories/{repo.full_name}/environments/{environment.uuid}"
        return json_response(201, data, {"Location": location})

    @handles("deployments.update_environment")
    async def _update_environment(self, call: Call) -> httpx.Response:
        repo, environment = self._environment(call)
        body = call.body()
        name = body.get("name")
        if isinstance(name, str) and name.strip() and name.strip().lower() != environment.name.lower():
            if self._find_environment(repo, name.strip()) is not None:
                raise FakeError(409, "An environment host with the provided name already exists.")
            environment.name = name.strip()
        if isinstance(body.get("hidden"), bool):
            environment.hidden = body["hidden"]
        restrictions = body.get("restrictions")
        if isinstance(restrictions, dict) and isinstance(restrictions.get("admin_only"), bool):
            environment.admin_only = restrictions["admin_only"]
        return httpx.Response(202)  # Cloud applies the changes asynchronously

    @handles("deployments.delete_environment")
    async def _delete_environment(self, call: Call) -> httpx.Response:
        repo, environment = self._environment(call)
        del self._environments[repo.full_name][environment.uuid]
        self.writes.environments.get(repo.full_name.lower(), {}).pop(environment.uuid, None)
        deployments = self._deployments.get(repo.full_name, {})
        for uuid in [u for u, d in deployments.items() if d.environment is environment]:
            del deployments[uuid]
        return httpx.Response(204)

    # ---- deployments ----------------------------------------------------------------------------------

    @handles("deployments.list")
    async def _list_deployments(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        newest_first = sorted(self._deployments.get(repo.full_name, {}).values(), key=lambda d: -d.number)
        return self._page(call, newest_first, lambda d: self._deployment_json(repo, d))

    @handles("deployments.get")
    async def _get_deployment(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        wanted = call.params["deployment_uuid"].strip("{}")
        for deployment in self._deployments.get(repo.full_name, {}).values():
            if deployment.uuid.strip("{}") == wanted:
                return json_response(200, self._deployment_json(repo, deployment))
        raise FakeError(404, f"Deployment {call.params['deployment_uuid']} not found")


def _is_uuid(value: str) -> bool:
    return re.fullmatch(r"\{?[0-9a-fA-F-]{36}\}?", value) is not None
