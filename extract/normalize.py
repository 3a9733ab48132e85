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
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from pathlib import Path
from threading import Lock
from typing import Any

logger = logging.getLogger(__name__)


class _LazyRegex:
    """A compiled pattern built on first use: the big Chinese character classes take ~50 ms to compile, which
    the command line's start-up must not pay. Methods are cached on the instance after the first lookup."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._source = (pattern, flags)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        compiled = re.compile(*self._source)
        self.pattern = compiled.pattern
        for method in ("search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer"):
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)


def _lazy(pattern: str, flags: int = 0) -> Any:
    return _LazyRegex(pattern, flags)


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
# Character classes. Three private-use markers stand for protected spans (titles, URLs, e-mail) while punctuation is
# rewritten; private-use characters are dropped from the input first, so they cannot collide.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_TITLE_MARK = "\ue000"
_URL_MARK = "\ue001"
_EMAIL_MARK = "\ue002"
_CJK_PUNCT = "，。、；：？！（）“”‘’《》〈〉【】…—·「」『』"
_CJK_CTX = _HAN + _CJK_PUNCT + _TITLE_MARK  # characters that make an ASCII mark "between Chinese text"
_CJK_CTX_RE = _lazy(f"[{_CJK_CTX}]")


def _is_chinese_context(char: str) -> bool:
    return bool(char) and _CJK_CTX_RE.match(char) is not None


# --------------------------------------------------------------------------------------------------------------
# Safe width folding: only what NFKC would do without changing meaning (ASCII letters, digits and a few symbols).
# Chinese punctuation, ㎡, …, —— and the like stay as written.
_SAFE_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)}  # ０-９
_SAFE_FOLD.update({cp: cp - 0xFEE0 for cp in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_SAFE_FOLD.update({cp: cp - 0xFEE0 for cp in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_SAFE_FOLD.update(
    {ord(c): ord(a) for c, a in zip("％＋＝＠＃＆＊／＜＞＿．＇＂", "%+=@#&*/<>_.'\"", strict=True)}
)
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
        **dict.fromkeys([*range(0x00, 0x09), 0x0E, 0x0F, *range(0x10, 0x1C), 0x1F, 0x7F]),  # control garbage
        0xE000: None,  # our markers must never come from the input
        0xE001: None,
        0xE002: None,
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
_FOLD_RE = _lazy("[" + re.escape("".join(chr(cp) for cp in _SAFE_FOLD)) + "]")
_SPACES_RE = _lazy(r"  +")
_LINE_EDGE_RE = _lazy(r" +\n|\n[ \n]+")


def _fold(match: re.Match[str]) -> str:
    folded = _SAFE_FOLD[ord(match.group(0))]
    return "" if folded is None else chr(folded) if isinstance(folded, int) else folded


def _clean_layout(text: str) -> str:
    """Fold safe widths, unify line breaks and spaces, drop empty lines: paragraphs end up one per line."""
    text = _FOLD_RE.sub(_fold, text.replace("\r\n", "\n"))
    if "  " in text:
        text = _SPACES_RE.sub(" ", text)
    while " \n" in text or "\n " in text or "\n\n" in text:
        text = _LINE_EDGE_RE.sub("\n", text)
    return text.strip(" \n")


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


@lru_cache(maxsize=1)
def _convertible_re() -> re.Pattern[str]:
    """Every character our converter rewrites on its own (Traditional-only, variants, compatibility forms)."""
    chars = [chr(cp) for cp in (*range(0x3400, 0xA000), *range(0xF900, 0xFB00))]
    converted = _converter().convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # defensive: never misalign; then everything goes through OpenCC
        logger.warning("conversion table: OpenCC changed the line count; every text will be converted")
        return re.compile("[\\s\\S]")
    return re.compile("[" + "".join(c for c, s in zip(chars, converted, strict=True) if c != s) + "]")


def _needs_conversion(text: str) -> bool:
    """False for text with no character OpenCC would rewrite: it is Simplified already, and passing it through
    spares the conversion and OpenCC's rare rewrites of correct Simplified words (捏坏 → 捏坯)."""
    return _convertible_re().search(text) is not None


