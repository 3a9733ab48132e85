"""Datasette plugin: the published pages never show where the database lives on the server.

`/-/databases.json` lists each database's absolute path (`/srv/crawler/data/policy.db`): a visitor learns the
server's layout and user names from it. Every response of datasette's introspection pages (`/-/…`) has the
folders of the served files cut out, so a path reads as the file name alone.
"""

from __future__ import annotations

from pathlib import Path

from datasette import hookimpl


def _folders(datasette) -> list[bytes]:
    """The served files' folders with their trailing separator, longest first (as bytes, in the body)."""
    found = {str(Path(db.path).parent) + "/" for db in datasette.databases.values() if db.path}
    return sorted((f.encode() for f in found), key=len, reverse=True)


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def without_paths(scope, receive, send):
            if scope["type"] != "http" or not scope.get("path", "").startswith("/-/"):
                await app(scope, receive, send)
                return
            start: dict = {}
            body: list[bytes] = []

            async def hold(message):
                if message["type"] == "http.response.start":
                    start.update(message)
                    return
                body.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                whole = b"".join(body)
                for folder in _folders(datasette):
                    whole = whole.replace(folder, b"")
                headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
                await send({**start, "headers": [*headers, (b"content-length", str(len(whole)).encode())]})
                await send({"type": "http.response.body", "body": whole})

            await app(scope, receive, hold)

        return without_paths

    return wrap
