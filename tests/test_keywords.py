"""Keywords and the shared tokeniser: whole domain words, no stopwords, lazy loading, jieba_fast == jieba."""

from __future__ import annotations

import importlib.util
import logging
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from extract.keywords import extract_keywords
from extract.segment import USER_DICT, cut, cut_exact, cut_for_search, division_words

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

# Our own policy-news sentences (not from the seeds), covering the domain words and region names.
CORPUS = [
    "湖南省工业和信息化厅日前印发《湖南省区块链产业发展三年行动计划(2020-2022年)》。",
    "到2022年，全省将建设10个以上区块链公共服务平台，培育30家以上区块链骨干企业。",
    "长沙市将依托区块链产业园，推动区块链与实体经济深度融合，力争相关产业营业收入突破100亿元。",
    "北京、上海、广州、深圳等地相继出台区块链专项政策，新基建成为地方政府工作报告的高频词。",
    "海南自由贸易港将探索链上海南建设，推动跨境贸易、供应链金融和电子政务场景上链。",
    "贵州省大数据局表示，政务数据共享平台已接入省直部门数据资源目录3.2万条。",
    "广东省提出打造粤港澳大湾区区块链创新高地，支持深圳前海开展监管沙盒试点。",
    "浙江省数字经济核心产业增加值达到7020亿元，同比增长13%左右。",
    "川渝两地联合发布成渝地区双城经济圈数字经济协同发展方案。",
    "江苏、浙江、安徽三省与上海市共同推进长三角一体化，打造数字长三角。",
    "重庆市经信委介绍，两江新区已集聚区块链企业60余家，上链存证数据超过5000万条。",
    "福建省厦门市发布区块链+政务服务应用清单，涵盖不动产登记、电子证照等20个场景。",
    "山东省济南市、青岛市分别启动数字人民币试点，覆盖消费、缴税和公共服务等领域。",
    "天津市滨海新区出台智能合约与数字身份相关标准体系，推动数据要素市场化配置改革。",
    "河北省雄安新区依托区块链资金管理平台，实现建设资金全流程穿透式监管。",
    "四川省成都市高新区设立10亿元区块链产业引导基金，重点支持专精特新企业。",
    "云南省普洱茶溯源平台上线，消费者扫码即可查看茶叶种植、加工、物流全过程信息。",
    "甘肃省兰州新区建设算力中心，积极承接东部地区数据中心算力需求。",
    "新疆维吾尔自治区乌鲁木齐市推进一网通办，政务服务事项网上可办率达到95%以上。",
    "内蒙古自治区呼和浩特市发展云计算与大数据产业，打造北方数据中心集群。",
]


def test_domain_words_are_whole_tokens():
    words = cut("湖南省发布区块链产业发展行动计划，推动新基建和数字经济，政务数据上链。")
    assert {"区块链", "新基建", "数字经济", "上链", "湖南省", "行动计划"} <= set(words)
    assert "区块" not in words


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("链上海南", ["链上", "海南"]),
        ("海南区块链产业", ["海南", "区块链", "产业"]),
        ("北京朝阳区", ["北京", "朝阳区"]),
        ("确保定期开展", ["确保", "定期", "开展"]),
    ],
)
def test_cut_exact_word_boundaries(text, words):
    assert cut_exact(text) == words


def test_cut_for_search_adds_subwords():
    words = cut_for_search("区块链公共服务平台")
    assert {"区块链", "公共服务平台", "公共", "服务", "平台"} <= set(words)


def test_user_dictionary_size_and_format():
    lines = [line.split() for line in USER_DICT.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert 50 <= len(lines) <= 200
    assert all(len(parts) == 3 and parts[1].isdigit() for parts in lines)
    assert len(division_words()) > 3000


def test_keywords_are_whole_domain_words():
    text = "".join(CORPUS)
    keywords = extract_keywords(text, top_k=10)
    words = [w for w, _ in keywords]
    assert words[0] == "区块链"
    assert "区块" not in words
    assert len(keywords) == 10
    assert all(weight > 0 for _, weight in keywords)
    assert [w for w, _ in sorted(keywords, key=lambda kw: -kw[1])] == words


@pytest.mark.parametrize("stopword", ["推进", "加快", "建设", "发展", "表示", "亿元", "我国"])
def test_stopwords_and_numbers_are_not_keywords(stopword):
    words = [w for w, _ in extract_keywords("".join(CORPUS), top_k=30)]
    assert stopword not in words
    assert not any(w.replace(".", "").isdigit() for w in words)


@pytest.mark.parametrize(("text", "top_k"), [("", 10), ("   ", 10), ("区块链", 0)])
def test_keywords_of_nothing(text, top_k):
    assert extract_keywords(text, top_k) == []


@pytest.mark.eval
@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="../shared (seed texts) not present")
def test_top_keyword_of_every_seed_is_a_whole_word():
    import opencc

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # jieba never closes its IDF file
        import jieba.analyse
    to_simplified = opencc.OpenCC("tw2s.json").convert
    for path in sorted((SHARED / "seeds").glob("*.txt")):
        text = to_simplified(path.read_text(encoding="utf-8"))
        top_word = extract_keywords(text, top_k=1)[0][0]
        plain_top = jieba.analyse.extract_tags(text, topK=1)[0]  # stock jieba: the fragment 区块
        print(f"{path.name}: ours={top_word} stock={plain_top}")
        assert top_word == "区块链"
        assert plain_top == "区块"


def test_import_loads_no_dictionary():
    code = (
        "import sys, extract.regions, extract.dates, extract.numbers, extract.segment, extract.keywords;"
        "print(sorted(m for m in sys.modules if m.startswith(('jieba', 'opencc'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.skipif(importlib.util.find_spec("jieba_fast") is None, reason="jieba_fast not installed")
def test_jieba_fast_cuts_exactly_like_jieba():
    import jieba
    import jieba_fast

    def ready(module):
        module.setLogLevel(logging.WARNING)
        tk = module.Tokenizer()
        with USER_DICT.open("rb") as f:
            tk.load_userdict(f)
        for word in division_words():
            tk.add_word(word)
        return tk

    slow, fast = ready(jieba), ready(jieba_fast)
    for sentence in CORPUS:
        assert list(fast.cut(sentence)) == list(slow.cut(sentence))
        assert list(fast.cut(sentence, HMM=False)) == list(slow.cut(sentence, HMM=False))
