"""The evaluation scorer (spec/FACTS.md "How eval scores"), micro-averaged over files.

`score(gold, predicted)` compares lists of FACTS.md article objects paired by `file`; `evaluate_dir` runs the
extractor over a directory of texts first. The last line of the report is the contract of `policycrawl eval`.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

POLICY_FIELDS = ("issuer", "region", "issued_on", "doc_number", "period_start", "period_end", "doc_type", "status")
ARTICLE_FIELDS = ("title", "source", "author", "language")


@dataclass
class PRF:
    """True positives, predicted and gold counts; P/R/F1 derived (nothing predicted nor expected scores 1.0)."""

    tp: int = 0
    predicted: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        if not self.predicted and not self.gold:
            return 1.0
        if not self.tp:
            return 0.0
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: PRF) -> None:
        self.tp += other.tp
        self.predicted += other.predicted
        self.gold += other.gold

    def as_dict(self) -> dict[str, float | int]:
        return {"tp": self.tp, "predicted": self.predicted, "gold": self.gold, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass
class Accuracy:
    correct: int = 0
    total: int = 0

    @property
    def value(self) -> float:
        return self.correct / self.total if self.total else 1.0

    def add(self, ok: bool) -> None:
        self.correct += int(ok)
        self.total += 1


@dataclass
class FileCounts:
    file: str
    gold_targets: int
    predicted_targets: int
    strict_tp: int
    loose_tp: int
    gold_policies: int
    predicted_policies: int
    policy_tp: int


@dataclass
class EvalReport:
    targets_strict: PRF = field(default_factory=PRF)
    targets_loose: PRF = field(default_factory=PRF)
    policy_titles: PRF = field(default_factory=PRF)
    policy_fields: dict[str, Accuracy] = field(default_factory=lambda: {f: Accuracy() for f in POLICY_FIELDS})
    article_fields: dict[str, Accuracy] = field(default_factory=lambda: {f: Accuracy() for f in ARTICLE_FIELDS})
    regions: PRF = field(default_factory=PRF)
    files: list[FileCounts] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # gold files with no text/prediction
    causes: list[tuple[str, str, str]] = field(default_factory=list)  # (cause, file, what) of each loss

    def last_line(self) -> str:
        return (f"targets_strict_f1={self.targets_strict.f1:.3f} targets_loose_f1={self.targets_loose.f1:.3f} "
                f"policies_title_f1={self.policy_titles.f1:.3f} regions_f1={self.regions.f1:.3f}")

    def lines(self) -> list[str]:
        out = ["file                                  targets gold/pred/strict/loose  policies gold/pred/match"]
        for f in self.files:
            out.append(f"{f.file:<38}{f.gold_targets:>4}/{f.predicted_targets:<4}/{f.strict_tp:<4}/{f.loose_tp:<14}"
                       f"{f.gold_policies:>4}/{f.predicted_policies:<4}/{f.policy_tp}")
        for name in self.missing:
            out.append(f"{name:<38}missing: no text or prediction")
        for label, prf in (("targets strict", self.targets_strict), ("targets loose", self.targets_loose),
                           ("policies title", self.policy_titles), ("regions", self.regions)):
            out.append(f"{label:<16} P={prf.precision:.3f} R={prf.recall:.3f} F1={prf.f1:.3f} "
                       f"(tp={prf.tp} pred={prf.predicted} gold={prf.gold})")
        out.append("policy fields    " + " ".join(f"{k}={v.value:.3f}" for k, v in self.policy_fields.items()))
        out.append("article fields   " + " ".join(f"{k}={v.value:.3f}" for k, v in self.article_fields.items()))
        out.extend(self.cause_lines())
        out.append(self.last_line())
        return out

    def cause_table(self) -> dict[str, int]:
        return {c: sum(1 for k, _f, _w in self.causes if k == c) for c in CAUSES}

    def cause_lines(self, examples: int = 3) -> list[str]:
        """Strict misses and extras grouped by cause, with a few examples each: where the loss is."""
        table = self.cause_table()
        out = ["targets lost, by cause (strict): " + ", ".join(f"{c}={n}" for c, n in table.items())]
        for cause in CAUSES:
            rows = [(f, w) for k, f, w in self.causes if k == cause][:examples]
            for f, w in rows:
                out.append(f"  {cause:<13} {f.removesuffix('.txt')[:38]:<38} {w[:70]}")
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "targets_strict": self.targets_strict.as_dict(),
            "targets_loose": self.targets_loose.as_dict(),
            "policies_title": self.policy_titles.as_dict(),
            "policy_fields": {k: round(v.value, 4) for k, v in self.policy_fields.items()},
            "article_fields": {k: round(v.value, 4) for k, v in self.article_fields.items()},
            "regions": self.regions.as_dict(),
            "causes": self.cause_table(),
            "files": [vars(f) for f in self.files],
            "missing": list(self.missing),
            "targets_strict_f1": round(self.targets_strict.f1, 4),
            "targets_loose_f1": round(self.targets_loose.f1, 4),
            "policies_title_f1": round(self.policy_titles.f1, 4),
            "regions_f1": round(self.regions.f1, 4),
        }


def norm_text(value: Any) -> str | None:
    """FACTS.md comparison form: brackets unified, 《》 and spaces removed, lower case (the reviewers' rule)."""
    if value is None:
        return None
    text = str(value).replace("（", "(").replace("）", ")").replace("《", "").replace("》", "")
    return re.sub(r"\s+", "", text).lower()


def normalize_title_key(title: str | None) -> str:
    """Titles compare after the FACTS.md normalisation (brackets unified, spaces and 《》 removed)."""
    return norm_text(title) or ""


def _bigrams(s: str) -> set[str]:
    return {s[i : i + 2] for i in range(len(s) - 1)} or {s}


def metrics_overlap(a: str | None, b: str | None) -> bool:
    """One metric contains the other, or their character-bigram sets have a Dice of at least 0.5."""
    a, b = norm_text(a) or "", norm_text(b) or ""
    if not a or not b:
        return False
    if a in b or b in a:
        return True
    x, y = _bigrams(a), _bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y)) >= 0.5


