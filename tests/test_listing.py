"""List pages: detail links by pattern, TRS and "下一页" paging, JSON API paging."""

from __future__ import annotations

import pytest

from extract.listing import detail_links, dig, next_list_pages, trs_pages, with_page_param

TRS_LIST = """<html><body>
<ul class="list">
  <li><a href="./202104/t20210427_1234567.html" target="_blank">关于印发《湖南省数字政府建设实施方案》的通知</a><span>2021-04-27</span></li>
  <li><a href="./202104/t20210420_1234000.html">湖南省人民政府办公厅关于加快新型基础设施建设的意见</a><span>2021/4/20</span></li>
  <li><a href="./202104/t20210427_1234567.html#comment">重复链接</a></li>
  <li><a href="/col/col_ztzl/index.html">专题专栏</a></li>
  <li><a href="javascript:void(0)">打印</a></li>
</ul>
<div class="page"><script>createPageHTML(3, 0, "index", "html");</script>
<a href="index_1.html">下一页</a></div>
</body></html>"""


def test_detail_links_follow_the_pattern_in_page_order_with_dates():
    links = detail_links(TRS_LIST, "http://www.hunan.gov.cn/col/col_tzgg/index.html", r"/t\d{8}_\d+\.html$")
    assert [(link.url, link.date) for link in links] == [
        ("http://www.hunan.gov.cn/col/col_tzgg/202104/t20210427_1234567.html", "2021-04-27"),
        ("http://www.hunan.gov.cn/col/col_tzgg/202104/t20210420_1234000.html", "2021-04-20"),
    ]
    assert links[0].text == "关于印发《湖南省数字政府建设实施方案》的通知"


def test_trs_create_page_html_gives_every_list_page():
    base = "http://www.hunan.gov.cn/col/col_tzgg/index.html"
    assert trs_pages(TRS_LIST, base) == [
        "http://www.hunan.gov.cn/col/col_tzgg/index.html",
        "http://www.hunan.gov.cn/col/col_tzgg/index_1.html",
        "http://www.hunan.gov.cn/col/col_tzgg/index_2.html",
    ]
    assert next_list_pages(TRS_LIST, base, "trs") == [
        "http://www.hunan.gov.cn/col/col_tzgg/index_1.html",
        "http://www.hunan.gov.cn/col/col_tzgg/index_2.html",
    ]


@pytest.mark.parametrize("label", ["下一页", "下页", "下一頁", "next"])
def test_next_link_paging(label):
    page = f'<div class="pages"><a href="list_1.html">上一页</a><a href="list_3.html">{label}</a></div>'
    assert next_list_pages(page, "http://news.example.cn/news/list_2.html", "next_link") == [
        "http://news.example.cn/news/list_3.html"
    ]


@pytest.mark.parametrize("bad", ["", "   ", "\x00\x01binary", "<html><a href='x'>"])
def test_broken_list_pages_give_no_links_and_no_error(bad):
    assert detail_links(bad, "http://x.cn/", r"\d+\.html") == []
    assert next_list_pages(bad, "http://x.cn/", "trs") == []


def test_json_paths_and_page_parameter():
    data = {"searchVO": {"totalpage": 7, "listVO": [{"url": "/a"}]}}
    assert dig(data, "searchVO.totalpage") == 7
    assert dig(data, "searchVO.listVO.0.url") == "/a"
    assert dig(data, "searchVO.missing.x") is None
    assert with_page_param("http://s.cn/data?t=zc&p=1&n=20", "p", 3) == "http://s.cn/data?t=zc&n=20&p=3"
