"""Keywords of a (Simplified) text by jieba's TF-IDF, cut with the project's tokeniser.

The tokeniser carries our domain dictionary: without it jieba cuts 区块链 into 区块 + 链 and every
blockchain article's top keyword is the fragment 区块. TextRank is too slow for the crawl path.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

logger = logging.getLogger(__name__)

STOPWORDS = Path(__file__).resolve().parent / "data" / "stopwords.txt"
_ENGLISH_STOPWORDS = set("the of is and to in that we for an are by be as on with can if from which you it this then at have all not one has or".split())
_NOT_A_KEYWORD = re.compile(r"[\d.%,，、\s]+|.*[年月日号]\d*|\d.*")


@lru_cache(maxsize=1)
def _idf_table() -> tuple[dict[str, float], float]:
    """jieba's IDF table, read directly: importing jieba.analyse would also load the POS tagger (~3 s)."""
    import jieba

    path = Path(jieba.__file__).resolve().parent / "analyse" / "idf.txt"
    idf: dict[str, float] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            word, _, value = line.rstrip("\n").rpartition(" ")
            if word:
                idf[word] = float(value)
    values = sorted(idf.values())
    return idf, values[len(values) // 2]


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    ours = {w.strip() for w in STOPWORDS.read_text(encoding="utf-8").splitlines() if w.strip() and w[0] != "#"}
    return frozenset(ours | _ENGLISH_STOPWORDS)


def keywords_from_tokens(tokens: list[str], top_k: int = 10) -> list[tuple[str, float]]:
    """TF-IDF over tokens already cut (cut once, reuse for keywords and the search index)."""
    idf, median = _idf_table()
    stop = _stopwords()
    freq: dict[str, int] = {}
    for token, n in Counter(tokens).items():  # each distinct token judged once
        word = token.strip()
        if len(word) < 2 or word.lower() in stop or _NOT_A_KEYWORD.fullmatch(word):
            continue
        freq[word] = freq.get(word, 0) + n
    total = sum(freq.values())
    if not total:
        return []
    weights = {w: n * idf.get(w, median) / total for w, n in freq.items()}
    ranked = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(word, round(weight, 4)) for word, weight in ranked[:top_k]]


def extract_keywords(text: str, top_k: int = 10) -> list[tuple[str, float]]:
    """The `top_k` words of highest TF-IDF weight, best first, weights rounded to 4 decimals."""
    if not text or not text.strip() or top_k <= 0:
        return []
    from extract.segment import cut

    return keywords_from_tokens(cut(text), top_k)
