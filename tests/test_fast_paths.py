"""The analysis' fast paths give exactly what the plain forms they replace give.

Several patterns were rewritten so the regex engine can jump to candidate characters (a literal or a class first,
lookbehinds after the character they guard, case spelled out instead of IGNORECASE), and a few checks skip work
that cannot find anything. Each is compared here with the plain form on random text built from its own pieces.
"""

from __future__ import annotations

import random
import re

import pytest

from extract import article, challenge, targets

# The forms the fast paths replace, as they were written before.
_PLAIN_WRAPPERS = r"(?:div|span|font|section|center|blockquote|b|i|u|strong|em|table|tbody|tr|td|ul|ol|li|p)"
PLAIN = {
    "open_run": re.compile(rf"(?:<{_PLAIN_WRAPPERS}\b[^<>]*>\s*){{65,}}", re.I),
    "close_run": re.compile(rf"(?:</{_PLAIN_WRAPPERS}\s*>\s*){{65,}}", re.I),
    "goal": re.compile(
        r"力争|争取|(?:到|至)(?:19|20)\d{2}年(?!\d{1,2}月)|(?:19|20)\d{2}年(?:前|以前)|计划|目标|"
        r"(?<![主需重只必想摘纲简提])要(?![素闻求点害])|(?<![即])将(?!近|来)|提出|明确|确保|年内|全年|今年内|拟|努力|力求|"
        r"规划|部署|任务是|着力|加快"
    ),
    "strong_goal": re.compile(r"力争|争取|计划|目标|提出|明确|确保|(?<![主需重只必想])要(?![素闻求点害])|拟"),
    "past": re.compile(
        r"已经|已有|已|截至|截止|拥有|涵盖|共有|目前|现有|去年|上年|同比|比上年|较上年|此前|曾经|曾|过去|"
        r"(?:建成|实现|完成|达到|突破|超过|新增|吸引|培育|打造|出台|引进|形成|聚集|集聚|入驻|上线|发布|签约|带动|建立|"
        r"覆盖|获得|公布|开通|部署|落地|汇聚|服务|达)了|有(?=\d)|只需要?|只有|排名|位居|居全国|占全国|分别为|总计|合计"
    ),
    "statistic_year": re.compile(r"(?<![到至\d])((?:19|20)\d{2})年(?!前|以前|底前)"),
    "quantity": re.compile(
        rf"(?<![\d.A-Za-z{targets._CN_DIGITS}第前])(?P<num>{targets._NUM})(?P<mag>{targets._MAG})"
        rf"(?P<unit1>{targets._UNIT_RE})?(?:\s*{targets._RANGE_SEP}\s*(?P<num2>{targets._NUM})(?P<mag2>{targets._MAG}))?"
        rf"(?P<unit>{targets._UNIT_RE})(?![A-Za-z])(?P<suffix>以上|以下|以内|左右|上下|多|余)?"
    ),
}
FAST = {
    "open_run": article._OPEN_RUN,
    "close_run": article._CLOSE_RUN,
    "goal": targets._GOAL_RE,
    "strong_goal": targets._STRONG_GOAL_RE,
    "past": targets._PAST_RE,
    "statistic_year": targets._STATISTIC_YEAR_RE,
    "quantity": targets._QTY_RE,
}
# Pieces the random texts are made of: what the patterns look for, and what sits around it.
PIECES = {
    "open_run": ["<div>", "<DIV class=x>", "<dıv>", "<İ>", "<bloc\u212aquote>", "<ſpan>", "<b>", "<p>", "<ul>", "<u>",
                 "<TBODY>", "<li\n>", "<font a='<'>", " ", "\n"],
    "close_run": ["</div>", "</DIV >", "</p>", "</ſtrong>", "</Td>", "</EM>", "</İ>", "\t"],
    "goal": ["力争", "争取", "到", "至", "2025", "1999", "年", "3月", "前", "以前", "要", "主", "需", "素", "将", "即", "近",
             "来", "计划", "今年内", "，", "。"],
    "strong_goal": ["要", "主", "想", "素", "闻", "拟", "计划", "目标", "确保", "x"],
    "past": ["已", "经", "有", "达", "到", "了", "建成", "服务", "只需", "要", "3", "同比", "x"],
    "statistic_year": ["到", "至", "2019", "1998", "2030", "年", "前", "以前", "底前", "5", "x"],
    "quantity": ["3", "10", "2.5", "两", "十", "千", "第", "前", "万", "亿", "个", "%", "％", "元", "以上", "左右", "至", "-", " ",
                 "a", "Gbps", "项", "年", "一", ".", "名"],
}


