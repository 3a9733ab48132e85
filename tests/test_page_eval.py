"""Evaluation gate on real pages (../shared/eval/pages): ours against GNE and trafilatura, floors in a baseline file."""

from __future__ import annotations

import json
import logging
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

from extract.article import parse_page
from extract.page_scoring import bigram_f1, evaluate_pages, mojibake_count

PAGES_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "pages"
BASELINE = json.loads((Path(__file__).parent / "page_eval_baseline.json").read_text(encoding="utf-8"))
needs_pages = pytest.mark.skipif(
    not PAGES_DIR.is_dir(), reason=f"SKIPPED LOUDLY: real evaluation pages not found at {PAGES_DIR}"
)


@pytest.mark.parametrize(
    ("predicted", "gold", "expected"),
    [
        ("国务院常务会议", "国务院常务会议", 1.0),
        ("国务院 常务\n会议", "国务院常务会议", 1.0),  # whitespace never counts
        ("ＡＢ", "AB", 1.0),  # NFKC on both sides
        ("", "国务院", 0.0),
        ("", "", 1.0),
        ("甲乙丙丁", "戊己庚辛", 0.0),
        ("甲乙丙", "甲乙丙丁戊", 2 * (2 / 2) * (2 / 4) / ((2 / 2) + (2 / 4))),
    ],
)
def test_bigram_f1(predicted: str, gold: str, expected: float):
    assert bigram_f1(predicted, gold) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("正常的中文文本，没有乱码。", 0),
        ("ä¸­å›½æ”¿åºœ", 3),  # UTF-8 read as Latin-1
        ("Ö÷Ìâ·ÖÀà", 1),  # GBK read as Latin-1
        ("替换字符\ufffd\ufffd", 2),
        ("Café, naïve résumé", 0),
    ],
)
def test_mojibake_count(text: str, count: int):
    assert mojibake_count(text) >= count if count else mojibake_count(text) == 0


@needs_pages
@pytest.mark.eval
@pytest.mark.slow
def test_page_evaluation_meets_the_goals(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.ERROR)
    recorded = BASELINE["anchors"]
    live = any(_installed(name) != version for name, version in recorded["versions"].items())
    report = evaluate_pages(PAGES_DIR, anchors=live)  # the anchors' own figures change only with their versions
    print("\n".join(report.lines()))
    ours = report.columns["ours"]
    assert not report.crashes
    assert len(report.mojibake_pages) <= BASELINE["max_mojibake_pages"], report.mojibake_pages
    assert ours.mean("govcn_exact") >= BASELINE["govcn_exact_min"]
    assert ours.mean("body_f1_news") >= BASELINE["ours_body_f1_news_min"]
    assert ours.mean("body_f1_all") >= BASELINE["ours_body_f1_all_min"]
    assert ours.mean("meta_title") >= BASELINE["ours_meta_title_min"]
    assert ours.mean("meta_date") >= BASELINE["ours_meta_date_min"]
    for name, floor in BASELINE["labels_min"].items():
        assert ours.mean(f"label_{name}") >= floor, (name, report.label_misses)
    pages = sum(1 for _ in PAGES_DIR.rglob("*.html"))
    assert ours.seconds / pages <= BASELINE["max_seconds_per_page"]
    for baseline in ("gne", "trafilatura"):
        for key in ("body_f1_news", "body_f1_all"):
            theirs = report.columns[baseline].mean(key) if live else recorded[baseline][key]
            assert ours.mean(key) > theirs, (baseline, key, "live" if live else "recorded")


def _installed(distribution: str) -> str | None:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def test_every_labelled_field_has_a_floor():
    from extract.page_scoring import LABEL_FIELDS

    assert set(BASELINE["labels_min"]) == set(LABEL_FIELDS)


@pytest.mark.parametrize(
    ("name", "predicted", "gold", "score"),
    [
        ("published_on", "2024-05-10T06:58:00", "2024-05-10", 1.0),
        ("published_on", None, "2024-05-10", 0.0),
        ("written_on", None, None, 1.0),  # a null label expects nothing
        ("doc_number", "国办发〔2024〕1号", None, 0.0),
        ("issuer", "人民网 － 人民日报", "人民网－人民日报", 1.0),
        ("attachments", 1, 0, 0.0),
        ("body", "甲乙丙", "甲乙丙", 1.0),
    ],
)
def test_label_hit(name: str, predicted, gold, score: float):
    from extract.page_scoring import _label_hit

    assert _label_hit(name, predicted, gold) == score


@needs_pages
@pytest.mark.eval
@pytest.mark.parametrize(
    "path", sorted(PAGES_DIR.rglob("*.html")) if PAGES_DIR.is_dir() else [], ids=lambda p: p.name
)
def test_parse_page_never_raises_on_real_pages(path: Path):
    record = parse_page(path.read_bytes(), url=f"http://example.com/{path.name}")
    assert not [p for p in record.problems if p.startswith("parse_error")]
    assert "\ufffd" not in (record.title or "")
