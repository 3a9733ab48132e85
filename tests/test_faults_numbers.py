"""Hostile numbers: a sentence with a 400-digit figure costs that target, never the article (issue 21, item 2)."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest
from test_store import _page

from crawler.article_writer import stored_number
from crawler.store import Store


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (2500000000000, 2500000000000),
        (2500000000000.0, 2500000000000),  # 2.5万亿 read as a float is still a whole number
        (3000.0, 3000),
        (1.5, 1.5),
        (10**17, 10**17),
        (10**18, None),
        (10**400, None),  # float() of it raised OverflowError and the article was lost
        (10**5000 - 1, None),  # 5,000 nines: past Python's 4,300-digit str() limit
        (float("inf"), None),
        (float("nan"), None),
        (None, None),
    ],
    ids=lambda v: f"{type(v).__name__}:{v}" if not isinstance(v, int) or v < 10**30 else "long int",
)
def test_a_target_value_is_stored_whole_or_not_at_all(value, stored):
    result = stored_number(value)
    assert result == stored and type(result) is type(stored)


def test_an_article_with_a_four_hundred_digit_figure_is_stored_without_that_target(tmp_path):
    store = Store(tmp_path / "policy.db")
    run = store.start_run({})
    page = _page("http://example.cn/long.html", "到2023年建成" + "9" * 400 + "个平台。")
    good = page.facts.targets[0]
    page.facts.targets = [replace(good, value=10**400, text="9" * 400 + "个平台"),
                          replace(good, value=2500000000000.0, metric="投资", unit="元"),
                          replace(good, value=5, value_max=10**400)]
    assert store.save_article(page, run) == "new"
    con = sqlite3.connect(store.db_path)
    assert con.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 1
    assert con.execute("SELECT metric, value, value_max FROM targets").fetchall() == [("投资", 2500000000000, None)]


def test_whole_target_values_are_integers_in_sqlite(tmp_path):
    store = Store(tmp_path / "policy.db")
    page = _page("http://example.cn/int.html", "正文")
    page.facts.targets = [replace(page.facts.targets[0], value=2500000000000.0)]
    store.save_article(page, store.start_run({}))
    con = sqlite3.connect(store.db_path)
    assert con.execute("SELECT value, typeof(value) FROM targets").fetchall() == [(2500000000000, "integer")]


def test_extract_on_a_sentence_of_five_thousand_nines_does_not_crash(tmp_path):
    from click.testing import CliRunner

    from crawler.cli import main

    path = tmp_path / "nines.txt"
    path.write_text("到2025年，全省新建公共充电桩" + "9" * 5000 + "个。", encoding="utf-8")
    done = CliRunner().invoke(main, ["extract", str(path)])
    assert done.exit_code == 0, done.output
    assert '"targets": []' in done.output
