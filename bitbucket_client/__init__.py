"""Async, fully typed client for the Bitbucket Cloud 2.0 and Bitbucket Data Center REST APIs.

    async with BitbucketCloud("ACCESS_TOKEN") as bb:
        pr = await bb.pullrequests.get("ws", "repo", 7)

Models live in `bitbucket_client.cloud.models` and `bitbucket_client.server.models`; the operation tables
in `bitbucket_client.cloud.OPERATIONS` and `bitbucket_client.server.OPERATIONS`; webhook helpers in
`bitbucket_client.webhooks`; blocking clients, for scripts and threads, in `bitbucket_client.sync`.
"""

from ._auth import (
    ApiToken,
    AppPassword,
    BasicAuth,
    BearerToken,
    OAuth2ClientCredentials,
    OAuth2RefreshToken,
    TokenProvider,
    TokenSet,
)
from ._client import BitbucketCloud, BitbucketServer
from ._clone import (
    API_TOKEN_USERNAME,
    CLOUD_ACCESS_TOKEN_USERNAME,
    CloneUrl,
    GitEnv,
    cloud_clone_url,
    git_bearer_env,
    server_clone_url,
    server_repository_url,
)
from ._exceptions import (
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
from ._merge import MergeTask
from ._operations import Operation
from ._pagination import AsyncPaginator, Page
from ._trees import FetchedTree, FetchProgress, fetch_archive, fetch_tree
from ._types import UNSET, File, Response, Unset
from ._uploads import Upload
from ._version import __version__

__all__ = [
    "API_TOKEN_USERNAME",
    "CLOUD_ACCESS_TOKEN_USERNAME",
    "UNSET",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "ApiToken",
    "AppPassword",
    "AsyncPaginator",
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
    "MergeTask",
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
