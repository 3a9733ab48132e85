"""Script and text normalisation: every text in clean Simplified Chinese, the original kept.

One entry point, `normalize_text()`: detect the script of the original, convert to Simplified with OpenCC
(`tw2s` plus our policy-domain phrase dictionary, so 區塊鍊 becomes 区块链 and not 区块炼), strip site boilerplate
(kept in `removed`, so the facts extractor can still read the source site from a trailer) and bring punctuation
to one convention. Pure: no Scrapy, no clock, no network. OpenCC loads lazily on first use.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

OPENCC_DATA_DIR = Path(__file__).parent / "data" / "opencc"
OPENCC_CONFIG = OPENCC_DATA_DIR / "tw2s_policy.json"

HANS = "zh-Hans"
HANT = "zh-Hant"


@dataclass
class Normalized:
    text: str  # clean Simplified text, paragraphs separated by "\n"
    original: str  # the input, untouched
    language: str  # "zh-Hans" or "zh-Hant": script of the ORIGINAL
    removed: list[str] = field(default_factory=list)  # stripped boilerplate, normalised, in order


# --------------------------------------------------------------------------------------------------------------
# Character classes. The two private-use markers stand for protected spans (titles, URLs) while punctuation is
# rewritten; private-use characters are dropped from the input first, so they cannot collide.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_TITLE_MARK = "\ue000"
_URL_MARK = "\ue001"
_CJK_PUNCT = "，。、；：？！（）“”‘’《》〈〉【】…—·「」『』"
_CJK_CTX = _HAN + _CJK_PUNCT + _TITLE_MARK  # characters that make an ASCII mark "between Chinese text"
_CJK_CTX_RE = re.compile(f"[{_CJK_CTX}]")


def _is_chinese_context(char: str) -> bool:
    return bool(char) and _CJK_CTX_RE.match(char) is not None


# --------------------------------------------------------------------------------------------------------------
# Safe width folding: only what NFKC would do without changing meaning (ASCII letters, digits and a few symbols).
# Chinese punctuation, ㎡, …, —— and the like stay as written.
_SAFE_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)}  # ０-９
_SAFE_FOLD.update({cp: cp - 0xFEE0 for cp in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_SAFE_FOLD.update({cp: cp - 0xFEE0 for cp in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_SAFE_FOLD.update({ord(c): ord(a) for c, a in zip("％＋＝＠＃＆＊／＜＞＿．＇＂", "%+=@#&*/<>_.'\"", strict=True)})
_SAFE_FOLD.update(
    {
        0x3000: " ",  # ideographic space
        0x00A0: " ",
        0x2002: " ",
        0x2003: " ",
        0x2009: " ",
        0x200B: None,  # zero-width space
        0x200C: None,
        0x200D: None,
        0xFEFF: None,  # BOM
        0x00AD: None,  # soft hyphen
        0xE000: None,  # our markers must never come from the input
        0xE001: None,
        ord("\t"): " ",
        ord("\r"): "\n",
        0x2028: "\n",
        0x2029: "\n",
        0x0B: "\n",
        0x0C: "\n",
        0x85: "\n",
        0x1C: "\n",
        0x1D: "\n",
        0x1E: "\n",
        ord("﹐"): "，",
        ord("﹑"): "、",
        ord("﹔"): "；",
        ord("﹕"): "：",
        ord("﹖"): "？",
        ord("﹗"): "！",
        ord("「"): "“",
        ord("」"): "”",
        ord("『"): "‘",
        ord("』"): "’",
        ord("〝"): "“",
        ord("〞"): "”",
    }
)
_SPACES_RE = re.compile(r"[ ]{2,}")
_LINE_EDGE_RE = re.compile(r"[ ]*\n[ \n]*")


def _clean_layout(text: str) -> str:
    """Fold safe widths, unify line breaks and spaces, drop empty lines: paragraphs end up one per line."""
    text = text.replace("\r\n", "\n").translate(_SAFE_FOLD)
    text = _SPACES_RE.sub(" ", text)
    return _LINE_EDGE_RE.sub("\n", text).strip(" \n")


# --------------------------------------------------------------------------------------------------------------
# OpenCC


def _opencc_share_dir() -> Path | None:
    import opencc

    share = Path(opencc.__file__).parent / "clib" / "share" / "opencc"
    return share if share.is_dir() else None


def _resolve_dict_files(node: Any, share: Path | None) -> Any:
    """Point every dictionary file of the config at an absolute path: ours first, then OpenCC's own data."""
    if isinstance(node, dict):
        out = {key: _resolve_dict_files(value, share) for key, value in node.items()}
        if isinstance(out.get("file"), str):
            ours = OPENCC_DATA_DIR / out["file"]
            if ours.is_file():
                out["file"] = str(ours)
            elif share is not None and (share / out["file"]).is_file():
                out["file"] = str(share / out["file"])
        return out
    if isinstance(node, list):
        return [_resolve_dict_files(value, share) for value in node]
    return node


