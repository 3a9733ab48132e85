"""is_probably_article: a news lead followed by a long practical list (venues, prices, hotlines) is one article;
a headline list with no lead paragraph is not."""

from __future__ import annotations

from extract.article import is_probably_article, parse_page

LEAD = ("本报讯 记者从市文化和旅游局获悉，5月19日中国旅游日期间，全市38家景区将推出门票半价、夜游延时等惠民措施，"
        "活动时间为5月17日至19日，"
        "市民游客凭身份证即可在景区售票窗口或官方小程序购买优惠门票，具体景区名单及优惠方式如下。")
VENUES = "".join(f"<p>{n}、第{n}号景区</p><p>成人票原价：{60 + n}元</p><p>咨询电话：6688{n:04d}</p>" for n in range(1, 31))
HEADLINES = "".join(f"<p>本市召开第{n}次工作推进会</p><p>2024-05-{n % 28 + 1:02d}</p>" for n in range(1, 40))


def _page(body: str) -> str:
    return f"<html><head><meta charset='utf-8'><title>t</title></head><body><div class='article'>{body}</div></body></html>"


def test_a_lead_then_a_long_list_is_an_article():
    record = parse_page(_page(f"<p>{LEAD}</p>{VENUES}").encode("utf-8"))
    assert record.text.startswith("本报讯") and is_probably_article(record)


def test_a_headline_list_without_a_lead_is_not():
    record = parse_page(_page(HEADLINES).encode("utf-8"))
    assert not is_probably_article(record)
