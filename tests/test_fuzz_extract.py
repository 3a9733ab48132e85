"""Property tests over extract/: any page, any text, any bytes — no exception, and the invariants hold.

The extractors swallow their own exceptions so a crawl never stops (they log them); a swallowed exception is
still a bug, so every property also fails when an `extract.*` logger records an ERROR. Inputs are built from
the pieces policy texts are made of (years, ranges, Chinese numerals, units, 《titles》, region names, tables),
shuffled into nonsense, plus arbitrary Unicode and bytes. Budget: 200 examples a property, no deadline.
The last section times every entry point at two sizes of the same repeated unit: linear, or it fails.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crawler.items import FetchedPage
from crawler.processing import NotAnArticle, understand_page
from crawler.urls import canonical_url
from extract.article import parse_page
from extract.attachments import extract_attachment_text
from extract.challenge import detect_challenge
from extract.dates import find_dates, infer_reference_year, parse_date, parse_datetime
from extract.encoding import decode_html
from extract.facts import extract_facts
from extract.listing import detail_links, next_list_pages
from extract.normalize import normalize_text, normalize_title
from extract.numbers import format_chinese_number, parse_chinese_number
from extract.policies import extract_policies
from extract.regions import find_regions
from extract.targets import extract_targets

FUZZ = settings(max_examples=200, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

PIECES = [
    "到", "至", "力争", "计划", "预计", "已", "截至", "2025年", "2030年底", "2021—2025年", "2024-2026年", "1999年",
    "4月27日", "2024年3月5日", "2024.03.05", "今年", "去年", "全省", "全市", "湖南省", "长沙市", "北京", "湘",
    "浙江省杭州市", "新疆维吾尔自治区", "建成", "新增", "达到", "培育", "实现", "超过", "不少于", "以上", "左右", "以内",
    "3000", "1.5", "0", "00", "12,345", "１２", "三", "十二", "一百零五", "两万", "1.2万", "3亿", "5000亿", "万亿", "万",
    "亿", "个", "家", "%", "％", "个百分点", "公里", "元", "亿元", "吨", "倍", "至", "—", "-", "~", "到", "，", "。",
    "；", "：", "、", "\n", " ", "\u3000", "《", "》", "（", "）", "(", ")", "〔", "〕", "关于印发", "实施方案", "行动计划",
    "的通知", "国发", "湘政发〔2024〕5号", "号", "第", "条", "区块链", "區塊鏈", "數字經濟", "与", "發展", ".", "..",
    "？", "!", "\ufffd", "\x00", "\u200b", "&nbsp;", "发布时间：", "来源：", "责任编辑：",
]
policy_text = st.lists(st.sampled_from(PIECES), max_size=80).map("".join)
any_text = st.one_of(policy_text, st.text(max_size=400),
                     st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=5)), max_size=60).map("".join))

TAGS = [
    "<html>", "</html>", "<head>", "<body>", "</body>", "<div>", "</div>", "<div class='content'>", "<p>", "</p>",
    "<table>", "<tr>", "<td>", "</td>", "</tr>", "</table>", "<h1>", "</h1>", "<title>", "</title>", "<script>",
    "</script>", "<style>", "<!--", "-->", "<br>", "<a href='/art/t20240301_1.html'>", "<a href='../list_2.html'>下一页",
    "</a>", "<a href='javascript:void(0)'>", "<a href='http://[::1'>", "<a href='附件.pdf'>附件</a>",
    "<meta charset='gbk'>", "<meta charset='x-unknown'>", "<meta name='ArticleTitle' content='关于印发方案的通知'>",
    "<meta name='PubDate' content='2024-13-45'>", "<td>发文字号：</td>", "<td>成文日期：</td>", "<td>索引号：</td>",
    "createPageHTML(99999999, 0, 'index', 'html');", "<![CDATA[", "]]>", "<?xml version='1.0'?>", "&#0;", "&#xFFFF;",
    "<frameset>", "<noscript>请开启JavaScript</noscript>", "安全验证", "<", ">", "&", "\"", "'",
]
html_text = st.lists(st.one_of(st.sampled_from(TAGS), policy_text, st.text(max_size=20)), max_size=60).map("".join)
html_bytes = st.one_of(
    html_text.map(lambda s: s.encode("utf-8")),
    html_text.map(lambda s: s.encode("gb18030", errors="replace")),
    st.binary(max_size=3000),
    st.tuples(html_text, st.binary(max_size=200)).map(lambda p: p[0].encode() + p[1]),
)
declared = st.sampled_from([None, "utf-8", "gbk", "gb2312", "GB2312;", "big5", "iso-8859-1", "x-unknown", "", "utf-16"])
reference = st.one_of(st.none(), st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31)))


@contextlib.contextmanager
def no_swallowed_errors() -> Iterator[None]:
    """Fail when an extractor logs an ERROR (how they report an exception they caught)."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(level=logging.ERROR)
    log = logging.getLogger("extract")
    log.addHandler(handler)
    try:
        yield
    finally:
        log.removeHandler(handler)
    assert not records, [f"{r.name}: {r.getMessage()}\n{r.exc_text or ''}" for r in records][:1]


