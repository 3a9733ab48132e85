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
REPEATS = 3

_SIMPLIFIED = [
    "今年上半年，全国已有{n}个省市出台区块链专项政策，引导当地区块链产业发展。",
    "《{region}区块链产业发展三年行动计划(2020-2022年)》提出，力争到2022年建成{n}个以上公共服务平台。",
    "报告还强调，加快布局“新基建”，年内新开通5G基站{n}万个，规模以上工业企业2.8万家。",
    "中国区块链经理人指数5月份为63.0，相较4月份的45.5大幅上涨，增速5.5%。",
    "记者梳理公开信息后发现，截至2月26日，已有{n}个省份在政府工作报告中提及区块链。",
]
_TRADITIONAL = [
    "記者獲悉,{region}出臺區塊鍊專項發展政策,推動{n}萬家企業上鍊。",
    "福建省啟動建設基於區塊鏈服務網絡(BSN)的國家東南區域區塊鍊主幹網,以及跨鍊平臺建設。",
    "在各地新型基礎設施建設相關政策文件中,區塊鏈處於何種地位?又會產生怎樣的作用?",
    "伴隨著粵港澳大灣區的建設,廣州區塊鏈產業的發展始終備受關注,探索推進「建鏈、上鍊、用鏈」工程。",
]
_MANGLED = [
    "随着5g.云计算.大数据.人工智能等与制造业的深度融合.产业智慧化必将迸发出澎湃动力.",
    "'地方政府对区块链发展抱有极大期待.'于佳宁认为.{region}在政府工作报告中{n}次提及区块链.",
    "具体来看.北京.山东.江西.福建均对区块链促进提高政务服务水平抱有极大期待.",
]
_TRAILER = [
    "以上信息由经济网小编整理,如若想要了解更多相关资讯,可立即前往了解。",
    "2021-04-30 经济网发布了 《多部门正密集谋划 布局一批未来产业》的文章",
]
# Paragraph mix as in the five seed articles: two Simplified, two Traditional, one with mangled punctuation.
_POOL_WEIGHTS = (2, 2, 1)
_REGIONS = ["北京市", "湖南省", "貴州省", "海南省", "广东省", "四川省", "浙江省"]


def build_mixed_text(target_chars: int = TARGET_CHARS, seed: int = 7) -> list[str]:
    """Articles of generated sentences: Simplified, Traditional and dot-mangled paragraphs, some with trailers."""
    rng = random.Random(seed)
    articles: list[str] = []
    total = 0
    while total < target_chars:
        paragraphs = []
        for _ in range(rng.randint(4, 10)):
            pool = rng.choices((_SIMPLIFIED, _TRADITIONAL, _MANGLED), weights=_POOL_WEIGHTS)[0]
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


def bench_normalize() -> list[str]:
    """Time normalize_text against bare tw2s over the same articles, in this run; return printable lines."""
    import opencc

    from extract.normalize import normalize_text

    articles = build_mixed_text()
    chars = sum(len(a) for a in articles)
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

    ratio = norm_seconds / bare_seconds
    return [
        f"bench_normalize: {chars} chars in {len(articles)} articles, CPU time, best of {REPEATS}",
        f"opencc tw2s:    {chars / bare_seconds:>12,.0f} chars/s ({bare_seconds:.3f} s)",
        f"normalize_text: {chars / norm_seconds:>12,.0f} chars/s ({norm_seconds:.3f} s)",
        f"ratio normalize/tw2s = {ratio:.2f}x (goal <= 3x) {'OK' if ratio <= 3 else 'SLOW'}",
    ]


if __name__ == "__main__":
    print("\n".join(bench_normalize()))
