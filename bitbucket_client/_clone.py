"""Authenticated ``git clone`` URLs for both products, with the credential kept out of every printout.

Which user name goes with which credential (Atlassian's "Using access tokens", "Using API tokens" and
"HTTP access tokens" pages):

* Cloud repository, project or workspace access token (and an OAuth access token): ``x-token-auth``.
* Cloud API token: your Bitbucket *username* (not the e-mail the REST API wants), or the static
  ``x-bitbucket-api-token-auth`` when you do not know it.
* Cloud app password (removed in July 2026): your Bitbucket username.
* Data Center personal HTTP access token or password: the username of the account it belongs to; the
  repository lives under ``{base_url}/scm/{project}/{slug}.git``.
* Data Center *project* or *repository* HTTP access token: no user name at all. Atlassian: "In Git and
  API calls, you can use the project and repository level token only with Bearer authentication".
  :func:`git_bearer_env` gives the environment variables that make git send it as a header
  (``http.extraHeader``, git 2.31 or later), with :func:`server_repository_url` as the URL.

A :class:`CloneUrl` shows ``***`` in place of the credential in ``str``, ``repr``, f-strings and logs;
:meth:`CloneUrl.reveal` gives the URL git needs, to be passed straight to the ``git`` command. git keeps
the URL it cloned from in ``.git/config``: set the remote to :attr:`CloneUrl.plain` afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import NoReturn, final
from urllib.parse import quote

import httpx

from ._secret import REDACTED, Secret

__all__ = [
    "API_TOKEN_USERNAME",
    "CLOUD_ACCESS_TOKEN_USERNAME",
    "CloneUrl",
    "GitEnv",
    "cloud_clone_url",
    "git_bearer_env",
    "server_clone_url",
    "server_repository_url",
]

CLOUD_ACCESS_TOKEN_USERNAME = "x-token-auth"
"""The user name git sends with a Cloud repository, project or workspace access token (or OAuth token)."""

API_TOKEN_USERNAME = "x-bitbucket-api-token-auth"
"""The static user name git may send with a Cloud API token instead of the Bitbucket username."""

# A workspace, project key or slug is one path segment: no slash, no whitespace, no `..`.
_SEGMENT = re.compile(r"[^/\\\s?#@:]+")


@final
class CloneUrl:
    """An https clone URL that carries a credential.

    ``str()``, ``repr()`` and formatting show the URL with the credential as ``***`` (``redacted``);
    :meth:`reveal` returns the usable URL. It cannot be pickled, like every secret of this package.
    """

    __slots__ = ("_url", "plain", "redacted", "username")

    def __init__(self, base: str, path: str, username: str, secret: str, *, allow_http: bool = False) -> None:
        url = httpx.URL(base)
        if url.scheme not in ("https", "http") or not url.host:
            raise ValueError(f"the server must be an absolute https URL, got {base!r}")
        if url.scheme == "http" and not allow_http:
            raise ValueError(
                f"refusing to put a credential into a plain http URL ({base!r}): it would cross the "
                "network unencrypted; pass allow_http=True if the server is only reachable so"
            )
        if not isinstance(username, str) or not username.strip():
            raise ValueError("username must be a non-empty string")
        if not isinstance(secret, str) or not secret.strip():
            raise ValueError("the token or password must be a non-empty string")  # never the value itself
        origin = f"{url.scheme}://{url.netloc.decode('ascii')}{url.path.rstrip('/')}"
        scheme, _, rest = origin.partition("://")
        user = quote(username, safe="")
        self.username: str = username
        """The user name in the URL."""
        self.plain: str = f"{scheme}://{rest}{path}"
        """The URL without user name or credential: what to leave in ``.git/config`` after cloning."""
        self.redacted: str = f"{scheme}://{user}:{REDACTED}@{rest}{path}"
        """The URL with ``***`` in place of the credential: safe to print and log."""
        self._url = Secret(f"{scheme}://{user}:{quote(secret, safe='')}@{rest}{path}")

    def reveal(self) -> str:
        """The URL with the credential, for ``git clone``; pass it on, never log or store it."""
        return self._url.reveal()

    def __repr__(self) -> str:
        return f"CloneUrl({self.redacted!r})"

    def __str__(self) -> str:
        return self.redacted

    def __format__(self, format_spec: str) -> str:
        return format(self.redacted, format_spec)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CloneUrl):
            return NotImplemented
        return self._url == other._url

    def __hash__(self) -> int:
        return hash(self.redacted)

    def __reduce__(self) -> NoReturn:
        raise TypeError("CloneUrl objects cannot be pickled: they hold a credential")


def cloud_clone_url(
    workspace: str,
    repo_slug: str,
    *,
    access_token: str | None = None,
    api_token: str | None = None,
    app_password: str | None = None,
    username: str | None = None,
    host: str = "https://bitbucket.org",
) -> CloneUrl:
    """The https clone URL of a Cloud repository with one credential in it.

    Give exactly one of ``access_token`` (a repository, project or workspace access token, or an OAuth
    access token: sent as ``x-token-auth``), ``api_token`` (sent with ``username``, your Bitbucket
    username, or else ``x-bitbucket-api-token-auth``) or ``app_password`` (needs ``username``).
    """
    path = f"/{_segment(workspace, 'workspace')}/{_segment(repo_slug, 'repo_slug')}.git"
    given = [name for name, value in _credentials(access_token, api_token, app_password) if value is not None]
    if len(given) != 1:
        raise ValueError(
            "give exactly one of access_token, api_token or app_password"
            + (f" (got {', '.join(given)})" if given else "")
        )
    if access_token is not None:
        if username is not None:
            raise ValueError(
                f"an access token always goes with the user name {CLOUD_ACCESS_TOKEN_USERNAME!r}"
            )
        return CloneUrl(host, path, CLOUD_ACCESS_TOKEN_USERNAME, access_token)
    if api_token is not None:
        if username is not None and "@" in username:
            raise ValueError(
                "git wants your Bitbucket username with an API token, not the Atlassian e-mail address; "
                f"leave username out to use {API_TOKEN_USERNAME!r}"
            )
        return CloneUrl(host, path, username or API_TOKEN_USERNAME, api_token)
    if username is None:
        raise ValueError("an app password needs the Bitbucket username it belongs to")
    assert app_password is not None
    return CloneUrl(host, path, username, app_password)


def server_clone_url(
    base_url: str,
    project_key: str,
    repository_slug: str,
    *,
    username: str,
    token: str,
    allow_http: bool = False,
) -> CloneUrl:
    """The https clone URL of a Data Center repository: ``{base_url}/scm/{project}/{slug}.git``, with
    ``username`` and its personal HTTP access token (or password) in it.

    ``base_url`` is the server's address, with its context path if it has one (``https://example.com/
    bitbucket``); a trailing ``/rest`` (the client's base URL) is dropped. A personal repository's
    project key is ``~username``. ``allow_http`` permits a plain http server (the credential then crosses
    the network unencrypted). A project or repository token has no user: see :func:`git_bearer_env`.
    """
    root, path = _server_location(base_url, project_key, repository_slug)
    return CloneUrl(root, path, username, token, allow_http=allow_http)


def server_repository_url(base_url: str, project_key: str, repository_slug: str) -> str:
    """The https clone URL of a Data Center repository without any credential (``.../scm/prj/slug.git``),
    for git with :func:`git_bearer_env`, or for a remote to keep."""
    root, path = _server_location(base_url, project_key, repository_slug)
    return root + path


def _server_location(base_url: str, project_key: str, repository_slug: str) -> tuple[str, str]:
    root = base_url.rstrip("/")
    if root.endswith("/rest"):
        root = root[: -len("/rest")]
    url = httpx.URL(root)
    if url.scheme not in ("https", "http") or not url.host:
        raise ValueError(f"the server must be an absolute https URL, got {base_url!r}")
    path = f"/scm/{_segment(project_key, 'project_key').lower()}/{_segment(repository_slug, 'slug')}.git"
    return root, path


@final
class GitEnv(Mapping[str, str]):
    """Environment variables for a ``git`` process that make it send ``Authorization: Bearer <token>``
    with every request (``GIT_CONFIG_COUNT``/``GIT_CONFIG_KEY_0``/``GIT_CONFIG_VALUE_0``: git 2.31 or
    later), so the token is in neither the URL, the command line (which other users can list) nor
    ``.git/config``. Use it as ``env={**os.environ, **git_env}``; its ``repr`` shows ``***``, and it
    cannot be pickled."""

    __slots__ = ("_header",)

    def __init__(self, token: str) -> None:
        if not isinstance(token, str) or not token.strip() or any(c in token for c in "\r\n\0"):
            raise ValueError("the token must be a non-empty string on one line")
        self._header = Secret(f"Authorization: Bearer {token.strip()}")

    def __getitem__(self, name: str) -> str:
        if name == "GIT_CONFIG_VALUE_0":
            return self._header.reveal()
        return {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "http.extraHeader"}[name]

    def __iter__(self) -> Iterator[str]:
        return iter(("GIT_CONFIG_COUNT", "GIT_CONFIG_KEY_0", "GIT_CONFIG_VALUE_0"))

    def __len__(self) -> int:
        return 3

    def __repr__(self) -> str:
        shown = {name: REDACTED if name == "GIT_CONFIG_VALUE_0" else self[name] for name in self}
        return f"GitEnv({shown!r})"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("GitEnv objects cannot be pickled: they hold a credential")


def git_bearer_env(token: str) -> GitEnv:
    """What to add to a ``git`` process's environment so it sends ``token`` as a Bearer header: for Data
    Center project and repository HTTP access tokens, which git cannot send with a user name."""
    return GitEnv(token)


def _credentials(*values: str | None) -> zip[tuple[str, str | None]]:
    return zip(("access_token", "api_token", "app_password"), values, strict=True)


def _segment(value: str, name: str) -> str:
    if not isinstance(value, str) or _SEGMENT.fullmatch(value) is None or value in (".", ".."):
        raise ValueError(
            f"{name} must be one path segment (no '/', whitespace, '?', '#', '@' or ':'), got {value!r}"
        )
    return quote(value, safe="~")
