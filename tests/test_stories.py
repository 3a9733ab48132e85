"""Near-duplicate stories: the rule on text pairs, the incremental grouping in the database, the evaluation gate."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from story_texts import gansu_reports

from crawler.sample_sites.texts import mangle_punctuation, to_traditional
from crawler.store import Store
from crawler.story_pairs import evaluate
from extract.normalize import normalize_text
from extract.stories import BANDS, LEAD_BANDS, fingerprint, is_copy, story_text

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"
BASELINE = Path(__file__).with_name("story_eval_baseline.json")

QINGHAI = [
    "青海省人民政府日前印发《青海省盐湖产业高质量发展行动方案（2023-2025年）》，提出建设世界级盐湖产业基地。",
    "方案提出，到2025年，全省碳酸锂产能达到20万吨，钾肥产能稳定在1000万吨左右，盐湖产业产值突破1500亿元。",
    "在技术攻关方面，青海将组建盐湖资源综合利用创新联合体，重点突破低品位卤水提锂、镁基新材料等关键技术。",
    "2022年，青海盐湖产业实现产值约860亿元，察尔汗盐湖已成为全国最大的钾肥生产基地。",
    "业内人士提醒，盐湖开发要守住生态底线，不能以牺牲高原湖泊生态为代价换取短期增长。",
]
# Hard negatives of our own: same province, another plan; a template notice with other content.
QINGHAI_OTHER_PLAN = [
    "青海省人民政府日前印发《青海省清洁能源产业发展规划（2021-2030年）》，提出打造国家清洁能源产业高地。",
    "规划提出，到2030年，全省清洁能源装机规模达到1亿千瓦，储能装机突破1000万千瓦，外送电量占比超过50%。",
    "规划明确，依托海西、海南两个千万千瓦级可再生能源基地，建设多能互补的综合能源示范项目。",
    "业内人士提醒，清洁能源开发同样要守住生态底线，合理布局光伏和风电项目。",
]
NOTICE = ("各市州科技局：\n为加快科技成果转化，现就组织申报2024年度省级{programme}有关事项通知如下。\n"
          "一、申报条件。{conditions}\n"
          "二、申报程序。请各市州科技局组织推荐，于5月31日前将推荐文件和申报材料报送省科技厅。\n"
          "联系人：成果转化处 张工，联系电话：0971-6000001。")
NOTICE_A = NOTICE.format(
    programme="科技成果转化示范基地",
    conditions="申报单位应为在省内注册的高校、科研院所或企业，近三年累计转化科技成果不少于10项，"
               "建有专职技术转移团队，年度技术合同成交额不低于2000万元，并制定了成果转化收益分配办法。")
NOTICE_B = NOTICE.format(
    programme="新型研发机构",
    conditions="申报单位应具有独立法人资格，拥有固定研发场所和不少于30名专职研发人员，年度研发经费支出"
               "占收入总额的比例不低于30%，主要从事高原生物、盐湖化工或清洁能源领域的研究开发。")


def _norm(paragraphs: list[str] | str) -> str:
    text = paragraphs if isinstance(paragraphs, str) else "\n".join(paragraphs)
    return normalize_text(text).text


@pytest.mark.parametrize(
    ("copy", "why"),
    [
        (to_traditional("\n".join(QINGHAI)), "Traditional script"),
        ("青海盐湖产业行动方案出台 碳酸锂产能将达20万吨\n" + "\n".join(QINGHAI), "its own headline line"),
        ("\n".join(QINGHAI[:3]), "ending cut"),
        ("\n".join([*QINGHAI, "以上内容由高原财经编辑部整理，转载请注明出处。", "责任编辑：韩梅"]), "site trailer"),
        ("\n".join([QINGHAI[0], QINGHAI[3], QINGHAI[1], QINGHAI[4], QINGHAI[2]]), "paragraphs reordered"),
        (mangle_punctuation("\n".join(QINGHAI)), "mangled punctuation"),
        (to_traditional("\n".join(QINGHAI[:3] + ["責任編輯：韓梅"])), "Traditional, cut, trailer"),
        ("青海出台盐湖方案\n" + QINGHAI[0] + "\n" + QINGHAI[1].split("，")[0] + "。", "a brief: headline and lead"),
    ],
)
def test_copies_of_a_report_are_the_same_story(copy, why):
    assert is_copy(fingerprint(_norm(QINGHAI)), fingerprint(_norm(copy))), why


@pytest.mark.parametrize(
    ("a", "b", "why"),
    [
        (QINGHAI, QINGHAI_OTHER_PLAN, "same province and phrasing, another plan"),
        (NOTICE_A, NOTICE_B, "same template notice, other programme and conditions"),
        (QINGHAI, [QINGHAI[3], "今年一季度，青海旅游接待人次同比增长35%，茶卡盐湖景区游客量居全省首位。",
                   "文旅部门表示，将在暑期推出盐湖旅游专线，并加强景区限流管理。"], "one shared background paragraph"),
    ],
)
def test_look_alikes_are_different_stories(a, b, why):
    assert not is_copy(fingerprint(_norm(a)), fingerprint(_norm(b))), why


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("到2025年，建成5G基站8万个以上。", "到2025年建成5g基站8万个以上"),
        ("到2025年.建成5g基站8万个以上.", "到2025年建成5g基站8万个以上"),
        ("“扬帆”行动 （试行）", "扬帆行动试行"),
    ],
)
def test_story_text_keeps_only_what_copies_share(text, folded):
    assert story_text(text) == folded


def test_a_headline_alone_is_too_short_to_group():
    assert fingerprint("青海出台盐湖产业行动方案") is None


@pytest.fixture
def store(tmp_path) -> tuple[Store, dict[str, int]]:
    store = Store(tmp_path / "policy.db")
    run = store.start_run({})
    reports = gansu_reports()
    for item in reports.values():
        store.save_article(item, run)
    con = sqlite3.connect(store.db_path)
    ids = {name: con.execute("SELECT id FROM articles WHERE url = ?", (item.url,)).fetchone()[0]
           for name, item in reports.items()}
    return store, ids


def _story_of(con: sqlite3.Connection, article_id: int) -> int:
    return con.execute("SELECT story_id FROM articles WHERE id = ?", (article_id,)).fetchone()[0]


def test_three_sites_in_both_scripts_carry_one_story_whose_canonical_is_the_earliest(store):
    store, ids = store
    con = sqlite3.connect(store.db_path)
    story = _story_of(con, ids["original"])
    assert _story_of(con, ids["traditional_copy"]) == story == _story_of(con, ids["mangled_copy"])
    assert con.execute("SELECT size, canonical_article_id FROM stories WHERE id = ?", (story,)).fetchone() == \
        (3, ids["original"])  # the Traditional copy came first, the original was published first
    others = {_story_of(con, ids[n]) for n in ("independent", "wrong_figure", "master_plan", "draft")}
    assert len(others) == 4 and story not in others
    assert con.execute("SELECT COUNT(*) FROM stories").fetchone()[0] == 5
    assert con.execute("SELECT COUNT(*) FROM articles WHERE story_id IS NULL").fetchone()[0] == 0


def test_bands_are_stored_and_a_new_article_is_matched_by_an_indexed_lookup(store):
    store, ids = store
    con = sqlite3.connect(store.db_path)
    assert con.execute("SELECT COUNT(*) FROM story_bands WHERE article_id = ?", (ids["original"],)).fetchone()[0] \
        == BANDS + LEAD_BANDS
    from crawler.stories import _candidate_query

    sql = _candidate_query(3, 200).replace(":h0", "1").replace(":h1", "2").replace(":h2", "3")
    plan = [r[3] for r in con.execute(f"EXPLAIN QUERY PLAN {sql}") if "story_bands" in r[3]]
    assert len(plan) == 3 and all("USING INDEX ix_story_bands_hash (hash=?)" in step for step in plan)


def test_an_updated_article_is_matched_again(store):
    store, ids = store
    copy = gansu_reports()["mangled_copy"]
    con = sqlite3.connect(store.db_path)
    story = _story_of(con, ids["original"])
    from story_texts import MASTER_PLAN, fetched

    rewritten = fetched(copy.site, copy.url, "甘肃数字经济规划要点", "2023-03-14T16:30:00+08:00", MASTER_PLAN, "陇原快报")
    assert store.save_article(rewritten, store.start_run({})) == "updated"
    assert _story_of(con, ids["mangled_copy"]) == _story_of(con, ids["master_plan"])
    assert con.execute("SELECT size FROM stories WHERE id = ?", (story,)).fetchone()[0] == 2
    assert store.save_article(copy, store.start_run({})) == "updated"
    assert _story_of(con, ids["mangled_copy"]) == story
    assert con.execute("SELECT size FROM stories WHERE id = ?", (story,)).fetchone()[0] == 3


def test_the_whole_database_pass_regroups_the_same_way(store):
    store, ids = store
    from crawler.stories import rebuild_stories

    con = sqlite3.connect(store.db_path)

    def groups() -> set[frozenset[int]]:
        rows = con.execute("SELECT GROUP_CONCAT(id) FROM articles GROUP BY story_id").fetchall()
        return {frozenset(int(i) for i in r[0].split(",")) for r in rows}

    before = groups()
    stats = rebuild_stories(store.engine)
    assert groups() == before
    assert (stats.articles, stats.stories, stats.shared) == (7, 5, 1)


def test_story_grouping_stays_above_the_floors_on_the_labelled_pairs():
    floors = json.loads(BASELINE.read_text(encoding="utf-8"))
    result, lines = evaluate(None)
    print("\n".join(lines))
    assert result.precision >= floors["stories_precision"], lines
    assert result.recall >= floors["stories_recall"], lines
    assert result.tp >= 300  # the set is not empty


@pytest.mark.eval
def test_story_grouping_with_the_seed_copies_stays_above_the_floors():
    if not SEEDS.is_dir():
        pytest.skip(f"EVAL GATE SKIPPED: seed texts not found at {SEEDS} (clone without ../shared)")
    floors = json.loads(BASELINE.read_text(encoding="utf-8"))
    result, lines = evaluate(SEEDS)
    print("\n".join(lines))
    assert result.precision >= floors["with_seeds_stories_precision"], lines
    assert result.recall >= floors["with_seeds_stories_recall"], lines


def test_a_lead_shared_by_many_template_notices_does_not_hide_a_real_copy(tmp_path, monkeypatch):
    """Ten notices open with the same template lines; a copy of one of them still finds its original."""
    from story_texts import fetched

    import crawler.stories

    monkeypatch.setattr(crawler.stories, "PER_BAND_LIMIT", 3)  # the lead bands saturate after three notices
    store = Store(tmp_path / "policy.db")
    run = store.start_run({})
    lead = ["各市州科技局：", "为加快科技成果转化，推动创新链产业链深度融合，现就组织申报2024年度省级科技计划项目有关事项通知如下。"]
    programmes = ["高原特色农业", "盐湖化工", "清洁能源", "生物医药", "新材料", "数字经济", "生态保护", "文化旅游",
                  "现代物流", "装备制造"]
    for n, programme in enumerate(programmes):
        body = [*lead, f"一、支持方向。重点支持{programme}领域关键技术攻关项目{n + 3}项，单个项目资助额度不超过{(n + 2) * 50}万元，"
                       f"由{programme}领域的企业牵头，联合高校和科研院所共同申报，执行期限为{n % 3 + 2}年。",
                f"二、联系方式。{programme}项目由省科技厅第{n + 1}业务处受理，联系人王工，电话0971-600{n:04d}。"]
        store.save_article(fetched("sti_gov", f"http://kjt.example/tzgg/{n}.html", f"{programme}项目申报通知",
                                   f"2024-03-{n + 1:02d}T09:00:00+08:00", body, "省科技厅"), run)
    con = sqlite3.connect(store.db_path)
    assert con.execute("SELECT COUNT(*) FROM stories").fetchone()[0] == len(programmes)  # no false merge
    original = con.execute("SELECT id, story_id, text FROM articles WHERE url LIKE '%/8.html'").fetchone()
    store.save_article(fetched("news", "http://news.example/a/1.html", "省科技厅发布项目申报通知",
                               "2024-03-12T09:00:00+08:00", original[2].split("\n"), "新闻网"), run)
    copy_story = con.execute("SELECT story_id FROM articles WHERE url = 'http://news.example/a/1.html'").fetchone()[0]
    assert copy_story == original[1]
