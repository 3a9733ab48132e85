"""The labelled set of article pairs (same story / different) that story grouping is scored on.

Three sources, each labelled by construction rather than by eye:
- the bundled sample sites: pages rendered and read exactly as the crawler reads them; a copy declares the story
  it reuses (`syndicated_from` in crawler/sample_sites/content/*.yaml: other script, other headline, ending cut,
  site trailer, mangled punctuation), so two pages are the same story iff they share that origin; a revised
  notice (its `v2`) is the same story as its first version;
- our hand-written stories (crawler/story_pairs.yaml) and copies derived from them here (Traditional script,
  headline line, ending cut, trailer, paragraphs reordered, punctuation mangled, and combinations), with hard
  negatives written to resemble a story without being a copy of it;
- optionally the seed texts at a path given at run time (read there, never copied): each seed with its derived
  copies; different seeds are different stories even where they share a paragraph.

`score()` turns a pair predicate into precision and recall; `policycrawl eval-stories` prints them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

PAIRS_FILE = Path(__file__).with_name("story_pairs.yaml")
SAMPLE_VERSIONS = (1, 2)

# Pairs of sample pages that look alike but are not copies: (site, content id) twice, and why.
SAMPLE_HARD_NEGATIVES: tuple[tuple[tuple[str, int], tuple[str, int], str], ...] = (
    (("sample_news_hans", 3101), ("sample_news_hans", 3127), "same province: 2021-2023 action plan vs 2021-2025 master plan"),
    (("sample_gov_portal", 1452317), ("sample_news_hans", 3101), "the plan's own notice vs a news report on it"),
    (("sample_gov_portal", 1452317), ("sample_gov_portal", 1468802), "two notices of one province, same template"),
)

TRAILER = "以上内容由{site}编辑部整理，转载请注明出处。\n更多政策解读请关注{site}政策频道。\n责任编辑：{editor}"


@dataclass(frozen=True)
class StoryText:
    """One text of the labelled set: `family` is the story it belongs to (same family = same story)."""

    id: str
    family: str
    text: str  # normalised (Simplified, punctuation repaired), as stored in articles.text
    variant: str = "original"


@dataclass(frozen=True)
class LabelledPair:
    a: StoryText
    b: StoryText
    same: bool
    kind: str  # same:<variant>… | hard:<why> | different


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    errors: list[tuple[str, LabelledPair]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _normalize(text: str) -> str:
    from extract.normalize import normalize_text

    return normalize_text(text).text


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def derived_copies(body: str, headline: str, site: str = "财经快报", editor: str = "周洁") -> dict[str, str]:
    """The copies a syndicating site makes of a report, as raw texts (not yet normalised)."""
    from crawler.sample_sites.texts import mangle_punctuation, to_traditional

    paras = _paragraphs(body)
    half = paras[: max(2, (len(paras) + 1) // 2)]
    trailer = _paragraphs(TRAILER.format(site=site, editor=editor))
    reordered = [paras[0], *paras[2:-1], paras[1], paras[-1]] if len(paras) >= 4 else list(reversed(paras))

    def join(lines: Iterable[str]) -> str:
        return "\n".join(lines)

    body_start = next((i for i, p in enumerate(paras) if len(p) >= 40), 0)  # skip headline lines
    lead = paras[body_start : body_start + 2]
    lead[1:] = [re.split(r"(?<=。)", p)[0] for p in lead[1:]]  # the lead paragraph and one more sentence
    edited = [f"本报讯 {paras[0]}", *paras[1:-2], "编者按：以上目标能否如期实现，本报将持续关注。", paras[-1]]
    return {
        "traditional": to_traditional(join(paras), chain_variant=True),
        "edited": join(edited),  # dateline added, one paragraph dropped, an editor's note inserted
        "lead": join([headline, *lead]),  # a brief: headline, lead paragraph, one more sentence
        "headline": join([headline, *paras]),
        "cut": join(half),
        "trailer": join([*paras, *trailer]),
        "reorder": join(reordered),
        "mangled": mangle_punctuation(join(paras)),
        "traditional+cut+trailer": to_traditional(join([*half, *trailer]), chain_variant=True),
        "mangled+headline+cut": mangle_punctuation(join([headline, *half])),
        "traditional+reorder": to_traditional(join(reordered)),
    }


@functools.cache
def _pairs_file() -> dict:
    import yaml

    return yaml.safe_load(PAIRS_FILE.read_text(encoding="utf-8"))


def hand_written_texts() -> tuple[list[StoryText], list[tuple[str, str, str]]]:
    """Our stories with their derived copies, the hard negatives, and (negative key, story key, why) triples."""
    data = _pairs_file()
    texts: list[StoryText] = []
    for story in data["stories"]:
        key = f"hand:{story['key']}"
        texts.append(StoryText(f"{key}/original", key, _normalize(story["body"])))
        for name, raw in derived_copies(story["body"], story["other_headline"]).items():
            texts.append(StoryText(f"{key}/{name}", key, _normalize(raw), name))
    hard: list[tuple[str, str, str]] = []
    for neg in data["hard_negatives"]:
        key = f"hand:{neg['key']}"
        texts.append(StoryText(f"{key}/original", key, _normalize(neg["body"])))
        hard.append((key, f"hand:{neg['not_same_as']}", neg["why"]))
    return texts, hard


_CONTENT_ID_RE = re.compile(r"(\d+)\.html?$")


def sample_site_texts() -> list[StoryText]:
    """Every article page of the sample sites (both content versions), read as the crawler reads it."""
    from crawler.sample_sites.server import build_all
    from crawler.sample_sites.texts import load_site_content
    from extract.article import parse_page

    origin: dict[tuple[str, int], tuple[str, int]] = {}
    for site in ("sample_news_hant", "sample_news_mangled"):
        for article in load_site_content(site)["articles"]:
            if "syndicated_from" in article:
                origin[(site, article["id"])] = ("sample_news_hans", article["syndicated_from"])
    texts: dict[str, StoryText] = {}
    for version in SAMPLE_VERSIONS:
        for name, built in build_all(version).items():
            for expected in built.expected:
                if expected.expected_status not in ("ok", "500_once"):
                    continue
                match = _CONTENT_ID_RE.search(expected.url)
                resource = built.resources.get(expected.url)
                if match is None or resource is None:
                    continue
                content_id = int(match.group(1))
                record = parse_page(resource.payload(), expected.url)
                if not record.text:
                    continue
                site, story = origin.get((name, content_id), (name, content_id))
                variant = "original" if (site, story) == (name, content_id) else f"syndicated:{name}"
                text_id = f"sample:{name}/{content_id}/v{version}"
                if version > 1 and any(t.text == record.text for t in texts.values()):
                    continue  # unchanged in version 2
                if version > 1:
                    variant = "revised"
                texts[text_id] = StoryText(text_id, f"sample:{site}/{story}", record.text, variant)
    return list(texts.values())


def seed_texts(seeds_dir: str | Path) -> list[StoryText]:
    """The seed texts read from their folder, each with its derived copies (labels by construction)."""
    texts: list[StoryText] = []
    for path in sorted(Path(seeds_dir).glob("*.txt")):
        raw = path.read_text(encoding="utf-8", errors="replace")
        key = f"seed:{path.stem[:3]}"
        texts.append(StoryText(f"{key}/original", key, _normalize(raw)))
        paras = _paragraphs(raw)
        headline = paras[0] if paras else ""
        for name, copy in derived_copies(raw, headline).items():
            texts.append(StoryText(f"{key}/{name}", key, _normalize(copy), name))
    return texts


def _pairs(texts: list[StoryText], hard: dict[frozenset[str], str]) -> list[LabelledPair]:
    pairs = []
    for a, b in combinations(texts, 2):
        if a.family == b.family:
            kind = "same:" + "/".join(sorted({a.variant, b.variant}))
            pairs.append(LabelledPair(a, b, True, kind))
        else:
            why = hard.get(frozenset((a.family, b.family)))
            pairs.append(LabelledPair(a, b, False, f"hard:{why}" if why else "different"))
    return pairs


def labelled_pairs(seeds_dir: str | Path | None = None, *, sample: bool = True) -> list[LabelledPair]:
    """All labelled pairs: sample sites, hand-written set, and the seeds when a folder is given."""
    hand, hand_hard = hand_written_texts()
    hard = {frozenset((a, b)): why for a, b, why in hand_hard}
    pairs = _pairs(hand, hard)
    if sample:
        sample_hard = {
            frozenset((f"sample:{a[0]}/{a[1]}", f"sample:{b[0]}/{b[1]}")): why for a, b, why in SAMPLE_HARD_NEGATIVES
        }
        pairs += _pairs(sample_site_texts(), sample_hard)
    if seeds_dir is not None:
        seeds = seed_texts(seeds_dir)
        pairs += _pairs(seeds, {})
    return pairs


def score(pairs: Iterable[LabelledPair], predict: Callable[[StoryText, StoryText], bool]) -> Score:
    result = Score()
    for pair in pairs:
        said = predict(pair.a, pair.b)
        if said and pair.same:
            result.tp += 1
        elif said:
            result.fp += 1
            result.errors.append(("false merge", pair))
        elif pair.same:
            result.fn += 1
            result.errors.append(("missed copy", pair))
        else:
            result.tn += 1
    return result


def evaluate(seeds_dir: str | Path | None = None) -> tuple[Score, list[str]]:
    """Score the database's rule (extract.stories.is_copy) on the labelled pairs; the score and printable lines."""
    from extract.stories import fingerprint, is_copy

    pairs = labelled_pairs(seeds_dir)
    prints: dict[str, object] = {}
    for pair in pairs:
        for t in (pair.a, pair.b):
            if t.id not in prints:
                prints[t.id] = fingerprint(t.text)
    result = score(pairs, lambda a, b: is_copy(prints[a.id], prints[b.id]))
    same = sum(p.same for p in pairs)
    hard = sum(p.kind.startswith("hard:") for p in pairs)
    sources = sorted({t.split(":")[0] for t in prints})
    lines = [
        f"labelled pairs: {len(pairs)} ({same} same story, {len(pairs) - same} different, {hard} hard negatives) "
        f"over {len(prints)} texts from {', '.join(sources)}",
        f"stories_precision={result.precision:.3f} stories_recall={result.recall:.3f} stories_f1={result.f1:.3f} "
        f"(tp={result.tp} fp={result.fp} fn={result.fn})",
    ]
    for why, pair in result.errors[:20]:
        lines.append(f"  {why}: {pair.a.id} ~ {pair.b.id} [{pair.kind}]")
    return result, lines
