"""Views derived from the namespaces with one line per method: `client.with_raw_response`.

A view class holds a namespace and wraps each of its methods with a typed wrapper, in the style of
openai-python's `to_raw_response_wrapper`: ParamSpec keeps the method's parameters exactly, and the
overloads of `pullrequests.merge` carry over. The generated raw namespaces are just:

    class PullrequestsRawNamespace(NamespaceView[PullrequestsNamespace]):
        get = raw_response(PullrequestsNamespace.get)        # -> Response[Pullrequest]
        list = raw_first_page(PullrequestsNamespace.list)    # -> Response[Page[Pullrequest]]

The synchronous views (`bitbucket_client.sync`) derive the same way: a `SyncNamespaceView` holds the
async namespace and the `SyncRuntime` that runs its coroutines for blocking callers, and

    class PullrequestsSyncNamespace(SyncNamespaceView[PullrequestsNamespace]):
        get = to_sync(PullrequestsNamespace.get)              # -> Pullrequest
        list = to_sync_iterable(PullrequestsNamespace.list)   # -> SyncPaginator[Pullrequest]

while a long-running method (Cloud's merge) keeps its overloads written out, because its `wait=False`
result changes type (a `SyncMergeTask`, whose `wait()` blocks), over `to_sync_long_running`. The sync
raw view applies `to_sync` to the raw view's methods.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar

from ._answer import capturing_response
from ._pagination import AsyncPaginator, Page
from ._types import Response

if TYPE_CHECKING:
    from ._sync_pagination import SyncPaginator
    from ._sync_runtime import SyncRuntime

__all__ = [
    "NamespaceView",
    "SyncNamespaceView",
    "raw_first_page",
    "raw_response",
    "to_sync",
    "to_sync_iterable",
    "to_sync_long_running",
]

N = TypeVar("N")
N_co = TypeVar("N_co", covariant=True)
P = ParamSpec("P")
R = TypeVar("R")


class NamespaceView(Generic[N]):
    """The base of a view: the namespace whose methods it wraps."""

    __slots__ = ("_namespace",)

    def __init__(self, namespace: N) -> None:
        self._namespace = namespace


def raw_response(
    method: Callable[Concatenate[N, P], Coroutine[Any, Any, R]],
) -> Callable[Concatenate[NamespaceView[N], P], Coroutine[Any, Any, Response[R]]]:
    """`method`, returning the whole `Response` of its request: status, headers, body, and in `parsed` what
    the method returns (a long-running merge's `parsed` is the merged pull request, or the `MergeTask`
    with `wait=False`; the response is the merge request's own)."""

    @functools.wraps(method)
    async def call(view: NamespaceView[N], /, *args: P.args, **kwargs: P.kwargs) -> Response[R]:
        with capturing_response() as captured:
            parsed = await method(view._namespace, *args, **kwargs)
        if not captured:
            raise RuntimeError(f"{method.__qualname__} returned without sending its request")
        return Response.build(captured[0], parsed)

    return call


def raw_first_page(
    method: Callable[Concatenate[N, P], AsyncPaginator[R]],
) -> Callable[Concatenate[NamespaceView[N], P], Coroutine[Any, Any, Response[Page[R]]]]:
    """A list `method`, returning the `Response` of its first page; `parsed` is that `Page` (decoded
    items, the raw envelope, and where the next page is). `page_size` and `max_items` apply."""

    @functools.wraps(method)
    async def call(view: NamespaceView[N], /, *args: P.args, **kwargs: P.kwargs) -> Response[Page[R]]:
        pages = method(view._namespace, *args, **kwargs).pages()
        try:
            page = await pages.__anext__()
        except StopAsyncIteration:
            raise ValueError(f"{method.__qualname__}: max_items=0 asks for no page") from None
        finally:
            await pages.aclose()
        return Response.build(page.response, page)

    return call


# ---- the synchronous views ------------------------------------------------------------------------


class SyncNamespaceView(Generic[N_co]):
    """The base of a synchronous view: the async namespace whose methods it runs, and the runtime that
    runs them for blocking callers (`_sync_runtime`)."""

    __slots__ = ("_namespace", "_runtime")

    def __init__(self, namespace: N_co, runtime: SyncRuntime) -> None:
        self._namespace = namespace
        self._runtime = runtime


def to_sync(
    method: Callable[Concatenate[N, P], Coroutine[Any, Any, R]],
) -> Callable[Concatenate[SyncNamespaceView[N], P], R]:
    """`method`, blocking until its coroutine has run to its end: same parameters, same result."""

    @functools.wraps(method)
    def call(view: SyncNamespaceView[N], /, *args: P.args, **kwargs: P.kwargs) -> R:
        return view._runtime.run(method(view._namespace, *args, **kwargs))

    return call


def to_sync_iterable(
    method: Callable[Concatenate[N, P], AsyncPaginator[R]],
) -> Callable[Concatenate[SyncNamespaceView[N], P], SyncPaginator[R]]:
    """A list `method`, returning a `SyncPaginator`: a plain iterable of items (`.pages()` for pages).
    Nothing is sent until it is iterated, as with the async paginator."""

    @functools.wraps(method)
    def call(view: SyncNamespaceView[N], /, *args: P.args, **kwargs: P.kwargs) -> SyncPaginator[R]:
        from ._sync_pagination import SyncPaginator  # here: async users never import it

        runtime = view._runtime
        return SyncPaginator(runtime.call(lambda: method(view._namespace, *args, **kwargs)), runtime)

    return call


def to_sync_long_running(
    method: Callable[..., Coroutine[Any, Any, Any]],
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The implementation of a long-running method of a synchronous view, under its overloads (which
    give its types): `method` blocking, and its `MergeTask` (`wait=False`), bare or in a `Response`,
    made a `SyncMergeTask`."""

    def implementation(overloaded: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def call(view: SyncNamespaceView[Any], /, *args: Any, **kwargs: Any) -> Any:
            from ._sync_merge import blocking_result  # here: async users never import it

            runtime = view._runtime
            return blocking_result(runtime.run(method(view._namespace, *args, **kwargs)), runtime)

        return call

    return implementation
