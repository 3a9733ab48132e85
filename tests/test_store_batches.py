"""Articles are written in batches (crawler/article_writer.py, pipelines/store.py): the rows must be those of one
article at a time, and one bad article must cost only itself."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from scrapy import Spider
from scrapy.utils.test import get_crawler

from crawler.items import FetchedAttachment, FetchedPage
from crawler.store import Store
from extract.records import ArticleFacts, PageRecord, Policy, RegionMention, Target
from pipelines.store import StoragePipeline

REPORT = ("湖南省人民政府办公厅日前印发《湖南省区块链产业发展三年行动计划(2021-2023年)》。计划提出，到2023年，"
          "全省建成10个以上区块链公共服务平台，培育50家以上区块链骨干企业，长沙市打造区块链产业集聚区，"
          "区块链产业规模达到100亿元。省工业和信息化厅负责统筹推进，各市州结合实际制定配套措施。")
OTHER = ("广东省发展改革委近日发布数字经济发展规划，提出到2025年数字经济增加值占地区生产总值比重达到55%，"
         "建成5G基站25万个，培育20个以上数字经济产业园区，广州、深圳两地建设国家级数据中心集群。")


def _page(url: str, text: str, *, site: str = "sample_gov_gbk", year: int = 2023, value: float = 10) -> FetchedPage:
    title = text[:20]
    record = PageRecord(url=url, title=title, published_at="2021-04-27", source="湖南日报", text=text,
                        text_original=text, language="zh-Hans", encoding="utf-8")
    policy = Policy(title="湖南省区块链产业发展三年行动计划(2021-2023年)", issuer="湖南省工业和信息化厅",
                    region="湖南省", issued_on="2021-04-27", period_start=2021, period_end=2023,
                    doc_type="行动计划", spans=[(12, 40)])
    targets = [Target(region="湖南省", year=year, metric="区块链公共服务平台", value=value, value_max=None, unit="个",
                      qualifier="at_least", text="10个以上区块链公共服务平台", start=50, end=64,
                      policy_title=policy.title),
               Target(region="长沙市", year=year, metric="区块链骨干企业", value=50, value_max=None, unit="家",
                      qualifier="at_least", text="50家以上区块链骨干企业", start=66, end=78, policy_title=None)]
    facts = ArticleFacts(file=url, title=title, language="zh-Hans", regions_mentioned=["湖南省"], source="湖南日报",
                         author=None, policies=[policy], targets=targets,
                         region_mentions=[RegionMention("湖南省", "430000", 0, 3, "湖南省")],
                         keywords=[("区块链", 0.9), ("公共服务平台", 0.5)])
    return FetchedPage(site=site, url=url, final_url=url, status=200, content_type="text/html",
                       declared_encoding="utf-8", body=f"<html><body><p>{text}</p></body></html>".encode(),
                       fetched_at="2021-04-28T00:00:00+00:00", record=record, facts=facts,
                       attachment_links=[{"url": url + ".pdf", "name": "附件", "type": "pdf"}])


def _pages() -> list[FetchedPage]:
    """Two copies of one report on two sites, an unrelated report, and the first one changed later."""
    return [
        _page("http://a.example.cn/1.html", REPORT),
        _page("http://b.example.cn/7.html", REPORT + "（来源：湖南日报）", site="sample_news_hans"),
        _page("http://a.example.cn/2.html", OTHER, year=2025, value=25),
        _page("http://a.example.cn/1.html", REPORT.replace("100亿元", "120亿元"), value=12),
    ]


_COMPARED = {
    "pages": "url, final_url, status, body, body_hash, hint",
    "articles": "url, title, text, content_hash, region_code, story_id, fields_from, first_seen_run, last_seen_run",
    "article_versions": "article_id, content_hash, title",
    "targets": "article_id, policy_id, region_code, year, metric, value, unit, consolidated_id",
    "consolidated_targets": "id, region_code, year, metric_key, value, unit, amount_key, policy_id",
    "stories": "id, canonical_article_id, size",
    "story_bands": "article_id, band, hash",
    "keywords": "article_id, word, weight",
    "article_regions": "article_id, region_code, mentions",
    "policies": "id, norm_title, issuer, region_code, field_sources",
    "policy_mentions": "policy_id, article_id, span_start, span_end",
    "attachments": "url, article_id, status",
    "articles_search": "article_id, title_seg, text_seg",
}


def _rows(db: Path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(db)
    try:
        return {t: con.execute(f"SELECT {cols} FROM {t} ORDER BY {cols}").fetchall() for t, cols in _COMPARED.items()}
    finally:
        con.close()


def test_a_batch_writes_the_rows_of_one_article_at_a_time(tmp_path):
    one, batched = Store(tmp_path / "one.db"), Store(tmp_path / "batched.db")
    run_one, run_batched = one.start_run({}), batched.start_run({})
    outcomes_one = [one.save_article(page, run_one) for page in _pages()]
    outcomes_batched = batched.save_articles(_pages(), run_batched)
    assert outcomes_one == outcomes_batched == ["new", "new", "new", "updated"]
    rows = _rows(batched.db_path)
    assert rows == _rows(one.db_path)
    assert len(rows["article_versions"]) == 4  # the change is a second version
    stories = {story for (_url, _t, _x, _h, _r, story, *_rest) in rows["articles"]}
    assert len(stories) == 2  # the two copies share a story, the other report has its own
    assert len(rows["attachments"]) == 3 and {status for _u, _a, status in rows["attachments"]} == {"pending"}


class _Spider(Spider):
    name = "batch_test"
    site_name = "sample_gov_gbk"


def _pipeline(db: Path, **settings) -> StoragePipeline:
    crawler = get_crawler(_Spider, {"DB_PATH": str(db), **settings})
    crawler.spider = crawler._create_spider()
    pipeline = StoragePipeline.from_crawler(crawler)
    pipeline.open_spider(crawler.spider)
    return pipeline


def test_one_article_that_cannot_be_stored_costs_only_itself(tmp_path):
    db = tmp_path / "policy.db"
    pipeline = _pipeline(db, STORE_BATCH_SIZE=10, STORE_BATCH_SECONDS=60)
    good = _pages()[:3]
    broken = _page("http://a.example.cn/broken.html", OTHER)
    broken.record = None  # analysis left nothing to store
    attachment = FetchedAttachment(site="sample_gov_gbk", article_url=good[0].url, url=good[0].url + ".pdf",
                                   name="附件", declared_type="pdf", status=200, body=b"%PDF-1.4 not really",
                                   type="pdf", text="", text_status="corrupt", reason="unreadable")
    for item in [good[0], broken, attachment, *good[1:]]:
        pipeline.process_item(item, pipeline.crawler.spider)
    assert not Path(db).exists() or sqlite3.connect(db).execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 0
    pipeline.close_spider(pipeline.crawler.spider)

    con = sqlite3.connect(db)
    assert [u for (u,) in con.execute("SELECT url FROM articles ORDER BY url")] == sorted(p.url for p in good)
    assert con.execute("SELECT kind FROM errors WHERE url = ?", (broken.url,)).fetchall() == [("store_failed",)]
    # The attachment waited for its notice's batch, then was stored with its article link.
    status, linked = con.execute("SELECT a.status, a.article_id = ar.id FROM attachments a JOIN articles ar "
                                 "ON ar.url = a.article_url WHERE a.url = ?", (attachment.url,)).fetchone()
    assert (status, linked) == ("corrupt", 1)
    assert pipeline.counts.new == 3 and pipeline.counts.errors == {"store_failed": 1}
