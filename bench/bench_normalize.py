"""Throughput of `normalize_text` next to the bare OpenCC tw2s conversion of the same ~1 MB mixed text.

The normaliser should cost no more than 3x the bare conversion. Run: `python bench/bench_normalize.py`.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_CHARS = 1_000_000
REPEATS = 5

_SIMPLIFIED = [
    "今年前三季度，全市已有{n}个园区完成智慧化改造，带动相关产业加快集聚。",
    "《{region}数字乡村建设方案(2023-2025年)》提出，力争到2025年建成{n}个以上示范村。",
    "方案还强调，推进“一网通办”，年底前新增政务服务事项{n}项，入驻企业1.6万家。",
    "全市工业景气指数三季度为58.6，较二季度的55.1小幅回升，增速6.5%。",
    "记者从会上了解到，截至9月底，已有{n}家医院接入区域健康信息平台。",
]
_TRADITIONAL = [
    "本報訊,{region}啟動區塊鍊溯源試點,帶動{n}千家商戶上鍊。",
    "省交通廳將建設覆蓋全省的車路協同網絡(V2X),並接入省級區塊鍊主幹網與跨鍊平臺。",
    "數據要素如何定價?收益又該怎樣分配?業內人士認為仍需完善相關規則。",
    "隨著夜間經濟持續升溫,商圈客流穩步回升,多個街區推出「夜購、夜食、夜遊」活動。",
]
_MANGLED = [
    "依托5g.物联网.北斗.遥感等手段开展农田监测.粮食单产有望继续提高.",
    "'社区食堂解决了老人吃饭难.'居民代表说.{region}今年将新增{n}家社区食堂.",
    "具体而言.天津.河南.云南.广西均提出扩大养老服务供给.",
]
_TRAILER = [
    "以上信息由财经网小编整理,欢迎转发分享。",
    "2023-06-12 财经网发布了 《多地出台新政支持夜间经济》的文章",
]
# Paragraph mix as in the five seed articles: two Simplified, two Traditional, one with mangled punctuation.
_POOL_WEIGHTS = (2, 2, 1)
_POOLS = (_SIMPLIFIED, _TRADITIONAL, _MANGLED)
_REGIONS = ["北京市", "湖南省", "贵州省", "海南省", "广东省", "四川省", "浙江省"]


def build_mixed_text(
    target_chars: int = TARGET_CHARS, seed: int = 7, *, mix_within_articles: bool = False
) -> list[str]:
    """Articles of generated sentences, Simplified, Traditional or dot-mangled in the seeds' proportions; some end
    in a site trailer. As crawled, each article is in one script; `mix_within_articles` mixes per paragraph
    instead (every article then needs OpenCC and every rule: the worst case)."""
    rng = random.Random(seed)
    articles: list[str] = []
    total = 0
    while total < target_chars:
        article_pool = rng.choices(_POOLS, weights=_POOL_WEIGHTS)[0]
        paragraphs = []
        for _ in range(rng.randint(4, 10)):
            pool = rng.choices(_POOLS, weights=_POOL_WEIGHTS)[0] if mix_within_articles else article_pool
            sentences = [
                rng.choice(pool).format(n=rng.randint(2, 99), region=rng.choice(_REGIONS))
                for _ in range(rng.randint(2, 6))
            ]
            paragraphs.append("".join(sentences))
        if rng.random() < 0.5:
            paragraphs.extend(["?", *_TRAILER])
        article = "\n".join(paragraphs)
        articles.append(article)
        total += len(article)
    return articles


def _time_both(articles: list[str]) -> tuple[float, float]:
    """Best-of CPU seconds for bare tw2s and for normalize_text over the same articles, interleaved."""
    import opencc

    from extract.normalize import normalize_text

    bare = opencc.OpenCC("tw2s.json")
    normalize_text("預熱")  # load the converters outside the timing
    bare_seconds = norm_seconds = float("inf")
    for _ in range(REPEATS):  # interleaved, best of: the machine may be shared
        start = time.process_time()
        for article in articles:
            bare.convert(article)
        bare_seconds = min(bare_seconds, time.process_time() - start)

        start = time.process_time()
        for article in articles:
            normalize_text(article)
        norm_seconds = min(norm_seconds, time.process_time() - start)
    return bare_seconds, norm_seconds


def bench_normalize() -> list[str]:
    """Time normalize_text against bare tw2s over the same ~1 MB, in this run; return printable lines."""
    lines = []
    for label, mixed in (("articles, one script each", False), ("paragraphs mixed in every article", True)):
        articles = build_mixed_text(mix_within_articles=mixed)
        chars = sum(len(a) for a in articles)
        bare_seconds, norm_seconds = _time_both(articles)
        ratio = norm_seconds / bare_seconds
        lines += [
            f"bench_normalize ({label}): {chars} chars in {len(articles)} articles, CPU time, best of {REPEATS}",
            f"  opencc tw2s:    {chars / bare_seconds:>12,.0f} chars/s ({bare_seconds:.3f} s)",
            f"  normalize_text: {chars / norm_seconds:>12,.0f} chars/s ({norm_seconds:.3f} s)",
            f"  ratio normalize/tw2s = {ratio:.2f}x (goal <= 3x) {'OK' if ratio <= 3 else 'SLOW'}",
        ]
    return lines


if __name__ == "__main__":
    print("\n".join(bench_normalize()))