@lru_cache(maxsize=1)
def _converter() -> Any:
    """tw2s + policy phrases, built once. The binding searches no data path of its own for a custom config, so
    the shipped config is resolved to absolute paths and handed to OpenCC through a throw-away file."""
    import opencc

    config = _resolve_dict_files(json.loads(OPENCC_CONFIG.read_text(encoding="utf-8")), _opencc_share_dir())
    with tempfile.TemporaryDirectory(prefix="policy-opencc-") as tmp:
        path = os.path.join(tmp, "tw2s_policy.json")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(config, handle, ensure_ascii=False)
        return opencc.OpenCC(path)


@lru_cache(maxsize=4)
def _stock_converter(name: str) -> Any:
    import opencc

    return opencc.OpenCC(name)


def to_simplified(text: str) -> str:
    """Traditional (Taiwan, Hong Kong) or mixed text to Simplified; Simplified text passes through unchanged."""
    if not text:
        return text
    return _converter().convert(text)


# --------------------------------------------------------------------------------------------------------------
# Script detection

_HAN_CHAR_RE = re.compile(f"[{_HAN}]")
_char_class: dict[str, int] = {}  # +1 Traditional-only, -1 Simplified-only, 0 both / neither


def _classify_chars(chars: list[str]) -> None:
    """Classify characters not seen before, in one OpenCC call per direction (a character per line)."""
    if not chars:
        return
    joined = "\n".join(chars)
    to_simp = _stock_converter("t2s").convert(joined).split("\n")
    to_trad = _stock_converter("s2twp").convert(joined).split("\n")
    if len(to_simp) != len(chars) or len(to_trad) != len(chars):  # defensive: never misalign
        for char in chars:
            _char_class.setdefault(char, 0)
        return
    for char, simp, trad in zip(chars, to_simp, to_trad, strict=True):
        _char_class[char] = 1 if simp != char else (-1 if trad != char else 0)


# Characters Simplified texts use as words of their own (著名, 乾隆, 於 as a surname) or that Taiwan keeps.
_NEUTRAL = frozenset("著乾於台余周范松系才划")


def detect_script(text: str) -> str:
    """`zh-Hant` when Traditional-only characters outnumber Simplified-only ones, else `zh-Hans`."""
    counts = Counter(_HAN_CHAR_RE.findall(text))
    _classify_chars([char for char in counts if char not in _char_class])
    trad = simp = 0
    for char, count in counts.items():
        if char in _NEUTRAL:
            continue
        kind = _char_class.get(char, 0)
        if kind > 0:
            trad += count
        elif kind < 0:
            simp += count
    return HANT if trad > simp else HANS


# --------------------------------------------------------------------------------------------------------------
# Punctuation

_PROTECTED_RE = re.compile(
    r"(?P<title>《[^《》\n]{1,200}》)"
    r"|(?P<url>(?:https?://|ftp://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&*+;=%]+|[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,})"
)
_MARKS_RE = re.compile(f"[{_TITLE_MARK}{_URL_MARK}]")

