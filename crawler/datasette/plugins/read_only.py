"""Datasette plugin: the published database is read-only, so a request that would change it gets a 405.

Datasette answers a POST to a table with an AssertionError ("You may only POST to a canned query"), a 500 that
looks like a crash; our canned queries all read, so only GET, HEAD and OPTIONS have anything to do here.
"""

from __future__ import annotations

from datasette import hookimpl

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_REFUSAL = b"This database is published read-only: use GET.\n"


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def read_only(scope, receive, send):
            if scope["type"] == "http" and scope["method"] not in READ_METHODS:
                await send({"type": "http.response.start", "status": 405, "headers": [
                    (b"allow", b"GET, HEAD, OPTIONS"), (b"content-type", b"text/plain; charset=utf-8")]})
                await send({"type": "http.response.body", "body": _REFUSAL})
                return
            await app(scope, receive, send)

        return read_only

    return wrap
