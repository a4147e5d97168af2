"""What both fakes share: the httpx transport, auth, routing, faults, the request log and webhooks.

A request goes: route (to an operation of the official document) → latency faults → auth (401) →
rate-limit and server-error faults → the handler for that operation, or 404 (no such route), 405 (wrong
method) or 501 (an operation, or a query parameter, the fake does not implement). Every request is
logged in ``fake.requests`` with the operation it called and the status it got.
"""

from __future__ import annotations

import base64
import binascii
import contextvars
import functools
import inspect
import itertools
import json
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, Sequence, Sized
from typing import Any, ClassVar, Literal, TypeVar

import attrs
import httpx

from bitbucket_client._operations import Operation
from bitbucket_client.webhooks import sign

from ._delivery import Receivers, WebhookReceiver
from ._faults import Fault, Faults
from ._routing import Match, Router
from ._state import (
    Comment,
    Commit,
    FakeState,
    Owner,
    PullRequest,
    Repository,
    Review,
    ReviewStatus,
    User,
    Webhook,
)

__all__ = [
    "Call",
    "FakeBitbucket",
    "FakeError",
    "RecordedRequest",
    "WebhookCallback",
    "WebhookDelivery",
    "handles",
    "page_of",
]

WebhookCallback = Callable[[dict[str, str], bytes], Awaitable[None] | None]
"""Receives each webhook delivery: the headers and the raw (signed) body. May be sync or async."""

Handler = Callable[[Any, "Call"], Awaitable[httpx.Response]]

_PENDING_DELIVERIES: contextvars.ContextVar[list[Callable[[], Awaitable[None]]] | None] = (
    contextvars.ContextVar("fake_pending_deliveries", default=None)
)
"""The deliveries of the request being handled (in this task), sent once its answer is built."""


class FakeError(Exception):
    """Raised by a handler: becomes a Bitbucket-shaped error answer of the fake's product."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        exception_name: str | None = None,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.exception_name = exception_name
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})


@attrs.frozen
class RecordedRequest:
    """One request the fake received (``fake.requests``). ``json`` is the decoded body, if it was JSON;
    ``operation`` is ``"namespace.method"`` of the official document, or ``None`` for an unknown route.
    Credentials are not kept."""

    method: str
    url: str
    operation: str | None
    status: int
    json: Any = None

    @property
    def path(self) -> str:
        return httpx.URL(self.url).path

    @property
    def params(self) -> httpx.QueryParams:
        return httpx.URL(self.url).params


@attrs.frozen
class WebhookDelivery:
    """One webhook the fake sent (``fake.deliveries``): to a subscription's URL, or to
    ``webhook_callback``."""

    event_key: str
    """The event, as in the ``X-Event-Key`` header (``repo:push``, ``pr:merged``, ...)."""
    headers: dict[str, str]
    """The headers sent, the signature included."""
    body: bytes
    """The raw JSON body, as signed."""
    url: str | None = None
    """The subscription's URL; ``None`` for a delivery to ``webhook_callback``."""
    status: int | None = None
    """What the receiver answered; ``None`` when no receiver is registered for ``url`` (or for
    ``webhook_callback``, which answers nothing)."""
    webhook_id: int | None = None
    """The id of the subscription (the ``Webhook`` in the fake's state) that asked for it."""

    def json(self) -> Any:
        return json.loads(self.body)


@attrs.frozen
class Call:
    """A routed request, as a handler sees it."""

    request: httpx.Request
    operation: Operation
    params: dict[str, str]
    user: User

    @property
    def query(self) -> httpx.QueryParams:
        return self.request.url.params

    def body(self) -> dict[str, Any]:
        """The JSON object sent (``{}`` without a body); a 400 for anything else."""
        content = self.request.content
        if not content.strip():
            return {}
        try:
            value = json.loads(content)
        except ValueError as exc:
            raise FakeError(400, f"The request body is not valid JSON: {exc}") from None
        if not isinstance(value, dict):
            raise FakeError(400, "The request body must be a JSON object")
        return value

    def int_param(self, name: str) -> int:
        value = self.params[name]
        if not value.isdigit():
            raise FakeError(404, f"{name} must be a number, got {value!r}")
        return int(value)


def handles(operation: str, *, query: Iterable[str] = ()) -> Callable[[Handler], Handler]:
    """Mark a fake's method as the handler of `operation` (``"namespace.method"``). ``query`` lists the
    query parameters it understands: any other one gets a 501 rather than a silently wrong answer. A
    method may handle several operations (stack the decorators)."""

    def mark(function: Handler) -> Handler:
        marks = [*getattr(function, "_fake_operations", ()), (operation, frozenset(query))]
        function._fake_operations = marks  # type: ignore[attr-defined]
        return function

    return mark


