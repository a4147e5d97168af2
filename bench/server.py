"""A small HTTP/1.1 server on loopback that answers like Bitbucket, for the benchmarks.

    python bench/server.py [--port 0] [--total 5000] [--latency-ms 0]

It prints `PORT <n>` on stdout once listening, and serves until killed. It runs in its own process, so
its CPU time never lands in the measured client's process (the bench machine has 2 cores: one for the
client, one for this server).

Routes (GET only; `?latency_ms=` on any request overrides `--latency-ms` for that response):

    /2.0/repositories/{ws}/{repo}                                   Cloud repository
    /2.0/repositories/{ws}/{repo}/pullrequests?page=&pagelen=       Cloud page: size, page, pagelen, next
    /2.0/repositories/{ws}/{repo}/pullrequests/{id}                 Cloud pull request
    /rest/api/{v}/projects/{key}/repos/{slug}/pull-requests?start=&limit=
                                                         Data Center page: isLastPage, nextPageStart
    /rest/api/{v}/projects/{key}/repos/{slug}/pull-requests/{id}   Data Center pull request

Anything before `/2.0/` is ignored, and trailing slashes too. Lists hold `--total` pull requests.
Bodies come from `bench/data.py` (deterministic) and are cached once built, so that serving costs
the server little CPU. The latency is added per response with `loop.call_later`, so concurrent
requests (keep-alive connections of a prefetching client) wait in parallel, as on a real network.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import OrderedDict
from pathlib import Path
from urllib.parse import parse_qsl

sys.path.insert(0, str(Path(__file__).resolve().parent))

import data

CACHE_BYTES = 800 * 2**20  # bodies kept once built (the 100,000-item lists of the memory scenario fit)


class Handler(asyncio.Protocol):
    def __init__(self, app: App) -> None:
        self.app = app
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, chunk: bytes) -> None:
        self.buffer += chunk
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
            self.handle(head)

    def handle(self, head: bytes) -> None:
        lines = head.split(b"\r\n")
        method, target, _version = lines[0].split(b" ", 2)
        host = b"127.0.0.1"
        close = False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            lower = name.strip().lower()
            if lower == b"host":
                host = value.strip()
            elif lower == b"connection" and value.strip().lower() == b"close":
                close = True
        status, body, latency = self.app.respond(method.decode(), target.decode(), host.decode())
        reason = {200: b"OK", 404: b"Not Found", 405: b"Method Not Allowed"}[status]
        response = (
            b"HTTP/1.1 %d %s\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: %d\r\n%s\r\n"
            % (status, reason, len(body), b"Connection: close\r\n" if close else b"")
        ) + body
        if latency > 0:
            asyncio.get_running_loop().call_later(latency, self.send, response, close)
        else:
            self.send(response, close)

    def send(self, response: bytes, close: bool) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        self.transport.write(response)
        if close:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None


class App:
    def __init__(self, total: int, latency_ms: float) -> None:
        self.total = total
        self.latency = latency_ms / 1000
        self.cache: OrderedDict[tuple[object, ...], bytes] = OrderedDict()
        self.cached_bytes = 0

    def cached(self, key: tuple[object, ...], build: object) -> bytes:
        body = self.cache.get(key)
        if body is None:
            assert callable(build)
            body = data.dumps(build())
            self.cache[key] = body
            self.cached_bytes += len(body)
            while self.cached_bytes > CACHE_BYTES:
                self.cached_bytes -= len(self.cache.popitem(last=False)[1])
        return body

    def respond(self, method: str, target: str, host: str) -> tuple[int, bytes, float]:
        path, _, query = target.partition("?")
        params = dict(parse_qsl(query))
        latency = float(params["latency_ms"]) / 1000 if "latency_ms" in params else self.latency
        if method != "GET":
            return 405, b'{"error":{"message":"GET only"}}', latency
        parts = [part for part in path.split("/") if part]
        base = f"http://{host}"
        if "2.0" in parts and parts[parts.index("2.0") + 1 : parts.index("2.0") + 2] == ["repositories"]:
            rest = parts[parts.index("2.0") + 2 :]
            if len(rest) == 2:
                ws, repo = rest
                return (
                    200,
                    self.cached(("repo", base, ws, repo), lambda: data.cloud_repository(base, ws, repo)),
                    latency,
                )
            if len(rest) == 3 and rest[2] == "pullrequests":
                ws, repo, _ = rest
                page = int(params.get("page", "1"))
                pagelen = min(int(params.get("pagelen", "10")), 100)
                list_url = f"{base}/2.0/repositories/{ws}/{repo}/pullrequests"
                key = ("cloud-page", list_url, page, pagelen)
                return (
                    200,
                    self.cached(key, lambda: data.cloud_page(page, pagelen, self.total, list_url)),
                    latency,
                )
            if len(rest) == 4 and rest[2] == "pullrequests" and rest[3].isdigit():
                number = int(rest[3])
                key = ("cloud-pr", number)
                return (
                    200,
                    self.cached(key, lambda: data.cloud_pr(number, rest[0], rest[1], detail=True)),
                    latency,
                )
        if (
            parts[:2] == ["rest", "api"]
            and len(parts) >= 8
            and parts[3] == "projects"
            and parts[5] == "repos"
        ):
            project, slug, tail = parts[4], parts[6], parts[7:]
            if tail == ["pull-requests"]:
                start = int(params.get("start", "0"))
                limit = min(int(params.get("limit", "25")), 1000)
                key = ("dc-page", start, limit)
                return 200, self.cached(key, lambda: data.dc_page(start, limit, self.total)), latency
            if len(tail) == 2 and tail[0] == "pull-requests" and tail[1].isdigit():
                number = int(tail[1])
                return 200, self.cached(("dc-pr", number), lambda: data.dc_pr(number, project, slug)), latency
        return 404, b'{"errors":[{"message":"no such route in the bench server"}]}', latency


async def serve(port: int, total: int, latency_ms: float) -> None:
    app = App(total, latency_ms)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Handler(app), "127.0.0.1", port, backlog=1024)
    bound = server.sockets[0].getsockname()[1]
    print(f"PORT {bound}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--total", type=int, default=5000, help="pull requests in each list")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every response")
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.port, args.total, args.latency_ms))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
