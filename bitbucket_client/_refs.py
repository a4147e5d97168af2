"""Resolving a branch or tag name that holds a `/` to its commit hash, before the request that needs it.

Bitbucket Cloud answers 404 for `src/{commit}/{path}` (and `filehistory/...`) when `{commit}` is a
branch called `feature/login`, whether its slash is encoded or not (node-bitbucket #141, decap-cms
#2105, waterbutler #377); the remedy is to ask for the branch first and use its commit hash. The
generator marks such parameters `{commit:ref}` and gives the product client the lookups to try, in
order (`ref_lookups` in `specs/rules/cloud.json`: the branch, then the tag). A name without a `/`, or a
hash, is sent as it is, with no extra request.

Nothing here imports generated code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._answer import decode_json
from ._exceptions import NotFoundError, UnexpectedResponseError
from ._paths import fill_path, path_parameters, unresolved_refs

if TYPE_CHECKING:
    from ._base_client import BaseClient
    from ._request import Request

__all__ = ["RefLookup", "needs_resolving", "resolve_refs"]

RefLookup = tuple[str, tuple[str, ...]]
"""A lookup: the path template of a ref (its placeholders named like the request's, plus `{name}`), and
the keys leading from its answer to the commit hash (`("target", "hash")`)."""


def needs_resolving(request: Request) -> bool:
    """Whether `request` has a `ref` parameter holding a branch or tag name with a `/`."""
    return ":ref}" in request.path and bool(unresolved_refs(request.path, request.path_values))


async def resolve_refs(client: BaseClient, request: Request, lookups: tuple[RefLookup, ...]) -> Request:
    """`request` with each such name replaced by its commit hash; `NotFoundError` when no lookup finds it."""
    if not lookups:
        return request
    names = [name for name, _kind in path_parameters(request.path)]
    values = list(request.path_values)
    for index, ref in unresolved_refs(request.path, request.path_values):
        known = dict(zip(names, request.path_values, strict=True))
        values[index] = await _commit_of(client, ref, known, lookups)
    return request.with_path_values(tuple(values))


async def _commit_of(
    client: BaseClient, ref: str, known: dict[str, object], lookups: tuple[RefLookup, ...]
) -> str:
    missing: NotFoundError | None = None
    for template, keys in lookups:
        values = tuple(ref if name == "name" else known[name] for name, _kind in path_parameters(template))
        try:
            response = await client._send({"method": "GET", "url": fill_path(template, values)})
        except NotFoundError as error:
            missing = error
            continue
        found = _dig(decode_json(response), keys)
        if not isinstance(found, str) or not found:
            raise UnexpectedResponseError(response, f"it has no commit hash at {'.'.join(keys)}")
        return found
    assert missing is not None, "no lookups"
    raise NotFoundError(
        f"no branch or tag named {ref!r} (the client looks it up to use its commit hash, since Bitbucket "
        f"cannot serve a name with '/' in this URL): {missing.message}",
        response=missing.response,
        details=missing.details,
        request_id=missing.request_id,
    )


def _dig(value: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value