_ELLIPSIS_RE = re.compile(r"\.{3,}|。{3,}|…{3,}")
_C = f"[{_CJK_CTX}]"  # one character of Chinese context
_COMMA_RE = re.compile(rf"(?<={_C}) ?,|,(?= ?{_C})")
_SEMICOLON_RE = re.compile(rf"(?<={_C}) ?;|;(?= ?{_C})")
_COLON_RE = re.compile(rf"(?<={_C}) ?:(?!//)|(?<!\d):(?= ?{_C})")
_QUESTION_RE = re.compile(rf"(?<=[{_HAN}{_TITLE_MARK}”’）]) ?\?")
_EXCLAIM_RE = re.compile(rf"(?<=[{_HAN}{_TITLE_MARK}”’）]) ?!")
_PAREN_RE = re.compile(r"\(([^()\n]{0,120})\)")
_HAN_RE = re.compile(f"[{_HAN}{_TITLE_MARK}]")
_QUOTE_RE = re.compile(r"['\"]")
_DOT_RE = re.compile(
    rf"(?<=[{_HAN}{_TITLE_MARK}”’）)'\"])\.(?!\d)"  # 发展.  年内.  ’.
    rf"|(?<=[{_HAN}{_TITLE_MARK}”’）)'\"])\.(?=\d)"  # 大类.197个
    rf"|(?<=[0-9A-Za-z%])\.(?=[{_HAN}“‘（(《'\"])"  # 5g.云计算  63.0.相较
    rf"|(?<=[0-9%])\.$"  # 63.0. at the end of a paragraph
)
_SPACE_BEFORE_PUNCT_RE = re.compile(r" +(?=[，。、；：？！）》”’])")
_SPACE_AFTER_PUNCT_RE = re.compile(r"(?<=[，。、；：？！（《“‘]) +")
_ABBREVIATION_RE = re.compile(
    rf"(?<![A-Za-z0-9])(?:(?P<gen>[2-6]g|3d)|(?<=[{_CJK_CTX}])(?P<word>[a-z]{{2,5}}))(?![A-Za-z0-9])"
)
_NOT_ABBREVIATIONS = frozenset(
    "kg km cm mm ml kw kwh mw gw mb gb tb kb ms hz khz mhz ghz mg ug mu px pt em vs etc the and of in on to"
    " of for is".split()
)
# Openings that start a new sentence far more often than a clause (measured on well-punctuated articles with
# their punctuation mangled into dots: 。 precision ≈ 0.7 at recall ≈ 0.3; every other dot becomes ， or 、).
_SENTENCE_STARTERS = (
    "据", "此外", "另外", "与此同时", "同时", "总体", "总的来看", "具体来看", "整体", "比如", "例如", "再如",
    "对此", "目前", "不过", "然而", "一方面", "另一方面", "为何", "如何", "值得", "尤其", "而在", "记者", "报告",
    "这", "此前", "如今", "可以预见", "显然", "随着", "今年", "未来", "在", "而", "该", "他", "她", "我们", "其中",
)  # fmt: skip


def _mask_protected(text: str) -> tuple[str, list[str]]:
    """Swap 《titles》 and URLs for one marker character each, so punctuation rules leave them as written."""
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return _TITLE_MARK if match.group("title") else _URL_MARK

    return _PROTECTED_RE.sub(keep, text), kept


def _unmask(text: str, kept: list[str]) -> str:
    pieces = iter(kept)
    return _MARKS_RE.sub(lambda _m: next(pieces, ""), text)


def _paren(match: re.Match[str]) -> str:
    """Chinese brackets when the bracket pair sits in Chinese text; (BSN), (1) in a Chinese line included."""
    inner = match.group(1)
    start, end = match.span()
    text = match.string
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    if _HAN_RE.search(inner) or _is_chinese_context(before) or _is_chinese_context(after):
        return f"（{inner}）"
    return match.group(0)


def _repair_quotes(paragraph: str) -> str:
    """ASCII ' and " used as Chinese quotes become “ ”: alternate open/close, a quote followed by a sentence mark
    when none is open closes a lost opening one. Apostrophes inside Latin words are left alone."""
    if "'" not in paragraph and '"' not in paragraph:
        return paragraph
    out: list[str] = []
    last = 0
    is_open = {"'": False, '"': False}
    for match in _QUOTE_RE.finditer(paragraph):
        quote = match.group(0)
        pos = match.start()
        before = paragraph[pos - 1] if pos > 0 else ""
        after = paragraph[pos + 1] if pos + 1 < len(paragraph) else ""
        if before.isascii() and before.isalnum() and after.isascii() and after.isalnum():
            continue  # don't, 2'30"
        if not (_is_chinese_context(before) or _is_chinese_context(after) or before in ".," or after in ".,"):
            continue
        if is_open[quote]:
            mark, is_open[quote] = "”", False
        elif not after or after in ".,;:!?。，、；：！？":
            mark = "”"
        else:
            mark, is_open[quote] = "“", True
        out.append(paragraph[last:pos])
        out.append(mark)
        last = pos + 1
    out.append(paragraph[last:])
    return "".join(out)


_ENUM_ITEM_MAX = 4  # chars of an enumeration item (北京.广东.山东)
_SENTENCE_MIN = 12  # a dot ends a sentence only after this many chars of it, before a sentence opening


_LATIN_ITEM_RE = re.compile(r"[0-9]*[A-Za-z]+[0-9]*")
_CONNECTIVE_ENDINGS = ("看", "说", "而言", "如", "是", "此", "外", "时")


