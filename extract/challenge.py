"""Pages that answer 200 but are not the article: WAF captchas, JavaScript challenges, empty script shells.

Government sites sit behind firewalls (云锁, 安全狗, 创宇盾, 瑞数, 加速乐, 阿里云 WAF, Cloudflare-style
services). When they distrust a client they still answer 200, with a page that asks for a slider, a captcha,
patience or JavaScript. Stored, such a page would stand in for the notice; counted as "not an article" it
would hide that the site is blocking us. `detect_challenge` names it so the crawl drops it as
`waf_challenge` and ops see the block in the run's counts. Pure: no Scrapy, no network, never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SCAN_CHARS = 200_000  # challenge pages are small; a big page is judged by its head
# Real notices have more words than this; challenge pages have a sentence or two.
MAX_VISIBLE_CHARS = 800
# 安全验证 also occurs in ordinary news ("开展网络安全验证演练"): it counts on a page this short, or at the
# start of the title ("安全验证", "访问验证 - 云盾"), not inside a headline.
CAPTCHA_MAX_VISIBLE_CHARS = 300
# A shell has (almost) no words at all: only scripts the crawler cannot run.
SHELL_MAX_VISIBLE_CHARS = 20

# Words a challenge page shows, by what it is asking for.
_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("captcha", re.compile(
        r"安全验证|访问验证|人机验证|滑动验证|拖动(?:下方)?滑块|请完成(?:下方)?验证|请输入验证码|点击按钮进行验证|"
        r"verify you are (?:a )?human|are you a robot", re.I)),
    ("rate_limited", re.compile(r"访问过于频繁|请求过于频繁|访问频率过(?:快|高)|访问太频繁|操作过于频繁|too many requests", re.I)),
    ("firewall", re.compile(
        r"云锁|yunsuo|安全狗|safedog|创宇盾|知道创宇云防御|网站防火墙|WEB应用防火墙|您的访问被拒绝|访问被拦截|"
        r"您的请求已被拦截|请求已被阻断|疑似黑客攻击|Access Denied|Request blocked", re.I)),
    ("js_required", re.compile(
        r"请(?:开启|启用|打开)(?:浏览器的?)?\s*JavaScript|enable JavaScript and cookies|Please enable (?:cookies|JavaScript)|"
        r"Just a moment\.\.\.|Checking your browser", re.I)),
)
# Code that only challenge scripts contain (cookie handshakes of the common Chinese and global services).
_SCRIPT_SIGNATURES = re.compile(
    r"__jsl_clearance|\$_ts\s*=\s*window\[|acw_sc__v2|_waf_bd8ce2ce37|wzws_cid|WZWS_CONFIRM|yunsuo_session_verify|"
    r"safedog-flow-item|cf-browser-verification|/cdn-cgi/challenge-platform/|_guard/auto\.js|TSPD_101"
)
_SCRIPT_BLOCK = re.compile(r"<script\b.*?(?:</script\s*>|$)|<style\b.*?(?:</style\s*>|$)|<!--.*?(?:-->|$)", re.S | re.I)
# No "<" inside a tag or a title: each try then stops at the next "<", so a run of 200,000 "<" with no ">"
# costs one pass, not one pass per "<" (15 s before).
_TAG = re.compile(r"<[^<>]*>")
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z]+);", re.I)
_HAS_SCRIPT = re.compile(r"<script\b", re.I)
_TITLE = re.compile(r"<title[^<>]*>([^<]*)</title", re.I)


# --- a quick "cannot match" before the word patterns -------------------------------------------------------
# The word patterns ignore case, which keeps the regex engine from jumping to candidate characters: it tries
# every alternative at every character of the page. Every match of an alternative contains that alternative's
# longest plain run of characters (安全验证, "please enable "), so when a page holds none of a pattern's runs the
# pattern cannot match it and is not run. Runs are looked for in the lower-cased text: re.IGNORECASE and
# str.lower() agree on every character but these four, which make a page go the long way.
_FOLD_SENSITIVE = "\u0130\u0131\u017f\u212a"  # İ ı ſ K: IGNORECASE matches them to i, i, s, k
_REGEX_SPECIAL = frozenset(".^$*+?{}[]|()\\")


def _class_end(pattern: str, i: int) -> int:
    """Index after the character class that opens at pattern[i] ("[")."""
    j = i + 1
    if pattern[j : j + 1] == "^":
        j += 1
    if pattern[j : j + 1] == "]":
        j += 1
    while j < len(pattern) and pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    return j + 1


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a pattern (its "|" outside groups and classes)."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "[":
            i = _class_end(pattern, i)
            continue
        if char == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        depth += (char == "(") - (char == ")")
        i += 2 if char == "\\" else 1
    return [*parts, pattern[start:]]


def _required_run(alternative: str) -> str | None:
    """The longest run of plain characters outside groups and classes that every match of `alternative`
    contains (a character made optional by ?, * or {…} is left out); None when there is none."""
    runs, run, depth, i = [""], "", 0, 0
    while i < len(alternative):
        char, literal = alternative[i], None
        if char == "\\" and i + 1 < len(alternative) and not alternative[i + 1].isalnum():
            literal, i = alternative[i + 1], i + 2  # an escaped mark (\.) stands for itself
        elif char == "[":
            i = _class_end(alternative, i)
        elif char == "{":
            i = alternative.find("}", i) + 1 or len(alternative)
        elif char == "|" and depth == 0:
            return None  # not one alternative: no run is required
        elif char in _REGEX_SPECIAL:  # groups, quantifiers, anchors, "." and \d-like classes
            depth += (char == "(") - (char == ")")
            i += 2 if char == "\\" else 1
        else:
            literal, i = char, i + 1
        following = alternative[i : i + 1]
        if literal is None or depth or (following and following in "?*{"):
            runs.append(run)
            run = ""
            continue
        run += literal
        if following == "+":
            runs.append(run)
            run = ""
    runs.append(run)
    return max(runs, key=len) or None


def _anchors(words: re.Pattern[str]) -> re.Pattern[str] | None:
    """A pattern of one lower-cased run per alternative of `words` (case-sensitive: the engine jumps to them),
    or None when some alternative has no run to look for."""
    if words.flags & re.VERBOSE:
        return None
    runs = [_required_run(alternative) for alternative in _alternatives(words.pattern)]
    return None if None in runs else re.compile("|".join(re.escape(run.lower()) for run in runs))


def _folded(text: str) -> str | None:
    """`text` lower-cased for looking up runs, or None when it holds a character the two foldings disagree on."""
    return None if any(char in text for char in _FOLD_SENSITIVE) else text.lower()


def _may_match(anchors: re.Pattern[str] | None, folded: str | None) -> bool:
    """False only when no match of the pattern can be in the text."""
    return anchors is None or folded is None or anchors.search(folded) is not None


_WORD_ANCHORS = {kind: _anchors(words) for kind, words in _WORDS}


@dataclass(frozen=True)
class Challenge:
    kind: str  # captcha | rate_limited | firewall | js_required | js_challenge | empty_shell
    evidence: str  # the words or code that gave it away, for the log


def visible_text(html: str) -> str:
    """What a reader would see: no scripts, styles, comments or tags (an unterminated script hides the rest)."""
    text = _SCRIPT_BLOCK.sub(" ", html[:SCAN_CHARS])
    text = _ENTITY.sub(" ", _TAG.sub(" ", text))
    return "".join(text.split())  # str.split's whitespace is exactly the regex \s, and it is much faster


def detect_challenge(html: str) -> Challenge | None:
    """The challenge this page is, or None for a page with real content (or nothing to say about)."""
    if not html or not isinstance(html, str):
        return None
    seen = visible_text(html)
    if len(seen) >= MAX_VISIBLE_CHARS:
        return None  # an article may mention 安全验证 or carry a firewall's script and still be the article
    head = html[:SCAN_CHARS]
    title = _TITLE.search(head)
    seen_folded, head_folded = _folded(seen), _folded(head)
    for kind, words in _WORDS:
        if kind == "captcha" and len(seen) > CAPTCHA_MAX_VISIBLE_CHARS:
            found = words.match(title.group(1).strip()) if title else None
        else:
            anchors = _WORD_ANCHORS[kind]
            found = (_may_match(anchors, seen_folded) and words.search(seen)) or \
                (_may_match(anchors, head_folded) and words.search(head))
        if found:
            return Challenge(kind, found.group(0))
    if len(seen) > SHELL_MAX_VISIBLE_CHARS:
        return None  # firewalls inject their scripts into real pages too: code alone decides only on a shell
    code = _SCRIPT_SIGNATURES.search(head)
    if code:
        return Challenge("js_challenge", code.group(0))
    if _HAS_SCRIPT.search(head):
        return Challenge("empty_shell", f"{len(seen)} visible characters, content only from scripts")
    return None


def looks_like_challenge(html: str) -> bool:
    return detect_challenge(html) is not None
