"""A real HTTP/1.1 server on 127.0.0.1 that misbehaves on purpose, for the fault tests.

It runs in its own thread with its own asyncio loop, so the client under test may run on asyncio or
trio and still talk to it over a real socket (a real connection pool, real resets, real timeouts).
Each test scripts the answers for a method and path; the n-th request gets the n-th `Reply` (the
last one repeats), and the server counts every request it saw, so a test can prove a write was sent
once.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import attrs


@attrs.frozen
class Reply:
    """One scripted answer."""

    status: int = 200
    headers: dict[str, str] = attrs.field(factory=dict)
    body: bytes = b""
    delay: float = 0.0
    """Seconds to wait before the status line."""
    trickle: float | None = None
    """Send the body one byte at a time, this many seconds apart."""
    reset: str | None = None
    """"before": reset the connection instead of answering; "during": after half of the body."""
    black_hole: bool = False
    """Read the request and never answer (the connection stays open)."""
    declared_length: int | None = None
    """A Content-Length other than the body's (a truncated body)."""


def json_reply(status: int, text: str, **headers: str) -> Reply:
    return Reply(status, {"Content-Type": "application/json", **headers}, text.encode())


Responder = Callable[["Request"], Reply]


@attrs.frozen
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class FaultServer:
    """Start with `with FaultServer.running() as server:`; `server.url` is its root."""

    def __init__(self) -> None:
        self._scripts: dict[tuple[str, str], list[Reply] | Responder] = {}
        self._hits: Counter[tuple[str, str]] = Counter()
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    @contextmanager
    def running(cls) -> Iterator[FaultServer]:
        server = cls()
        ready = threading.Event()
        thread = threading.Thread(target=server._serve, args=(ready,), daemon=True)
        thread.start()
        ready.wait(5)
        try:
            yield server
        finally:
            server._loop.call_soon_threadsafe(server._loop.stop)
            thread.join(5)

    def script(self, method: str, path: str, *replies: Reply) -> None:
        with self._lock:
            self._scripts[(method, path)] = list(replies)

    def respond_with(self, method: str, path: str, responder: Responder) -> None:
        with self._lock:
            self._scripts[(method, path)] = responder

    def hits(self, method: str, path: str) -> int:
        with self._lock:
            return self._hits[(method, path)]

    def reset(self) -> None:
        with self._lock:
            self._scripts.clear()
            self._hits.clear()
            self.requests.clear()

    def drop_connections(self) -> None:
        """Close every open connection (black holes included) so nothing lingers between tests."""
        self._loop.call_soon_threadsafe(self._close_all)

    # ---- the server side -------------------------------------------------------------------------

    def _serve(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._connection, "127.0.0.1", 0, backlog=512)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        ready.set()
        self._loop.run_forever()
        self._close_all()
        self._server.close()
        self._loop.close()

    def _close_all(self) -> None:
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._open.add(writer)
        try:
            while await self._one_request(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._open.discard(writer)
            writer.transport.abort()

    async def _one_request(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        path = target.split("?", 1)[0]
        request = Request(method, path, headers, body)
        with self._lock:
            self._hits[(method, path)] += 1
            self.requests.append(request)
            script = self._scripts.get((method, path))
            count = self._hits[(method, path)]
        if script is None:
            reply = json_reply(404, '{"type": "error", "error": {"message": "not scripted"}}')
        elif callable(script):
            reply = script(request)
        else:
            reply = script[min(count, len(script)) - 1]
        return await self._answer(reply, reader, writer)

    async def _answer(self, reply: Reply, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.black_hole:
            await reader.read()  # until the client gives up and closes
            return False
        if reply.reset == "before":
            _reset(writer)
            return False
        length = len(reply.body) if reply.declared_length is None else reply.declared_length
        head = [
            f"HTTP/1.1 {reply.status} {_REASONS.get(reply.status, 'Whatever')}",
            f"Content-Length: {length}",
        ]
        head += [f"{name}: {value}" for name, value in reply.headers.items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        if reply.reset == "during":
            writer.write(reply.body[: len(reply.body) // 2])
            await writer.drain()
            await asyncio.sleep(0.01)
            _reset(writer)
            return False
        if reply.trickle is not None:
            for index in range(len(reply.body)):
                writer.write(reply.body[index : index + 1])
                await writer.drain()
                await asyncio.sleep(reply.trickle)
        else:
            writer.write(reply.body)
        await writer.drain()
        if length != len(reply.body):
            writer.transport.close()  # the promised rest never comes
            return False
        return True


def _reset(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        # Linger 0: closing sends a TCP RST instead of a FIN.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


_REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
    555: "Took Too Long",
}
