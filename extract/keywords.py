"""Keywords by TF-IDF (work in progress)."""

from __future__ import annotations


def extract_keywords(text: str, top_k: int = 10) -> list[tuple[str, float]]:
    import jieba.analyse

    return [(w, float(s)) for w, s in jieba.analyse.extract_tags(text, topK=top_k, withWeight=True)]
