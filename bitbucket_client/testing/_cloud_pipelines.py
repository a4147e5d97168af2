"""Reading the pipelines of `FakeBitbucketCloud`, answered as Bitbucket Cloud does: the pipelines of a
repository (filtered and sorted as on Cloud), one pipeline, its steps and a step's log.

Pipelines run on Atlassian's side, so a test seeds finished ones with ``fake.add_pipeline``; the JSON
is kept as Cloud sends it (built from the generated models), in one store per repository that other
pipeline handlers may add to.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import httpx

from bitbucket_client.cloud.models import (
    PipelineCommand,
    PipelineImage,
    PipelineStep,
    PipelineStepPipeline,
    PipelineStepState,
    PipelineStepStateCompletedResult,
)

from ._cloud_mixin import CloudMixin
from ._fake import Call, FakeError, handles, json_response
from ._files import resolve_revision
from ._state import Repository

__all__ = ["CloudPipelines"]


PipelineResult = Literal["SUCCESSFUL", "FAILED", "ERROR", "STOPPED"]
_FILTERS = frozenset({"sort", "status", "target.ref_name", "target.branch", "target.commit.hash"})


class CloudPipelines(CloudMixin):
    """Pipeline reads for :class:`FakeBitbucketCloud` (a mixin)."""

    @property
    def pipeline_store(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Repository full name → pipeline uuid → the pipeline's JSON (``pipelines.run`` adds to it)."""
        return self.writes.pipelines

    @property
    def _steps(self) -> dict[str, dict[str, tuple[dict[str, Any], bytes]]]:
        """Pipeline uuid → step uuid → (the step's JSON, its log)."""
        found: dict[str, dict[str, tuple[dict[str, Any], bytes]]] = self.__dict__.setdefault(
            "_pipeline_steps", {}
        )
        return found

    def add_pipeline(
        self,
        owner: str,
        slug: str,
        *,
        branch: str | None = None,
        result: PipelineResult = "SUCCESSFUL",
        steps: Sequence[str] = ("Build",),
        trigger: Literal["PUSH", "MANUAL", "SCHEDULE"] = "PUSH",
    ) -> str:
        """A finished pipeline on the head of `branch` (default: the main branch), with one step per
        name in `steps` (each with a short log); the last step ends with `result`, the ones before it
        succeed. Returns the pipeline's ``{uuid}``."""
        repo = self.repository(owner, slug)
        ref = branch or repo.main_branch
        commit = repo.commits[resolve_revision(repo, ref)]
        pipelines = self.pipeline_store.setdefault(repo.full_name, {})
        uuid = self.state.new_uuid()
        number = len(pipelines) + 1
        created = self.state.now()
        step_store = self._steps.setdefault(uuid, {})
        for position, name in enumerate(steps):
            outcome = result if position == len(steps) - 1 else "SUCCESSFUL"
            step_uuid = self.state.new_uuid()
            log = f"+ {name.lower()}\n{name} {'passed' if outcome == 'SUCCESSFUL' else 'failed'}\n".encode()
            step_store[step_uuid] = (self._step_json(uuid, step_uuid, name, outcome), log)
        completed = self.state.now()
        api = f"{self.models.api}/repositories/{repo.full_name}/pipelines/{uuid}"
        pipelines[uuid] = {
            "type": "pipeline",
            "uuid": uuid,
            "build_number": number,
            "run_number": 1,
            "creator": self.models.account(commit.author).to_dict(),
            "repository": self.models.repository_summary(repo).to_dict(),
            "target": {
                "type": "pipeline_ref_target",
                "ref_type": "branch",
                "ref_name": ref,
                "commit": {"type": "commit", "hash": commit.hash},
                "selector": {"type": "branches", "pattern": ref},
            },
            "trigger": {"type": f"pipeline_trigger_{trigger.lower()}", "name": trigger},
            "state": {
                "type": "pipeline_state_completed",
                "name": "COMPLETED",
                "result": {"type": f"pipeline_state_completed_{result.lower()}", "name": result},
            },
            "created_on": self.models.timestamp(created),
            "completed_on": self.models.timestamp(completed),
            "build_seconds_used": 30 * len(steps),
            "duration_in_seconds": 30 * len(steps),
            "links": {
                "self": {"href": api},
                "steps": {"href": f"{api}/steps/"},
            },
        }
        return uuid

    def _step_json(self, pipeline: str, step: str, name: str, result: str) -> dict[str, Any]:
        started = self.state.now()
        return PipelineStep(
            type_="pipeline_step",
            uuid=step,
            name=name,
            started_on=started,
            completed_on=self.state.now(),
            state=PipelineStepState(
                type_="pipeline_step_state_completed",
                name="COMPLETED",
                result=PipelineStepStateCompletedResult(
                    type_=f"pipeline_step_state_completed_{result.lower()}", name=result
                ),
            ),
            image=PipelineImage(name="atlassian/default-image:4"),
            setup_commands=[],
            script_commands=[PipelineCommand(name=name.lower(), command=name.lower())],
            pipeline=PipelineStepPipeline(type_="pipeline", uuid=pipeline),
            run_number=1,
            build_seconds_used=30,
            duration_in_seconds=30,
        ).to_dict()

    # ---- lookups --------------------------------------------------------------------------------------

    def _pipeline(self, call: Call) -> tuple[Repository, dict[str, Any]]:
        _, repo = self._repo(call)
        wanted = call.params["pipeline_uuid"].strip("{}")
        for uuid, pipeline in self.pipeline_store.get(repo.full_name, {}).items():
            if uuid.strip("{}") == wanted or str(pipeline.get("build_number")) == wanted:
                return repo, pipeline
        raise FakeError(404, f"Pipeline {call.params['pipeline_uuid']} not found")

    def _step(self, call: Call) -> tuple[dict[str, Any], bytes]:
        _, pipeline = self._pipeline(call)
        wanted = call.params["step_uuid"].strip("{}")
        for uuid, step in self._steps.get(pipeline["uuid"], {}).items():
            if uuid.strip("{}") == wanted:
                return step
        raise FakeError(404, f"Step {call.params['step_uuid']} not found")

    # ---- handlers -------------------------------------------------------------------------------------

    @handles("pipelines.list", query=_FILTERS)
    async def _list_pipelines(self, call: Call) -> httpx.Response:
        _, repo = self._repo(call)
        pipelines = list(self.pipeline_store.get(repo.full_name, {}).values())
        query = call.query
        if (status := query.get("status")) is not None:
            pipelines = [p for p in pipelines if status in _statuses(p)]
        for name in ("target.ref_name", "target.branch"):
            if (ref := query.get(name)) is not None:
                pipelines = [p for p in pipelines if p.get("target", {}).get("ref_name") == ref]
        if (commit := query.get("target.commit.hash")) is not None:
            pipelines = [p for p in pipelines if p.get("target", {}).get("commit", {}).get("hash") == commit]
        sort = query.get("sort", "created_on")
        if sort.removeprefix("-") != "created_on":
            raise FakeError(
                501, f"pipelines.list: sort={sort!r} is not implemented (created_on or -created_on)"
            )
        pipelines.sort(key=lambda p: p.get("build_number", 0), reverse=sort.startswith("-"))
        return self._page(call, pipelines, dict)

    @handles("pipelines.get")
    async def _get_pipeline(self, call: Call) -> httpx.Response:
        return json_response(200, self._pipeline(call)[1])

    @handles("pipelines.list_steps")
    async def _list_steps(self, call: Call) -> httpx.Response:
        _, pipeline = self._pipeline(call)
        steps = [step for step, _ in self._steps.get(pipeline["uuid"], {}).values()]
        return self._page(call, steps, dict)

    @handles("pipelines.get_step")
    async def _get_step(self, call: Call) -> httpx.Response:
        return json_response(200, self._step(call)[0])

    @handles("pipelines.get_step_log")
    async def _get_step_log(self, call: Call) -> httpx.Response:
        log = self._step(call)[1]
        return httpx.Response(200, content=log, headers={"Content-Type": "application/octet-stream"})


def _statuses(pipeline: dict[str, Any]) -> set[str]:
    """What `status=` matches: the state's name and, when it ended, its result."""
    state = pipeline.get("state", {})
    return {state.get("name", ""), state.get("result", {}).get("name", "")}
