"""Text normalisation: script, Simplified conversion with the policy phrases, punctuation, boilerplate."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import opencc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract import normalize as N
from extract.normalize import (
    Normalized,
    detect_script,
    normalize_punctuation,
    normalize_text,
    normalize_title,
    strip_boilerplate,
    to_simplified,
)

REPO = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------------------------------------------- OpenCC


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("各地加快推進區塊鍊技術應用", "各地加快推进区块链技术应用"),
        ("力爭推動五千家企業上鍊", "力争推动五千家企业上链"),
        ("實現數據鍊上存證、鍊下計算", "实现数据链上存证、链下计算"),
        ("建設跨鍊互通平台", "建设跨链互通平台"),
        ("公鍊、私鍊與聯盟鍊並存", "公链、私链与联盟链并存"),
        ("構建政府主導的公有鍊和私有鍊", "构建政府主导的公有链和私有链"),
        ("啟動國家區塊鍊主幹網建設", "启动国家区块链主干网建设"),
        ("補鍊強鍊延鍊，穩定產業鍊供應鍊", "补链强链延链，稳定产业链供应链"),
        ("青少年要多鍛鍊身體", "青少年要多锻炼身体"),
        ("在基層鍛鍊上幾年", "在基层锻炼上几年"),
        ("全市煉鋼產能壓減一成", "全市炼钢产能压减一成"),
        ("冶鍊企業完成超低排放改造", "冶炼企业完成超低排放改造"),
        ("她戴著一條金項鍊", "她戴着一条金项链"),
        ("隨著政策陸續落地", "随着政策陆续落地"),
        ("著名經濟學家認為", "著名经济学家认为"),
        ("國家發改委相關負責人表示", "国家发改委相关负责人表示"),
        ("資訊服務業營業收入突破八千億元", "资讯服务业营业收入突破八千亿元"),
        ("区块鍊技术赋能实体经济", "区块链技术赋能实体经济"),
    ],
)
def test_to_simplified_converts_traditional_with_chain_phrases(traditional: str, simplified: str) -> None:
    assert to_simplified(traditional) == simplified


@pytest.mark.parametrize(
    "text",
    [
        "建立政府主导的联盟链，推动三万家企业上链。",
        "核心技术攻关，建立指标体系，印发文件。",  # tw2sp would rewrite 核心/建立/指标/文件
        "锻炼身体，炼钢厂，区块链平台",
    ],
)
def test_to_simplified_leaves_simplified_text_alone(text: str) -> None:
    assert to_simplified(text) == text


def _converter_without_policy_phrases() -> opencc.OpenCC:
    config = json.loads(N.OPENCC_CONFIG.read_text(encoding="utf-8"))

    def drop_ours(node):
        if isinstance(node, dict):
            if node.get("type") == "group":
                node = {**node, "dicts": [d for d in node["dicts"] if d.get("type") != "text"]}
            return {k: drop_ours(v) for k, v in node.items()}
        if isinstance(node, list):
            return [drop_ours(v) for v in node]
        return node

    config = N._resolve_dict_files(drop_ours(config), N._opencc_share_dir())
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "plain.json")
        Path(path).write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
        return opencc.OpenCC(path)


def test_the_phrase_dictionary_is_what_fixes_chain() -> None:
    """Plain tw2s, and our own config without its text dictionary, both write 区块炼; with it, 区块链."""
    sentence = "推動區塊鍊與實體經濟融合，三萬家企業上鍊"
    assert opencc.OpenCC("tw2s.json").convert(sentence) == "推动区块炼与实体经济融合，三万家企业上链"
    assert _converter_without_policy_phrases().convert(sentence) == "推动区块炼与实体经济融合，三万家企业上链"
    assert to_simplified(sentence) == "推动区块链与实体经济融合，三万家企业上链"


def test_phrase_dictionary_is_a_tab_separated_text_file_that_opencc_applies() -> None:
    entries = [
        line.split("\t")
        for line in (N.OPENCC_DATA_DIR / "policy_phrases.txt").read_text(encoding="utf-8").splitlines()
    ]
    assert ["區塊鍊", "区块链"] in entries
    assert all(len(entry) == 2 and entry[0] and entry[1] for entry in entries)
    for source, target in entries:
        assert to_simplified(source) == target


def test_converter_is_built_once_and_not_at_import() -> None:
    assert N._converter() is N._converter()
    code = "import sys, extract.normalize; print('opencc' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------------------------------------------- script


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("記者獲悉，多個省級行政區出臺區塊鏈專項發展政策。", "zh-Hant"),
        ("记者获悉，多个省级行政区出台区块链专项发展政策。", "zh-Hans"),
        ("平台上線", "zh-Hant"),  # 台 is Taiwan usage too, it must not count as Simplified
        ("上线平台", "zh-Hans"),
        ("臺灣", "zh-Hant"),
        ("發展", "zh-Hant"),
        ("发展", "zh-Hans"),
        ("著名学者认为", "zh-Hans"),  # 著 is Simplified usage in 著名
        ("乾隆年间", "zh-Hans"),
        ("", "zh-Hans"),
        ("5G AI 2021-04-30", "zh-Hans"),
        ("各地區塊鏈政策密集出臺，广州市提出建设先行示范区。深圳、廣州兩地也已頒布新基建三年計劃。", "zh-Hant"),
        ("各地区块链政策密集出台，廣州市提出建設先行示範區。深圳、广州两地也已颁布新基建三年计划。", "zh-Hans"),
    ],
)
def test_detect_script(text: str, language: str) -> None:
    assert detect_script(text) == language


# ---------------------------------------------------------------------------------------------------- punctuation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # ASCII marks between Chinese text become full-width
        ("記者獲悉,今年上半年,多地出台政策.", "記者獲悉，今年上半年，多地出台政策。"),
        ("规划提出:到2025年,建成5个产业园;培育100家企业", "规划提出：到2025年，建成5个产业园；培育100家企业"),
        ("区块链处于何种地位?又会产生怎样的作用?", "区块链处于何种地位？又会产生怎样的作用？"),
        ("这是一次机遇!", "这是一次机遇！"),
        ("“落地潮”, 揭开新篇章", "“落地潮”，揭开新篇章"),
        ("高频词 ,“赋能实体经济”", "高频词，“赋能实体经济”"),
        # brackets: Chinese outside titles, as written inside 《titles》
        ("加快建设自贸区(港)区块链试验区", "加快建设自贸区（港）区块链试验区"),
        ("基于区块链服务网络(BSN)的主干网", "基于区块链服务网络（BSN）的主干网"),
        (
            "印发《行动计划(2020-2022年)》(以下简称《计划》)的通知",
            "印发《行动计划(2020-2022年)》（以下简称《计划》）的通知",
        ),
        ("《方案（征求意见稿）》提出", "《方案（征求意见稿）》提出"),
        ("(1)创新引领,打造技术平台", "（1）创新引领，打造技术平台"),
        # numbers, decimals, dates, percentages and URLs stay as written
        ("工业企业2.8万家,指数为63.0,增速5.5%", "工业企业2.8万家，指数为63.0，增速5.5%"),
        ("2021-04-30 发布", "2021-04-30 发布"),
        ("营业收入1,200亿元", "营业收入1,200亿元"),
        ("会议于10:30开始", "会议于10:30开始"),
        ("全年共3,其中两项已完成", "全年共3，其中两项已完成"),
        ("问题::—回答", "问题：：—回答"),
        ("详见http://www.example.gov.cn/zwgk/a.html,欢迎查阅", "详见http://www.example.gov.cn/zwgk/a.html，欢迎查阅"),
        ("访问www.iic21.com/21cjjj/了解", "访问www.iic21.com/21cjjj/了解"),
        # full-width digits and letters fold to ASCII; ㎡, … and —— are kept
        ("建成５个产业园，５Ｇ基站４万个", "建成5个产业园，5G基站4万个"),
        ("新建厂房３万㎡……", "新建厂房3万㎡……"),
        ("成果——汽车行业", "成果——汽车行业"),
        ("等等...", "等等……"),
        # abbreviations standing in Chinese text are upper case; units and Latin words are not touched
        ("新开通5g基站4万个", "新开通5G基站4万个"),
        ("建设以ai计算为支撑的平台", "建设以AI计算为支撑的平台"),
        ("基于bsn网络和5g、3d打印", "基于BSN网络和5G、3D打印"),
        ("每吨钢耗电300kwh以下", "每吨钢耗电300kwh以下"),
        ("iPhone用户与app开发者", "iPhone用户与APP开发者"),
        # 「」 quotes of Taiwan and Hong Kong texts
        ("推動「數字政府」建設", "推動“數字政府”建設"),
        # spaces around Chinese punctuation go, spaces between words stay
        ("22省市将区块链写入报告 电子政务成为方向", "22省市将区块链写入报告 电子政务成为方向"),
        ("（邢 萌）", "（邢 萌）"),
        ("发展 。 下一步", "发展。下一步"),
    ],
)
def test_normalize_punctuation(text: str, expected: str) -> None:
    assert normalize_punctuation(text) == expected


@pytest.mark.parametrize(
    ("mangled", "expected"),
    [
        # a sentence whose every mark became "." : enumeration → 、, clause → ，, sentence end → 。
        ("截至目前.全国已有18个省份出台专项政策.", "截至目前，全国已有18个省份出台专项政策。"),
        ("江苏.浙江.安徽等地相继发布行动方案.", "江苏、浙江、安徽等地相继发布行动方案。"),
        ("随着5g.云计算.大数据.人工智能等与制造业深度融合.", "随着5G、云计算、大数据、人工智能等与制造业深度融合。"),
        ("运用大数据.ai.区块链.物联网等技术手段.", "运用大数据、AI、区块链、物联网等技术手段。"),
        ("所以.未来在政务领域应用区块链是必然趋势.", "所以，未来在政务领域应用区块链是必然趋势。"),
        ("规模以上工业企业2.8万家.产业基础雄厚.", "规模以上工业企业2.8万家，产业基础雄厚。"),
        ("涵盖全部41个工业大类.197个中类.", "涵盖全部41个工业大类，197个中类。"),
        (
            "今年政府工作报告多次提到数字经济和区块链.此外.报告还提出建设产业园区.",
            "今年政府工作报告多次提到数字经济和区块链。此外，报告还提出建设产业园区。",
        ),
        (
            "报告强调.加快布局'新基建'.年内新开通5g基站2万个.",
            "报告强调，加快布局“新基建”，年内新开通5G基站2万个。",
        ),
        (
            "'数据是新的生产要素.'业内人士认为.'区块链能让数据可信流通.'",
            "“数据是新的生产要素。”业内人士认为，“区块链能让数据可信流通。”",
        ),
        ("打造'数字江西.赣服通'品牌.", "打造“数字江西，赣服通”品牌。"),
        ("指数5月份为63.0.相较4月份大幅上涨.", "指数5月份为63.0，相较4月份大幅上涨。"),
        ("具体来看.北京.山东.福建均提出加快数字政府建设.", "具体来看，北京、山东、福建均提出加快数字政府建设。"),
    ],
)
def test_repairs_sentence_marks_mangled_into_dots_and_apostrophes(mangled: str, expected: str) -> None:
    assert normalize_punctuation(mangled) == expected


@pytest.mark.parametrize(
    "text",
    ["增长5.5%", "2.8万家", "第3.2节", "版本v1.2.3", "It's a test.", "U.S. policy", "2020.06.30", "63.0"],
)
def test_never_turns_a_decimal_or_latin_dot_into_a_chinese_mark(text: str) -> None:
    assert normalize_punctuation(text) == text


# ---------------------------------------------------------------------------------------------------- boilerplate

BODY = "区块链赋能实体经济成为主基调。\n各地区块链产业发展路径也更为清晰。"


@pytest.mark.parametrize(
    ("text", "body", "removed"),
    [
        (
            BODY + "\n以上信息由产经网小编整理，如需了解更多资讯，请关注本站。",
            BODY,
            ["以上信息由产经网小编整理，如需了解更多资讯，请关注本站。"],
        ),
        (
            BODY + "\n2021-05-06 财经网发布了 《数字人民币试点再扩容》的文章\n2021-05-05 财经网发布了 《新基建投资提速》的文章",
            BODY,
            ["2021-05-06 财经网发布了 《数字人民币试点再扩容》的文章", "2021-05-05 财经网发布了 《新基建投资提速》的文章"],
        ),
        (BODY + "\n责任编辑：王小明", BODY, ["责任编辑：王小明"]),
        (BODY + "\n（责任编辑：李华）", BODY, ["（责任编辑：李华）"]),
        (BODY + "\n更多资讯请关注微信公众号", BODY, ["更多资讯请关注微信公众号"]),
        ("原标题：多地密集出台区块链政策\n" + BODY, BODY, ["原标题：多地密集出台区块链政策"]),
        (BODY + "（来源：经济日报）", BODY, ["（来源：经济日报）"]),
        (
            BODY + "\n相关阅读\n多部门谋划布局未来产业\n数字经济规模再创新高",
            BODY,
            ["相关阅读", "多部门谋划布局未来产业", "数字经济规模再创新高"],
        ),
        # stray replacement marks where a character was lost
        ("各地出台专项政策。?\n" + BODY, "各地出台专项政策。\n" + BODY, ["?"]),
        (BODY + "\n?\n以上内容由本站编辑整理发布", BODY, ["?", "以上内容由本站编辑整理发布"]),
        ("??各地出台专项政策。", "各地出台专项政策。", ["??"]),
        ("各地出台专项政策。??\n" + BODY, "各地出台专项政策。\n" + BODY, ["??"]),
        ("“区块链+政务”被寄予厚望 ?\n" + BODY, "“区块链+政务”被寄予厚望 ?\n" + BODY, []),
        ("各地出台专项政策。\ufffd\n" + BODY, "各地出台专项政策。\n" + BODY, ["\ufffd"]),
        # never a sentence of the article
        ("（来源：经济日报）记者从会上获悉，方案已印发。", "（来源：经济日报）记者从会上获悉，方案已印发。", []),
        ("区块链处于何种地位？又会产生怎样的作用？", "区块链处于何种地位？又会产生怎样的作用？", []),
        ("更多企业正在加快上链。", "更多企业正在加快上链。", []),
        ("2021年5月，财经网发布了《区块链白皮书》，引起热议。", "2021年5月，财经网发布了《区块链白皮书》，引起热议。", []),
        ("相关阅读材料显示，多地已出台政策。", "相关阅读材料显示，多地已出台政策。", []),
        (BODY + "（邢 萌）", BODY + "（邢 萌）", []),
    ],
)
def test_strip_boilerplate(text: str, body: str, removed: list[str]) -> None:
    assert strip_boilerplate(text) == (body, removed)


def test_normalize_text_strips_a_traditional_trailer_and_keeps_it_readable() -> None:
    text = (
        "記者獲悉,多地出臺區塊鍊專項政策。?\n\n"
        "湖南省印發《湖南省區塊鍊產業發展三年行動計劃(2020-2022年)》,推動3萬家企業上鍊。\n"
        "?\n"
        "以上信息由經濟網—產業頻道(http://www.example.com/cyxw/)小編整理,如若想要了解更多相關資訊,可立即前往了解。\n"
        "2021-04-30 經濟網發布了 《多部門正密集謀劃 布局一批未來產業》的文章\n"
    )
    result = normalize_text(text)
    assert result == Normalized(
        text=(
            "记者获悉，多地出台区块链专项政策。\n"
            "湖南省印发《湖南省区块链产业发展三年行动计划(2020-2022年)》，推动3万家企业上链。"
        ),
        original=text,
        language="zh-Hant",
        removed=[
            "?",
            "?",
            "以上信息由经济网—产业频道（http://www.example.com/cyxw/）小编整理，如若想要了解更多相关资讯，可立即前往了解。",
            "2021-04-30 经济网发布了 《多部门正密集谋划 布局一批未来产业》的文章",
        ],
    )


def test_normalize_text_without_strip_keeps_everything() -> None:
    text = BODY + "\n责任编辑：王小明"
    assert normalize_text(text, strip=False).text == text
    assert normalize_text(text, strip=False).removed == []


# ---------------------------------------------------------------------------------------------------- titles


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("《湖南省區塊鍊產業發展三年行動計劃（2020—2022年）》", "湖南省区块链产业发展三年行动计划(2020-2022年)"),
        ("北京市区块链创新发展行动计划(2020-2022年)", "北京市区块链创新发展行动计划(2020-2022年)"),
        ("上海市推进新型基础设施建设行动方案（2020－2022年）", "上海市推进新型基础设施建设行动方案(2020-2022年)"),
        ("深圳市数字经济产业创新发展实施方案 (征求意见稿)", "深圳市数字经济产业创新发展实施方案(征求意见稿)"),
        ("河北省区块链专项行动计划(2020–2022年)", "河北省区块链专项行动计划(2020-2022年)"),
        ("《关于构建更加完善的要素市场化配置体制机制的意见》》", "关于构建更加完善的要素市场化配置体制机制的意见"),
        ("政府工作报告", "政府工作报告"),
    ],
)
def test_normalize_title(title: str, expected: str) -> None:
    assert normalize_title(title) == expected


# ---------------------------------------------------------------------------------------------------- properties

CHINESE_TEXT = st.text(
    alphabet=st.sampled_from(
        list("区块链區塊鍊鏈上发展發展政策计划計劃年月日北京广东山东省市的了在和")
        + list("，。、；：？！（）“”《》…—.,;:?!()'\"- \n0123456789.%5gai㎡０Ａ「」\u3000\ue000")
    ),
    max_size=300,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(CHINESE_TEXT, st.text(max_size=200)))
def test_normalising_twice_changes_nothing(text: str) -> None:
    once = normalize_text(text).text
    assert normalize_text(once).text == once


@settings(max_examples=300, deadline=None)
@given(st.one_of(CHINESE_TEXT, st.text(max_size=200)))
def test_any_string_normalises_without_crash_and_without_growing(text: str) -> None:
    result = normalize_text(text)
    assert result.original == text
    assert result.language in ("zh-Hans", "zh-Hant")
    assert len(result.text) <= 2 * len(text)
    assert all(isinstance(segment, str) for segment in result.removed)
    assert isinstance(normalize_title(text), str)
