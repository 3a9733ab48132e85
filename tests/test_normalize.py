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
        ("年內帶動五千家商戶上鍊", "年内带动五千家商户上链"),
        ("實現數據鍊上存證、鍊下計算", "实现数据链上存证、链下计算"),
        ("建設跨鍊互通平台", "建设跨链互通平台"),
        ("公鍊、私鍊與聯盟鍊並存", "公链、私链与联盟链并存"),
        ("構建政府主導的公有鍊和私有鍊", "构建政府主导的公有链和私有链"),
        ("接入省級區塊鍊主幹網", "接入省级区块链主干网"),
        ("補鍊強鍊延鍊，穩定產業鍊供應鍊", "补链强链延链，稳定产业链供应链"),
        ("青少年要多鍛鍊身體", "青少年要多锻炼身体"),
        ("在基層鍛鍊上幾年", "在基层锻炼上几年"),
        ("全市煉鋼產能壓減一成", "全市炼钢产能压减一成"),
        ("冶鍊企業完成超低排放改造", "冶炼企业完成超低排放改造"),
        ("她戴著一條金項鍊", "她戴着一条金项链"),
        ("隨著政策陸續落地", "随着政策陆续落地"),
        ("著名經濟學家認為", "著名经济学家认为"),
        ("省發改委有關負責同志介紹", "省发改委有关负责同志介绍"),
        ("資訊服務業營業收入突破八千億元", "资讯服务业营业收入突破八千亿元"),
        ("区块鍊技术赋能实体经济", "区块链技术赋能实体经济"),
    ],
)
def test_to_simplified_converts_traditional_with_chain_phrases(traditional: str, simplified: str) -> None:
    assert to_simplified(traditional) == simplified


@pytest.mark.parametrize(
    "text",
    [
        "组建行业联盟链，带动两千家商户上链。",
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
    sentence = "推動區塊鍊與農業溯源融合，兩千家農場上鍊"
    assert opencc.OpenCC("tw2s.json").convert(sentence) == "推动区块炼与农业溯源融合，两千家农场上链"
    assert _converter_without_policy_phrases().convert(sentence) == "推动区块炼与农业溯源融合，两千家农场上链"
    assert to_simplified(sentence) == "推动区块链与农业溯源融合，两千家农场上链"


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
        ("本報訊，市政府日前印發數位轉型實施方案。", "zh-Hant"),
        ("本报讯，市政府日前印发数字化转型实施方案。", "zh-Hans"),
        ("平台上線", "zh-Hant"),  # 台 is Taiwan usage too, it must not count as Simplified
        ("上线平台", "zh-Hans"),
        ("臺灣", "zh-Hant"),
        ("發展", "zh-Hant"),
        ("发展", "zh-Hans"),
        ("著名学者认为", "zh-Hans"),  # 著 is Simplified usage in 著名
        ("乾隆年间", "zh-Hans"),
        ("", "zh-Hans"),
        ("5G AI 2021-04-30", "zh-Hans"),
        (
            "臺中市加快發展智慧交通，杭州市提出建设数据港。南京、蘇州兩市同步啟動新一輪產業規劃。",
            "zh-Hant",
        ),
        (
            "台中市加快发展智慧交通，杭州市提出建設數據港。南京、苏州两市同步启动新一轮产业规划。",
            "zh-Hans",
        ),
    ],
)
def test_detect_script(text: str, language: str) -> None:
    assert detect_script(text) == language


