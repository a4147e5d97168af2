"""Deterministic, Bitbucket-shaped test data for the benchmarks.

`cloud_pr(n)` and `dc_pr(n)` build pull request number `n` as the two products send it in list and
single-object responses: about 3 KB of JSON each, with nested repository, user and link objects, the
same shapes as real bodies (Cloud 2.0: `links` objects of `{"href"}`, `{...}`-braced UUIDs, ISO
timestamps, `null` merge commit; Data Center 9.4: `fromRef`/`toRef` with repository and project,
epoch-millisecond dates, `links` as lists, `author` and `properties` that the document does not list).

Everything is derived from `random.Random(seed + n)`, so a given `n` always gives the same bytes, in the
server process and in the benchmark process alike.
"""

from __future__ import annotations

import json
import random
from typing import Any

SEED = 20240601
CLOUD_API = "https://api.bitbucket.org/2.0"
CLOUD_WEB = "https://bitbucket.org"
DC_WEB = "https://bitbucket.example.com"

_FIRST = ["Ada", "Grace", "Linus", "Barbara", "Ken", "Margaret", "Dennis", "Frances", "Guido", "Radia"]
_LAST = ["Lovelace", "Hopper", "Torvalds", "Liskov", "Thompson", "Hamilton", "Ritchie", "Allen", "Rossum"]
_WORDS = (
    "fix retry backoff when the rate limit window closes and add tests for pagination of pull request "
    "activity across forks so that reviewers see consistent ordering in the merge checks summary view"
).split()
_STATES = ["OPEN", "OPEN", "OPEN", "MERGED", "DECLINED"]


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words)).capitalize()


def _iso(rng: random.Random) -> str:
    return (
        f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:"
        f"{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.{rng.randint(0, 999999):06d}+00:00"
    )


# ---- Bitbucket Cloud 2.0 ------------------------------------------------------------------------


def _cloud_user(rng: random.Random) -> dict[str, Any]:
    uuid = "{" + _uuid(rng) + "}"
    name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
    quoted = uuid.replace("{", "%7B").replace("}", "%7D")
    return {
        "display_name": name,
        "links": {
            "self": {"href": f"{CLOUD_API}/users/{quoted}"},
            "avatar": {"href": f"https://secure.gravatar.com/avatar/{rng.getrandbits(64):016x}?d=identicon"},
            "html": {"href": f"{CLOUD_WEB}/{quoted}/"},
        },
        "type": "user",
        "uuid": uuid,
        "account_id": f"557058:{_uuid(rng)}",
        "nickname": name.split()[0].lower(),
    }


def _cloud_endpoint(
    rng: random.Random, workspace: str, slug: str, branch: str, repo_uuid: str
) -> dict[str, Any]:
    commit = f"{rng.getrandbits(48):012x}"
    full = f"{workspace}/{slug}"
    return {
        "branch": {"name": branch},
        "commit": {
            "type": "commit",
            "hash": commit,
            "links": {
                "self": {"href": f"{CLOUD_API}/repositories/{full}/commit/{commit}"},
                "html": {"href": f"{CLOUD_WEB}/{full}/commits/{commit}"},
            },
        },
        "repository": {
            "type": "repository",
            "full_name": full,
            "links": {
                "self": {"href": f"{CLOUD_API}/repositories/{full}"},
                "html": {"href": f"{CLOUD_WEB}/{full}"},
                "avatar": {"href": f"https://bytebucket.org/ravatar/%7B{repo_uuid}%7D?ts=default"},
            },
            "name": slug,
            "uuid": "{" + repo_uuid + "}",
        },
    }


