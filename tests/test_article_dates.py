"""The date a page shows against `<meta name="PubDate">` (issue 18): on some portals the meta tag is the time the
page was last regenerated, weeks or years after publication. Where they disagree, the page's own date wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.article import parse_page

PAGES = Path(__file__).parent / "data" / "pages"


def test_visible_publication_date_beats_a_regenerated_meta_date():
    page = PAGES / "regenerated_pubdate" / "t20210615_4123456.html"
    record = parse_page(page.read_bytes(), "http://www.yueyang.gov.cn/zwdt/202106/t20210615_4123456.html")
    assert (record.published_at, record.fields_from["published_at"]) == ("2021-06-15T09:12:00", "table")


def _page(meta_date: str, shown: str) -> str:
    return (
        f"<html><head><meta name='PubDate' content='{meta_date}'><title>某县关于做好防汛工作的通知</title></head>"
        f"<body><h1>某县关于做好防汛工作的通知</h1>{shown}"
        "<div class='content'><p>各乡镇人民政府：为切实做好今年防汛工作，确保人民群众生命财产安全，现将有关事项通知如下。"
        "各地要在5月底前完成隐患排查，落实防汛物资储备。</p></div></body></html>"
    )


@pytest.mark.parametrize(
    ("meta_date", "shown", "expected", "layer"),
    [
        # agree on the day: the meta tag's time is kept
        ("2023-05-10 08:30:00", "<div class='info'>发布时间：2023-05-10</div>", "2023-05-10T08:30:00", "meta"),
        # a by-line date differs: the page wins
        ("2024-11-28 16:02", "<div class='info'>发布时间：2019年05月10日</div>", "2019-05-10", "table"),
        # the 信息公开 table's 发布日期 differs: the page wins
        ("2024-11-28", "<table><tr><td>发布日期：</td><td>2020-03-02</td></tr></table>", "2020-03-02", "table"),
        # only a 成文日期, years before the meta date: a regenerated page, the 成文日期 stands in
        ("2024-11-28", "<table><tr><td>成文日期：</td><td>2019-04-01</td></tr></table>", "2019-04-01", "table"),
        # only a 成文日期, a week before the meta date: an ordinary publication, the meta tag stands
        ("2019-04-08", "<table><tr><td>成文日期：</td><td>2019-04-01</td></tr></table>", "2019-04-08", "meta"),
        # a meeting's "时间：" is not the publication date
        ("2023-05-10", "<p>会议时间：2023年6月1日</p>", "2023-05-10", "meta"),
    ],
)
def test_visible_date_against_meta_pubdate(meta_date: str, shown: str, expected: str, layer: str):
    record = parse_page(_page(meta_date, shown))
    assert (record.published_at, record.fields_from["published_at"]) == (expected, layer)
