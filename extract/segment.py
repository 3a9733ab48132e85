"""The project's one tokeniser: jieba with our domain dictionary and every division name loaded.

jieba_fast (the same algorithm in C) is used when installed: on our corpus it cuts exactly as jieba does
(tests/test_keywords.py checks it) and about four times faster; plain jieba is the fallback.

Region matching, keywords and the full-text index must cut text the same way, so they all come here. The
dictionary costs about a second to load: it is loaded on first use, never at import (`policycrawl --help`
must stay fast).
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
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


def cut(text: str) -> list[str]:
    """Words of `text` (precise mode, HMM on for unknown words)."""
    return list(tokenizer().cut(text))


def cut_exact(text: str) -> list[str]:
    """Words of `text` without HMM guessing: stable word boundaries for matching dictionary entries."""
    return list(tokenizer().cut(text, HMM=False))


def cut_for_search(text: str) -> list[str]:
    """Words and their sub-words, for the full-text index."""
    return list(tokenizer().cut_for_search(text))