def cloud_pr(n: int, workspace: str = "ws", slug: str = "repo", *, detail: bool = False) -> dict[str, Any]:
    """Cloud pull request number `n` as a list item (about 3.3 KB of JSON), or with `detail` as
    `GET .../pullrequests/{id}` answers (with `description` and `rendered`, about 3.8 KB)."""
    rng = random.Random(SEED + n)
    repo_uuid = _uuid(random.Random(SEED))  # the same repository for every pull request
    title = _sentence(rng, rng.randint(5, 10))
    description = _sentence(rng, rng.randint(4, 10))
    state = rng.choice(_STATES)
    base = f"{CLOUD_API}/repositories/{workspace}/{slug}/pullrequests/{n}"
    branch = f"feature/{rng.choice(_WORDS)}-{n}"
    reviewers = [_cloud_user(rng)] if rng.random() < 0.25 else []
    participants = [
        {
            "type": "participant",
            "user": user,
            "role": "REVIEWER",
            "approved": rng.random() < 0.5,
            "state": rng.choice(["approved", "changes_requested", None]),
            "participated_on": _iso(rng),
        }
        for user in reviewers
    ]
    pr: dict[str, Any] = {
        "comment_count": rng.randint(0, 40),
        "task_count": rng.randint(0, 5),
        "type": "pullrequest",
        "id": n,
        "title": title,
        "state": state,
        "draft": rng.random() < 0.1,
        "merge_commit": {"hash": f"{rng.getrandbits(48):012x}"} if state == "MERGED" else None,
        "close_source_branch": rng.random() < 0.7,
        "closed_by": None,
        "author": _cloud_user(rng),
        "reason": "",
        "created_on": _iso(rng),
        "updated_on": _iso(rng),
        "destination": _cloud_endpoint(rng, workspace, slug, "main", repo_uuid),
        "source": _cloud_endpoint(rng, workspace, slug, branch, repo_uuid),
        "reviewers": reviewers,
        "participants": participants,
        "links": {
            "self": {"href": base},
            "html": {"href": f"{CLOUD_WEB}/{workspace}/{slug}/pull-requests/{n}"},
            "commits": {"href": f"{base}/commits"},
            "approve": {"href": f"{base}/approve"},
            "request-changes": {"href": f"{base}/request-changes"},
            "diff": {
                "href": f"{CLOUD_API}/repositories/{workspace}/{slug}/diff/{workspace}/{slug}:{n:x}%0Dmain"
            },
            "diffstat": {"href": f"{CLOUD_API}/repositories/{workspace}/{slug}/diffstat/{n:x}%0Dmain"},
            "comments": {"href": f"{base}/comments"},
            "activity": {"href": f"{base}/activity"},
            "merge": {"href": f"{base}/merge"},
            "decline": {"href": f"{base}/decline"},
            "statuses": {"href": f"{base}/statuses"},
        },
        "summary": {
            "type": "rendered",
            "raw": description,
            "markup": "markdown",
            "html": f"<p>{description}</p>",
        },
    }
    if detail:
        # A single pull request (GET .../pullrequests/{id}) also carries these; list items do not.
        pr["description"] = description
        pr["rendered"] = {
            "title": {"type": "rendered", "raw": title, "markup": "markdown", "html": f"<p>{title}</p>"},
            "description": {
                "type": "rendered",
                "raw": description,
                "markup": "markdown",
                "html": f"<p>{description}</p>",
            },
        }
    return pr


def cloud_repository(base_url: str, workspace: str = "ws", slug: str = "repo") -> dict[str, Any]:
    """`GET /2.0/repositories/{workspace}/{slug}` (atlassian-python-api's Cloud API starts there);
    `base_url` is where the links point (the bench server)."""
    rng = random.Random(SEED)
    uuid = _uuid(rng)
    full = f"{workspace}/{slug}"
    return {
        "type": "repository",
        "full_name": full,
        "links": {
            "self": {"href": f"{base_url}/2.0/repositories/{full}"},
            "html": {"href": f"{CLOUD_WEB}/{full}"},
            "pullrequests": {"href": f"{base_url}/2.0/repositories/{full}/pullrequests"},
        },
        "name": slug,
        "slug": slug,
        "uuid": "{" + uuid + "}",
        "is_private": True,
        "scm": "git",
        "mainbranch": {"type": "branch", "name": "main"},
    }


# ---- Bitbucket Data Center ------------------------------------------------------------------------


def _dc_user(rng: random.Random) -> dict[str, Any]:
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    name = f"{first.lower()}.{last.lower()}"
    return {
        "name": name,
        "emailAddress": f"{name}@example.com",
        "active": True,
        "displayName": f"{first} {last}",
        "id": rng.randint(1, 5000),
        "slug": name,
        "type": "NORMAL",
        "links": {"self": [{"href": f"{DC_WEB}/users/{name}"}]},
    }


def _dc_participant(rng: random.Random, role: str) -> dict[str, Any]:
    approved = rng.random() < 0.5
    participant = {
        "user": _dc_user(rng),
        "role": role,
        "approved": approved,
        "status": "APPROVED" if approved else rng.choice(["UNAPPROVED", "NEEDS_WORK"]),
    }
    if role == "REVIEWER":
        participant["lastReviewedCommit"] = f"{rng.getrandbits(160):040x}"
    return participant


