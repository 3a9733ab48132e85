"""The evaluation gate: extraction over the labelled seeds and the 23 real texts of the development set must stay
at or above the stored floors, and our scorer must give what the reviewers' scorer gives."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from extract.facts import extract_facts
from extract.scoring import evaluate_dir

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SETS = {
    "seeds": (SHARED / "eval" / "seeds", SHARED / "seeds"),
    "dev": (SHARED / "eval" / "dev" / "gold", SHARED / "eval" / "dev" / "texts"),
}
REFERENCE_SCORER = SHARED / "tools" / "score_facts.py"
BASELINE = Path(__file__).with_name("eval_baseline.json")
# The issues' targets: the floors may only be raised above these.
ISSUE_TARGETS = {
    "seeds": {"targets_strict_f1": 0.95, "policies_title_f1": 0.95, "regions_f1": 0.90},
    "dev": {"targets_strict_f1": 0.85, "policies_title_f1": 0.90, "policy.issuer": 0.85, "policy.issued_on": 0.85,
            "article.source": 0.80},
}


def _floors() -> dict:
    return json.loads(BASELINE.read_text(encoding="utf-8"))


def _flat(scores: dict) -> dict[str, float]:
    flat = dict(scores)
    flat.update({f"policy.{k}": v for k, v in scores["policy_fields"].items()})
    flat.update({f"article.{k}": v for k, v in scores["article_fields"].items()})
    return flat


def _need(name: str) -> tuple[Path, Path]:
    gold, texts = SETS[name]
    if not gold.is_dir() or not texts.is_dir():
        pytest.skip(f"EVAL GATE SKIPPED: labelled set {name} not found at {gold} (clone without ../shared)")
    return gold, texts


def test_baseline_is_at_least_the_issue_targets() -> None:
    floors = _floors()
    for name, targets in ISSUE_TARGETS.items():
        for key, minimum in targets.items():
            assert floors[name][key] >= minimum, f"{name} {key} floor {floors[name][key]} is below {minimum}"


@pytest.mark.eval
@pytest.mark.parametrize("name", sorted(SETS))
def test_scores_stay_above_the_floors(name: str) -> None:
    gold, texts = _need(name)
    report = evaluate_dir(gold, texts)
    print("\n".join(report.lines()))
    scores = _flat(report.as_dict())
    below = {k: (scores[k], v) for k, v in _floors()[name].items() if scores[k] < v}
    assert not below, f"{name}: scores below the floors (score, floor): {below}\n" + report.last_line()


@pytest.mark.eval
def test_our_eval_agrees_with_the_reviewers_scorer(tmp_path: Path) -> None:
    gold, texts = _need("dev")
    if not REFERENCE_SCORER.is_file():
        pytest.skip(f"no reference scorer at {REFERENCE_SCORER}")
    lines = []
    for path in sorted(texts.glob("*.txt")):
        facts = extract_facts(path.read_text(encoding="utf-8"), file=path.name, keywords=False)
        lines.append(json.dumps(facts.to_json(), ensure_ascii=False))
    pred = tmp_path / "pred.jsonl"
    pred.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(REFERENCE_SCORER), str(gold), str(pred)], capture_output=True,
                          text=True, check=True)
    theirs = done.stdout.strip().splitlines()[-1]
    ours = evaluate_dir(gold, texts).last_line()
    assert ours == theirs
