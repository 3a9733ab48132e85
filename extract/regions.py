"""Regions named in a text, resolved to the national division table (`data/divisions.tsv`).

A name counts only when it is a whole word of the shared tokeniser, so "链上海南" gives 海南 and not 上海, and
"海淀区" (a district, also in the tokeniser's dictionary) gives nothing. One-character abbreviations (湘, 贵,
新…) are ordinary characters most of the time; they are expanded only in runs such as 京津冀, 川渝, 北上广深
that stand as a unit (followed by punctuation, 等, 地区, 两地, 大湾区…).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from extract.records import Region, RegionMention

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
DIVISIONS = DATA_DIR / "divisions.tsv"
DISTRICTS = DATA_DIR / "district_names.txt"

# One-character abbreviations of province-level regions (简称) and the few cities written so in runs.
# fmt: off
PROVINCE_ABBREVIATIONS: dict[str, str] = {
    "京": "110000", "津": "120000", "冀": "130000", "晋": "140000", "蒙": "150000", "辽": "210000",
    "吉": "220000", "黑": "230000", "沪": "310000", "苏": "320000", "浙": "330000", "皖": "340000",
    "闽": "350000", "赣": "360000", "鲁": "370000", "豫": "410000", "鄂": "420000", "湘": "430000",
    "粤": "440000", "桂": "450000", "琼": "460000", "渝": "500000", "川": "510000", "蜀": "510000",
    "贵": "520000", "黔": "520000", "云": "530000", "滇": "530000", "藏": "540000", "陕": "610000",
    "秦": "610000", "甘": "620000", "陇": "620000", "青": "630000", "宁": "640000", "新": "650000",
    "台": "710000", "港": "810000", "澳": "820000",
}
# fmt: on
# Characters that only stand for a region inside a run: 北上广深, 江浙沪, 成渝, 杭甬.
# fmt: off
RUN_ONLY_ABBREVIATIONS: dict[str, str] = {
    "北": "110000", "上": "310000", "广": "440100", "深": "440300", "杭": "330100", "蓉": "510100",
    "穗": "440100", "甬": "330200", "厦": "350200", "江": "320000", "成": "510100",
}
# fmt: on
# What may follow a run of abbreviations for it to be read as a list of regions.
# fmt: off
RUN_FOLLOWERS = (
    "等", "地区", "两地", "三地", "四地", "五地", "两省", "三省", "四省", "五省", "省市", "各省", "一线", "大湾区",
    "湾区", "一体化", "协同", "区域", "城市", "经济圈", "经济区", "合作", "片区", "板块", "之间", "在内", "和", "及",
    "与", "的", "为", "都", "也", "已", "均", "相继", "先后", "纷纷", "陆续", "率先",
)
# fmt: on
RUN_PUNCTUATION = set("，。、；：！？,.;:!?（）()“”\"'《》 \n\t")
# Words whose characters spell a region name but name something else.
# Words that begin with a region's name but do not name it (四平方米 "four square metres", 黄石公园
# "Yellowstone"); companies named after a place are whole words of the user dictionary too (宁德时代).
NOT_REGION_WORDS = frozenset(
    """宁德时代 四平方米 四平方公里 四平八稳 四平调 哈密尔顿 哈密顿 哈密顿圈 哈密顿量 哈密瓜 大理石 大理岩 大理寺
    大理院 大理石厂 乐山乐水 乐山爱水 咸阳一炬 洛阳纸贵 邯郸学步 邯郸匍匐 邯郸重步 淮南子 淮南鸡犬 衡阳雁断
    长春花 长春碱 长春藤 长春不老 长春新碱 长春花碱 日照计 日照时数 日照时间 日照计算 日照间距 喀什米尔 拉萨尔
    拉萨特 桂林一枝 周口店 周口店遗址博物馆 周口店地区 攀枝花树 黄石公园 宜昌橙 青海苔 福建柏 河北杨 江西腊
    苏州码 苏州码子 新北仑 新北界 南宁德 唐山大兄""".split()
)
ALIASES = {"中国香港": "810000", "中国澳门": "820000", "中国台湾": "710000", "中国台北": "710100"}


@dataclass(frozen=True)
class _Table:
    regions: tuple[Region, ...]
    by_code: dict[str, Region]
    by_name: dict[str, Region | None]  # full names, short names and aliases; None for a district name
    lengths_by_head: dict[str, tuple[int, ...]]  # first two characters → name lengths, longest first


def _read_rows(path: Path) -> list[list[str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")][1:]


@lru_cache(maxsize=1)
def _table() -> _Table:
    regions: list[Region] = []
    shorts: list[tuple[str, Region]] = []
    for code, name, level, parent, short_names in _read_rows(DIVISIONS):
        region = Region(code=code, name=name, level=level, parent_code=parent or None)
        regions.append(region)
        shorts.extend((s, region) for s in short_names.split(",") if s)
    by_code = {r.code: r for r in regions}
    by_name: dict[str, Region | None] = {}
    for line in DISTRICTS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            by_name[line] = None
    # Short names first, provinces last among them, so 吉林 is the province; full names override everything.
    for short, region in sorted(shorts, key=lambda sr: sr[1].level == "province"):
        by_name[short] = region
    for region in regions:
        by_name[region.name] = region
    for alias, code in ALIASES.items():
        by_name[alias] = by_code[code]
    lengths: dict[str, set[int]] = {}
    for name in by_name:
        lengths.setdefault(name[:2], set()).add(len(name))
    heads = {head: tuple(sorted(ls, reverse=True)) for head, ls in lengths.items()}
    return _Table(tuple(regions), by_code, by_name, heads)


def all_regions() -> list[Region]:
    """Every province-level region and prefecture-level city, with its 6-digit code."""
    return list(_table().regions)


def region_by_code(code: str) -> Region | None:
    return _table().by_code.get(code)


def lookup_region(name: str) -> Region | None:
    """A region from a full name, a short name (湖南, 深圳) or a one-character abbreviation (湘)."""
    name = name.strip()
    table = _table()
    if name in table.by_name:
        return table.by_name[name]
    if len(name) == 1 and name in PROVINCE_ABBREVIATIONS:
        return table.by_code[PROVINCE_ABBREVIATIONS[name]]
    return None


def region_of_division_code(code: str) -> Region | None:
    """The city (or else the province) of a division code or a code-prefixed id such as a SiteIDCode."""
    digits = re.match(r"\d{6}", code.strip())
    if not digits:
        return None
    code6 = digits.group()
    table = _table()
    for candidate in (code6, code6[:4] + "00", code6[:2] + "0000"):
        if candidate in table.by_code:
            return table.by_code[candidate]
    return None


def _tokens_by_start(text: str) -> dict[int, str]:
    """The words of `text` (cut without HMM) by start offset; shared with the text's segmentation, read-only."""
    from extract.segment import segmentation

    return segmentation(text).exact_starts


