"""Our own reports for the story, policy-identity and consolidation tests, and pages made of them.

One story (甘肃 算力 plan) is carried by several sites: the original (Simplified), a Traditional copy with another
headline and its ending cut, a copy with mangled punctuation and a site trailer, and an independent report that
gives the plan's date and 发文字号. Around it: a report that gets one target wrong (a disagreement), another
plan of the same province with other targets, and the plan's draft (征求意见稿). Every sentence is ours.
"""

from __future__ import annotations

from html import escape

from crawler.items import FetchedPage
from crawler.processing import extract_page_facts, normalize_record, understand_page
from crawler.sample_sites.texts import mangle_punctuation, to_traditional

PLAN = "甘肃省算力基础设施建设三年行动计划"

ORIGINAL = [
    f"近日，甘肃省人民政府办公厅印发《{PLAN}（2023-2025年）》，提出把庆阳数据中心集群建成全国一体化算力网络的重要支点。",
    "行动计划提出，到2025年，全省数据中心标准机架达到20万架以上，算力规模超过1万P，新建数据中心电能利用效率不高于1.2；"
    "培育算力服务企业50家以上。",
    "庆阳市将建设国家算力枢纽节点起步区，推动东部地区的数据存储和离线计算业务向起步区转移。",
    "目前，甘肃已投运的数据中心上架率不足五成，部分机房仍在等待客户入驻。",
    "业内人士认为，西部地区发展算力产业，既要抓住东数西算的机遇，也要防止盲目上马、重复建设。",
]
TRAILER = ["以上资讯由陇原快报编辑部综合整理，仅供参考。", "责任编辑：马晓燕"]
INDEPENDENT = [
    f"3月12日，《{PLAN}(2023－2025年)》（甘政办发〔2023〕21号）正式印发。记者注意到，这是甘肃首次针对算力基础设施出台专项计划。",
    "按照计划，到2025年，全省数据中心标准机架达到20万架以上，庆阳起步区将承接更多东部算力需求。",
    "庆阳市发展改革委负责人在接受采访时表示，起步区已签约数据中心项目12个，总投资超过300亿元，部分项目年内即可投入运营。",
    "该负责人同时坦言，当地电价优势明显，但专业运维人才短缺，需要与高校合作加快培养。",
]
WRONG_FIGURE = [
    f"甘肃省发展和改革委员会日前印发《{PLAN}（2023—2025年）》，明确到2025年全省数据中心标准机架达到25万架以上。",
    "多位受访企业人士表示，甘肃的土地和电力成本较低，适合部署对时延不敏感的存储和训练业务。",
    "也有专家提醒，数据中心建成后要尽快提高上架率，避免出现机柜空置。",
]
MASTER_PLAN = [
    "6月20日，甘肃省人民政府印发《甘肃省数字经济创新发展规划（2021-2025年）》，为全省数字经济发展确定了中长期目标。",
    "规划提出，到2025年，全省数字经济增加值占地区生产总值比重达到30%，数据中心标准机架达到30万架，"
    "建成5G基站5万个以上。",
    "规划还明确，兰州新区、天水、酒泉将分别建设数字经济产业园，力争引进数字经济企业1000家。",
    "有学者认为，甘肃应把新能源优势转化为算力成本优势。",
]
DRAFT = [
    f"甘肃省发展和改革委员会近日就《{PLAN}（2023-2025年）（征求意见稿）》公开征求社会意见。",
    "征求意见稿提出，到2025年全省数据中心标准机架达到18万架，意见反馈截止时间为2月28日。",
    "公众可通过电子邮件或信函方式提出意见建议。",
]


def fetched(site: str, url: str, title: str, published: str, paragraphs: list[str], source: str) -> FetchedPage:
    """A page of our text run through the crawler's own analysis steps (read, normalise, extract)."""
    html = (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta property="og:title" content="{escape(title)}">'
        f'<meta property="article:published_time" content="{published}"></head><body>'
        f"<h1>{escape(title)}</h1><div class=\"meta\">{published[:10]} 来源：{escape(source)}</div>"
        f'<div class="content">{"".join(f"<p>{escape(p)}</p>" for p in paragraphs)}</div>'
        "<footer>版权所有 未经授权禁止转载</footer></body></html>"
    )
    item = FetchedPage(site=site, url=url, final_url=url, status=200, content_type="text/html",
                       declared_encoding="utf-8", body=html.encode("utf-8"), fetched_at=published)
    return extract_page_facts(normalize_record(understand_page(item)))


def gansu_reports() -> dict[str, FetchedPage]:
    """The reports by name, in the order a crawl might meet them (a copy before its original)."""
    return {
        "traditional_copy": fetched(
            "tw_news", "http://tw.example/zh-tw/article/77.html", to_traditional("甘肃算力建设三年计划亮相 机架目标20万"),
            "2023-03-15T10:00:00+08:00", [to_traditional(p) for p in ORIGINAL[:3]], to_traditional("两岸财讯")),
        "original": fetched(
            "hans_news", "http://hans.example/news/20230314/1.html", "甘肃印发算力基础设施三年行动计划",
            "2023-03-14T09:00:00+08:00", ORIGINAL, "陇上财经"),
        "mangled_copy": fetched(
            "kuaixun", "http://kx.example/kuaixun/9.html", mangle_punctuation("甘肃算力三年行动计划发布"),
            "2023-03-14T16:30:00+08:00", [mangle_punctuation(p) for p in ORIGINAL + TRAILER], "陇原快报"),
        "independent": fetched(
            "gov_daily", "http://daily.example/2023/0313/5.html", "甘肃首个算力专项计划印发",
            "2023-03-13T07:30:00+08:00", INDEPENDENT, "甘肃经济日报"),
        "wrong_figure": fetched(
            "biz_weekly", "http://weekly.example/a/31.html", "甘肃算力计划：2025年机架目标25万",
            "2023-03-20T08:00:00+08:00", WRONG_FIGURE, "西部商业周刊"),
        "master_plan": fetched(
            "hans_news", "http://hans.example/news/20210621/2.html", "甘肃数字经济创新发展规划出炉",
            "2021-06-21T09:00:00+08:00", MASTER_PLAN, "陇上财经"),
        "draft": fetched(
            "hans_news", "http://hans.example/news/20230110/3.html", "甘肃算力三年计划公开征求意见",
            "2023-01-10T09:00:00+08:00", DRAFT, "陇上财经"),
    }