# --- pages ---------------------------------------------------------------------------------------------
@FUZZ
@given(body=html_bytes, charset=declared, ref=reference)
def test_parse_page_never_fails_on_any_bytes(body, charset, ref):
    with no_swallowed_errors():
        record = parse_page(body, "http://www.example.gov.cn/art/2024/1.html", declared_encoding=charset,
                            reference_date=ref)
    assert not [p for p in record.problems if p.startswith("parse_error")]
    assert isinstance(record.text, str) and isinstance(record.text_original, str)
    for field in ("published_at", "published_on", "written_on"):
        value = getattr(record, field)
        assert value is None or re.fullmatch(r"\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2})?)?)?)?", value), (field, value)
    if ref is not None and record.fields_from.get("published_at") == "library":
        assert record.published_at[:10] <= ref.isoformat()


@FUZZ
@given(body=html_bytes, charset=declared)
def test_understand_page_either_reads_the_page_or_says_why_not(body, charset):
    item = FetchedPage(site="fuzz", url="http://www.example.gov.cn/a.html", final_url="http://www.example.gov.cn/a.html",
                       status=200, content_type="text/html", declared_encoding=charset, body=body)
    with no_swallowed_errors():
        try:
            understand_page(item)
        except NotAnArticle as exc:
            assert exc.reason in {"empty_body", "binary_body", "waf_challenge", "not_an_article"}
            return
    assert item.record is not None and len(item.record.text or item.record.text_original) >= 80


@FUZZ
@given(body=st.one_of(html_bytes, st.binary(max_size=500)), charset=declared)
def test_decoding_always_gives_text_and_says_how(body, charset):
    text, encoding = decode_html(body, charset)
    assert isinstance(text, str) and encoding
    if body and body.isascii() and b"\x00" not in body:
        assert text == body.decode("ascii") or encoding.startswith("utf-16")


@FUZZ
@given(page=html_text)
def test_list_pages_and_challenge_detection_never_fail(page):
    base = "http://www.example.gov.cn/col/index.html"
    for link in detail_links(page, base, r"/t\d{8}_\d+\.html$"):
        assert link.url.startswith("http") and "#" not in link.url
    for paging in ("trs", "next_link", "none"):
        pages = next_list_pages(page, base, paging, r"/list_\d+\.html$")
        assert base not in pages and len(pages) == len(set(pages)) and len(pages) <= 10_100
    detect_challenge(page)


# --- normalisation -------------------------------------------------------------------------------------
@FUZZ
@given(text=any_text)
def test_normalisation_never_fails_and_is_stable(text):
    with no_swallowed_errors():
        once = normalize_text(text)
        twice = normalize_text(once.text)
    assert isinstance(once.text, str)
    assert twice.text == once.text  # normalising normalised text changes nothing
    normalize_title(text)


