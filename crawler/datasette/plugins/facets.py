"""Datasette plugin: facets an analyst can read — division names instead of bare codes, and each facet once.

`articles.region_code` is no foreign key (an article may name a division the table lacks), so datasette would
facet it as 430000; the `region` facet type (`facets: [{region: region_code}]` in metadata.yaml) labels each
code with its name from `regions`. And datasette shows a facet twice (region, region_2) when the URL asks for
one the metadata already shows (`?_facet=region`, as a link pasted from elsewhere does): such a request is
dropped before datasette sees it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode

from datasette import hookimpl
from datasette.facets import ColumnFacet

_TABLE_SUFFIXES = (".json", ".csv")


class RegionFacet(ColumnFacet):
    """A column facet over a division code whose values show the division's name (湖南省 for 430000)."""

    type = "region"

    async def suggest(self) -> list:
        return []  # only where metadata.yaml asks for it

    async def facet_results(self) -> tuple[list, list]:
        results, timed_out = await super().facet_results()
        codes = sorted({str(v["value"]) for facet in results for v in facet["results"]})
        if codes:
            rows = await self.ds.execute(
                self.database,
                f"SELECT code, name FROM regions WHERE code IN ({', '.join('?' * len(codes))})",
                codes,
            )
            names = {code: name for code, name in rows.rows}
            for facet in results:
                for value in facet["results"]:
                    value["label"] = names.get(str(value["value"]), value["value"])
        return results, timed_out


@hookimpl
def register_facet_classes():
    return [RegionFacet]


def configured_facet_columns(datasette: Any, database: str, table: str) -> set[str]:
    """The columns metadata.yaml already facets for `table`, whatever the facet type."""
    columns = set()
    for config in datasette.metadata("facets", database=database, table=table) or []:
        if isinstance(config, str):
            columns.add(config)
        elif isinstance(config, dict):
            columns.update(v for v in config.values() if isinstance(v, str))
    return columns


def without_repeated_facets(datasette: Any, path: str, query_string: bytes) -> bytes:
    """`query_string` less the `_facet=` requests for facets the table's page already shows."""
    if b"_facet" not in query_string:
        return query_string
    parts = unquote(path).strip("/").split("/")
    if len(parts) != 2:
        return query_string
    database, table = parts
    for suffix in _TABLE_SUFFIXES:
        table = table.removesuffix(suffix)
    shown = configured_facet_columns(datasette, database, table)
    pairs = parse_qsl(query_string.decode("utf-8", "replace"), keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not (k == "_facet" and v in shown)]
    return query_string if len(kept) == len(pairs) else urlencode(kept).encode("ascii")


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def facets_once(scope, receive, send):
            if scope["type"] == "http":
                query = without_repeated_facets(datasette, scope.get("path", ""), scope.get("query_string", b""))
                if query is not scope.get("query_string"):
                    scope = dict(scope, query_string=query)
            await app(scope, receive, send)

        return facets_once

    return wrap
