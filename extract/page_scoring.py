"""Side-by-side evaluation of page understanding on real pages: ours, GNE and trafilatura in one run.

Scores (see `/work/shared/eval/pages/README.md` for the data):
- body F1: character-bigram F1 against `magic_html/_ground_truth_selected.json`, both sides normalised the same
  way (NFKC, whitespace removed), averaged over news pages and over all labelled pages;
- title/date agreement with the government `<meta>` tags (ArticleTitle / PubDate) where pages carry them;
- `govcn/` notice fields against `govcn/_gold.json`, exact match per field after dates go to ISO;
- mojibake on every page: U+FFFD and the usual GBK-read-as-Latin-1 sequences in our output;
- `labels.json`, field by field (LABEL_FIELDS): dates as days, strings without whitespace, a null label
  expecting nothing, attachments as a count, the body by bigram F1. GNE's author and trafilatura's site name
  stand in for the issuer; fields a baseline does not extract are left empty for it.
GNE and trafilatura are optional: without them their columns are skipped with a note.
"""

from __future__ import annotations

import json
import logging
import re
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from lxml import html as lxml_html

from extract import page_meta
from extract.article import parse_page
from extract.encoding import decode_html
from extract.records import PageRecord

logger = logging.getLogger(__name__)

GOVCN_FIELDS = {
    "索引号": "index_no",
    "主题分类": "topic",
    "发文机关": "issuer",
    "成文日期": "written_on",
    "标题": "title",
    "发文字号": "doc_number",
    "发布日期": "published_on",
}
LABEL_FIELDS = (
    "title",
    "published_on",
    "issuer",
    "doc_number",
    "index_no",
    "written_on",
    "attachments",
    "body",
)
# Latin-1/cp1252 renderings of UTF-8 or GBK lead bytes: "Ã©", "â€œ", "ä¸­", "Ö÷"…
_MOJIBAKE = re.compile(
    r"[ÃÂâäåæçèéï][\x80-\xbf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ¡-¿]|[Ö×ÐÑÒÓÔÕØÙÚÛÜÝÞß][÷¢-¿À-ÿ]{2}"
)


def normalise_for_f1(text: str) -> str:
    """NFKC, no whitespace: both sides of the F1 go through this."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def bigram_f1(predicted: str, gold: str) -> float:
    a, b = normalise_for_f1(predicted), normalise_for_f1(gold)
    pa = Counter(a[i : i + 2] for i in range(len(a) - 1))
    gb = Counter(b[i : i + 2] for i in range(len(b) - 1))
    if not pa or not gb:
        return 1.0 if not pa and not gb else 0.0
    overlap = sum((pa & gb).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(pa.values()), overlap / sum(gb.values())
    return 2 * precision * recall / (precision + recall)


def mojibake_count(text: str) -> int:
    return text.count("\ufffd") + len(_MOJIBAKE.findall(text))


def _introduced_mojibake(raw: bytes, text: str) -> bool:
    """Mojibake our decoding made; U+FFFD already present as bytes in the served page is the page's own."""
    if _MOJIBAKE.search(text):
        return True
    return "\ufffd" in text and b"\xef\xbf\xbd" not in raw


def _gne_extract(html: str) -> dict | None:
    try:
        from gne import GeneralNewsExtractor
    except ImportError:
        return None
    try:
        return GeneralNewsExtractor().extract(html)
    except Exception as error:  # noqa: BLE001 - a baseline's crash scores zero, it does not stop the run
        logger.info("gne failed: %s", error)
        return {}


def _trafilatura_extract(html: str) -> dict | None:
    try:
        import trafilatura
    except ImportError:
        return None
    try:
        doc = trafilatura.bare_extraction(html, with_metadata=True)
    except Exception as error:  # noqa: BLE001
        logger.info("trafilatura failed: %s", error)
        return {}
    if doc is None:
        return {}
    as_dict = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    return {
        "content": as_dict.get("text") or "",
        "title": as_dict.get("title"),
        "publish_time": as_dict.get("date"),
        "issuer": as_dict.get("sitename") or as_dict.get("author"),
    }


@dataclass
class _Column:
    scores: dict[str, list[float]] = field(default_factory=dict)
    available: bool = True
    seconds: float = 0.0

    def add(self, key: str, value: float) -> None:
        self.scores.setdefault(key, []).append(value)

    def mean(self, key: str) -> float | None:
        values = self.scores.get(key)
        return sum(values) / len(values) if values else None