def _dc_ref(rng: random.Random, project: str, slug: str, branch: str) -> dict[str, Any]:
    return {
        "id": f"refs/heads/{branch}",
        "displayId": branch,
        "latestCommit": f"{rng.getrandbits(160):040x}",
        "type": "BRANCH",
        "repository": {
            "slug": slug,
            "id": 42,
            "name": slug,
            "hierarchyId": "e3c939f9ef4a7fae272e",
            "scmId": "git",
            "state": "AVAILABLE",
            "statusMessage": "Available",
            "forkable": True,
            "project": {
                "key": project,
                "id": 7,
                "name": "Platform",
                "public": False,
                "type": "NORMAL",
                "links": {"self": [{"href": f"{DC_WEB}/projects/{project}"}]},
            },
            "public": False,
            "archived": False,
            "links": {
                "clone": [
                    {
                        "href": f"ssh://git@bitbucket.example.com:7999/{project.lower()}/{slug}.git",
                        "name": "ssh",
                    },
                    {"href": f"{DC_WEB}/scm/{project.lower()}/{slug}.git", "name": "http"},
                ],
                "self": [{"href": f"{DC_WEB}/projects/{project}/repos/{slug}/browse"}],
            },
        },
    }


def dc_pr(n: int, project: str = "PROJ", slug: str = "repo") -> dict[str, Any]:
    """Data Center pull request number `n` (about 3 KB of JSON)."""
    rng = random.Random(SEED + 1_000_000 + n)
    state = rng.choice(_STATES)
    created = 1_700_000_000_000 + rng.randint(0, 10**10)
    pr: dict[str, Any] = {
        "id": n,
        "version": rng.randint(0, 12),
        "title": _sentence(rng, rng.randint(5, 10)),
        "description": _sentence(rng, rng.randint(15, 35)),
        "state": state,
        "open": state == "OPEN",
        "closed": state != "OPEN",
        "draft": rng.random() < 0.1,
        "createdDate": created,
        "updatedDate": created + rng.randint(0, 10**8),
        "fromRef": _dc_ref(rng, project, slug, f"feature/{rng.choice(_WORDS)}-{n}"),
        "toRef": _dc_ref(rng, project, slug, "master"),
        "locked": False,
        "author": _dc_participant(rng, "AUTHOR"),
        "reviewers": [_dc_participant(rng, "REVIEWER") for _ in range(rng.randint(1, 2))],
        "participants": [_dc_participant(rng, "PARTICIPANT") for _ in range(rng.randint(0, 1))],
        "properties": {
            "mergeResult": {"outcome": "CLEAN", "current": True},
            "resolvedTaskCount": rng.randint(0, 3),
            "commentCount": rng.randint(0, 40),
            "openTaskCount": rng.randint(0, 3),
        },
        "links": {"self": [{"href": f"{DC_WEB}/projects/{project}/repos/{slug}/pull-requests/{n}"}]},
    }
    if state != "OPEN":
        pr["closedDate"] = pr["updatedDate"]
    return pr


# ---- pages ----------------------------------------------------------------------------------------


def cloud_page(page: int, pagelen: int, total: int, next_base: str | None) -> dict[str, Any]:
    """Cloud page `page` (1-based) of a list of `total` pull requests; `next_base` is the list URL the
    `next` link is built on (None: no links, for offline decoding)."""
    first = (page - 1) * pagelen
    values = [cloud_pr(first + i + 1) for i in range(max(0, min(pagelen, total - first)))]
    body: dict[str, Any] = {"size": total, "page": page, "pagelen": pagelen}
    if next_base is not None and first + pagelen < total:
        body["next"] = f"{next_base}?pagelen={pagelen}&page={page + 1}"
    if next_base is not None and page > 1:
        body["previous"] = f"{next_base}?pagelen={pagelen}&page={page - 1}"
    body["values"] = values
    return body


def dc_page(start: int, limit: int, total: int) -> dict[str, Any]:
    """Data Center page starting at item `start` of a list of `total` pull requests."""
    values = [dc_pr(start + i + 1) for i in range(max(0, min(limit, total - start)))]
    last = start + limit >= total
    body: dict[str, Any] = {"size": len(values), "limit": limit, "isLastPage": last, "values": values}
    body["start"] = start
    if not last:
        body["nextPageStart"] = start + limit
    return body


def dumps(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


if __name__ == "__main__":
    for name, make in (
        ("cloud list item", cloud_pr),
        ("cloud single", lambda n: cloud_pr(n, detail=True)),
        ("data center", dc_pr),
    ):
        sizes = [len(dumps(make(n))) for n in range(1, 1001)]
        print(f"{name}: mean {sum(sizes) / len(sizes):.0f} B, min {min(sizes)}, max {max(sizes)}")
