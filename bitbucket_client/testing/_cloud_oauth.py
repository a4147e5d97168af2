"""Bitbucket Cloud's OAuth 2 token endpoint for `FakeBitbucketCloud`, at the real address
(``https://bitbucket.org/site/oauth2/access_token``, another host than the API), so the client's
``OAuth2ClientCredentials`` and ``OAuth2RefreshToken`` work against the fake unchanged.

- ``client_credentials``: the consumer (key and secret as HTTP Basic) gets an access token acting as
  its owner; no refresh token, as on Cloud.
- ``refresh_token``: a refresh token (``fake.issue_refresh_token``, what the authorization-code grant
  would have given) buys an access token and a *new* refresh token; the used one stops working
  (rotation).
- Access tokens expire after the consumer's ``expires_in`` seconds (wall clock), or at once with
  ``fake.expire_access_tokens()``; an API call with an expired token gets 401, which makes the client
  renew. Errors are Cloud's: 400 ``{"error": ..., "error_description": ...}``.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import secrets
import time
from typing import Literal
from urllib.parse import parse_qsl

import attrs
import httpx

from ._fake import FakeBitbucket
from ._state import User

__all__ = ["TOKEN_URL", "CloudOAuth", "OAuthConsumer"]

TOKEN_URL = "https://bitbucket.org/site/oauth2/access_token"
_TOKEN_HOST = httpx.URL(TOKEN_URL).host
_TOKEN_PATH = httpx.URL(TOKEN_URL).path


@attrs.define(eq=False)
class OAuthConsumer:
    """An OAuth consumer of the fake (``fake.add_oauth_consumer``)."""

    key: str
    """The consumer key (the client id)."""
    secret: str = attrs.field(repr=False)
    """The consumer secret."""
    user: User
    """Who its tokens act as."""
    expires_in: int
    """The lifetime of its access tokens, in seconds."""
    scopes: str
    """The scopes its tokens report (space-separated)."""


@attrs.define(eq=False)
class _AccessToken:
    consumer: OAuthConsumer
    user: User
    expires_at: float  # time.monotonic()


class CloudOAuth(FakeBitbucket):
    """The token endpoint and the tokens it issued, for :class:`FakeBitbucketCloud` (a mixin)."""

    @property
    def _oauth(self) -> _OAuthState:
        found: _OAuthState | None = self.__dict__.get("_oauth_state")
        if found is None:  # not setdefault: every request asks, and most fakes never use OAuth
            found = self.__dict__["_oauth_state"] = _OAuthState()
        return found

    def add_oauth_consumer(
        self,
        key: str,
        secret: str,
        *,
        user: str | None = None,
        expires_in: int = 7200,
        scopes: str = "account repository pullrequest webhook pipeline snippet",
    ) -> OAuthConsumer:
        """An OAuth consumer whose tokens act as `user` (default: the fake's user) and live
        `expires_in` seconds (7200, as on Cloud)."""
        if not key or not secret:
            raise ValueError("an OAuth consumer needs a key and a secret")
        if expires_in < 1:
            raise ValueError(f"expires_in must be at least 1 second, got {expires_in}")
        owner = self.user if user is None else self.state.user(user)
        consumer = OAuthConsumer(key=key, secret=secret, user=owner, expires_in=expires_in, scopes=scopes)
        self._oauth.consumers[key] = consumer
        return consumer

    def issue_refresh_token(self, key: str, *, user: str | None = None) -> str:
        """A refresh token of consumer `key` acting as `user` (default: the consumer's owner): what the
        authorization-code grant would have given. It works once; each refresh rotates it."""
        consumer = self._oauth.consumers.get(key)
        if consumer is None:
            raise LookupError(f"no OAuth consumer {key!r}: add it with add_oauth_consumer")
        token = self._oauth.new_token("refresh")
        self._oauth.refresh_tokens[token] = (
            consumer,
            consumer.user if user is None else self.state.user(user),
        )
        return token

    def expire_access_tokens(self) -> None:
        """Every access token issued so far expires now: the next API call with one gets 401."""
        for token in self._oauth.access_tokens.values():
            token.expires_at = 0.0

    @property
    def access_tokens(self) -> list[str]:
        """The access tokens issued that are still valid, oldest first."""
        now = time.monotonic()
        return [value for value, token in self._oauth.access_tokens.items() if token.expires_at > now]

    def token_owner(self, credential: str) -> User | Literal["expired"] | None:
        """Who an issued access token acts as, ``"expired"``, or None for a token it did not issue."""
        state: _OAuthState | None = self.__dict__.get("_oauth_state")
        token = state.access_tokens.get(credential) if state is not None else None
        if token is None:
            return None
        return token.user if token.expires_at > time.monotonic() else "expired"

    def answer_elsewhere(self, request: httpx.Request) -> httpx.Response | None:
        if request.url.host != _TOKEN_HOST or request.url.path != _TOKEN_PATH:
            return super().answer_elsewhere(request)
        if request.method != "POST":
            return httpx.Response(405, headers={"Allow": "POST"})
        consumer = self._consumer(request)
        if consumer is None:
            return _oauth_error("unauthorized_client", "Invalid OAuth client credentials")
        form = dict(parse_qsl(request.content.decode("utf-8", "replace")))
        grant = form.get("grant_type")
        if grant == "client_credentials":
            return self._grant(consumer, consumer.user, grant, refresh=False)
        if grant == "refresh_token":
            found = self._oauth.refresh_tokens.pop(form.get("refresh_token", ""), None)
            if found is None or found[0] is not consumer:
                return _oauth_error("invalid_grant", "Invalid refresh_token")
            return self._grant(consumer, found[1], grant, refresh=True)
        return _oauth_error("unsupported_grant_type", f"Unsupported grant type: {grant}")

    def _consumer(self, request: httpx.Request) -> OAuthConsumer | None:
        scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            key, _, secret = base64.b64decode(credential.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        consumer = self._oauth.consumers.get(key)
        if consumer is None or not secrets.compare_digest(consumer.secret, secret):
            return None
        return consumer

    def _grant(self, consumer: OAuthConsumer, user: User, grant: str, *, refresh: bool) -> httpx.Response:
        access = self._oauth.new_token("access")
        self._oauth.access_tokens[access] = _AccessToken(
            consumer, user, expires_at=time.monotonic() + consumer.expires_in
        )
        body: dict[str, object] = {
            "access_token": access,
            "scopes": consumer.scopes,
            "token_type": "bearer",
            "expires_in": consumer.expires_in,
            "state": grant,
        }
        if refresh:
            rotated = self._oauth.new_token("refresh")
            self._oauth.refresh_tokens[rotated] = (consumer, user)
            body["refresh_token"] = rotated
        return httpx.Response(200, json=body)


class _OAuthState:
    def __init__(self) -> None:
        self.consumers: dict[str, OAuthConsumer] = {}
        self.access_tokens: dict[str, _AccessToken] = {}
        self.refresh_tokens: dict[str, tuple[OAuthConsumer, User]] = {}
        self._counter = itertools.count(1)

    def new_token(self, kind: str) -> str:
        # Deterministic, so two runs of a test see the same tokens.
        return f"fake-oauth-{kind}-{next(self._counter)}"


def _oauth_error(error: str, description: str) -> httpx.Response:
    return httpx.Response(400, json={"error_description": description, "error": error})