def _same_number(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    try:
        a, b = float(a), float(b)
    except (TypeError, ValueError, OverflowError):
        return False
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def targets_match(gold: dict, pred: dict, *, strict: bool) -> bool:
    if norm_text(gold.get("region")) != norm_text(pred.get("region")) or \
            norm_text(gold.get("unit")) != norm_text(pred.get("unit")):
        return False
    if not (_same_number(gold.get("value"), pred.get("value"))
            and _same_number(gold.get("value_max"), pred.get("value_max"))):
        return False
    if not metrics_overlap(gold.get("metric"), pred.get("metric")):
        return False
    return not strict or (gold.get("year") == pred.get("year") and gold.get("qualifier") == pred.get("qualifier"))


def _greedy(gold: list[dict], pred: list[dict], match) -> list[tuple[int, int]]:
    """Greedy one-to-one matching, gold in order, each prediction used once: (gold index, pred index)."""
    used: set[int] = set()
    pairs = []
    for gi, g in enumerate(gold):
        for i, p in enumerate(pred):
            if i not in used and match(g, p):
                used.add(i)
                pairs.append((gi, i))
                break
    return pairs


def _match_count(gold: list[dict], pred: list[dict], *, strict: bool) -> int:
    return len(_greedy(gold, pred, lambda g, p: targets_match(g, p, strict=strict)))


def _same_field(a: Any, b: Any) -> bool:
    return norm_text(a) == norm_text(b)


CAUSES = ("region", "year", "qualifier", "metric", "unit/value", "missed whole", "not a target")


def miss_cause(gold: dict, candidates: list[dict]) -> str:
    """Why a gold target found no strict match: the one field an otherwise matching prediction got wrong."""
    same_value = [p for p in candidates if _same_number(gold.get("value"), p.get("value"))
                  and _same_number(gold.get("value_max"), p.get("value_max"))
                  and norm_text(gold.get("unit")) == norm_text(p.get("unit"))]
    for p in same_value:
        if metrics_overlap(gold.get("metric"), p.get("metric")):
            if norm_text(gold.get("region")) != norm_text(p.get("region")):
                return "region"
            return "year" if gold.get("year") != p.get("year") else "qualifier"
    if same_value:
        return "metric"
    if any(metrics_overlap(gold.get("metric"), p.get("metric")) for p in candidates):
        return "unit/value"
    return "missed whole"


def _causes(file: str, gold: list[dict], pred: list[dict]) -> list[tuple[str, str, str]]:
    """(cause, file, what) for every strict miss and every extra prediction."""
    pairs = _greedy(gold, pred, lambda g, p: targets_match(g, p, strict=True))
    matched_g, matched_p = {g for g, _ in pairs}, {p for _, p in pairs}
    rest = [p for i, p in enumerate(pred) if i not in matched_p]
    out = []
    explained: set[int] = set()
    for gi, g in enumerate(gold):
        if gi in matched_g:
            continue
        cause = miss_cause(g, rest)
        out.append((cause, file, f"missed {g.get('text') or g.get('metric')} ({g.get('value')} {g.get('unit')})"))
        for i, p in enumerate(rest):
            if i not in explained and _same_number(g.get("value"), p.get("value")) and \
                    norm_text(g.get("unit")) == norm_text(p.get("unit")):
                explained.add(i)
                break
    for i, p in enumerate(rest):
        if i not in explained:
            out.append(("not a target", file, f"extra {p.get('text') or p.get('metric')} ({p.get('value')} "
                                              f"{p.get('unit')})"))
    return out


def _score_file(report: EvalReport, gold: dict, pred: dict) -> None:
    name = gold.get("file") or "?"
    g_targets, p_targets = gold.get("targets") or [], pred.get("targets") or []
    strict = PRF(_match_count(g_targets, p_targets, strict=True), len(p_targets), len(g_targets))
    loose = PRF(_match_count(g_targets, p_targets, strict=False), len(p_targets), len(g_targets))
    report.targets_strict.add(strict)
    report.targets_loose.add(loose)
    report.causes.extend(_causes(name, g_targets, p_targets))

    g_pol, p_pol = gold.get("policies") or [], pred.get("policies") or []
    pairs = _greedy(g_pol, p_pol, lambda a, b: normalize_title_key(a.get("title")) == normalize_title_key(b.get("title")))
    report.policy_titles.add(PRF(len(pairs), len(p_pol), len(g_pol)))
    for gi, pi in pairs:
        for f in POLICY_FIELDS:
            report.policy_fields[f].add(_same_field(g_pol[gi].get(f), p_pol[pi].get(f)))

    g_art, p_art = gold.get("article") or {}, pred.get("article") or {}
    for f in ARTICLE_FIELDS:
        report.article_fields[f].add(_same_field(g_art.get(f), p_art.get(f)))
    g_reg, p_reg = set(g_art.get("regions_mentioned") or []), set(p_art.get("regions_mentioned") or [])
    report.regions.add(PRF(len(g_reg & p_reg), len(p_reg), len(g_reg)))
    report.files.append(FileCounts(name, len(g_targets), len(p_targets), strict.tp, loose.tp, len(g_pol), len(p_pol),
                                   len(pairs)))


def score(gold: list[dict], predicted: list[dict]) -> EvalReport:
    """Scores predictions against gold, pairing articles by `file`; a gold file without prediction scores empty."""
    report = EvalReport()
    by_file = {p.get("file"): p for p in predicted}
    for g in gold:
        pred = by_file.get(g.get("file"))
        if pred is None:
            report.missing.append(g.get("file") or "?")
            pred = {"file": g.get("file"), "article": {}, "policies": [], "targets": []}
        _score_file(report, g, pred)
    return report


def evaluate_dir(gold_dir: Path, text_dir: Path) -> EvalReport:
    """Runs `extract_facts` on TEXT_DIR/<file> for every GOLD_DIR/*.json and scores the result."""
    from extract.facts import extract_facts

    gold_dir, text_dir = Path(gold_dir), Path(text_dir)
    gold: list[dict] = []
    predicted: list[dict] = []
    for path in sorted(gold_dir.glob("*.json")):
        try:
            g = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            logger.warning("unreadable gold file %s: %s", path, exc)
            continue
        g.setdefault("file", path.with_suffix(".txt").name)
        gold.append(g)
        text_path = text_dir / g["file"]
        try:
            text = text_path.read_text(encoding="utf-8")
        except OSError as exc:
            logger.warning("no text for %s: %s", g["file"], exc)
            continue
        predicted.append(extract_facts(text, file=g["file"], keywords=False).to_json())
    return score(gold, predicted)