def _is_enumeration_item(segment: str) -> bool:
    """北京, 广东, 5G: short names; not 197个中类 (a count) nor 具体来看 / 其中 (connectives)."""
    if not 0 < len(segment) <= _ENUM_ITEM_MAX:
        return False
    if _LATIN_ITEM_RE.fullmatch(segment):
        return True
    if not _HAN_RE.search(segment) or any(ch.isdigit() for ch in segment):
        return False
    return not segment.startswith(_SENTENCE_STARTERS) and not segment.endswith(_CONNECTIVE_ENDINGS)


def _choose_dot_marks(paragraph: str) -> str:
    """Decide 。 ， or 、 for every '.' that stands for lost Chinese punctuation.

    Short items between dots are an enumeration (北京.广东.山东 → 、); a dot ends the sentence when the sentence
    is already long and the next clause opens like a new sentence, or before a closing quote or the paragraph
    end; otherwise it is a comma (a long sentence hurts the extractors less than a wrongly cut one)."""
    positions = [m.start() for m in _DOT_RE.finditer(paragraph)]
    if not positions:
        return paragraph
    bounds = [-1, *positions, len(paragraph)]
    segments = [paragraph[bounds[i] + 1 : bounds[i + 1]] for i in range(len(bounds) - 1)]
    chars = list(paragraph)
    sentence_len = 0
    previous = ""
    for i, pos in enumerate(positions):
        before, after = segments[i], segments[i + 1]
        sentence_len += len(before)
        next_char = paragraph[pos + 1] if pos + 1 < len(paragraph) else ""
        if not next_char or next_char in "”’'\"":
            mark = "。"
        elif _is_enumeration_item(before) and (_is_enumeration_item(after) or previous == "、"):
            mark = "、"
        elif sentence_len >= _SENTENCE_MIN and after.startswith(_SENTENCE_STARTERS):
            mark = "。"
        else:
            mark = "，"
        chars[pos] = mark
        previous = mark
        if mark == "。":
            sentence_len = 0
    return "".join(chars)


def _upper_abbreviation(match: re.Match[str]) -> str:
    word = match.group(0)
    if match.group("word") and word in _NOT_ABBREVIATIONS:
        return word
    return word.upper()


def _normalize_paragraph(paragraph: str) -> str:
    paragraph = _ELLIPSIS_RE.sub("……", paragraph)
    paragraph = _repair_quotes(paragraph)
    paragraph = _choose_dot_marks(paragraph)
    paragraph = _PAREN_RE.sub(_paren, paragraph)
    paragraph = _COMMA_RE.sub("，", paragraph)
    paragraph = _SEMICOLON_RE.sub("；", paragraph)
    paragraph = _COLON_RE.sub("：", paragraph)
    paragraph = _QUESTION_RE.sub("？", paragraph)
    paragraph = _EXCLAIM_RE.sub("！", paragraph)
    paragraph = _SPACE_BEFORE_PUNCT_RE.sub("", paragraph)
    paragraph = _SPACE_AFTER_PUNCT_RE.sub("", paragraph)
    return _ABBREVIATION_RE.sub(_upper_abbreviation, paragraph)


def normalize_punctuation(text: str) -> str:
    """One convention: Chinese punctuation in Chinese text, ASCII digits and Latin letters, 5G/AI upper case.

    《Titles》 and URLs are kept as written; decimals (2.8万, 5.5%) and dates (2021-04-30) are never touched."""
    text = _clean_layout(text)
    masked, kept = _mask_protected(text)
    masked = "\n".join(_normalize_paragraph(p) for p in masked.split("\n"))
    return _unmask(masked, kept)


# --------------------------------------------------------------------------------------------------------------
# Boilerplate

_DATE = r"(?:\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?)"
_TRAILER_LINE_RES = [
    re.compile(p)
    for p in (
        r"^以上(?:信息|内容|资讯)由.{0,80}(?:整理|提供|发布|编辑)",
        r"^更多(?:资讯|信息|内容|精彩|新闻).{0,12}(?:请|敬请|欢迎|可)",
        r"^[（(]?(?:责任编辑|责编|编辑|校对|审核|审校|来源|稿件来源|文章来源|本文来源|作者|编审)\s*[:：][^，。；！？]{0,40}[）)]?$",
        r"^(?:免责)?声明\s*[:：]",
        r"^(?:转载|本文).{0,20}(?:请注明|注明出处|转载自|仅代表)",
        rf"^{_DATE}\s*.{{0,40}}?(?:发布|发表)了?\s*《[^》]{{1,120}}》.{{0,6}}$",
        rf"^{_DATE}\s+《[^》]{{1,120}}》$",
        r"^(?:上一篇|下一篇|上一条|下一条)\s*[:：]",
        r"^(?:分享到|扫一扫|打印本页|关闭窗口)",
        r"^[?？]+$",
    )
]
_ANYWHERE_LINE_RES = [
    re.compile(p)
    for p in (
        r"^原标题\s*[:：].{0,120}$",
        r"^以上(?:信息|内容|资讯)由.{0,80}整理.{0,80}$",
        r"^[（(]?责任编辑\s*[:：][^，。；！？]{0,30}[）)]?$",
        r"^[?？]+$",
    )
]
_RELATED_HEADING_RE = re.compile(r"^[【\[]?(?:相关阅读|相关新闻|相关文章|相关链接|延伸阅读|推荐阅读|热门推荐|猜你喜欢|相关推荐)[】\]]?[:：]?$")
_END_SOURCE_RE = re.compile(r"[（(]\s*(?:来源|稿件来源|文章来源|来源于|责任编辑|编辑)\s*[:：][^（）()\n]{1,40}[）)]\s*$")
_STRAY_QUESTION_RE = re.compile(r"(?<=[。！？；…”’）])[ ]*[?？]+[ ]*$|^[ ]*\?+[ ]*(?=[" + _HAN + "“])")


