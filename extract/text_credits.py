"""Source and author the article's own text states, for pages whose metadata and by-line name neither.

News copy credits itself in a few fixed shapes: a dateline ("新华社北京3月5日电", "中新网3月5日电", "央视网消息"),
the reporters in brackets ("（记者 张三 李四）", "（本报记者 王五 通讯员 赵六）") at the start or the end, and a
closing "（来源：经济日报）" / "本文来源于国家统计局". Only the first and last paragraphs are read, and a picture's
caption ("记者 张三 摄", "图片来源：…") never counts.
"""

from __future__ import annotations

import re

from extract.page_meta import clean_author, clean_source

EDGE_PARAGRAPHS = 2  # paragraphs read at each end of the body
EDGE_CHARS = 120  # characters read at the start (or end) of each of them
# A name, not the words that follow one in a credit ("（记者陈智 整合）", "（记者 王五 报道）").
_NAME = r"(?!通讯员|实习生|特约|整合|综合|报道|编译|发自|摄影|摄)[\u4e00-\u9fff·]{2,5}"
# "新华社北京3月5日电", "人民日报北京3月5日讯", "中新网3月5日电", "新华社电", "央视网消息": the publisher, an optional
# place and date, then 电/讯/消息. "本报讯" names no one.
_DATELINE = re.compile(
    r"^[【\[]?\s*据?(?P<source>(?!本报|本网|本台|本刊)[\u4e00-\u9fffA-Za-z·\-－]{1,14}?"
    r"(?:通讯社|社|网|报|电视台|广播电台|台|客户端))"
    r"(?:[\u4e00-\u9fff]{0,8}?\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*)?(?:电|讯|消息)"
)
_REPORTERS = re.compile(
    r"[（(]\s*(?:[\u4e00-\u9fff]{0,6}?)记者\s*[:：]?\s*"
    rf"(?P<names>{_NAME}(?:\s*[\s、，,]\s*{_NAME}){{0,5}})"
    r"\s*(?:(?:通讯员|实习生|特约记者|整合|综合|报道|编译|发自)[^）)]{0,30})?[）)]"
)
MAX_REPORTER_LINE = 40
_REPORTER_LINE = re.compile(
    r"^(?:本报|本台|本网|本刊|[\u4e00-\u9fff]{2,6}?社)?(?:首席)?记者\s*[:：]?\s*"
    rf"(?P<names>{_NAME}(?:\s*[\s、，,]\s*{_NAME}){{0,5}})"
    r"\s*(?:(?:通讯员|实习生|特约记者)\s*[:：]?\s*[\u4e00-\u9fff·\s、，,]{0,30})?$"
)
# A closing credit: "（来源：经济日报）", "来源：国家统计局", "本文来源于国家统计局", "(文章来源：人民网)".
_CLOSING_SOURCE = re.compile(
    r"(?:^|[（(【\[]|(?<=[。！？]))\s*(?P<prefix>本文|本稿|文章|稿件|信息|新闻)?"
    r"(?:来源于|来源|转自|转载自|稿源)\s*[:：]?\s*(?P<source>[^（()）\[\]【】。；;\n]{2,30}?)\s*[）)\]】]?\s*$"
)
_CAPTION = re.compile(r"摄\s*[）)]?\s*$|^\s*[（(]?\s*(?:图为|图片|资料图|图\s*[:：/\d])|图片来源")


def source_in_text(paragraphs: list[str]) -> str | None:
    """The publisher a dateline or a closing credit names: "新华社北京3月5日电" → "新华社"."""
    for paragraph in _edge(paragraphs, first=True):
        match = _DATELINE.match(paragraph[:EDGE_CHARS])
        if match:
            return clean_source(match["source"])
        match = _CLOSING_SOURCE.search(paragraph) if paragraph.startswith(("本文", "来源")) else None
        if match:
            return clean_source(match["source"])
    for paragraph in _edge(paragraphs, first=False):
        match = _CLOSING_SOURCE.search(paragraph)
        if match:
            return clean_source(match["source"])
    return None


def author_in_text(paragraphs: list[str], byline: list[str] = ()) -> str | None:
    """The reporters a bracketed credit names ("（记者 张三 李四）" → "张三 李四"), or a reporters' line of their own
    on the by-line or atop the body ("本报记者 李明 通讯员 王芳" → "李明")."""
    for line in [*byline, *paragraphs[:EDGE_PARAGRAPHS]]:
        match = _REPORTER_LINE.match(line.strip()) if len(line) <= MAX_REPORTER_LINE else None
        if match:
            return clean_author(" ".join(match["names"].split()))
    for first in (True, False):
        for paragraph in _edge(paragraphs, first=first):
            window = paragraph[:EDGE_CHARS] if first else paragraph[-EDGE_CHARS:]
            match = _REPORTERS.search(window)
            if match:
                return clean_author(" ".join(match["names"].split()))
    return None


def _edge(paragraphs: list[str], *, first: bool) -> list[str]:
    """The first (or last) few paragraphs, less picture captions."""
    edge = paragraphs[:EDGE_PARAGRAPHS] if first else paragraphs[-EDGE_PARAGRAPHS:][::-1]
    return [p.strip() for p in edge if p.strip() and not _CAPTION.search(p)]