def _name_at(text: str, start: int, token_end: int, tokens: dict[int, str],
             lengths: tuple[int, ...]) -> tuple[int, Region | None] | None:
    """The longest name at `start` that ends a word or ends inside the word at `start` (湖南省委, 海南岛);
    `lengths` are those of the names that begin with the two characters at `start`."""
    by_name = _table().by_name
    size = len(text)
    for length in lengths:
        end = start + length
        if end <= size and (end <= token_end or end in tokens or end == size):
            name = text[start:end]
            if name in by_name:
                return end, by_name[name]
    return None


def _name_mentions(text: str, tokens: dict[int, str]) -> list[RegionMention]:
    """Names that start a word, or follow another name inside one word (湖南长沙市, 山西大同), longest first.

    A name inside a word (上海 in 链上|海南, 保定 in 确保|定期) is not a mention.
    """
    heads = _table().lengths_by_head
    mentions: list[RegionMention] = []
    covered_until = 0
    for token_start, token in tokens.items():
        # Most words begin no name at all: one look-up of their first two characters says so.
        if token_start < covered_until or text[token_start : token_start + 2] not in heads \
                or token in NOT_REGION_WORDS:
            continue
        start, token_end = token_start, token_start + len(token)
        while start < token_end:
            lengths = heads.get(text[start : start + 2])
            found = _name_at(text, start, token_end, tokens, lengths) if lengths else None
            if not found:
                break
            end, region = found
            if region is not None:
                mentions.append(RegionMention(region.name, region.code, start, end, text[start:end]))
            start = covered_until = end
    return mentions


_ABBREVIATION_RUN = re.compile(f"[{''.join(PROVINCE_ABBREVIATIONS)}{''.join(RUN_ONLY_ABBREVIATIONS)}]{{2,}}")


def _run_is_delimited(text: str, end: int) -> bool:
    return end >= len(text) or text[end] in RUN_PUNCTUATION or text.startswith(RUN_FOLLOWERS, end)


def _abbreviation_mentions(text: str, tokens: dict[int, str]) -> list[RegionMention]:
    """Runs of two or more abbreviations (湘贵琼, 北上广深, 京津冀) standing as a unit.

    The run must start a word (青云 in 平步青云 does not) and be followed by punctuation or a word that
    treats it as a list of places (等, 两地, 大湾区…).
    """
    table = _table()
    mentions: list[RegionMention] = []
    for run in _ABBREVIATION_RUN.finditer(text):
        if run.start() not in tokens or not _run_is_delimited(text, run.end()):
            continue
        chars = run.group()
        # 北 and 上 only mean 北京/上海 in the 北上广(深) set phrase; elsewhere the province map applies.
        city_run = "北" in chars and "上" in chars
        codes: list[str] = []
        for ch in chars:
            if city_run or ch not in PROVINCE_ABBREVIATIONS:
                code = RUN_ONLY_ABBREVIATIONS.get(ch)
            else:
                code = PROVINCE_ABBREVIATIONS[ch]
            if code is None:
                break
            codes.append(code)
        if len(codes) != len(chars):
            continue
        for i, code in enumerate(codes):
            region = table.by_code[code]
            pos = run.start() + i
            mentions.append(RegionMention(region.name, region.code, pos, pos + 1, chars[i]))
    return mentions


def find_regions(text: str) -> list[RegionMention]:
    """Every region mention in (Simplified) `text`, in text order."""
    if not text:
        return []
    tokens = _tokens_by_start(text)
    names = _name_mentions(text, tokens)
    taken = {i for m in names for i in range(m.start, m.end)}
    abbreviations = [m for m in _abbreviation_mentions(text, tokens) if m.start not in taken]
    return sorted(names + abbreviations, key=lambda m: (m.start, m.end))


def regions_mentioned(text: str) -> list[str]:
    """FACTS.md `regions_mentioned`: sorted, de-duplicated full standard names."""
    return sorted({m.name for m in find_regions(text)})
