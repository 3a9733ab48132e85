"""Smaller hostile inputs (issue 21, item 11): a stray UTF-16 byte-order mark before a UTF-8 page, and a POST
to the published database."""

from __future__ import annotations

import asyncio
import codecs

import pytest

from crawler.publish import datasette_app
from crawler.store import Store
from extract.encoding import decode_html

PAGE = '<html><head><meta charset="utf-8"><title>关于印发充电设施建设方案的通知</title></head><body>正文</body></html>'


@pytest.mark.parametrize(
    "marks",
    [codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF16_LE + codecs.BOM_UTF8],
    ids=["utf-16-le", "utf-16-be", "utf-32-le", "utf-16-le then utf-8"],
)
def test_a_stray_utf16_mark_before_utf8_bytes_keeps_the_page(marks):
    text, encoding = decode_html(marks + PAGE.encode("utf-8"))
    assert (text, encoding) == (PAGE, "utf-8")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_a_real_utf16_page_is_still_read_by_its_mark(codec):
    body = PAGE.encode(codec) if codec != "utf-16-be" else codecs.BOM_UTF16_BE + PAGE.encode(codec)
    assert decode_html(body)[0] == PAGE


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    path = tmp_path_factory.mktemp("publish") / "policy.db"
    Store(path)
    return datasette_app(path)


@pytest.mark.parametrize("path", ["/policy/articles", "/policy/articles.json", "/policy/v_targets", "/policy"])
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_writing_to_the_published_database_is_405_not_a_crash(published, path, method):
    response = asyncio.run(published.client.request(method, path, data={"title": "x"}))
    assert response.status_code == 405 and "GET" in response.headers["allow"]


def test_reading_the_published_database_still_works(published):
    response = asyncio.run(published.client.get("/policy/articles.json?_shape=array"))
    assert response.status_code == 200 and response.json() == []


@pytest.mark.parametrize("path", ["/-/databases.json", "/-/databases"])
def test_the_published_pages_do_not_show_where_the_database_lives(tmp_path, path):
    db = tmp_path / "srv" / "crawler" / "policy.db"
    Store(db)
    response = asyncio.run(datasette_app(db).client.get(path))
    assert response.status_code == 200
    assert str(tmp_path) not in response.text and "policy.db" in response.text
    if path.endswith(".json"):
        assert [d["path"] for d in response.json()] == ["policy.db"]
