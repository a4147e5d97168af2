"""The cost of a request body: a pull request created through the client, against raw httpx.

    python bench/bodies.py [--runs 5] [--calls 3000]

Both sides POST the same pull request (title, source, destination, two reviewers) to an in-process
`httpx.MockTransport` that answers a canned 201, and read the answer: raw httpx with `json=` and
`json.loads`; the client with the body as keyword fields of dicts, as keyword fields of models, and as
`body=` (a dict), each checked against the request model's shape, turned into JSON and the answer
decoded into a `Pullrequest`. Without a network, the figure is the client's own CPU per write, the
strictest form of the per-request overhead of `run.py` scenario 2. A second table times only the body:
`build_required_body` (check and encode) against `json.dumps` of the same dict. Rounds rotate the
contenders; figures are medians (µs per call).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from harness import machine, median

from bitbucket_client import BitbucketCloud
from bitbucket_client._arguments import build_required_body
from bitbucket_client.cloud.models import (
    AccountRef,
    PullRequestBranchRef,
    PullRequestEndpoint,
    PullrequestInput,
)

URL = "https://api.bitbucket.org/2.0/repositories/ws/repo/pullrequests"
REVIEWERS = ["{2f4b8a52-8b5c-4e58-9e2a-5c7e1d9b3a61}", "{5e6f7a8b-8b5c-4e58-9e2a-5c7e1d9b3a62}"]
PAYLOAD: dict[str, Any] = {
    "type": "pullrequest",
    "title": "Add the login page",
    "source": {"branch": {"name": "feature/login"}},
    "destination": {"branch": {"name": "main"}},
    "reviewers": [{"type": "account", "uuid": uuid} for uuid in REVIEWERS],
}
ANSWER = json.dumps({"type": "pullrequest", "id": 7, "title": "Add the login page", "state": "OPEN"}).encode()


def transport() -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(201, content=ANSWER))


def end_to_end(client: BitbucketCloud, raw: httpx.AsyncClient) -> dict[str, Callable[[], Awaitable[Any]]]:
    async def raw_httpx() -> Any:
        return json.loads((await raw.post(URL, json=PAYLOAD)).content)

    async def keyword_dicts() -> Any:
        return await client.pullrequests.create(
            "ws",
            "repo",
            title="Add the login page",
            source={"branch": {"name": "feature/login"}},
            destination={"branch": {"name": "main"}},
            reviewers=[{"uuid": uuid} for uuid in REVIEWERS],
        )

    async def keyword_models() -> Any:
        return await client.pullrequests.create(
            "ws",
            "repo",
            title="Add the login page",
            source=PullRequestEndpoint(branch=PullRequestBranchRef(name="feature/login")),
            destination=PullRequestEndpoint(branch=PullRequestBranchRef(name="main")),
            reviewers=[AccountRef(uuid=uuid) for uuid in REVIEWERS],
        )

    async def body_dict() -> Any:
        return await client.pullrequests.create("ws", "repo", body=PAYLOAD)  # type: ignore[arg-type]

    return {
        "raw httpx (json=, json.loads)": raw_httpx,
        "bitbucket_client, keyword fields as dicts": keyword_dicts,
        "bitbucket_client, keyword fields as models": keyword_models,
        "bitbucket_client, body= dict": body_dict,
    }


def body_only() -> dict[str, Callable[[], Any]]:
    fields = {key: value for key, value in PAYLOAD.items() if key != "type"}
    required = ("title", "source")
    return {
        "json.dumps of the dict": lambda: json.dumps(PAYLOAD),
        "build_required_body (check, encode) + json.dumps": lambda: json.dumps(
            build_required_body(PullrequestInput, PAYLOAD, {}, "pullrequests.create", required)
        ),
        "... from keyword fields": lambda: json.dumps(
            build_required_body(PullrequestInput, None, fields, "pullrequests.create", required)
        ),
    }


def measure(
    contenders: dict[str, Callable[[], Any]], calls: int, runs: int, loop: asyncio.Runner
) -> dict[str, float]:
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    names = list(contenders)

    def once(name: str, count: int) -> float:
        function = contenders[name]
        gc.collect()
        start = time.process_time()
        if asyncio.iscoroutinefunction(function):

            async def many() -> None:
                for _ in range(count):
                    await function()

            loop.run(many())
        else:
            for _ in range(count):
                function()
        return (time.process_time() - start) / count * 1e6

    for name in names:
        once(name, max(50, calls // 20))  # warm-up: lazy imports, compiled shapes, connections
    for run in range(runs):
        for name in names[run % len(names) :] + names[: run % len(names)]:
            samples[name].append(once(name, calls))
    return {name: median(values) for name, values in samples.items()}


def report(title: str, figures: dict[str, float]) -> None:
    baseline = next(iter(figures.values()))
    print(f"\n{title}")
    for name, value in figures.items():
        print(f"  {name:<52} {value:8.1f} µs/call  {value / baseline:5.2f} x")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--calls", type=int, default=3000)
    args = parser.parse_args()
    print("# " + "; ".join(f"{key}: {value}" for key, value in machine().items()))
    with asyncio.Runner() as loop:
        client = BitbucketCloud("T", transport=transport())
        raw = httpx.AsyncClient(transport=transport())
        report(
            "Creating a pull request (client CPU per call)",
            measure(end_to_end(client, raw), args.calls, args.runs, loop),
        )
        loop.run(client.aclose())
        loop.run(raw.aclose())
        report("The body alone", measure(body_only(), args.calls * 10, args.runs, loop))


if __name__ == "__main__":
    main()
