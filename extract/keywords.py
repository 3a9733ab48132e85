"""Keywords of a (Simplified) text by jieba's TF-IDF, cut with the project's tokeniser.

The tokeniser carries our domain dictionary: without it jieba cuts 区块链 into 区块 + 链 and every
blockchain article's top keyword is the fragment 区块. TextRank is too slow for the crawl path.
"""

from __future__ import annotations

import heapq
import logging
import re
from collections import Counter
from collections.abc import Iterable
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


# Whether a token can be a keyword, in which form and with which IDF depends on the token alone: judged once,
# remembered (forgotten all at once past this many, so a long crawl's vocabulary stays bounded). Reading this
# small table is also cheaper than reading jieba's IDF table again.
_FORM_CACHE_ENTRIES = 100_000
_NOT_KEYWORD = ("", 0.0)  # the cached answer for a token that is no keyword
_forms: dict[str, tuple[str, float]] = {}


def _keyword_form(token: str) -> tuple[str, float]:
    """(the token as a keyword candidate (stripped), its IDF), or ("", 0.0) when it cannot be one (too short, a
    stopword, a number or a date)."""
    form = _forms.get(token)
    return form if form is not None else _judge(token)


def _judge(token: str) -> tuple[str, float]:
    """_keyword_form of a token not met before, remembered."""
    word = token.strip()
    if len(word) < 2 or word.lower() in _stopwords() or _NOT_A_KEYWORD.fullmatch(word):
        form = _NOT_KEYWORD
    else:
        idf, median = _idf_table()
        form = (word, idf.get(word, median))
    if len(_forms) >= _FORM_CACHE_ENTRIES:
        _forms.clear()
    _forms[token] = form
    return form


def keywords_from_tokens(tokens: Iterable[str], top_k: int = 10) -> list[tuple[str, float]]:
    """TF-IDF over tokens already cut (cut once, reuse for keywords and the search index)."""
    freq: dict[str, int] = {}
    idf_of: dict[str, float] = {}
    known = _forms
    for token, n in Counter(tokens).items():  # each distinct token judged once
        word, idf = known.get(token) or _judge(token)  # = _keyword_form(token), without a call per token
        if word:
            freq[word] = freq.get(word, 0) + n
            idf_of[word] = idf
    total = sum(freq.values())
    if not total:
        return []
    weights = {w: n * idf_of[w] / total for w, n in freq.items()}
    if top_k > 0:
        ranked = heapq.nsmallest(top_k, weights.items(), key=_rank)  # = sorted(…, key=_rank)[:top_k]
    else:
        ranked = sorted(weights.items(), key=_rank)[:top_k]
    return [(word, round(weight, 4)) for word, weight in ranked]


def _rank(item: tuple[str, float]) -> tuple[float, str]:
    """Heaviest first, ties by the word itself."""
    return -item[1], item[0]


def extract_keywords(text: str, top_k: int = 10) -> list[tuple[str, float]]:
    """The `top_k` words of highest TF-IDF weight, best first, weights rounded to 4 decimals."""
    if not text or not text.strip() or top_k <= 0:
        return []
    from extract.segment import segmentation

    return keywords_from_tokens(segmentation(text).words, top_k)