RUN_BREAKERS = ["<br>", "<spanx>", "x", "<a>", "</a>", "</ıtem>"]


def _texts(name: str, count: int = 3000) -> list[str]:
    rnd = random.Random(name)
    pieces = PIECES[name]
    if name.endswith("_run"):  # long runs of tags, now and then broken
        return ["".join(rnd.choice(pieces) if rnd.random() < 0.993 else rnd.choice(RUN_BREAKERS)
                        for _ in range(rnd.randint(60, 400))) for _ in range(count)]
    return ["".join(rnd.choice(pieces) if rnd.random() < 0.9 else chr(rnd.randint(0x4E00, 0x4E80))
                    for _ in range(rnd.randint(1, 12))) for _ in range(count)]


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_rewritten_patterns_find_the_same_matches(name: str) -> None:
    plain, fast = PLAIN[name], FAST[name]
    found = 0
    for text in _texts(name):
        matches = [(m.span(), m.groups()) for m in plain.finditer(text)]
        assert matches == [(m.span(), m.groups()) for m in fast.finditer(text)], text
        found += len(matches)
    assert found > 100  # the texts did reach what the pattern looks for


def test_deadline_years_are_read_from_the_first_year_on() -> None:
    rnd = random.Random(7)
    pieces = ["截", "到", "至", "力争", "争取", "在", "2025", "1999", "年", "底", "末", "前", "3月", "-", "x", "，"]
    for _ in range(5000):
        prefix = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 10)))
        year = targets._YEAR_IN_DEADLINE_RE.search(prefix)
        start = max(0, year.start() - targets._DEADLINE_LEAD_CHARS) if year else len(prefix)
        assert [m.span() for m in targets._YEAR_DEADLINE_RE.finditer(prefix)] == \
            [m.span() for m in targets._YEAR_DEADLINE_RE.finditer(prefix, start)], prefix


@pytest.mark.parametrize(("alternative", "run"), [
    ("安全验证", "安全验证"), ("拖动(?:下方)?滑块", "拖动"), (r"Just a moment\.\.\.", "Just a moment..."),
    ("ab?c", "a"), ("a{2,3}bc", "bc"), (r"\d+abc", "abc"), ("[ab]cd", "cd"), (r"\(x\)", "(x)"), ("abc*", "ab"),
    ("a|b", None), ("", None), ("(?:x|y)", None),
])
def test_required_run(alternative: str, run: str | None) -> None:
    assert challenge._required_run(alternative) == run


def test_challenge_words_are_never_skipped_when_they_are_there() -> None:
    rnd = random.Random(3)
    pieces = [re.sub(r"\\s\*|\(\?:|\)\??|\\", "", alternative).replace("|", "")
              for _, words in challenge._WORDS for alternative in challenge._alternatives(words.pattern)]
    pieces += ["下方", "浏览器的", " ", "\u0130", "\u0131", "\u017f", "\u212a", "<p>", "\n"]
    matched = 0
    for _ in range(20000):
        text = "".join("".join(c.upper() if rnd.random() < 0.3 else c for c in rnd.choice(pieces))
                       if rnd.random() < 0.5 else rnd.choice("abcdefghijklmnopqrstuvwxyz 验证请求访问频繁")
                       for _ in range(rnd.randint(1, 6)))
        for kind, words in challenge._WORDS:
            if words.search(text):
                matched += 1
                assert challenge._may_match(challenge._WORD_ANCHORS[kind], challenge._folded(text)), (kind, text)
    assert matched > 1000


def test_xml_unsafe_check_agrees_with_the_pattern() -> None:
    for code in range(0x110000):
        char = chr(code)
        assert article._has_xml_unsafe("ab" + char) == bool(article._XML_UNSAFE.search(char)), hex(code)
