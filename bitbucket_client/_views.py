"""Views derived from the namespaces with one line per method: `client.with_raw_response`.

A view class holds a namespace and wraps each of its methods with a typed wrapper, in the style of
openai-python's `to_raw_response_wrapper`: ParamSpec keeps the method's parameters exactly, and the
overloads of `pullrequests.merge` carry over. The generated raw namespaces are just:

    class PullrequestsRawNamespace(NamespaceView[PullrequestsNamespace]):
        get = raw_response(PullrequestsNamespace.get)        # -> Response[Pullrequest]
        list = raw_first_page(PullrequestsNamespace.list)    # -> Response[Page[Pullrequest]]

A synchronous view (every method blocking, list methods a plain iterable) derives the same way: a
view holding the async namespace and a portal to an event loop, and two wrappers (`to_sync`,
`to_sync_iterable`) of the same shape as these.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Concatenate, Generic, ParamSpec, TypeVar

from ._answer import capturing_response
from ._pagination import AsyncPaginator, Page
from ._types import Response

__all__ = ["NamespaceView", "raw_first_page", "raw_response"]

N = TypeVar("N")
P = ParamSpec("P")
R = TypeVar("R")


class NamespaceView(Generic[N]):
    """The base of a view: the namespace whose methods it wraps."""

    __slots__ = ("_namespace",)

    def __init__(self, namespace: N) -> None:
        self._namespace = namespace


def raw_response(
    method: Callable[Concatenate[N, P], Awaitable[R]],
) -> Callable[Concatenate[NamespaceView[N], P], Awaitable[Response[R]]]:
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
) -> Callable[Concatenate[NamespaceView[N], P], Awaitable[Response[Page[R]]]]:
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