URL_PIECES = ["http://", "https://", "www.hunan.gov.cn", "127.0.0.1:8080", "[::1", "]", ":99999", "/", "t20240301_1",
              ".html", "?", "&", "=", "#", "utm_source", "spm", "a2c4g.1", "%D5%FE", "%E6%94%BF", "%zz", "+", " ",
              "政策", "page", "1", "..", "javascript:", "\\", "@", ";"]


@FUZZ
@given(url=st.one_of(st.lists(st.sampled_from(URL_PIECES), max_size=20).map("".join), st.text(max_size=60)))
def test_canonical_urls_never_fail_and_are_stable(url):
    once = canonical_url(url)
    if re.match(r"https?://[a-z0-9.-]+(:\d{1,4})?/", url, re.I):  # a link as sites write them: a stable identity
        assert canonical_url(once) == once
    with contextlib.suppress(ValueError):  # an unparseable URL is kept as written
        keys = [part.split("=", 1)[0].lower() for part in urlsplit(once).query.split("&")]
        assert not [k for k in keys if k.startswith("utm_") or k == "spm"], once


# --- numbers and dates ----------------------------------------------------------------------------------
@FUZZ
@given(span=any_text)
def test_numbers_are_none_or_non_negative(span):
    value = parse_chinese_number(span)
    assert value is None or (isinstance(value, int | float) and value >= 0)


@FUZZ
@given(n=st.integers(min_value=0, max_value=10**8 - 1))
def test_chinese_numerals_round_trip(n):
    assert parse_chinese_number(format_chinese_number(n)) == n


@FUZZ
@given(text=any_text, ref=reference)
def test_dates_are_valid_and_their_offsets_point_into_the_text(text, ref):
    previous_start = -1
    for start, end, iso in find_dates(text, ref):
        assert 0 <= start < end <= len(text) and start >= previous_start
        previous_start = start
        parts = [int(p) for p in iso.split("-")]
        assert 1000 <= parts[0] <= 2999
        if len(parts) == 3:
            dt.date(*parts)  # a real day: no 2月30日
    for value in (parse_date(text, ref), parse_datetime(text)):
        assert value is None or re.fullmatch(r"\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}:\d{2})?)?)?", value)
    year = infer_reference_year(text)
    assert year is None or 2000 <= year <= 2099


# --- facts ----------------------------------------------------------------------------------------------
@FUZZ
@given(raw=st.one_of(policy_text, any_text), ref=reference)
def test_facts_keep_their_invariants(raw, ref):
    text = normalize_text(raw).text
    with no_swallowed_errors():
        facts = extract_facts(text, file="fuzz.txt", reference_date=ref, normalized=True, keywords=False)
    for t in facts.targets:
        assert 0 <= t.start <= t.end <= len(text) and text[t.start:t.end] == t.text, t
        assert t.value >= 0 and (t.value_max is None or t.value_max >= t.value), t
        assert t.qualifier in {"at_least", "at_most", "about", "range", "exact"}, t
        assert t.year is None or 1900 <= t.year <= 2100, t
        assert t.metric and t.unit, t
    for policy in facts.policies:
        assert policy.title
        for start, end in policy.spans:
            assert 0 <= start <= end <= len(text)
        if policy.period_start and policy.period_end:
            assert policy.period_start <= policy.period_end, policy
    for mention in facts.region_mentions:
        assert text[mention.start:mention.end] == mention.surface, mention


# --- attachments ------------------------------------------------------------------------------------------
@FUZZ
@given(data=st.binary(max_size=4000), declared_type=st.sampled_from([None, "pdf", "docx", "doc", "xls", "zip", "wps"]),
       head=st.sampled_from([b"", b"%PDF-1.4\n", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"Rar!"]))
def test_attachment_bytes_always_get_a_status(data, declared_type, head):
    result = extract_attachment_text(head + data, declared_type, max_bytes=3000)
    assert result.status in {"ok", "empty_scanned", "encrypted", "corrupt", "too_large", "unsupported"}
    assert result.status == "ok" or result.text == ""
    assert result.status != "too_large" or result.reason


