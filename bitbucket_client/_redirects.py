"""Which redirects the pipeline follows, and what it sends to their targets.

Bitbucket Cloud answers some downloads (artifacts, issue attachments, snippet files, pull request
diffs and patches) with a 302 to a storage host holding a signed URL. The pipeline follows a redirect
itself, never httpx, so that it decides what goes where:

- only GET and HEAD are followed. Any other request is answered with `RedirectError`: httpx would
  turn a 301/302 POST into a GET (losing its body, and reporting success for a write that never
  happened) or, for 307/308, carry the body to the target;
- a target under the API's base URL is requested like any other call, with the credentials;
- any other target gets no credentials and no headers of the caller's but the harmless ones
  (`SAFE_HEADERS`): a header given to the client may carry a secret as well as Authorization does;
- an https request is never redirected to plain http, and at most `MAX_REDIRECTS` hops are followed.
"""

from __future__ import annotations

import httpx

from ._exceptions import RedirectError
from ._pagination import redact_url, why_outside_api

__all__ = ["MAX_REDIRECTS", "SAFE_HEADERS", "Redirect", "redirect_target"]

MAX_REDIRECTS = 10

SAFE_HEADERS = frozenset(
    {
        "accept",
        "accept-encoding",
        "accept-language",
        "user-agent",
        "range",
        "if-none-match",
        "if-modified-since",
    }
)
"""The caller's headers a redirect to another host still carries."""

_FOLLOWED_METHODS = frozenset({"GET", "HEAD"})


class Redirect:
    """Where a redirect leads, and whether the request there carries the credentials."""

    __slots__ = ("target", "within_api")

    def __init__(self, target: httpx.URL, within_api: bool) -> None:
        self.target = target
        self.within_api = within_api

    def request(self, previous: httpx.Request) -> httpx.Request:
        """The request to the target: the method and timeout of `previous`, and its headers without
        the credentials (the pipeline authenticates a request within the API again), or only the safe
        ones for another host. Built without the http client, whose default headers may hold a secret."""
        if self.within_api:
            headers = [(k, v) for k, v in previous.headers.multi_items() if k.lower() != "authorization"]
        else:
            headers = [(k, v) for k, v in previous.headers.multi_items() if k.lower() in SAFE_HEADERS]
        headers = [(k, v) for k, v in headers if k.lower() != "host"]
        extensions = {"timeout": previous.extensions["timeout"]} if "timeout" in previous.extensions else {}
        return httpx.Request(previous.method, self.target, headers=headers, extensions=extensions)


def redirect_target(response: httpx.Response, base_url: httpx.URL, hops: int) -> Redirect:
    """The redirect `response` leads to, or `RedirectError` when the pipeline must not follow it."""
    request = response.request
    location = response.headers.get("location", "")
    try:
        target = request.url.join(location)
    except httpx.InvalidURL:
        target = None
    shown = redact_url(str(target.copy_with(query=None, fragment=None))) if target else repr(location[:100])
    where = f"{request.method} {request.url.path} answered {response.status_code} with a redirect to {shown}"
    if request.method not in _FOLLOWED_METHODS:
        raise RedirectError(
            f"{where}; the client follows redirects for GET and HEAD only, since following would send "
            f"this {request.method} again without its body, or carry its body to another address. "
            "Nothing was sent there.",
            location=shown,
            response=response,
        )
    if target is None or target.scheme not in ("http", "https") or not target.host:
        raise RedirectError(f"{where}, which is not an http(s) URL", location=shown, response=response)
    if request.url.scheme == "https" and target.scheme == "http":
        raise RedirectError(
            f"{where}: from https to plain http, which the client refuses to follow",
            location=shown,
            response=response,
        )
    if hops >= MAX_REDIRECTS:
        raise RedirectError(
            f"{where}, after {hops} redirects already: the client stops there",
            location=shown,
            response=response,
        )
    return Redirect(target, within_api=why_outside_api(target, base_url) is None)
