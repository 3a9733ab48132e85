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
from itertools import accumulate
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

    __slots__ = ("words", "exact_words", "_engine", "_search_words", "_exact_starts")

    def __init__(self, words: tuple[str, ...], exact_words: tuple[str, ...], engine: _Engine) -> None:
        self.words = words  # precise mode with HMM (jieba `cut`)
        self.exact_words = exact_words  # precise mode without HMM (`cut(HMM=False)`): stable boundaries
        self._engine = engine
        self._search_words: tuple[str, ...] | None = None
        self._exact_starts: dict[int, str] | None = None

    @property
    def search_words(self) -> tuple[str, ...]:
        """Words and their dictionary sub-words (`cut_for_search`)."""
        if self._search_words is None:
            self._search_words = tuple(_search_words(self.words, self._engine))
        return self._search_words

    @property
    def exact_starts(self) -> dict[int, str]:
        """`exact_words` by the offset each starts at, in text order (region matching reads words by place)."""
        if self._exact_starts is None:
            words = self.exact_words
            # One offset more than words (the text's end): zip leaves it out.
            self._exact_starts = dict(zip(accumulate(map(len, words), initial=0), words, strict=False))
        return self._exact_starts


# Texts at least this long are remembered (the last few): an article body is cut once for all its uses.
REMEMBER_MIN_CHARS = 64
REMEMBER_TEXTS = 4
_remembered: OrderedDict[str, Segmentation] = OrderedDict()
_remembered_lock = Lock()
# Word-level results (a word's search sub-words, the cut of a run of single characters) recur: kept per
# engine, and forgotten all at once when this many pile up (a long crawl's vocabulary stays bounded).
WORD_CACHE_ENTRIES = 100_000


class _Engine:
    """The tokeniser in use and what one walk needs of it, with its word-level caches."""

    __slots__ = ("freq", "route", "hmm_cut", "re_han", "re_skip", "latin", "subwords", "single_char_runs")

    def __init__(self, tk: Any, module: Any) -> None:
        self.freq: dict = tk.FREQ
        self.hmm_cut = module.finalseg.cut
        self.re_han = module.re_han_default
        self.re_skip = module.re_skip_default
        # Route blocks hold only re_han's characters (ASCII and CJK ideographs); re_eng matches ASCII only.
        self.latin = frozenset(c for c in map(chr, range(128)) if module.re_eng.match(c))
        self.subwords: dict[str, tuple[str, ...]] = {}
        self.single_char_runs: dict[str, tuple[str, ...]] = {}
        fast = getattr(module, "_jieba_fast_functions", None)
        if fast is not None:
            calc, freq, total = fast._get_DAG_and_calc, tk.FREQ, float(tk.total)

            def route(block: str) -> list[int]:
                ends: list[int] = []
                calc(freq, block, ends, total)  # as jieba_fast's own cut does
                return ends
        else:

            def route(block: str) -> list[int]:
                found: dict[int, tuple[float, int]] = {}
                tk.calc(block, tk.get_DAG(block), found)
                return [found[i][1] for i in range(len(block))]

        self.route = route


@lru_cache(maxsize=1)
def _engine() -> _Engine:
    """The engine of the jieba module in use, its tokenizer loaded with our dictionaries."""
    return _Engine(tokenizer(), jieba_module())


def _walk(block: str, ends: list[int], engine: _Engine, words: list[str], exact: list[str]) -> None:
    """jieba's `__cut_DAG` and `__cut_DAG_NO_HMM` over one route, in one pass."""
    latin_chars = engine.latin
    add_word, add_exact = words.append, exact.append
    x, n = 0, len(block)
    buf = ""  # single characters waiting for HMM (as __cut_DAG)
    latin = ""  # single latin letters/digits being joined (as __cut_DAG_NO_HMM)
    while x < n:
        y = ends[x] + 1
        if y == x + 1:
            char = block[x]
            buf += char
            if char in latin_chars:
                latin += char
            else:
                if latin:
                    add_exact(latin)
                    latin = ""
                add_exact(char)
        else:
            word = block[x:y]
            if latin:
                add_exact(latin)
                latin = ""
            add_exact(word)
            if buf:
                _flush(buf, engine, words)
                buf = ""
            add_word(word)
        x = y
    if latin:
        add_exact(latin)
    if buf:
        _flush(buf, engine, words)


def _flush(buf: str, engine: _Engine, words: list[str]) -> None:
    if len(buf) == 1:
        words.append(buf)
    else:
        words.extend(_single_char_run(buf, engine))


def _single_char_run(buf: str, engine: _Engine) -> tuple[str, ...]:
    """The words of a run of single characters on the route, as __cut_DAG gives them: one by one when the run
    is itself a dictionary word, else HMM's cut (names, rare words). Remembered: runs recur, and the small
    cache is cheaper to read than the dictionary."""
    cache = engine.single_char_runs
    found = cache.get(buf)
    if found is None:
        if len(cache) >= WORD_CACHE_ENTRIES:
            cache.clear()
        found = cache[buf] = tuple(buf) if engine.freq.get(buf) else tuple(engine.hmm_cut(buf))
    return found


def _search_words(words: tuple[str, ...] | list[str], engine: _Engine) -> list[str]:
    """jieba's `cut_for_search` over words already cut: dictionary 2- and 3-grams of long words, then the word."""
    out: list[str] = []
    add, add_all = out.append, out.extend
    cache = engine.subwords
    for w in words:
        if len(w) > 2:
            subs = cache.get(w)
            if subs is None:
                if len(cache) >= WORD_CACHE_ENTRIES:
                    cache.clear()
                subs = cache[w] = _subwords(w, engine.freq)
            add_all(subs)
        add(w)
    return out


def _subwords(w: str, freq: dict) -> tuple[str, ...]:
    """The dictionary 2-grams, then 3-grams, of a word longer than two characters."""
    size = len(w)
    grams = [g for g in (w[i : i + 2] for i in range(size - 1)) if freq.get(g)]
    if size > 3:
        grams.extend(g for g in (w[i : i + 3] for i in range(size - 2)) if freq.get(g))
    return tuple(grams)


def _segment(text: str) -> Segmentation:
    engine = _engine()
    route, re_skip = engine.route, engine.re_skip
    words: list[str] = []
    exact: list[str] = []
    # re_han has one group: split gives text between runs at even places, the runs themselves at odd ones.
    for i, block in enumerate(engine.re_han.split(text)):
        if not block:
            continue
        if i % 2:
            _walk(block, route(block), engine, words, exact)
            continue
        # re_skip has one group too: whitespace pieces at odd places, one token each; others char by char.
        for j, piece in enumerate(re_skip.split(block)):
            if j % 2:
                words.append(piece)
                exact.append(piece)
            else:
                words.extend(piece)
                exact.extend(piece)
    return Segmentation(tuple(words), tuple(exact), engine)


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