# ---------------------------------------------------------------------------------------------------- punctuation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # ASCII marks between Chinese text become full-width
        ("記者從會上了解到,截至9月底,已有7個園區投運.", "記者從會上了解到，截至9月底，已有7個園區投運。"),
        ("规划提出:到2025年,建成5个产业园;培育100家企业", "规划提出：到2025年，建成5个产业园；培育100家企业"),
        ("数据要素如何定价?收益又该怎样分配?", "数据要素如何定价？收益又该怎样分配？"),
        ("这是一次机遇!", "这是一次机遇！"),
        ("迎来“建设年”, 项目陆续开工", "迎来“建设年”，项目陆续开工"),
        ("关键词 ,“数实融合”", "关键词，“数实融合”"),
        # brackets: Chinese outside titles, as written inside 《titles》
        ("推动综合保税区(港区)扩容提质", "推动综合保税区（港区）扩容提质"),
        ("建设城市信息模型(CIM)基础平台", "建设城市信息模型（CIM）基础平台"),
        (
            "出台《数字乡村建设方案(2023-2025年)》(以下简称《方案》)的通知",
            "出台《数字乡村建设方案(2023-2025年)》（以下简称《方案》）的通知",
        ),
        ("《方案（征求意见稿）》提出", "《方案（征求意见稿）》提出"),
        ("(2)强化保障,完善人才政策", "（2）强化保障，完善人才政策"),
        # numbers, decimals, dates, percentages and URLs stay as written
        ("入驻企业1.6万家,指数为71.2,增速6.5%", "入驻企业1.6万家，指数为71.2，增速6.5%"),
        ("2021-04-30 发布", "2021-04-30 发布"),
        ("营业收入1,200亿元", "营业收入1,200亿元"),
        ("会议于10:30开始", "会议于10:30开始"),
        ("全年共3,其中两项已完成", "全年共3，其中两项已完成"),
        ("问题::—回答", "问题：：—回答"),
        (
            "详见http://www.example.gov.cn/zwgk/a.html,欢迎查阅",
            "详见http://www.example.gov.cn/zwgk/a.html，欢迎查阅",
        ),
        ("访问www.example.org/news/了解", "访问www.example.org/news/了解"),
        # full-width digits and letters fold to ASCII; ㎡, … and —— are kept
        ("建成５个产业园，５Ｇ基站４万个", "建成5个产业园，5G基站4万个"),
        ("新建厂房３万㎡……", "新建厂房3万㎡……"),
        ("成果——汽车行业", "成果——汽车行业"),
        ("等等...", "等等……"),
        # abbreviations standing in Chinese text are upper case; units and Latin words are not touched
        ("全年建成5g基站1.2万座", "全年建成5G基站1.2万座"),
        ("推广ai辅助审批", "推广AI辅助审批"),
        ("基于bsn网络和5g、3d打印", "基于BSN网络和5G、3D打印"),
        ("每吨钢耗电300kwh以下", "每吨钢耗电300kwh以下"),
        ("iPhone用户与app开发者", "iPhone用户与APP开发者"),
        # 「」 quotes of Taiwan and Hong Kong texts
        ("推動「數字政府」建設", "推動“數字政府”建設"),
        # spaces around Chinese punctuation go, spaces between words stay
        ("九市发布算力规划 智算中心加快布局", "九市发布算力规划 智算中心加快布局"),
        ("（王 芳）", "（王 芳）"),
        ("发展 。 下一步", "发展。下一步"),
    ],
)
def test_normalize_punctuation(text: str, expected: str) -> None:
    assert normalize_punctuation(text) == expected


