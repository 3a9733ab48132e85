"""A fault-injecting HTTP server on 127.0.0.1, bounded in requests and in time.

Each path answers with a `Reply`: an ordinary page, a status with headers, or a transport fault (connection
reset, a hang past the client's timeout, a slow drip, a body shorter than its Content-Length, a body with no
length at all). A `Flaky` path answers its replies in turn (503, 503, then the page). Every request is logged,
so a test can count how often the crawler asked for a path. The server never answers more than
`max_requests` requests and stops itself after `max_seconds`: a crawler bug cannot make a test run forever.
"""

from __future__ import annotations

import logging
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Literal
from urllib.parse import unquote, urlsplit

logger = logging.getLogger(__name__)

HTML_UTF8 = "text/html; charset=utf-8"
Fault = Literal["none", "reset", "reset_mid_body", "hang", "drip", "truncate", "no_length"]


@dataclass(frozen=True)
class Reply:
    """One answer. `fault` says how the transport misbehaves; `fault_arg` is its number (seconds, bytes)."""

    status: int = 200
    body: bytes = b""
    content_type: str | None = HTML_UTF8
    headers: tuple[tuple[str, str], ...] = ()
    fault: Fault = "none"
    fault_arg: float = 0.0


@dataclass
class Flaky:
    """Answers `replies[n]` to the n-th request of its path, the last one ever after."""

    replies: list[Reply]
    served: int = 0

    def next(self) -> Reply:
        reply = self.replies[min(self.served, len(self.replies) - 1)]
        self.served += 1
        return reply


Route = Reply | Flaky | Callable[[str], Reply]


@dataclass
class LoggedRequest:
    path: str  # with its query, as the client sent it
    at: float


@dataclass
class FaultSite:
    """The routes of one site: exact paths first, then the longest matching prefix, else 404."""

    routes: dict[str, Route] = field(default_factory=dict)
    prefixes: dict[str, Callable[[str], Reply]] = field(default_factory=dict)

    def reply_for(self, raw_path: str) -> Reply:
        path = unquote(urlsplit(raw_path).path)  # /files/%E6%96%B9%E6%A1%88.pdf is the route /files/方案.pdf
        route = self.routes.get(path)
        if route is None:
            for prefix in sorted(self.prefixes, key=len, reverse=True):
                if path.startswith(prefix):
                    return self.prefixes[prefix](raw_path)
            return Reply(404, "<html><body>页面不存在</body></html>".encode())
        if isinstance(route, Reply):
            return route
        if isinstance(route, Flaky):
            return route.next()
        return route(raw_path)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # socketserver's 5 drops connections when a crawl opens many at once

    def __init__(self, owner: FaultServer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.owner = owner

    def handle_error(self, request, client_address) -> None:  # a client hanging up mid-fault is expected
        logger.debug("fault server: client %s went away", client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "nginx"
    sys_version = ""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
        logger.debug("fault server: " + format, *args)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        owner = self.server.owner
        reply = owner.admit(self.path)
        try:
            owner.perform(self, reply)
        except OSError:  # the crawler gave up (timeout) and closed the socket
            self.close_connection = True


class FaultServer:
    """A hostile site on a random port of 127.0.0.1.

    >>> with FaultServer(FaultSite({"/a.html": Reply(body=b"...")})) as server:
    ...     server.url("/a.html")
    """

    def __init__(self, site: FaultSite, *, max_requests: int = 2000, max_seconds: float = 180.0) -> None:
        self.site = site
        self.max_requests = max_requests
        self.max_seconds = max_seconds
        self.requests: list[LoggedRequest] = []
        self.over_budget = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._deadline: threading.Timer | None = None

    # --- lifecycle -----------------------------------------------------------------------------------
    def start(self) -> FaultServer:
        self._server = _Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fault-server", daemon=True)
        self._thread.start()
        self._deadline = threading.Timer(self.max_seconds, self._expire)
        self._deadline.daemon = True
        self._deadline.start()
        return self

    def _expire(self) -> None:
        logger.warning("fault server: %.0f s budget spent, refusing further work", self.max_seconds)
        self._stopping.set()

    def stop(self) -> None:
        self._stopping.set()  # wakes hanging and dripping handlers
        if self._deadline is not None:
            self._deadline.cancel()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start the server first"
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    # --- what tests read -----------------------------------------------------------------------------
    def hits(self, path: str, *, with_query: bool = False) -> int:
        """How many requests asked for `path` (query ignored unless `with_query`)."""
        with self._lock:
            if with_query:
                return sum(1 for r in self.requests if unquote(r.path) == path)
            return sum(1 for r in self.requests if unquote(urlsplit(r.path).path) == path)

    def paths(self) -> list[str]:
        with self._lock:
            return [r.path for r in self.requests]

    # --- serving -------------------------------------------------------------------------------------
    def admit(self, raw_path: str) -> Reply:
        with self._lock:
            self.requests.append(LoggedRequest(raw_path, time.monotonic()))
            over = len(self.requests) > self.max_requests or self._stopping.is_set()
            if over:
                self.over_budget += 1
            else:
                return self.site.reply_for(raw_path) if raw_path != "/robots.txt" else _ROBOTS
        return Reply(503, b"fault server budget exhausted", "text/plain")

    def perform(self, handler: _Handler, reply: Reply) -> None:
        if reply.fault == "reset":
            _reset(handler)
            return
        if reply.fault == "hang":
            self._stopping.wait(reply.fault_arg)
            _reset(handler)
            return
        body = reply.body
        handler.send_response(reply.status)
        if reply.content_type:
            handler.send_header("Content-Type", reply.content_type)
        for name, value in reply.headers:
            handler.send_header(name, value)
        if reply.fault == "truncate":
            declared = len(body)
            body = body[: int(reply.fault_arg)]
            handler.send_header("Content-Length", str(declared))
        elif reply.fault == "reset_mid_body":
            handler.send_header("Content-Length", str(len(body)))
        elif reply.fault != "no_length":
            handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        if reply.fault == "drip":
            for i in range(0, len(body), 16):
                if self._stopping.wait(reply.fault_arg):
                    break
                handler.wfile.write(body[i : i + 16])
                handler.wfile.flush()
        elif reply.fault == "reset_mid_body":
            handler.wfile.write(body[: len(body) // 3])
            handler.wfile.flush()
            _reset(handler)
        elif reply.fault == "no_length":
            for i in range(0, len(body), 1 << 20):
                if self._stopping.is_set():
                    break
                handler.wfile.write(body[i : i + (1 << 20)])
        else:
            handler.wfile.write(body)
        handler.close_connection = True


_ROBOTS = Reply(200, b"User-agent: *\nAllow: /\n", "text/plain")


def _reset(handler: BaseHTTPRequestHandler) -> None:
    """Close with SO_LINGER 0: the kernel answers with RST, which the client sees as a connection reset."""
    sock = handler.connection
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    except OSError:
        pass
    handler.close_connection = True