def to_simplified(text: str) -> str:
    """Traditional (Taiwan, Hong Kong) or mixed text to Simplified: tw2s plus our policy phrases (区块链)."""
    if not text:
        return text
    if "\x00" in text:  # OpenCC stops at NUL: convert around it so no text is lost
        return "\x00".join(_converter().convert(piece) for piece in text.split("\x00"))
    return _converter().convert(text)


def normalize_query(query: str) -> str:
    """A search query in the script and widths stored texts are normalised to, so 區塊鏈 finds 区块链."""
    return to_simplified(_FOLD_RE.sub(_fold, query)) if query else query


# --------------------------------------------------------------------------------------------------------------
# Script detection

# Characters Simplified texts use as words of their own (著名, 乾隆, 於 as a surname) or that Taiwan keeps.
_NEUTRAL = frozenset("著乾於台余周范松系才划")
# Characters counted by detect_script; a longer text is sampled evenly (its mix of scripts kept), for speed.
_SCRIPT_SAMPLE = 600


@lru_cache(maxsize=1)
def _script_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Traditional-only and Simplified-only characters as two regex classes, from OpenCC's own tables: every
    CJK character through t2s and s2twp once (one line each), so counting is a C-speed findall per text."""
    chars = [chr(cp) for cp in range(0x3400, 0xA000) if cp < 0x4DC0 or cp >= 0x4E00]
    joined = "\n".join(chars)
    to_simp = _stock_converter("t2s").convert(joined).split("\n")
    to_trad = _stock_converter("s2twp").convert(joined).split("\n")
    traditional: list[str] = []
    simplified: list[str] = []
    if len(to_simp) == len(chars) == len(to_trad):
        for char, simp, trad in zip(chars, to_simp, to_trad, strict=True):
            if char in _NEUTRAL:
                continue
            if simp != char:
                traditional.append(char)
            elif trad != char:
                simplified.append(char)
    else:  # defensive: never misalign characters and their conversions
        logger.warning("script tables: OpenCC changed the line count; script detection falls back to zh-Hans")
    as_class = lambda cs: re.compile("[" + "".join(cs) + "]" if cs else "(?!)")  # noqa: E731
    return as_class(traditional), as_class(simplified)


def detect_script(text: str) -> str:
    """`zh-Hant` when Traditional-only characters outnumber Simplified-only ones, else `zh-Hans`."""
    if len(text) > _SCRIPT_SAMPLE:
        text = text[:: len(text) // _SCRIPT_SAMPLE + 1]
    traditional, simplified = _script_patterns()
    trad = len(traditional.findall(text))
    if not trad:
        return HANS
    simp = 0
    for _match in simplified.finditer(text):  # stop as soon as the answer is known: Simplified text is long
        simp += 1
        if simp >= trad:
            return HANS
    return HANT


# --------------------------------------------------------------------------------------------------------------
# Punctuation

# Every pattern starts with the ASCII mark it rewrites (context checked by look-behind after it), so the regex
# engine skips straight to candidates instead of testing each Chinese character: that keeps us near OpenCC speed.
_TITLE_RE = _lazy(r"《[^《》\n]{1,200}》")
_URL_RE = _lazy(r"(?:https?://|ftp://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&*+;=%]+")
_EMAIL_RE = _lazy(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")

_ELLIPSIS_RE = _lazy(r"\.{3,}|。{3,}|…{3,}")
_C = f"[{_CJK_CTX}]"  # one character of Chinese context
_Q = f"[{_HAN}{_TITLE_MARK}”’）]"  # what a real question or exclamation mark follows
# , ; : next to Chinese text on either side; ? ! only after Chinese text (before it, a "?" is a lost character).
# One literal-first pattern per mark: the regex engine then jumps between candidates at C speed.
_ASCII_MARK_RES = [
    *(
        (
            mark,
            _lazy(
                rf"{re.escape(mark)}(?:(?<={_C}{re.escape(mark)})|(?<={_C} {re.escape(mark)})|(?= ?{_C}))(?!//)"
            ),
            full,
        )
        for mark, full in ((",", "，"), (";", "；"), (":", "："))
    ),
    *(
        (
            mark,
            _lazy(rf"{re.escape(mark)}(?:(?<={_Q}{re.escape(mark)})|(?<={_Q} {re.escape(mark)}))"),
            full,
        )
        for mark, full in (("?", "？"), ("!", "！"))
    ),
]
_ADJACENT_MARKS_RE = _lazy(r"[,;:?!] ?[,;:?!]")
_PAREN_RE = _lazy(r"\(([^()\n]{0,120})\)")
_HAN_RE = _lazy(f"[{_HAN}{_TITLE_MARK}]")
_QUOTE_RE = _lazy(r"['\"]")
# 1.申报表 (1．, 12.) at a line's start or after a mark or space numbers a list item: its dot stays a dot.
_ENUMERATOR_BEFORE = r"[\s:：;；,，。、（(]"
_NOT_ENUMERATOR = (
    rf"(?<!^[0-9]\.)(?<!^[0-9][0-9]\.)(?<!{_ENUMERATOR_BEFORE}[0-9]\.)(?<!{_ENUMERATOR_BEFORE}[0-9][0-9]\.)"
)
_DOT_RE = _lazy(
    rf"\.(?:(?<=[{_HAN}{_TITLE_MARK}”’）)'\"]\.)"  # 发展.  年内.  ’.  厂房.12栋
    rf"|(?<=[0-9A-Za-z%]\.){_NOT_ENUMERATOR}(?=[{_HAN}“‘（(《'\"])"  # 5g.物联网  58.6.较
    rf"|(?<=[0-9%]\.)$)",  # 58.6. at the end of a paragraph
    re.M,
)
_SPACE_BEFORE_PUNCT_RE = _lazy(r" +(?=[，。、；：？！）》”’])")
_SPACE_AFTER_PUNCT_RE = _lazy(r"([，。、；：？！（《“‘]) +")
_LOWER_RE = _lazy(r"[a-z]")
_GENERATION_RE = _lazy(r"g(?<=[2-6]g)(?<![A-Za-z0-9][2-6]g)(?![A-Za-z0-9])")  # 5g → 5G
_ABBREVIATION_RE = _lazy(r"(?:3d|[a-z]{2,5})(?![A-Za-z0-9])")
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


def _mask_protected(text: str) -> tuple[str, dict[str, list[str]]]:
    """Swap 《titles》, URLs and e-mail addresses for one marker character each, so punctuation rules leave them
    as written; each kind has its own marker and list, restored in order."""
    kept: dict[str, list[str]] = {}

    def mask(regex: re.Pattern[str], marker: str, text: str) -> str:
        found = kept.setdefault(marker, [])

        def keep(match: re.Match[str]) -> str:
            found.append(match.group(0))
            return marker

        return regex.sub(keep, text)

    if "《" in text:
        text = mask(_TITLE_RE, _TITLE_MARK, text)
    if "://" in text or "www." in text:
        text = mask(_URL_RE, _URL_MARK, text)
    if "@" in text:
        text = mask(_EMAIL_RE, _EMAIL_MARK, text)
    return text, kept


def _unmask(text: str, kept: dict[str, list[str]]) -> str:
    for marker, found in kept.items():
        if found:
            parts = text.split(marker)
            found = found[: len(parts) - 1] + [""] * (len(parts) - 1 - len(found))  # defensive: counts agree
            text = "".join(chain.from_iterable(zip(parts, [*found, ""], strict=True)))
    return text


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


def _is_quote_context(char: str) -> bool:
    """Chinese text or a mangled mark next to an ASCII quote; quotes themselves never count, so converting one
    quote cannot make its neighbour eligible on a second run."""
    return bool(char) and (char in ".,;:!?()" or (char not in "“”‘’" and _is_chinese_context(char)))


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
        if not (_is_quote_context(before) or _is_quote_context(after)):
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


_CONNECTIVE_ENDINGS = ("看", "说", "而言", "如", "是", "此", "外", "时", "以", "但", "而", "且", "则")


_CLOSING_QUOTES = frozenset("”’'\"")


@lru_cache(maxsize=1)
def _enumeration_item_re() -> re.Pattern[str]:
    """北京, 广东, 5G: a short name; not 12栋厂房 (a count) nor 具体来看 / 其中 (connectives)."""
    starters = "|".join(map(re.escape, _SENTENCE_STARTERS))
    one_char_endings = "".join(e for e in _CONNECTIVE_ENDINGS if len(e) == 1)
    longer_endings = "".join(f"(?<!{re.escape(e)})" for e in _CONNECTIVE_ENDINGS if len(e) > 1)
    return re.compile(
        rf"[0-9]*[A-Za-z]+[0-9]*|(?!{starters})[{_HAN}]{{1,{_ENUM_ITEM_MAX}}}(?<![{one_char_endings}]){longer_endings}"
    )


def _is_enumeration_item(segment: str) -> bool:
    return len(segment) <= _ENUM_ITEM_MAX and _enumeration_item_re().fullmatch(segment) is not None


def _choose_dot_marks(paragraph: str) -> str:
    """Decide 。 ， or 、 for every '.' that stands for lost Chinese punctuation.

    Short items between dots are an enumeration (北京.广东.山东 → 、; the first item may follow a lead-in:
    依托5G.物联网.北斗…); a dot ends the sentence when the sentence is already long and the next clause opens
    like a new sentence, or before a closing quote or the paragraph end; otherwise it is a comma (a long sentence
    hurts the extractors less than a wrongly cut one)."""
    segments = _DOT_RE.split(paragraph)
    count = len(segments) - 1
    if not count:
        return paragraph
    lengths = list(map(len, segments))
    item_max = _ENUM_ITEM_MAX
    is_item = _enumeration_item_re().fullmatch
    items = [
        length <= item_max and is_item(seg) is not None for seg, length in zip(segments, lengths, strict=True)
    ]
    items.append(False)
    marks: list[str] = []
    sentence_len = 0
    previous = ""
    for i in range(count):
        after = segments[i + 1]
        sentence_len += lengths[i]
        if after[:1] in _CLOSING_QUOTES or (not after and i + 1 == count):
            previous = "。"
        elif (
            items[i + 1]
            and (items[i] or (items[i + 2] and _can_lead_in(segments[i])))
            or (items[i] and previous == "、")
        ):
            previous = "、"
        elif sentence_len >= _SENTENCE_MIN and after.startswith(_SENTENCE_STARTERS):
            previous = "。"
        else:
            previous = "，"
        marks.append(previous)
        if previous == "。":
            sentence_len = 0
    marks.append("")
    return "".join(chain.from_iterable(zip(segments, marks, strict=True)))


def _can_lead_in(segment: str) -> bool:
    """依托5G may open a list; 具体来看 or 其中 are connectives followed by a comma."""
    return segment not in _SENTENCE_STARTERS and not segment.endswith(_CONNECTIVE_ENDINGS)


def _upper_abbreviation(match: re.Match[str]) -> str:
    """ai, bsn → AI, BSN right after Chinese text; 3d → 3D; units and Latin words stay."""
    word = match.group(0)
    start = match.start()
    before = match.string[start - 1] if start else ""
    if before.isascii() and before.isalnum():
        return word
    if word == "3d":
        return "3D"
    if word in _NOT_ABBREVIATIONS or not _is_chinese_context(before):
        return word
    return word.upper()


def _full_width_pass(text: str) -> str:
    for mark, regex, full in _ASCII_MARK_RES:
        if mark in text:
            text = regex.sub(full, text)
    return text


def _full_width_marks(text: str) -> str:
    """, ; : ? ! in Chinese text become ，；：？！. A converted mark is Chinese context for its neighbour, so
    runs of marks (":,中") take further rounds, until nothing changes."""
    converted = _full_width_pass(text)
    if not _ADJACENT_MARKS_RE.search(text):
        return converted
    for _ in range(8):
        if converted == text:
            break
        text, converted = converted, _full_width_pass(converted)
    return converted


def _repair_paragraph_marks(paragraph: str) -> str:
    if "'" in paragraph or '"' in paragraph:
        paragraph = _repair_quotes(paragraph)
    if "." in paragraph:
        paragraph = _choose_dot_marks(paragraph)
    return paragraph


def _punctuate_once(text: str) -> str:
    """Every punctuation rule once over masked text; each runs only when its mark occurs."""
    if "..." in text or "。。。" in text or "………" in text:
        text = _ELLIPSIS_RE.sub("……", text)
    if "'" in text or '"' in text or ("." in text and _DOT_RE.search(text)):
        text = "\n".join(_repair_paragraph_marks(p) for p in text.split("\n"))
    if "(" in text:
        text = _PAREN_RE.sub(_paren, text)
    if "," in text or ";" in text or ":" in text or "?" in text or "!" in text:
        text = _full_width_marks(text)
    if " " in text:
        text = _SPACE_BEFORE_PUNCT_RE.sub("", text)
        text = _SPACE_AFTER_PUNCT_RE.sub(r"\1", text)
    if "g" in text:
        text = _GENERATION_RE.sub("G", text)
    if _LOWER_RE.search(text):
        text = _ABBREVIATION_RE.sub(_upper_abbreviation, text)
    return text


_LEFTOVER_MARKS_RE = _lazy(r"['\",;:?!()]")


def _punctuate(text: str) -> str:
    """normalize_punctuation on text already through _clean_layout. A rule can make a mark next to it Chinese
    context (' :— → '：—), so while ASCII marks are left and something changed, the rules run again: normalising
    twice must change nothing."""
    text, kept = _mask_protected(text)
    for _ in range(4):
        done = _punctuate_once(text)
        if done == text or not _LEFTOVER_MARKS_RE.search(done):
            text = done
            break
        text = done
    return _unmask(text, kept)


def normalize_punctuation(text: str) -> str:
    """One convention: Chinese punctuation in Chinese text, ASCII digits and Latin letters, 5G/AI upper case.

    《Titles》 and URLs are kept as written; decimals (2.8万, 5.5%) and dates (2021-04-30) are never touched."""
    return _punctuate(_clean_layout(text))


# --------------------------------------------------------------------------------------------------------------
# Boilerplate

_DATE = r"(?:\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?)"
_TRAILER_LINE_RE = _lazy(
    "|".join(
        f"(?:{p})"
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
            r"^[?\ufffd]+$",
        )
    )
)
_ANYWHERE_LINE_RE = _lazy(
    "|".join(
        f"(?:{p})"
        for p in (
            r"^原标题\s*[:：].{0,120}$",
            r"^以上(?:信息|内容|资讯)由.{0,80}整理.{0,80}$",
            r"^[（(]?责任编辑\s*[:：][^，。；！？]{0,30}[）)]?$",
            r"^[?\ufffd]+$",
        )
    )
)
_ANYWHERE_FIRST_CHARS = frozenset("原以（(责?\ufffd")
_RELATED_HEADING_RE = _lazy(
    r"^[【\[]?(?:相关阅读|相关新闻|相关文章|相关链接|延伸阅读|推荐阅读|热门推荐|猜你喜欢|相关推荐)[】\]]?[:：]?$"
)
_RELATED_FIRST_CHARS = frozenset("【[相延推热猜")
_END_SOURCE_RE = _lazy(
    r"[（(]\s*(?:来源|稿件来源|文章来源|来源于|责任编辑|编辑)\s*[:：][^（）()\n]{1,40}[）)]\s*$"
)
# A character lost in transcoding shows as ASCII "?" or U+FFFD, never as a full-width "？". At a line end it is
# stray after a sentence mark (ASCII ones too: they become Chinese marks later, and normalising twice must agree).
_STRAY_QUESTION_RE = _lazy(
    r"[?\ufffd](?:(?<=[。！？；…”’）.!?;)'\"][?\ufffd])|(?<=[。！？；…”’）.!?;)'\"] [?\ufffd]))[?\ufffd]* *$"
    r"|^ *[?\ufffd]+ *(?=[" + _HAN + "“'\"])"
)


def _is_short_list_item(line: str) -> bool:
    return len(line) <= 60 and not line.endswith(("。", "！", "？", ".", "；"))


def _strip_related_section(lines: list[str], removed: list[str]) -> list[str]:
    """A "相关阅读" heading followed only by short list lines is a site widget, not part of the article."""
    for i in range(len(lines) - 1, -1, -1):
        if (
            lines[i][:1] in _RELATED_FIRST_CHARS
            and _RELATED_HEADING_RE.match(lines[i])
            and all(_is_short_list_item(line) for line in lines[i + 1 :])
        ):
            removed.extend(lines[i:])
            return lines[:i]
    return lines


def _strip_tail(lines: list[str], removed: list[str]) -> list[str]:
    """Peel trailer lines off the end, bottom up, stopping at the first line of the article itself."""
    tail: list[str] = []
    while lines and _TRAILER_LINE_RE.match(lines[-1]):
        tail.append(lines.pop())
    removed.extend(reversed(tail))
    if lines:
        match = _END_SOURCE_RE.search(lines[-1])
        if match and match.start() > 0:
            removed.append(match.group(0).strip())
            lines[-1] = lines[-1][: match.start()].rstrip()
    return lines


def _strip(text: str) -> tuple[str, list[str]]:
    """strip_boilerplate on text already through _clean_layout."""
    removed: list[str] = []
    body: list[str] = []
    for line in text.split("\n"):
        if not line:
            continue
        if line[:1] in _ANYWHERE_FIRST_CHARS and _ANYWHERE_LINE_RE.match(line):
            removed.append(line)
            continue
        while "?" in line or "\ufffd" in line:
            stray = _STRAY_QUESTION_RE.search(line)
            if not stray:
                break
            removed.append(stray.group(0).strip())
            line = (line[: stray.start()] + line[stray.end() :]).strip()
        if line:
            body.append(line)
    previous = -1
    while len(body) != previous:
        previous = len(body)
        body = _strip_related_section(body, removed)
        body = _strip_tail(body, removed)
    return "\n".join(body), removed


def strip_boilerplate(text: str) -> tuple[str, list[str]]:
    """Remove site trailers, related-article lists and stray '?' marks; return the text and what was removed.

    Only whole trailer lines at the end, a few unmistakable lines anywhere (原标题, 以上信息由…整理) and '?' that
    stand where a character was lost are removed: a sentence of the article never is."""
    return _strip(_clean_layout(text))


# --------------------------------------------------------------------------------------------------------------
# Entry points


def _punctuate_lines(lines: list[str]) -> list[str]:
    """Punctuate removed segments in one call: rules never reach across a line break."""
    if not lines:
        return []
    done = _punctuate("\n".join(lines)).split("\n")
    return done if len(done) == len(lines) else [normalize_punctuation(line) for line in lines]


# A page body is normalised twice on its way (page understanding wants the text, the pipeline what was
# removed): the last few long texts' results are remembered, so the second time costs nothing.
REMEMBER_MIN_CHARS = 64
REMEMBER_TEXTS = 4
_remembered: OrderedDict[tuple[str, bool], Normalized] = OrderedDict()
_remembered_lock = Lock()


def normalize_text(text: str, *, strip: bool = True) -> Normalized:
    """The one entry point: script of the original, Simplified conversion, boilerplate, punctuation."""
    if not isinstance(text, str) or len(text) < REMEMBER_MIN_CHARS:
        return _normalize_text(text, strip)
    key = (text, strip)
    with _remembered_lock:
        found = _remembered.get(key)
        if found is not None:
            _remembered.move_to_end(key)
    if found is None:
        found = _normalize_text(text, strip)
        with _remembered_lock:
            _remembered[key] = found
            while len(_remembered) > REMEMBER_TEXTS:
                _remembered.popitem(last=False)
    # Each caller gets its own record: `removed` is a list the caller may keep or change.
    return Normalized(found.text, text, found.language, list(found.removed))


def _normalize_text(text: str, strip: bool) -> Normalized:
    """normalize_text itself, never remembered."""
    try:
        simplified = _clean_layout(text)
        if _needs_conversion(simplified):
            language = detect_script(text)
            simplified = to_simplified(simplified)
        else:
            language = HANS
        removed: list[str] = []
        if strip:
            simplified, removed = _strip(simplified)
        return Normalized(_punctuate(simplified), text, language, _punctuate_lines(removed))
    except Exception:  # never through the crawl: a text we cannot normalise is kept as it came
        logger.exception("normalisation failed; text kept as is (%d chars)", len(text))
        return Normalized(text, text, HANS, [])


_TITLE_SPACES_RE = _lazy(r"[\s《》]+")


@lru_cache(maxsize=4096)  # a pure function of the title; the same titles come back in article after article
def normalize_title(title: str) -> str:
    """The identity of a policy title: Simplified, ASCII brackets, no spaces, no 《》; dashes as printed
    (spec/FACTS.md titles keep "(2022—2024年)" as the document prints it)."""
    title = to_simplified(_FOLD_RE.sub(_fold, title))
    title = title.replace("（", "(").replace("）", ")")
    return _TITLE_SPACES_RE.sub("", title)