# --- time linear in the input ------------------------------------------------------------------------------
# Each entry point reads a text made of one unit repeated to n and to 4n characters; linear work takes ~4x as
# long, quadratic 16x. The unit is drawn by hypothesis from the pieces above and from what made readers
# super-linear before (issue 21: 《titles》 by the hundred, sentences without punctuation, runs of '<', dates
# back to back, links under one parent). Each timing is the best of three, each call on a text of its own
# (a salt at the end: no cache answers), measured again when over the bound (a busy machine, not the code). The
# bound (10x for 4x, an exponent of 1.66; quadratic is 16x) leaves room for a loaded 2-core machine;
# tests/test_faults_scaling.py holds the fixed worst cases. Not covered here: one sentence of hundreds of
# 《titles》 (no 。 between them), where extract_policies is still super-linear (issue 21, item 3).
LINEAR = settings(max_examples=6, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
GROWTH_BOUND = 10.0
ADVERSARIAL = ["《关于印发", "湖南省数字经济发展规划", "的通知》", "《", "》", "<", "<a ", "<title>", "2024年3月5日",
               "4月27日", "到2025年", "建成充电桩3000个", "全省新建农村供水工程一百二十处供水保证率明显提高", "湘政发〔2024〕5号",
               "区块链", "長沙市", "1．", "以上", "。"]
unit = st.one_of(
    st.lists(st.sampled_from(PIECES + ADVERSARIAL), min_size=1, max_size=10).map("".join),
    st.text(min_size=1, max_size=12),
)
# The fact readers on text made of sentences: one unit is at most one sentence.
sentence_unit = unit.map(lambda u: u.replace("。", "") + "。")


def _repeated(piece: str, chars: int, salt: int) -> str:
    return (piece * (chars // len(piece) + 1))[:chars] + f"\n{salt}"


def _growth(read, piece: str, chars: int) -> float:
    salts = iter(range(10**6))

    def best(size: int) -> float:
        seconds = []
        for _ in range(3):
            text = _repeated(piece, size, next(salts))
            started = time.perf_counter()
            read(text)
            seconds.append(time.perf_counter() - started)
        return max(min(seconds), 2e-3)  # below two milliseconds the clock, not the code, is measured

    best(chars)  # warm: dictionaries and caches loaded before the measure
    growth = best(4 * chars) / best(chars)
    return growth if growth < GROWTH_BOUND else min(growth, best(4 * chars) / best(chars))


LINEAR_READERS = {  # reader, characters of the small input (a few milliseconds of work), its units
    "extract_facts": (lambda t: extract_facts(t, normalized=True, keywords=False), 2_000, sentence_unit),
    "extract_targets": (lambda t: extract_targets(t, []), 2_000, sentence_unit),
    "extract_policies": (extract_policies, 4_000, sentence_unit),
    "normalize_text": (normalize_text, 100_000, unit),
    "find_dates": (find_dates, 8_000, unit),
    "find_regions": (find_regions, 8_000, unit),
    "parse_page": (lambda t: parse_page(t.encode("utf-8"), "http://www.example.gov.cn/art/1.html"), 40_000, unit),
    "detect_challenge": (detect_challenge, 200_000, unit),
    "detail_links": (lambda t: detail_links(t, "http://www.example.gov.cn/", r"/t\d{8}_\d+\.html$"), 100_000, unit),
}


@pytest.mark.parametrize("reader", sorted(LINEAR_READERS))
def test_reading_time_is_linear_in_the_input(reader):
    read, chars, units = LINEAR_READERS[reader]

    @LINEAR
    @given(piece=units)
    @example(piece="2024年3月5日")  # the worst cases found before, always tried first
    @example(piece="《关于印发湖南省数字经济发展规划的通知》。")
    @example(piece="全省新建农村供水工程一百二十处供水保证率明显提高")
    @example(piece="<")
    @example(piece="<a href='/art/t20240301_1.html'>关于印发方案的通知</a>")
    def linear(piece):
        with no_swallowed_errors():
            growth = _growth(read, piece, chars)
        assert growth < GROWTH_BOUND, f"{reader}: 4x the input took {growth:.1f}x the time ({piece!r} repeated)"

    linear()