@pytest.mark.parametrize(
    ("mangled", "expected"),
    [
        # a sentence whose every mark became "." : enumeration → 、, clause → ，, sentence end → 。
        ("截至上月底.全市已有36家医院接入平台.", "截至上月底，全市已有36家医院接入平台。"),
        ("成都.重庆.西安等地相继发布实施细则.", "成都、重庆、西安等地相继发布实施细则。"),
        (
            "依托5g.物联网.北斗.遥感等手段开展农田监测.",
            "依托5G、物联网、北斗、遥感等手段开展农田监测。",
        ),
        ("引入无人机.ai.卫星.雷达等巡检方式.", "引入无人机、AI、卫星、雷达等巡检方式。"),
        ("因此.社区养老服务需要更多社会力量参与.", "因此，社区养老服务需要更多社会力量参与。"),
        ("全市注册市场主体3.4万户.营商环境持续改善.", "全市注册市场主体3.4万户，营商环境持续改善。"),
        ("新建标准厂房12栋.配套仓库8座.", "新建标准厂房12栋，配套仓库8座。"),
        (
            "全区今年计划改造老旧小区四十余个.此外.还将新增公共停车位两千个.",
            "全区今年计划改造老旧小区四十余个。此外，还将新增公共停车位两千个。",
        ),
        (
            "方案提出.推进'一网通办'.年底前上线5g智慧医疗应用.",
            "方案提出，推进“一网通办”，年底前上线5G智慧医疗应用。",
        ),
        (
            "'社区食堂解决了老人吃饭难.'居民代表说.'希望能再多开几家.'",
            "“社区食堂解决了老人吃饭难。”居民代表说，“希望能再多开几家。”",
        ),
        ("推出'惠企通.一码办'服务.", "推出“惠企通，一码办”服务。"),
        ("景气指数三季度为58.6.较二季度小幅回升.", "景气指数三季度为58.6，较二季度小幅回升。"),
        (
            "具体而言.天津.河南.云南均提出扩大养老服务供给.",
            "具体而言，天津、河南、云南均提出扩大养老服务供给。",
        ),
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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("附件：1．申报表", "附件：1.申报表"),  # the full-width dot of a Word attachment list folds, nothing more
        ("附件:1.申报表", "附件：1.申报表"),
        ("附件：1．申报表；2．承诺书。", "附件：1.申报表；2.承诺书。"),
        ("附件：\n1．申报表\n2．汇总表", "附件：\n1.申报表\n2.汇总表"),
        ("1．申报表 2．承诺书 3．推荐汇总表", "1.申报表 2.承诺书 3.推荐汇总表"),
        ("一、总体要求\n1.加强组织领导。各地要落实责任。\n2.强化资金保障", "一、总体要求\n1.加强组织领导。各地要落实责任。\n2.强化资金保障"),
        ("12.完善考核机制，13.加强督导", "12.完善考核机制，13.加强督导"),
        ("（一）主要目标。1.到2025年建成5个园区", "（一）主要目标。1.到2025年建成5个园区"),
        # a dot after a count inside a sentence is still lost punctuation, not a list number
        ("景气指数三季度为58.6.较二季度小幅回升.", "景气指数三季度为58.6，较二季度小幅回升。"),
        ("新建标准厂房12栋.配套仓库8座.", "新建标准厂房12栋，配套仓库8座。"),
    ],
)
def test_list_numbering_keeps_its_dot(text: str, expected: str) -> None:
    assert normalize_punctuation(text) == expected
    assert normalize_text(text).text == expected
    assert normalize_punctuation(expected) == expected


# ---------------------------------------------------------------------------------------------------- boilerplate

BODY = "新能源汽车产业链加快集聚。\n全市充电桩数量较去年翻了一番。"


