"""The webhook subscriptions of `FakeBitbucketCloud`, a repository's and a workspace's, answered as
Bitbucket Cloud does. A workspace's webhooks hear the events of every repository in the workspace (see
``FakeBitbucketCloud.subscriptions``)."""

from __future__ import annotations

from typing import Any

import httpx

from bitbucket_client.cloud.models import (
    Link,
    WebhookSubscription,
    WebhookSubscriptionSubject,
    WebhookSubscriptionSubjectLinks,
    WebhookSubscriptionSubjectType,
)

from ._cloud_mixin import CloudMixin
from ._cloud_mixin import text_field as _text
from ._fake import Call, FakeError, handles, json_response
from ._state import Owner, Repository, Webhook

__all__ = ["CloudWebhooks"]


class CloudWebhooks(CloudMixin):
    """Repository and workspace webhooks for :class:`FakeBitbucketCloud` (a mixin)."""

    def subscriptions(self, repository: Repository) -> list[Webhook]:
        owner = self.state.find_owner(repository.owner)
        workspace_hooks = list(owner.webhooks.values()) if owner is not None else []
        return [*repository.webhooks.values(), *workspace_hooks]

    def _scope(self, call: Call) -> Repository | Owner:
        """Whose webhooks the URL names: the repository's, or (without a slug) the workspace's."""
        if "repo_slug" in call.params:
            return self._repo(call)[1]
        return self._owner(call)

    def _hook(self, call: Call) -> tuple[Repository | Owner, Webhook]:
        scope = self._scope(call)
        wanted = call.params["uid"].strip("{}")
        for hook in scope.webhooks.values():
            if hook.uuid.strip("{}") == wanted:
                return scope, hook
        raise FakeError(404, f"Webhook {call.params['uid']} not found")

    def _webhook_json(self, scope: Repository | Owner, hook: Webhook) -> dict[str, Any]:
        if isinstance(scope, Repository):
            return self.models.webhook(scope, hook).to_dict()
        return WebhookSubscription(
            type_="webhook_subscription",
            uuid=hook.uuid,
            url=hook.url,
            description=hook.description,
            subject_type=WebhookSubscriptionSubjectType.WORKSPACE,
            subject=WebhookSubscriptionSubject(
                type_="workspace",
                name=scope.name,
                uuid=scope.uuid,
                links=WebhookSubscriptionSubjectLinks(
                    self_=Link(href=f"{self.models.api}/workspaces/{scope.key}"),
                    html=Link(href=f"{self.models.web}/{scope.key}/"),
                ),
            ),
            active=hook.active,
            created_at=hook.created,
            events=list(hook.events),
            secret_set=hook.secret is not None,
        ).to_dict()

    @handles("webhooks.list_for_repository")
    @handles("webhooks.list_for_workspace")
    async def _list_hooks(self, call: Call) -> httpx.Response:
        scope = self._scope(call)
        return self._page(call, scope.webhooks.values(), lambda h: self._webhook_json(scope, h))

    @handles("webhooks.create_for_repository")
    @handles("webhooks.create_for_workspace")
    async def _create_hook(self, call: Call) -> httpx.Response:
        scope = self._scope(call)
        body = call.body()
        url, events = _text(body, "url"), body.get("events")
        if not url or not isinstance(events, list) or not events:
            raise FakeError(400, 'A webhook needs a "url" and a non-empty list of "events".')
        _check_events(events)
        hook = self.state.add_webhook(
            scope,
            url=url,
            events=events,
            description=_text(body, "description") or "",
            active=body.get("active", True) is not False,
            secret=_text(body, "secret"),
        )
        return json_response(201, self._webhook_json(scope, hook))

    @handles("webhooks.get_for_repository")
    @handles("webhooks.get_for_workspace")
    async def _get_hook(self, call: Call) -> httpx.Response:
        scope, hook = self._hook(call)
        return json_response(200, self._webhook_json(scope, hook))

    @handles("webhooks.update_for_repository")
    @handles("webhooks.update_for_workspace")
    async def _update_hook(self, call: Call) -> httpx.Response:
        scope, hook = self._hook(call)
        body = call.body()
        if (url := _text(body, "url")) is not None:
            hook.url = url
        if (description := _text(body, "description")) is not None:
            hook.description = description
        if isinstance(body.get("active"), bool):
            hook.active = body["active"]
        if isinstance(body.get("events"), list):
            _check_events(body["events"])
            hook.events = list(body["events"])
        if "secret" in body:
            hook.secret = _text(body, "secret")
        return json_response(200, self._webhook_json(scope, hook))

    @handles("webhooks.delete_for_repository")
    @handles("webhooks.delete_for_workspace")
    async def _delete_hook(self, call: Call) -> httpx.Response:
        scope, hook = self._hook(call)
        del scope.webhooks[hook.id]
        return httpx.Response(204)


def _check_events(events: list[Any]) -> None:
    from bitbucket_client.cloud.models import HookEventEvent

    known = {event.value for event in HookEventEvent}
    unknown = [event for event in events if event not in known]
    if unknown:
        raise FakeError(400, f"events: unknown event(s) {', '.join(map(str, unknown))}")
