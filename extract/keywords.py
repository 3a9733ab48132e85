"""Keywords of a (Simplified) text by jieba's TF-IDF, cut with the project's tokeniser.

The tokeniser carries our domain dictionary: without it jieba cuts 区块链 into 区块 + 链 and every
blockchain article's top keyword is the fragment 区块. TextRank is too slow for the crawl path.
"""

from __future__ import annotations

import copy
import importlib
import logging
import re
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

STOPWORDS = Path(__file__).resolve().parent / "data" / "stopwords.txt"
_NOT_A_KEYWORD = re.compile(r"[\d.%,，、\s]+|.*[年月日号]\d*|\d.*")


@lru_cache(maxsize=1)
def _tfidf() -> Any:
    from extract.segment import jieba_module, tokenizer

    with warnings.catch_warnings():
        # jieba reads its IDF table with an open() it never closes.
        warnings.simplefilter("ignore", ResourceWarning)
        analyse = importlib.import_module(jieba_module().__name__ + ".analyse")
    # A copy of jieba's default extractor shares its IDF table (loading it again costs most of a second).
    tfidf = copy.copy(analyse.default_tfidf)
    tfidf.tokenizer = tokenizer()
    tfidf.stop_words = set(tfidf.stop_words) | {
        w.strip() for w in STOPWORDS.read_text(encoding="utf-8").splitlines() if w.strip() and w[0] != "#"
    }
    return tfidf


def extract_keywords(text: str, top_k: int = 10) -> list[tuple[str, float]]:
    """The `top_k` words of highest TF-IDF weight, best first, weights rounded to 4 decimals."""
    if not text or not text.strip() or top_k <= 0:
        return []
    # Ask for extra: numbers and dates are dropped afterwards.
    tags = _tfidf().extract_tags(text, topK=top_k * 2 + 5, withWeight=True)
    keywords = [
        (word, round(float(weight), 4)) for word, weight in tags if not _NOT_A_KEYWORD.fullmatch(word)
    ]
    return keywords[:top_k]
