"""A parser never fetches (issue 21, item 1): a page whose text is a URL must not make parse_page request it."""

from __future__ import annotations

import socket
import threading
import urllib.request
from collections.abc import Iterator

import pytest

from extract.article import parse_page

_REPLY = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nConnection: close\r\n\r\n"
    b"<html><head><meta name='PubDate' content='2001-01-01'></head><body>internal</body></html>"
)


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection and every byte sent to it."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.received = b""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            with conn:
                conn.settimeout(1.0)
                try:
                    self.received += conn.recv(65536)
                    conn.sendall(_REPLY)
                except OSError:
                    pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


def test_the_listener_sees_a_real_request(listener: Listener):
    """The control: a request that does leave is seen, so the silence below means something."""
    with urllib.request.urlopen(f"http://127.0.0.1:{listener.port}/probe", timeout=5) as response:
        response.read()
    assert listener.connections == 1
    assert listener.received.startswith(b"GET /probe")


@pytest.mark.parametrize(
    "make_body",
    [
        lambda port: f"http://127.0.0.1:{port}/internal-admin".encode(),
        lambda port: f"http://127.0.0.1:{port}/internal-admin",
        lambda port: f"https://127.0.0.1:{port}/internal-admin?token=1".encode(),
        lambda port: f"http://127.0.0.1:{port}/a\n".encode("utf-16"),
    ],
    ids=["bytes", "str", "https-query", "utf-16"],
)
def test_a_page_that_is_a_url_sends_no_byte(listener: Listener, make_body):
    record = parse_page(make_body(listener.port))
    assert listener.connections == 0
    assert listener.received == b""
    assert record.published_at != "2001-01-01"