class FakeBitbucket(httpx.AsyncBaseTransport):
    """Base of :class:`FakeBitbucketCloud` and :class:`FakeBitbucketServer`."""

    product: ClassVar[Literal["cloud", "server"]]
    repository_params: ClassVar[tuple[str, str]]
    """The path parameters naming a repository: owner, slug."""
    hides_private_repositories: ClassVar[bool] = False
    """Whether an anonymous read of a private repository gets 404 (Cloud) rather than 401."""
    pagination_params: ClassVar[frozenset[str]]
    _handlers: ClassVar[dict[str, tuple[str, frozenset[str]]]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        handlers: dict[str, tuple[str, frozenset[str]]] = {}
        for klass in reversed(cls.__mro__):
            for attribute, value in vars(klass).items():
                for name, query in getattr(value, "_fake_operations", ()):
                    handlers[name] = (attribute, query)
        cls._handlers = handlers

    def __init__(
        self,
        *,
        base_url: str,
        operations: Mapping[str, Operation],
        page_size: int,
        max_page_size: int,
        tokens: Iterable[str] | Mapping[str, str] | None,
        user: str,
        webhook_callback: WebhookCallback | None,
        webhook_secret: str | None,
    ) -> None:
        if page_size < 1 or max_page_size < page_size:
            raise ValueError(f"need 1 <= page_size <= max_page_size, got {page_size} and {max_page_size}")
        self.base_url = base_url.rstrip("/")
        self.api_root = self.api_root_for(self.base_url)
        """The path every operation's template is relative to (``/2.0``, or ``/rest`` on Data Center)."""
        self.page_size = page_size
        self.max_page_size = max_page_size
        self.state = FakeState()
        self.faults = Faults()
        self.requests: list[RecordedRequest] = []
        self.deliveries: list[WebhookDelivery] = []
        self._receivers = Receivers()
        self.webhook_callback = webhook_callback
        self.webhook_secret = webhook_secret
        self.user = self.state.user(user)
        self._anonymous = User(
            slug="anonymous",
            display_name="Anonymous",
            id=0,
            uuid="{" + "0" * 8 + "-0000-0000-0000-" + "0" * 12 + "}",
            email="",
        )
        if isinstance(tokens, str):
            tokens = [tokens]  # one token, not a set of one-character tokens
        self._tokens: dict[str, str | None] | None = (
            None
            if tokens is None
            else dict(tokens.items())
            if isinstance(tokens, Mapping)
            else dict.fromkeys(tokens)
        )
        self._router = Router(operations)
        self._operations = operations

    # ---- public helpers -------------------------------------------------------------------------------

    @property
    def implemented_operations(self) -> list[str]:
        """The ``"namespace.method"`` names this fake answers; every other operation gets a 501."""
        return sorted(self._handlers)

    def add_receiver(self, url: str, receiver: WebhookReceiver, *, asgi: bool | None = None) -> None:
        """Answer the webhook deliveries sent to `url` with `receiver`, in-process: a function
        ``(headers, body)``, sync or async, returning the HTTP status (``None`` = 200), or an ASGI app
        (recognised by its three parameters; ``asgi=`` overrides the guess). A subscription whose URL
        has no receiver still gets its deliveries recorded, with ``status=None``. Registering a URL
        again replaces its receiver."""
        self._receivers.add(url, receiver, asgi=asgi)

    def remove_receiver(self, url: str) -> None:
        """Stop answering deliveries to `url` (`LookupError` when nothing is registered there)."""
        self._receivers.remove(url)

    def requests_for(self, operation: str) -> list[RecordedRequest]:
        """The logged requests that called `operation`."""
        if operation not in self._operations:
            raise ValueError(f"{operation!r} is not an operation of the {self.product} document")
        return [r for r in self.requests if r.operation == operation]

    # ---- seeding: set up state directly (no webhooks are sent) -------------------------------------

    def add_repository(
        self,
        owner: str,
        slug: str,
        *,
        name: str | None = None,
        description: str = "",
        is_private: bool = True,
        main_branch: str = "main",
        required_approvals: int = 0,
    ) -> Repository:
        """A repository (and its workspace or project, if new) with one commit on `main_branch`.
        ``required_approvals`` is a merge check: merging needs that many approvals."""
        return self.state.add_repository(
            owner,
            slug,
            name=name,
            description=description,
            is_private=is_private,
            main_branch=main_branch,
            author=self.user,
            required_approvals=required_approvals,
        )

    def add_branch(self, owner: str, slug: str, name: str, *, start: str | None = None) -> str:
        """A branch at `start` (a branch or commit; default: the main branch). Returns its head."""
        repo = self.repository(owner, slug)
        return self.state.add_branch(repo, name, start or repo.main_branch)

    def add_commit(
        self, owner: str, slug: str, branch: str, message: str = "Change", *, author: str | None = None
    ) -> Commit:
        """A new commit on `branch` (created if missing): what a `git push` would do."""
        repo = self.repository(owner, slug)
        if branch not in repo.branches:
            self.state.add_branch(repo, branch, repo.main_branch)
        return self.state.add_commit(repo, branch, message, self._user(author))

    def add_pull_request(
        self,
        owner: str,
        slug: str,
        *,
        title: str,
        source: str | None = None,
        destination: str | None = None,
        author: str | None = None,
        description: str = "",
        reviewers: Iterable[str] = (),
        draft: bool = False,
        close_source_branch: bool = False,
        conflicted: bool = False,
    ) -> PullRequest:
        """An open pull request. A missing source branch (default ``pr/<id>``) is created with one
        commit on top of the destination (default: the main branch). People are user slugs; the
        author defaults to the fake's user. A ``conflicted`` pull request can never be merged."""
        repo = self.repository(owner, slug)
        return self.state.add_pull_request(
            repo,
            title=title,
            source=source or f"pr/{repo.next_pull_request_id}",
            destination=destination,
            author=self._user(author),
            description=description,
            reviewers=[self.state.user(name) for name in reviewers],
            draft=draft,
            close_source_branch=close_source_branch,
            conflicted=conflicted,
        )

    def add_approval(
        self, owner: str, slug: str, pull_request_id: int, by: str, *, status: ReviewStatus = "APPROVED"
    ) -> Review:
        """`by` (a user slug) approves the pull request (or, with ``status="NEEDS_WORK"``, asks for
        changes)."""
        return self.state.review(self.pull_request(owner, slug, pull_request_id), self.state.user(by), status)

    def add_comment(
        self, owner: str, slug: str, pull_request_id: int, text: str, *, author: str | None = None
    ) -> Comment:
        """A comment on the pull request (by the fake's user unless `author` is given)."""
        return self.state.add_comment(
            self.pull_request(owner, slug, pull_request_id), text, self._user(author)
        )

    def add_webhook(
        self,
        owner: str,
        slug: str | None,
        *,
        url: str,
        events: Iterable[str],
        description: str = "",
        secret: str | None = None,
        active: bool = True,
    ) -> Webhook:
        """A webhook subscription of a repository, or with ``slug=None`` of a workspace or project:
        every active one that lists an event gets it, signed with its `secret`, sent to the receiver
        registered for its `url` (``add_receiver``)."""
        target: Repository | Owner = (
            self.repository(owner, slug) if slug is not None else self._owner_named(owner)
        )
        return self.state.add_webhook(
            target,
            url=url,
            events=list(events),
            description=description,
            secret=secret,
            active=active,
        )

    def repository(self, owner: str, slug: str) -> Repository:
        """The state of a repository (`LookupError` if there is none)."""
        found = self.state.find_repository(owner, slug)
        if found is None:
            raise LookupError(f"no repository {owner}/{slug} in {type(self).__name__}")
        return found

    def _owner_named(self, key: str) -> Owner:
        found = self.state.find_owner(key)
        if found is None:
            raise LookupError(f"no workspace or project {key} in {type(self).__name__}")
        return found

    def pull_request(self, owner: str, slug: str, pull_request_id: int) -> PullRequest:
        """The state of a pull request (`LookupError` if there is none)."""
        found = self.repository(owner, slug).pull_requests.get(pull_request_id)
        if found is None:
            raise LookupError(f"no pull request #{pull_request_id} in {owner}/{slug}")
        return found

    def _user(self, slug: str | None) -> User:
        return self.user if slug is None else self.state.user(slug)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request: usable as a respx side effect or an ``httpx.MockTransport`` handler."""
        return await self.handle_async_request(request)

    # ---- the transport --------------------------------------------------------------------------------

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        # The raw path: a branch called `feature/x` arrives as `feature%2Fx` and must stay one segment.
        path = self._api_path(request.url.raw_path.decode("ascii").partition("?")[0])
        match = self._router.match(request.method, path) if path is not None else None
        operation = match.operation.qualified_name if match is not None else None
        elsewhere = self.answer_elsewhere(request)
        if elsewhere is None:
            await self.faults.delay(operation)
        response = elsewhere if elsewhere is not None else await self._answer(request, path, match)
        response.request = request
        self.requests.append(
            RecordedRequest(
                method=request.method,
                url=str(request.url),
                operation=operation,
                status=response.status_code,
                json=_json_or_none(request.content),
            )
        )
        return response

    async def _answer(self, request: httpx.Request, path: str | None, match: Match | None) -> httpx.Response:
        user: User | httpx.Response | None = self._authenticate(request)
        if user is None and "authorization" not in request.headers and match is not None:
            user = self._anonymous_reader(request, match)
        if isinstance(user, httpx.Response):
            return user
        if user is None:
            return self.error_response(401, "Authentication required: this fake needs a valid credential")
        fault = self.faults.failure(None if match is None else match.operation.qualified_name)
        if fault is not None:
            return self.fault_response(fault)
        if match is None:
            allowed = self._router.allowed_methods(path) if path is not None else []
            if allowed:
                return self.error_response(
                    405,
                    f"{request.method} is not allowed here (allowed: {', '.join(allowed)})",
                    headers={"Allow": ", ".join(allowed)},
                )
            return self.not_found_route(request)
        operation = match.operation
        handler = self._handlers.get(operation.qualified_name)
        if handler is None:
            return self._not_implemented(
                f"{operation.qualified_name} is not implemented by {type(self).__name__} "
                f"({operation.http_method} {operation.path}); `fake.implemented_operations` lists the "
                f"{len(self._handlers)} operations it answers."
            )
        method_name, known_query = handler
        unknown = sorted(set(request.url.params) - known_query - self._pagination_params(operation))
        if unknown:
            return self._not_implemented(
                f"{operation.qualified_name}: the query parameter(s) {', '.join(unknown)} are not "
                f"implemented by {type(self).__name__}"
            )
        call = Call(request=request, operation=operation, params=match.params, user=user)
        pending: list[Callable[[], Awaitable[None]]] = []
        token = _PENDING_DELIVERIES.set(pending)
        try:
            response: httpx.Response = await getattr(self, method_name)(call)
        except FakeError as error:
            response = self.error_response(
                error.status,
                error.message,
                exception_name=error.exception_name,
                extra=error.extra,
                headers=error.headers,
            )
        finally:
            _PENDING_DELIVERIES.reset(token)
        for send in pending:  # the answer is built: now the receivers may run (and yield)
            await send()
        return response

    def _pagination_params(self, operation: Operation) -> frozenset[str]:
        return self.pagination_params if operation.paginated else frozenset()

    def _not_implemented(self, message: str) -> httpx.Response:
        return self.error_response(501, message, exception_name="NotImplementedByFake")

    def _api_path(self, path: str) -> str | None:
        """The path relative to the API root, or None when the request is not under it."""
        if not path.startswith(self.api_root + "/"):
            return None
        return self.normalize_path(path[len(self.api_root) :])

    def _anonymous_reader(self, request: httpx.Request, match: Match) -> User | httpx.Response | None:
        """Who an anonymous request reads as: anyone may read a public repository. Cloud answers 404
        for a private one (it does not say it exists); otherwise None (a 401)."""
        owner, slug = (match.params.get(name) for name in self.repository_params)
        if match.operation.qualified_name == "repositories.list" and request.method == "GET":
            return self._anonymous  # it lists the public repositories only (see `visible`)
        if owner is None or slug is None:
            return None
        repo = self.state.find_repository(owner, slug)
        if request.method in ("GET", "HEAD") and repo is not None and not repo.is_private:
            return self._anonymous
        if self.hides_private_repositories and request.method in ("GET", "HEAD"):
            return self.not_found_repository(owner, slug)
        return None

    def visible(self, call: Call, repositories: Collection[Repository]) -> Collection[Repository]:
        """The repositories the caller may see: all of them (as given: no copy), or the public ones for
        an anonymous call."""
        if call.user is self._anonymous:
            return [repo for repo in repositories if not repo.is_private]
        return repositories

    def token_owner(self, credential: str) -> User | Literal["expired"] | None:
        """Who a token this fake issued (OAuth) acts as, ``"expired"``, or None for any other token."""
        return None

    def _authenticate(self, request: httpx.Request) -> User | None:
        header = request.headers.get("Authorization", "").strip()
        scheme, _, credential = header.partition(" ")
        credential = credential.strip()
        username: str | None = None
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(credential, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return None
            username, _, credential = decoded.partition(":")
        elif scheme.lower() != "bearer":
            return None
        if not credential:
            return None
        if username is None:
            issued = self.token_owner(credential)
            if issued is not None:
                return None if issued == "expired" else issued
        if self._tokens is None:
            return self.state.user(username) if username else self.user
        if credential not in self._tokens:
            return None
        named = self._tokens[credential] or username
        return self.state.user(named) if named else self.user

    # ---- webhooks -------------------------------------------------------------------------------------

    async def deliver(
        self, event_key: str, payload: dict[str, Any], *, repository: Repository | None = None
    ) -> None:
        """Send one event: to ``webhook_callback`` (if any, signed with ``webhook_secret``), then to
        every active subscription of `repository` (and of its project, on Data Center) that lists the
        event, each signed with its own secret and posted to the receiver registered for its URL.

        Inside a request, the deliveries wait until the handler has built its answer: a receiver that
        yields lets other requests run, and they must not change what this one answers."""
        body = json.dumps(payload).encode()
        # The subscriptions as they are when the event happens.
        hooks = [
            hook
            for hook in (self.subscriptions(repository) if repository is not None else ())
            if hook.active and event_key in hook.events
        ]
        queue = _PENDING_DELIVERIES.get()
        if queue is None:
            await self._send(event_key, body, hooks)
        else:
            queue.append(functools.partial(self._send, event_key, body, hooks))

    async def _send(self, event_key: str, body: bytes, hooks: list[Webhook]) -> None:
        if self.webhook_callback is not None:
            headers = {"Content-Type": "application/json", **self.delivery_headers(event_key, None)}
            if self.webhook_secret:
                headers["X-Hub-Signature"] = sign(self.webhook_secret, body)
            self.deliveries.append(WebhookDelivery(event_key=event_key, headers=dict(headers), body=body))
            result = self.webhook_callback(headers, body)
            if inspect.isawaitable(result):
                await result
        for hook in hooks:
            headers = {"Content-Type": "application/json", **self.delivery_headers(event_key, hook)}
            if hook.secret:
                headers["X-Hub-Signature"] = sign(hook.secret, body)
            # Recorded in the order sent (a receiver may cause more deliveries), with its status after.
            sent = WebhookDelivery(event_key, headers, body, url=hook.url, webhook_id=hook.id)
            position = len(self.deliveries)
            self.deliveries.append(sent)
            status = await self._receivers.send(hook.url, dict(headers), body)
            self.deliveries[position] = attrs.evolve(sent, status=status)

    def subscriptions(self, repository: Repository) -> Iterable[Webhook]:
        """The webhook subscriptions that hear about `repository`'s events."""
        return repository.webhooks.values()

    # ---- what each product defines ------------------------------------------------------------------

    @staticmethod
    def api_root_for(base_url: str) -> str:
        raise NotImplementedError

    @staticmethod
    def normalize_path(path: str) -> str:
        return path

    def answer_elsewhere(self, request: httpx.Request) -> httpx.Response | None:
        """The answer to a request that never reaches the API's routing (a storage host, a URL the
        server refuses outright), or None."""
        return None

    def error_response(
        self,
        status: int,
        message: str,
        *,
        exception_name: str | None = None,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        raise NotImplementedError

    def fault_response(self, fault: Fault) -> httpx.Response:
        raise NotImplementedError

    def not_found_route(self, request: httpx.Request) -> httpx.Response:
        raise NotImplementedError

    def not_found_repository(self, owner: str, slug: str) -> httpx.Response:
        """The product's 404 for a repository the caller cannot see."""
        return self.error_response(404, f"Repository {owner}/{slug} not found")

    def delivery_headers(self, event_key: str, hook: Webhook | None) -> dict[str, str]:
        """The product's headers for one delivery (`hook` is None for ``webhook_callback``)."""
        raise NotImplementedError

    # ---- helpers for the products ---------------------------------------------------------------------

    def page_window(self, call: Call, requested: str | None) -> int:
        """The page size to use: what the client asked for (else ``page_size``), capped at
        ``max_page_size``."""
        size = self.page_size
        if requested is not None:
            if not requested.isdigit() or int(requested) < 1:
                raise FakeError(400, f"Invalid page size: {requested!r}")
            size = int(requested)
        return min(size, self.max_page_size)


T = TypeVar("T")


def page_of(items: Iterable[T], start: int, length: int) -> tuple[list[T], int]:
    """The `length` items from `start`, and how many items there are in all. Only the page is kept, so a
    list of 10,000 repositories costs one page of work per request, not ten thousand models."""
    if isinstance(items, Sized):
        total = len(items)
        if isinstance(items, Sequence):
            return list(items[start : start + length]), total
        return list(itertools.islice(items, start, start + length)), total
    everything = list(items)
    return everything[start : start + length], len(everything)


def json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=dict(headers or {}))


def _json_or_none(content: bytes) -> Any:
    if not content.strip():
        return None
    try:
        return json.loads(content)
    except ValueError:
        return None
