"""Helpers of the spider parse tests: a spider bound to a crawler, responses made from recorded pages, and the
requests a parse method yields reduced to what the crawl acts on (URL, callback, hint)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import HtmlResponse, Request, TextResponse, XmlResponse
from scrapy.utils.test import get_crawler

from crawler.registry import SiteEntry, load_registry

PAGES = Path(__file__).parent / "data" / "pages"


def live_entry(name: str) -> SiteEntry:
    return load_registry().get(name)


def spider_for(spider_cls: type, entry: SiteEntry) -> Any:
    crawler = get_crawler(spider_cls, {"ATTACHMENT_TYPES": ["pdf", "docx", "doc"], "ATTACHMENT_MAX_BYTES": 1000})
    spider = spider_cls.from_crawler(crawler, entry=entry)
    crawler.spider = spider
    return spider


def recorded(site: str, name: str, url: str, kind: str = "html", headers: dict[str, str] | None = None,
             meta: dict[str, Any] | None = None) -> TextResponse:
    """A response carrying a page of tests/data/pages/<site>/, as if fetched from `url`."""
    body = (PAGES / site / name).read_bytes()
    cls = {"html": HtmlResponse, "xml": XmlResponse, "json": TextResponse}[kind]
    request = Request(url, meta=meta or {})
    return cls(url=url, body=body, headers=headers or {}, request=request)


def summary(output: list[Any]) -> list[dict[str, Any]]:
    """Requests as {url, page_kind, hint}; items are left out (tests compare them whole on their own)."""
    rows = []
    for out in output:
        if isinstance(out, scrapy.Request):
            row = {"url": out.url, "page_kind": out.meta.get("page_kind")}
            if out.meta.get("page_kind") == "detail":
                row["hint"] = out.meta.get("hint")
            rows.append(row)
    return rows
