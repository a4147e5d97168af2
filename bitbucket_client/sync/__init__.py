"""Blocking clients for Bitbucket Cloud 2.0 and Bitbucket Data Center, for scripts, notebooks, CI jobs
and threads: the async clients' pipeline, every call run to its end.

    from bitbucket_client.sync import BitbucketCloud

    with BitbucketCloud("ACCESS_TOKEN") as bb:
        pr = bb.pullrequests.get("ws", "repo", 7)
        for pr in bb.pullrequests.list("ws", "repo", max_items=20):
            ...

Same constructor arguments, auth classes, errors, models and namespaces as the async clients; list
methods return a `SyncPaginator` (a plain iterable), and `merge(..., wait=False)` a `SyncMergeTask`.
docs/sync.md says how calls run: one event loop per calling thread, a helper thread inside a running
event loop (Jupyter), what `close()` waits for, and what happens after a fork.
"""

from .._auth import (
    ApiToken,
    AppPassword,
    BasicAuth,
    BearerToken,
    OAuth2ClientCredentials,
    OAuth2RefreshToken,
    TokenProvider,
    TokenSet,
)
from .._clone import (
    API_TOKEN_USERNAME,
    CLOUD_ACCESS_TOKEN_USERNAME,
    CloneUrl,
    GitEnv,
    cloud_clone_url,
    git_bearer_env,
    server_clone_url,
    server_repository_url,
)
from .._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BitbucketError,
    ConflictError,
    GoneError,
    InvalidBodyError,
    MergeTaskError,
    NotFoundError,
    PaginationError,
    PermissionDeniedError,
    RateLimitError,
    RedirectError,
    ServerError,
    UnexpectedResponseError,
    Veto,
)
from .._operations import Operation
from .._pagination import Page
from .._sync_merge import SyncMergeTask
from .._sync_pagination import SyncPaginator
from .._trees import FetchedTree, FetchProgress
from .._types import UNSET, File, Response, Unset
from .._uploads import Upload
from .._version import __version__
from ._client import BitbucketCloud, BitbucketServer
from ._trees import fetch_archive, fetch_tree

__all__ = [
    "API_TOKEN_USERNAME",
    "CLOUD_ACCESS_TOKEN_USERNAME",
    "UNSET",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "ApiToken",
    "AppPassword",
    "AuthenticationError",
    "BadRequestError",
    "BasicAuth",
    "BearerToken",
    "BitbucketCloud",
    "BitbucketError",
    "BitbucketServer",
    "CloneUrl",
    "ConflictError",
    "FetchProgress",
    "FetchedTree",
    "File",
    "GitEnv",
    "GoneError",
    "InvalidBodyError",
    "MergeTaskError",
    "NotFoundError",
    "OAuth2ClientCredentials",
    "OAuth2RefreshToken",
    "Operation",
    "Page",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "RedirectError",
    "Response",
    "ServerError",
    "SyncMergeTask",
    "SyncPaginator",
    "TokenProvider",
    "TokenSet",
    "UnexpectedResponseError",
    "Unset",
    "Upload",
    "Veto",
    "__version__",
    "cloud_clone_url",
    "fetch_archive",
    "fetch_tree",
    "git_bearer_env",
    "server_clone_url",
    "server_repository_url",
]