@pytest.mark.parametrize(
    ("text", "body", "removed"),
    [
        (
            BODY + "\n以上信息由产经网小编整理，如需了解更多资讯，请关注本站。",
            BODY,
            ["以上信息由产经网小编整理，如需了解更多资讯，请关注本站。"],
        ),
        (
            BODY
            + "\n2021-05-06 财经网发布了 《数字人民币试点再扩容》的文章\n2021-05-05 财经网发布了 《新基建投资提速》的文章",
            BODY,
            [
                "2021-05-06 财经网发布了 《数字人民币试点再扩容》的文章",
                "2021-05-05 财经网发布了 《新基建投资提速》的文章",
            ],
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
        (
            "（来源：经济日报）记者从会上获悉，方案已印发。",
            "（来源：经济日报）记者从会上获悉，方案已印发。",
            [],
        ),
        ("区块链处于何种地位？又会产生怎样的作用？", "区块链处于何种地位？又会产生怎样的作用？", []),
        ("更多企业正在加快上链。", "更多企业正在加快上链。", []),
        (
            "2021年5月，财经网发布了《区块链白皮书》，引起热议。",
            "2021年5月，财经网发布了《区块链白皮书》，引起热议。",
            [],
        ),
        ("相关阅读材料显示，多地已出台政策。", "相关阅读材料显示，多地已出台政策。", []),
        (BODY + "（邢 萌）", BODY + "（邢 萌）", []),
    ],
)
def test_strip_boilerplate(text: str, body: str, removed: list[str]) -> None:
    assert strip_boilerplate(text) == (body, removed)


def test_normalize_text_strips_a_traditional_trailer_and_keeps_it_readable() -> None:
    text = (
        "本報訊,多個園區啟動區塊鍊溯源試點。?\n\n"
        "江西省印發《江西省數字經濟提升行動方案(2023-2025年)》,推動2萬家企業上鍊。\n"
        "?\n"
        "以上信息由財經網—園區頻道(http://www.example.com/yq/)小編整理,歡迎轉發分享。\n"
        "2023-06-12 財經網發布了 《多地出台新政支持夜間經濟》的文章\n"
    )
    result = normalize_text(text)
    assert result == Normalized(
        text=(
            "本报讯，多个园区启动区块链溯源试点。\n"
            "江西省印发《江西省数字经济提升行动方案(2023-2025年)》，推动2万家企业上链。"
        ),
        original=text,
        language="zh-Hant",
        removed=[
            "?",
            "?",
            "以上信息由财经网—园区频道（http://www.example.com/yq/）小编整理，欢迎转发分享。",
            "2023-06-12 财经网发布了 《多地出台新政支持夜间经济》的文章",
        ],
    )


def test_simplified_text_is_not_run_through_opencc() -> None:
    """tw2s rewrites a few correct Simplified words (捏坏 → 捏坯); text with nothing to convert passes as is."""
    assert to_simplified("他不小心捏坏了模型") == "他不小心捏坯了模型"
    assert normalize_text("他不小心捏坏了模型。").text == "他不小心捏坏了模型。"
    assert normalize_text("隨著他不小心捏坏了模型。").text == "随着他不小心捏坯了模型。"  # mixed: converted


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("區塊鍊\x00平臺", "区块链平台"),  # OpenCC stops at NUL: nothing after it may be lost
        ("\ufeff\u200b記者獲悉\u00a0,\r\n\r\n多地出臺政策\t。", "记者获悉，\n多地出台政策。"),
        (
            "　　各地加快推进区块链发展。\n\n　　同时，政策密集出台。",
            "各地加快推进区块链发展。\n同时，政策密集出台。",
        ),
    ],
)
def test_normalize_text_cleans_layout_and_control_characters(text: str, expected: str) -> None:
    assert normalize_text(text).text == expected


def test_long_mixed_text_is_judged_by_its_majority() -> None:
    traditional = "省交通廳啟動建設覆蓋全省的高速公路車路協同網絡。" * 400
    simplified = "省交通厅启动建设覆盖全省的高速公路车路协同网络。" * 100
    assert detect_script(traditional + simplified) == "zh-Hant"
    assert detect_script(simplified * 4 + traditional[:300]) == "zh-Hans"


def test_normalize_text_without_strip_keeps_everything() -> None:
    text = BODY + "\n责任编辑：王小明"
    assert normalize_text(text, strip=False).text == text
    assert normalize_text(text, strip=False).removed == []


# ---------------------------------------------------------------------------------------------------- titles


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "《江西省區塊鍊溯源應用推廣方案（2023—2025年）》",
            "江西省区块链溯源应用推广方案(2023—2025年)",
        ),
        ("成都市智慧农业发展行动计划(2024-2026年)", "成都市智慧农业发展行动计划(2024-2026年)"),
        (
            "宁波市推进港口数字化建设实施方案（2023－2025年）",
            "宁波市推进港口数字化建设实施方案(2023－2025年)",
        ),
        ("厦门市低空经济发展若干措施 (征求意见稿)", "厦门市低空经济发展若干措施(征求意见稿)"),
        ("山西省氢能产业发展规划(2022–2030年)", "山西省氢能产业发展规划(2022–2030年)"),
        (
            "《关于加快发展银发经济的意见》》",
            "关于加快发展银发经济的意见",
        ),
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
