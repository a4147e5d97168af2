"""The webhook subscriptions of `FakeBitbucketServer`, a repository's and a project's, answered as Data
Center does. A project's webhooks hear the events of every repository in the project (see
``FakeBitbucketServer.subscriptions``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from ._fake import Call, FakeError, handles, json_response
from ._state import FakeState, Owner, Repository, Webhook

if TYPE_CHECKING:
    from ._server_models import ServerModels

__all__ = ["ServerWebhooks"]

T = TypeVar("T")

_NO_SUCH_WEBHOOK = "com.atlassian.bitbucket.webhook.NoSuchWebhookException"


class ServerWebhooks:
    """Repository and project webhooks for :class:`FakeBitbucketServer` (a mixin)."""

    if TYPE_CHECKING:
        models: ServerModels
        state: FakeState

        def _project(self, call: Call) -> Owner: ...

        def _repo(self, call: Call) -> tuple[Owner, Repository]: ...

        def _page(
            self, call: Call, items: Iterable[T], build: Callable[[T], dict[str, Any]]
        ) -> httpx.Response: ...

    def _scope(self, call: Call) -> Repository | Owner:
        """Whose webhooks the URL names: the repository's, or (without a slug) the project's."""
        if "repositorySlug" in call.params:
            return self._repo(call)[1]
        return self._project(call)

    def _hook(self, call: Call) -> tuple[Repository | Owner, Webhook]:
        scope = self._scope(call)
        hook = scope.webhooks.get(call.int_param("webhookId"))
        if hook is None:
            raise FakeError(
                404, f"Webhook {call.params['webhookId']} does not exist.", exception_name=_NO_SUCH_WEBHOOK
            )
        return scope, hook

    def _webhook_json(self, scope: Repository | Owner, hook: Webhook) -> dict[str, Any]:
        data = self.models.webhook(hook).to_dict()
        data["scopeType"] = "repository" if isinstance(scope, Repository) else "project"
        return data

    @handles("webhooks.list_for_repository", query={"event"})
    @handles("webhooks.list_for_project", query={"event"})
    async def _list_hooks(self, call: Call) -> httpx.Response:
        scope = self._scope(call)
        event = call.query.get("event")
        hooks = [h for h in scope.webhooks.values() if event is None or event in h.events]
        return self._page(call, hooks, lambda h: self._webhook_json(scope, h))

    @handles("webhooks.create_for_repository")
    @handles("webhooks.create_for_project")
    async def _create_hook(self, call: Call) -> httpx.Response:
        scope = self._scope(call)
        body = call.body()
        url, events = body.get("url"), body.get("events")
        if not isinstance(url, str) or not url or not isinstance(events, list) or not events:
            raise FakeError(400, 'A webhook needs a "url" and a non-empty list of "events".')
        configuration = body.get("configuration")
        secret = configuration.get("secret") if isinstance(configuration, dict) else None
        hook = self.state.add_webhook(
            scope,
            url=url,
            events=[str(e) for e in events],
            description=str(body.get("name") or ""),
            active=body.get("active", True) is not False,
            secret=secret if isinstance(secret, str) and secret else None,
        )
        return json_response(201, self._webhook_json(scope, hook))  # 201, though the document says 200

    @handles("webhooks.get_for_repository", query={"statistics"})
    @handles("webhooks.get_for_project", query={"statistics"})
    async def _get_hook(self, call: Call) -> httpx.Response:
        if call.query.get("statistics", "false").lower() == "true":
            raise FakeError(501, "Webhook statistics are not implemented by FakeBitbucketServer.")
        scope, hook = self._hook(call)
        return json_response(200, self._webhook_json(scope, hook))

    @handles("webhooks.update_for_repository")
    @handles("webhooks.update_for_project")
    async def _update_hook(self, call: Call) -> httpx.Response:
        scope, hook = self._hook(call)
        body = call.body()
        if isinstance(body.get("url"), str):
            hook.url = body["url"]
        if isinstance(body.get("name"), str):
            hook.description = body["name"]
        if isinstance(body.get("active"), bool):
            hook.active = body["active"]
        if isinstance(body.get("events"), list):
            hook.events = [str(e) for e in body["events"]]
        configuration = body.get("configuration")
        if isinstance(configuration, dict) and "secret" in configuration:
            secret = configuration["secret"]
            hook.secret = secret if isinstance(secret, str) and secret else None
        return json_response(200, self._webhook_json(scope, hook))

    @handles("webhooks.delete_for_repository")
    @handles("webhooks.delete_for_project")
    async def _delete_hook(self, call: Call) -> httpx.Response:
        scope, hook = self._hook(call)
        del scope.webhooks[hook.id]
        return httpx.Response(204)