@dataclass
class PageEvalReport:
    columns: dict[str, _Column]
    counts: dict[str, int]
    govcn_fields: dict[str, float]
    mojibake_pages: list[str]
    crashes: list[str]
    notes: list[str]
    label_misses: list[str] = field(default_factory=list)

    def score(self, system: str, key: str) -> float | None:
        return self.columns[system].mean(key)

    def lines(self) -> list[str]:
        rows = [
            ("body_f1_news", "body F1, news pages"),
            ("body_f1_all", "body F1, all labelled pages"),
            ("meta_title", "title = <meta> ArticleTitle"),
            ("meta_date", "date = <meta> PubDate (day)"),
            ("govcn_exact", "govcn notice fields exact"),
        ]
        names = list(self.columns)
        out = [f"{'metric':34s}" + "".join(f"{n:>13s}" for n in names) + "     n"]
        for key, label in rows:
            cells = []
            for n in names:
                col = self.columns[n]
                value = col.mean(key) if col.available else None
                cells.append(f"{value:13.3f}" if value is not None else f"{'-':>13s}")
            out.append(f"{label:34s}" + "".join(cells) + f"{self.counts.get(key, 0):6d}")
        for name in LABEL_FIELDS:
            key = f"label_{name}"
            cells = []
            for n in names:
                col = self.columns[n]
                value = col.mean(key) if col.available else None
                cells.append(f"{value:13.3f}" if value is not None else f"{'-':>13s}")
            label = f"labels.json {name}" + (" F1" if name == "body" else "")
            out.append(f"{label:34s}" + "".join(cells) + f"{self.counts.get(key, 0):6d}")
        out.append(
            f"{'seconds (all pages)':34s}" + "".join(f"{self.columns[n].seconds:13.1f}" for n in names)
        )
        out.append("govcn per field: " + "  ".join(f"{k}={v:.3f}" for k, v in self.govcn_fields.items()))
        out.append(f"pages with mojibake in our output: {len(self.mojibake_pages)} {self.mojibake_pages[:5]}")
        out.append(f"parse_page crashes: {len(self.crashes)} {self.crashes[:5]}")
        out.extend(f"labels.json miss (ours): {miss}" for miss in self.label_misses)
        out.extend(f"note: {note}" for note in self.notes)
        return out


def _manifest_kinds(pages_dir: Path) -> dict[str, str]:
    kinds: dict[str, str] = {}
    manifest = pages_dir / "MANIFEST.tsv"
    if not manifest.exists():
        return kinds
    for line in manifest.read_text(encoding="utf-8").splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) > 5:
            kinds[Path(cols[0]).name] = cols[5]
    return kinds


def _is_news(kind: str) -> bool:
    return kind.startswith("news") or kind.startswith("gov-")


def _same_day(a: str | None, b: str | None) -> bool:
    return bool(
        a and b and page_meta.iso_date(a) and page_meta.iso_date(a)[:10] == (page_meta.iso_date(b) or "")[:10]
    )


def _squeeze(text: str | None) -> str:
    return re.sub(r"[\s\u3000\xa0]+", "", text or "")


def _label_hit(name: str, predicted: object, expected: object) -> float:
    """One labels.json field of one page: 1.0 or 0.0, the body's F1 in between."""
    if name == "body":
        return bigram_f1(str(predicted or ""), str(expected or ""))
    if name == "attachments":
        return float(int(predicted or 0) == int(expected or 0))
    if name in {"published_on", "written_on"}:
        return float((page_meta.iso_date(str(predicted or "")) or "")[:10] == (expected or ""))
    return float(_squeeze(str(predicted or "")) == _squeeze(str(expected or "")))


def _our_label_fields(record: PageRecord) -> dict[str, object]:
    return {
        "title": record.title,
        "published_on": record.published_on or record.published_at,
        "issuer": record.issuer or record.source,
        "doc_number": record.doc_number,
        "index_no": record.index_no,
        "written_on": record.written_on,
        "attachments": len(record.attachments),
        "body": record.text_original,
    }


def _baseline_label_fields(output: dict) -> dict[str, object]:
    return {
        "title": output.get("title"),
        "published_on": output.get("publish_time"),
        "issuer": output.get("issuer") or output.get("author"),
        "body": output.get("content"),
    }


def _score_labels(
    report: PageEvalReport, labels: dict[str, dict], pages_dir: Path, outputs_of: dict[str, dict[str, dict]]
) -> None:
    for file, gold in labels.items():
        outputs = outputs_of.get(file)
        if outputs is None:
            report.notes.append(f"labels.json names {file}, which is not under {pages_dir}")
            continue
        for system, fields in outputs.items():
            for name in LABEL_FIELDS:
                if name not in fields:
                    continue
                score = _label_hit(name, fields[name], gold.get(name))
                report.columns[system].add(f"label_{name}", score)
                if system == "ours":
                    report.counts[f"label_{name}"] += 1
                    if score < (0.9 if name == "body" else 1.0):
                        shown = f"{score:.3f}" if name == "body" else repr(fields[name])
                        report.label_misses.append(f"{file} {name}: {shown} != {gold.get(name)!r}")


