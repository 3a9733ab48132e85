"""One walk of jieba's route gives exactly what jieba's three cuts give, with jieba_fast and with plain jieba."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from bench.site import BenchSite
from extract import segment

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

# Our own sentences around what the route walk must get right: latin runs, digits, dashes, spaces, line
# breaks, full-width forms, punctuation-only pieces, single characters and words outside the dictionary.
EDGE_CASES = [
    "",
    " ",
    "链",
    "区块链",
    "C++和Python-3.11一起用，abc def 12.5% 的增速",
    "e-CNY试点扩大到23个城市\r\n第二行\n\n第三行\t制表",
    "ｆｕｌｌ　ｗｉｄｔｈ ＡＩ+医疗 5G基站",
    "。。。！？——……",
    "鄂湘赣皖四省联合开展长江流域禁渔执法，嘉鱼县渔政站站长李国平说。",
    "据悉，嘀嗒出行与哈啰单车在贵阳市观山湖区试点共享电单车。",
    "繁體字混在裏面：區塊鏈與數字經濟",
]


def _texts() -> list[str]:
    site = BenchSite(120)
    texts = EDGE_CASES + [site.article(n)["body"] for n in range(0, 120, 3)] + [site.article_title(n) for n in range(20)]
    if (SHARED / "seeds").is_dir():  # the real texts too, when they are there (read, never copied)
        texts += [p.read_text(encoding="utf-8") for p in sorted((SHARED / "seeds").glob("*.txt"))]
    return texts


def _same_as_jieba(texts: list[str]) -> None:
    tk = segment.tokenizer()
    for text in texts:
        found = segment._segment(text)
        assert list(found.words) == list(tk.cut(text)), text[:40]
        assert list(found.exact_words) == list(tk.cut(text, HMM=False)), text[:40]
        assert list(found.search_words) == list(tk.cut_for_search(text)), text[:40]


@pytest.fixture
def fresh_segmenter():
    """Forget the loaded tokeniser and remembered texts before and after (the module caches them)."""

    def clear() -> None:
        segment.tokenizer.cache_clear()
        segment._engine.cache_clear()
        segment._remembered.clear()

    clear()
    yield
    clear()


@pytest.mark.skipif(importlib.util.find_spec("jieba_fast") is None, reason="jieba_fast not installed")
def test_one_pass_equals_jieba_fast_cuts(fresh_segmenter):
    assert segment.jieba_module().__name__ == "jieba_fast"
    _same_as_jieba(_texts())


def test_one_pass_equals_plain_jieba_cuts(fresh_segmenter, monkeypatch):
    import jieba

    monkeypatch.setattr(segment, "jieba_module", lambda: jieba)
    _same_as_jieba(_texts()[:25])


def test_public_cuts_are_the_streams_of_one_segmentation():
    text = "湖南省工业和信息化厅印发《湖南省区块链产业发展三年行动计划》，推动政务数据上链。" * 3
    assert segment.cut(text) == list(segment.segmentation(text).words)
    assert segment.cut_exact(text) == list(segment.segmentation(text).exact_words)
    assert segment.cut_for_search(text) == list(segment.segmentation(text).search_words)


def test_a_long_text_is_cut_once_for_all_its_uses(monkeypatch):
    calls = []
    real = segment._segment
    monkeypatch.setattr(segment, "_segment", lambda text: calls.append(text) or real(text))
    text = "贵州省大数据局表示，政务数据共享平台已接入省直部门数据资源目录3.2万条，覆盖全省九个市州。" * 2
    assert len(text) >= segment.REMEMBER_MIN_CHARS
    segment.cut_exact(text)  # regions
    segment.cut(text)  # keywords
    segment.cut_for_search(text)  # the search index
    assert calls == [text]
    short = "长沙市"
    segment.cut(short)
    segment.cut(short)
    assert calls.count(short) == 2  # short texts are not worth remembering


def test_only_the_last_few_texts_are_remembered():
    texts = [f"第{i}段：" + "湖南省推进数字政府建设，政务服务事项网上可办率达到百分之九十五以上。" * 2 for i in range(10)]
    for text in texts:
        segment.segmentation(text)
    assert len(segment._remembered) <= segment.REMEMBER_TEXTS
    assert texts[-1] in segment._remembered
    assert texts[0] not in segment._remembered
