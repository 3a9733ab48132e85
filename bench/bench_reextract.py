"""Processing: `reextract` over a stored corpus next to the floor of the libraries it cannot avoid.

The floor is one OpenCC tw2s conversion plus one jieba segmentation (the project's tokeniser, HMM on) of every
article's text, timed in this process on one core. `reextract` parses each stored page again, normalises it,
extracts its facts, cuts it once for regions, keywords and the search index (extract/segment.py), and writes
everything back; it analyses in REEXTRACT_WORKERS processes (one per core) while its own process writes.
"""

from __future__ import annotations

import resource
import sqlite3
import time
from pathlib import Path


def _cpu_seconds() -> tuple[float, float]:
    """(this process, its finished children) CPU seconds."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def stored_texts(db_path: Path) -> list[str]:
    con = sqlite3.connect(db_path)
    try:
        return [t for (t,) in con.execute("SELECT COALESCE(text_original, text) FROM articles ORDER BY id") if t]
    finally:
        con.close()


def floor_seconds(texts: list[str]) -> float:
    """One OpenCC conversion + one jieba cut of each text, CPU seconds of this process."""
    import opencc

    from extract.segment import tokenizer

    convert, cut = opencc.OpenCC("tw2s.json").convert, tokenizer().cut
    list(cut(convert(texts[0])))  # dictionaries load outside the timing
    started = time.process_time()
    for text in texts:
        list(cut(convert(text)))
    return time.process_time() - started


def compare_segmenters(texts: list[str]) -> str:
    """jieba and jieba_fast with our dictionaries on the same texts: same words? how fast?"""
    import importlib.util
    import logging

    from extract.segment import USER_DICT, division_words

    if importlib.util.find_spec("jieba_fast") is None:
        return "   segmenter: jieba (jieba_fast not installed)"
    import jieba
    import jieba_fast

    def ready(module):
        module.setLogLevel(logging.WARNING)
        tk = module.Tokenizer()
        tk.initialize()
        with USER_DICT.open("rb") as handle:
            tk.load_userdict(handle)
        for word in division_words():
            tk.add_word(word)
        return tk

    chars = sum(len(t) for t in texts)
    speed, words = {}, {}
    for name, module in (("jieba", jieba), ("jieba_fast", jieba_fast)):
        tk = ready(module)
        started = time.process_time()
        words[name] = [list(tk.cut(t)) for t in texts]
        speed[name] = chars / (time.process_time() - started)
    same = sum(a == b for a, b in zip(words["jieba"], words["jieba_fast"], strict=True))
    from extract.segment import jieba_module

    return (f"   segmenter: jieba_fast {speed['jieba_fast']:,.0f} chars/s vs jieba {speed['jieba']:,.0f} chars/s, "
            f"same words in {same} of {len(texts)} texts; in use: {jieba_module().__name__}")


def bench_reextract(db_path: Path, workers: int | None = None) -> list[str]:
    from crawler.offline import reextract_all
    from crawler.settings import REEXTRACT_WORKERS

    texts = stored_texts(db_path)
    floor = floor_seconds(texts)
    own, children = _cpu_seconds()
    done, skipped, seconds = reextract_all(str(db_path), workers)
    writer, analysis = (after - before for after, before in zip(_cpu_seconds(), (own, children), strict=True))
    cpu = writer + analysis
    n = len(texts)
    chars = sum(len(t) for t in texts)
    used = REEXTRACT_WORKERS if workers is None else workers
    split = (f"analysis {analysis / max(1, done) * 1000:.1f} ms in the workers, writing {writer / max(1, done) * 1000:.1f}"
             f" ms" if used else "analysis and writing in one process")
    return [
        f"2. processing: reextract {done / seconds:.1f} articles/s ({used} analysis workers + the writer) vs floor "
        f"{n / floor:.1f} articles/s (OpenCC + jieba, one core) over {n:,} stored articles ({chars / n:,.0f} chars "
        f"each): ratio {floor / seconds * done / n:.2f} (goal >= 0.5); {skipped} skipped",
        f"   CPU per article: reextract {cpu / max(1, done) * 1000:.1f} ms ({split}) vs floor "
        f"{floor / n * 1000:.1f} ms: CPU ratio {floor / n / (cpu / max(1, done)):.2f}",
        compare_segmenters(texts[:300]),
    ]