def evaluate_pages(pages_dir: Path, anchors: bool = True) -> PageEvalReport:
    """Score ours, GNE and trafilatura side by side on every page of `pages_dir`; `anchors=False` scores ours
    alone (the two anchors take nine tenths of the time, and their figures only change with their versions)."""
    pages_dir = Path(pages_dir)
    columns = {"ours": _Column(), "gne": _Column(), "trafilatura": _Column()}
    report = PageEvalReport(columns, Counter(), {}, [], [], [])
    kinds = _manifest_kinds(pages_dir)
    gold_path = pages_dir / "magic_html" / "_ground_truth_selected.json"
    body_gold = json.loads(gold_path.read_text(encoding="utf-8")) if gold_path.exists() else {}
    govcn_path = pages_dir / "govcn" / "_gold.json"
    govcn_gold = (
        {g["file"]: g for g in json.loads(govcn_path.read_text(encoding="utf-8"))}
        if govcn_path.exists()
        else {}
    )
    field_hits: dict[str, list[int]] = {f: [] for f in GOVCN_FIELDS.values()}
    labels_path = pages_dir / "labels.json"
    labels = (
        {g["file"]: g for g in json.loads(labels_path.read_text(encoding="utf-8"))} if labels_path.exists() else {}
    )
    label_outputs: dict[str, dict[str, dict]] = {}

    for path in sorted(pages_dir.rglob("*.html")):
        raw = path.read_bytes()
        started = time.perf_counter()
        try:
            record = parse_page(raw, url=None)
        except Exception as error:  # noqa: BLE001 - counted, and the test fails on any
            report.crashes.append(f"{path.name}: {error}")
            continue
        columns["ours"].seconds += time.perf_counter() - started
        if _introduced_mojibake(raw, record.text_original + (record.title or "")):
            report.mojibake_pages.append(path.name)
        if path.name.startswith("_"):
            continue
        text, _ = decode_html(raw)
        baselines = {}
        for name, extractor in (("gne", _gne_extract), ("trafilatura", _trafilatura_extract)):
            if not anchors:
                baselines[name] = None
                columns[name].available = False
                continue
            started = time.perf_counter()
            baselines[name] = extractor(text)
            columns[name].seconds += time.perf_counter() - started
            if baselines[name] is None:
                columns[name].available = False
        outputs = {
            "ours": {
                "content": record.text_original,
                "title": record.title,
                "publish_time": record.published_at,
            },
            **{k: v or {} for k, v in baselines.items()},
        }
        relative = path.relative_to(pages_dir).as_posix()
        if relative in labels:
            label_outputs[relative] = {
                "ours": _our_label_fields(record),
                **{k: _baseline_label_fields(v or {}) for k, v in baselines.items() if v is not None},
            }
        gold = body_gold.get(path.name)
        if gold is not None:
            keys = ["body_f1_all"] + (["body_f1_news"] if _is_news(kinds.get(path.name, "")) else [])
            for key in keys:
                report.counts[key] += 1
                for name, out in outputs.items():
                    columns[name].add(key, bigram_f1(out.get("content") or "", gold["content"]))
        meta = page_meta.read_meta(lxml_html.document_fromstring(text)) if text.strip() else {}
        if meta.get("articletitle"):
            report.counts["meta_title"] += 1
            for name, out in outputs.items():
                columns[name].add(
                    "meta_title", float(_squeeze(out.get("title")) == _squeeze(meta["articletitle"]))
                )
        if meta.get("pubdate"):
            report.counts["meta_date"] += 1
            for name, out in outputs.items():
                columns[name].add(
                    "meta_date", float(_same_day(str(out.get("publish_time") or ""), meta["pubdate"]))
                )
        govcn = govcn_gold.get(path.name)
        if govcn is not None:
            for label, attr in GOVCN_FIELDS.items():
                expected = govcn.get(label) or None
                if attr in {"written_on", "published_on"}:
                    expected = page_meta.iso_date(expected)
                got = getattr(record, attr)
                hit = int(_squeeze(got) == _squeeze(expected))
                field_hits[attr].append(hit)
                report.counts["govcn_exact"] += 1
                columns["ours"].add("govcn_exact", hit)
    report.govcn_fields = {k: sum(v) / len(v) for k, v in field_hits.items() if v}
    _score_labels(report, labels, pages_dir, label_outputs)
    for name in ("gne", "trafilatura"):
        if not columns[name].available:
            report.notes.append(f"{name} is not installed: its column is skipped")
    report.notes.append("gne/trafilatura have no notice fields: their govcn column is empty by design")
    return report
