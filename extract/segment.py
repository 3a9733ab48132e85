"""The project's one tokeniser: jieba with our domain dictionary and every division name loaded.

jieba_fast (the same algorithm in C) is used when installed: on our corpus it cuts exactly as jieba does
(tests/test_keywords.py checks it) and about four times faster; plain jieba is the fallback.

Region matching, keywords and the full-text index must cut text the same way, so they all come here. The
dictionary costs about a second to load: it is loaded on first use, never at import (`policycrawl --help`
must stay fast).

An article is segmented once: `segmentation(text)` walks jieba's best route through each run of Chinese
once and reads off all three token streams (with HMM, without, and the search sub-words), exactly as jieba's
`cut`, `cut(HMM=False)` and `cut_for_search` would give them (tests/test_segment.py checks it). The last few
long texts are remembered, so regions, keywords and the search index of one article share one cut.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from threading import Lock
from typing import Any

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
USER_DICT = DATA_DIR / "user_dict.txt"
DIVISIONS = DATA_DIR / "divisions.tsv"
DISTRICTS = DATA_DIR / "district_names.txt"


def division_words() -> list[str]:
    """Full and short names of provinces and cities, and district names, as the tokeniser must know them."""
    words: list[str] = []
    for line in DIVISIONS.read_text(encoding="utf-8").splitlines()[2:]:
        cols = line.split("\t")
        words.append(cols[1])
        words.extend(w for w in cols[4].split(",") if w)
    words.extend(w for w in DISTRICTS.read_text(encoding="utf-8").splitlines() if w and not w.startswith("#"))
    return words


def jieba_module() -> Any:
    """jieba_fast when available, else jieba (same API, same output)."""
    try:
        import jieba_fast as jieba
    except ImportError:
        import jieba
    return jieba


@lru_cache(maxsize=1)
def tokenizer() -> Any:
    """The shared jieba Tokenizer, initialised once with our dictionaries."""
    jieba = jieba_module()
    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.initialize()
    with USER_DICT.open("rb") as f:  # a path would be opened by jieba and never closed
        tk.load_userdict(f)
    for word in division_words():
        # No frequency: jieba keeps its own when it knows the word, else makes it just cuttable as one word.
        tk.add_word(word)
    logger.debug("jieba ready with %d entries", len(tk.FREQ))
    return tk


class Segmentation:
    """The token streams of one text, from one walk of jieba's route; the search words only when asked for."""

    __slots__ = ("words", "exact_words", "_freq", "_search_words")

    def __init__(self, words: tuple[str, ...], exact_words: tuple[str, ...], freq: dict) -> None:
        self.words = words  # precise mode with HMM (jieba `cut`)
        self.exact_words = exact_words  # precise mode without HMM (`cut(HMM=False)`): stable boundaries
        self._freq = freq
        self._search_words: tuple[str, ...] | None = None

    @property
    def search_words(self) -> tuple[str, ...]:
        """Words and their dictionary sub-words (`cut_for_search`)."""
        if self._search_words is None:
            self._search_words = tuple(_search_words(self.words, self._freq))
        return self._search_words


# Texts at least this long are remembered (the last few): an article body is cut once for all its uses.
REMEMBER_MIN_CHARS = 64
REMEMBER_TEXTS = 4
_remembered: OrderedDict[str, Segmentation] = OrderedDict()
_remembered_lock = Lock()


@lru_cache(maxsize=1)
def _engine() -> tuple[Any, Any, Any, Any, Any, Any]:
    """(tokenizer, route function, finalseg.cut, block regex, skip regex, latin regex) of the module in use."""
    tk = tokenizer()
    module = jieba_module()
    fast = getattr(module, "_jieba_fast_functions", None)
    if fast is not None:

        def route(block: str) -> list[int]:
            ends: list[int] = []
            fast._get_DAG_and_calc(tk.FREQ, block, ends, float(tk.total))  # as jieba_fast's own cut does
            return ends
    else:

        def route(block: str) -> list[int]:
            found: dict[int, tuple[float, int]] = {}
            tk.calc(block, tk.get_DAG(block), found)
            return [found[i][1] for i in range(len(block))]

    return tk, route, module.finalseg.cut, module.re_han_default, module.re_skip_default, module.re_eng


def _walk(block: str, ends: list[int], freq: dict, hmm_cut: Any, eng: Any, words: list[str],
          exact: list[str]) -> None:
    """jieba's `__cut_DAG` and `__cut_DAG_NO_HMM` over one route, in one pass."""
    x, n = 0, len(block)
    buf = ""  # single characters waiting for HMM (as __cut_DAG)
    latin = ""  # single latin letters/digits being joined (as __cut_DAG_NO_HMM)
    while x < n:
        y = ends[x] + 1
        word = block[x:y]
        if y - x == 1:
            buf += word
            if eng.match(word):
                latin += word
            else:
                if latin:
                    exact.append(latin)
                    latin = ""
                exact.append(word)
        else:
            if latin:
                exact.append(latin)
                latin = ""
            exact.append(word)
            if buf:
                _flush(buf, freq, hmm_cut, words)
                buf = ""
            words.append(word)
        x = y
    if latin:
        exact.append(latin)
    if buf:
        _flush(buf, freq, hmm_cut, words)


def _flush(buf: str, freq: dict, hmm_cut: Any, words: list[str]) -> None:
    if len(buf) == 1:
        words.append(buf)
    elif not freq.get(buf):
        words.extend(hmm_cut(buf))
    else:
        words.extend(buf)


def _search_words(words: list[str], freq: dict) -> list[str]:
    """jieba's `cut_for_search` over words already cut: dictionary 2- and 3-grams of long words, then the word."""
    out: list[str] = []
    for w in words:
        size = len(w)
        if size > 2:
            out.extend(g for g in (w[i : i + 2] for i in range(size - 1)) if freq.get(g))
            if size > 3:
                out.extend(g for g in (w[i : i + 3] for i in range(size - 2)) if freq.get(g))
        out.append(w)
    return out


def _segment(text: str) -> Segmentation:
    tk, route, hmm_cut, re_han, re_skip, eng = _engine()
    freq = tk.FREQ
    words: list[str] = []
    exact: list[str] = []
    for block in re_han.split(text):
        if not block:
            continue
        if re_han.match(block):
            _walk(block, route(block), freq, hmm_cut, eng, words, exact)
            continue
        for piece in re_skip.split(block):
            if re_skip.match(piece):
                words.append(piece)
                exact.append(piece)
            else:
                words.extend(piece)
                exact.extend(piece)
    return Segmentation(tuple(words), tuple(exact), freq)


def segmentation(text: str) -> Segmentation:
    """All token streams of `text`; the last few long texts are remembered, so repeated uses cost nothing."""
    if len(text) < REMEMBER_MIN_CHARS:
        return _segment(text)
    with _remembered_lock:
        found = _remembered.get(text)
        if found is not None:
            _remembered.move_to_end(text)
            return found
    found = _segment(text)
    with _remembered_lock:
        _remembered[text] = found
        while len(_remembered) > REMEMBER_TEXTS:
            _remembered.popitem(last=False)
    return found


def cut(text: str) -> list[str]:
    """Words of `text` (precise mode, HMM on for unknown words)."""
    return list(segmentation(text).words)


def cut_exact(text: str) -> list[str]:
    """Words of `text` without HMM guessing: stable word boundaries for matching dictionary entries."""
    return list(segmentation(text).exact_words)


def cut_for_search(text: str) -> list[str]:
    """Words and their sub-words, for the full-text index."""
    return list(segmentation(text).search_words)
