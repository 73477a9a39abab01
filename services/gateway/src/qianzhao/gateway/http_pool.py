"""A lean keep-alive HTTP/1.1 client for subgraph POSTs (asyncio protocol + httptools parser).

httpx's pool scans every connection on each request and re-imports on every lock it makes; under 32
concurrent operations that cost more CPU than planning and executing them. Subgraph calls are one shape only —
POST JSON to a known http:// URL — so a small pool per subgraph does the job: idle connections are reused LIFO,
a connection the server closed while idle is replaced transparently, and each request has a deadline.
"""

from __future__ import annotations

import asyncio
from collections import deque
from urllib.parse import urlsplit

import httptools


class PoolError(Exception):
    pass


class ConnectFailed(PoolError):
    pass


class _Connection(asyncio.Protocol):
    def __init__(self, pool: HostPool):
        self.pool = pool
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future | None = None
        self.body: list[bytes] = []
        self.closed = False
        self.keep_alive = True
        self.got_bytes = False

    # asyncio.Protocol
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data: bytes):
        self.got_bytes = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(PoolError(f"invalid HTTP response: {exc}"))
            self.close()

    def connection_lost(self, exc):
        self.closed = True
        self._fail(PoolError("connection closed by the subgraph" if exc is None else str(exc)))

    # httptools callbacks
    def on_body(self, body: bytes):
        self.body.append(body)

    def on_message_complete(self):
        self.keep_alive = self.parser.should_keep_alive()
        status = self.parser.get_status_code()
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result((status, b"".join(self.body)))

    def _fail(self, exc: Exception):
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc)

    def close(self):
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def send(self, data: bytes) -> asyncio.Future:
        self.body = []
        self.got_bytes = False
        self.parser = httptools.HttpResponseParser(self)
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(data)
        return self.waiter


class HostPool:
    """Keep-alive connections to one subgraph URL."""

    def __init__(self, url: str, max_connections: int = 200):
        parts = urlsplit(url)
        if parts.scheme != "http":
            raise ValueError("HostPool speaks plain http only")
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.authority = parts.netloc.encode()
        self.idle: deque[_Connection] = deque()
        self.limit = asyncio.Semaphore(max_connections)

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        try:
            _, conn = await loop.create_connection(lambda: _Connection(self), self.host, self.port)
        except OSError as exc:
            raise ConnectFailed(str(exc)) from exc
        return conn

    def _request_bytes(self, body: bytes, headers: dict[str, str]) -> bytes:
        lines = [b"POST " + self.path.encode() + b" HTTP/1.1", b"host: " + self.authority,
                 b"content-type: application/json", b"content-length: " + str(len(body)).encode()]
        for k, v in headers.items():
            lines.append(k.encode() + b": " + v.encode("latin-1", "replace"))
        return b"\r\n".join(lines) + b"\r\n\r\n" + body

    async def post(self, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, bytes]:
        data = self._request_bytes(body, headers)
        async with self.limit:
            for attempt in (0, 1):
                conn = None
                while self.idle:
                    candidate = self.idle.pop()
                    if not candidate.closed:
                        conn = candidate
                        break
                reused = conn is not None
                if conn is None:
                    conn = await asyncio.wait_for(self._connect(), timeout)
                try:
                    status, payload = await asyncio.wait_for(conn.send(data), timeout)
                except PoolError:
                    conn.close()
                    if reused and attempt == 0 and not conn.got_bytes:
                        continue  # the subgraph closed an idle keep-alive connection; try a fresh one
                    raise
                except BaseException:
                    conn.close()
                    raise
                if conn.keep_alive and not conn.closed:
                    self.idle.append(conn)
                else:
                    conn.close()
                return status, payload
        raise PoolError("unreachable")  # pragma: no cover

    def close(self) -> None:
        while self.idle:
            self.idle.pop().close()