def _is_short_list_item(line: str) -> bool:
    return len(line) <= 60 and not line.endswith(("。", "！", "？", ".", "；"))


def _strip_related_section(lines: list[str], removed: list[str]) -> list[str]:
    """A "相关阅读" heading followed only by short list lines is a site widget, not part of the article."""
    for i in range(len(lines) - 1, -1, -1):
        if _RELATED_HEADING_RE.match(lines[i]) and all(_is_short_list_item(line) for line in lines[i + 1 :]):
            removed.extend(lines[i:])
            return lines[:i]
    return lines


def _strip_tail(lines: list[str], removed: list[str]) -> list[str]:
    """Peel trailer lines off the end, bottom up, stopping at the first line of the article itself."""
    tail: list[str] = []
    while lines and any(regex.search(lines[-1]) for regex in _TRAILER_LINE_RES):
        tail.append(lines.pop())
    removed.extend(reversed(tail))
    if lines:
        match = _END_SOURCE_RE.search(lines[-1])
        if match and match.start() > 0:
            removed.append(match.group(0).strip())
            lines[-1] = lines[-1][: match.start()].rstrip()
    return lines


def strip_boilerplate(text: str) -> tuple[str, list[str]]:
    """Remove site trailers, related-article lists and stray '?' marks; return the text and what was removed.

    Only whole trailer lines at the end, a few unmistakable lines anywhere (原标题, 以上信息由…整理) and '?' that
    stand where a character was lost are removed: a sentence of the article never is."""
    removed: list[str] = []
    lines = [line for line in _clean_layout(text).split("\n") if line]
    body: list[str] = []
    for line in lines:
        if any(regex.search(line) for regex in _ANYWHERE_LINE_RES):
            removed.append(line)
            continue
        stray = _STRAY_QUESTION_RE.search(line)
        if stray:
            removed.append(stray.group(0).strip())
            line = (line[: stray.start()] + line[stray.end() :]).strip()
            if not line:
                continue
        body.append(line)
    previous = -1
    while len(body) != previous:
        previous = len(body)
        body = _strip_related_section(body, removed)
        body = _strip_tail(body, removed)
    return "\n".join(body), removed


# --------------------------------------------------------------------------------------------------------------
# Entry points


def normalize_text(text: str, *, strip: bool = True) -> Normalized:
    """The one entry point: script of the original, Simplified conversion, boilerplate, punctuation."""
    original = text
    try:
        language = detect_script(text)
        simplified = to_simplified(_clean_layout(text))
        removed: list[str] = []
        if strip:
            simplified, removed = strip_boilerplate(simplified)
        clean = normalize_punctuation(simplified)
        return Normalized(clean, original, language, [normalize_punctuation(r) for r in removed])
    except Exception:  # never through the crawl: a text we cannot normalise is kept as it came
        logger.exception("normalisation failed; text kept as is (%d chars)", len(text))
        return Normalized(text, original, HANS, [])


_TITLE_SPACES_RE = re.compile(r"[\s《》]+")
_TITLE_DASHES_RE = re.compile(r"[—－–\-‐‑‒―]+")


def normalize_title(title: str) -> str:
    """The identity of a policy title: Simplified, ASCII brackets, one '-' for any dash, no spaces, no 《》."""
    title = to_simplified(title.translate(_SAFE_FOLD))
    title = title.replace("（", "(").replace("）", ")")
    title = _TITLE_DASHES_RE.sub("-", title)
    return _TITLE_SPACES_RE.sub("", title)
