"""The analysis' fast paths give exactly what the plain forms they replace give.

Several patterns were rewritten so the regex engine can jump to candidate characters (a literal or a class first,
lookbehinds after the character they guard, case spelled out instead of IGNORECASE), and a few checks skip work
that cannot find anything. Each is compared here with the plain form on random text built from its own pieces.
"""

from __future__ import annotations

import random
import re

import pytest

from extract import article, challenge

# The forms the fast paths replace, as they were written before.
_PLAIN_WRAPPERS = r"(?:div|span|font|section|center|blockquote|b|i|u|strong|em|table|tbody|tr|td|ul|ol|li|p)"
PLAIN = {
    "open_run": re.compile(rf"(?:<{_PLAIN_WRAPPERS}\b[^<>]*>\s*){{65,}}", re.I),
    "close_run": re.compile(rf"(?:</{_PLAIN_WRAPPERS}\s*>\s*){{65,}}", re.I),
}
FAST = {
    "open_run": article._OPEN_RUN,
    "close_run": article._CLOSE_RUN,
}
# Pieces the random texts are made of: what the patterns look for, and what sits around it.
PIECES = {
    "open_run": ["<div>", "<DIV class=x>", "<dıv>", "<İ>", "<bloc\u212aquote>", "<ſpan>", "<b>", "<p>", "<ul>", "<u>",
                 "<TBODY>", "<li\n>", "<font a='<'>", " ", "\n"],
    "close_run": ["</div>", "</DIV >", "</p>", "</ſtrong>", "</Td>", "</EM>", "</İ>", "\t"],
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
