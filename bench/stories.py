"""Story grouping: MinHash + LSH (datasketch) against SimHash (simhash), on the labelled pairs.

For each method: its best threshold on the set (so SimHash is not judged on a threshold we picked for MinHash),
precision and recall there, and the time to fingerprint one article. The chosen rule (LSH candidates, then the
exact shingle overlap of extract/stories.py) is scored at its fixed thresholds. Run:
`python -m bench.stories [--seeds ../shared/seeds]`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.story_pairs import LabelledPair, StoryText, labelled_pairs, score  # noqa: E402
from extract import stories  # noqa: E402


def _timed(texts: list[StoryText], fn: Callable[[str], object]) -> tuple[dict[str, object], float]:
    """Results per text id and the mean milliseconds per text (after one warm-up call for imports)."""
    fn(texts[0].text)
    start = time.perf_counter()
    out = {t.id: fn(t.text) for t in texts}
    return out, (time.perf_counter() - start) / max(len(texts), 1) * 1000


def _best(pairs: list[LabelledPair], value: Callable[[StoryText, StoryText], float], thresholds, higher: bool):
    """The threshold with the best F1 (ties: the one in the middle of the tied range)."""
    results = []
    for t in thresholds:
        s = score(pairs, (lambda a, b, t=t: value(a, b) >= t) if higher else (lambda a, b, t=t: value(a, b) <= t))
        results.append((round(s.f1, 6), t, s))
    top = max(r[0] for r in results)
    tied = [r for r in results if r[0] == top]
    return tied[len(tied) // 2], (tied[0][1], tied[-1][1])


def run(seeds: str | None) -> list[str]:
    pairs = labelled_pairs(seeds)
    texts = list({**{p.a.id: p.a for p in pairs}, **{p.b.id: p.b for p in pairs}}.values())
    positives = sum(p.same for p in pairs)
    hard = sum(p.kind.startswith("hard:") for p in pairs)
    lines = [f"labelled pairs: {len(pairs)} ({positives} same story, {len(pairs) - positives} different, "
             f"{hard} of them hard negatives) over {len(texts)} texts"]

    shingle_sets, t_shingle = _timed(texts, stories.shingles)
    signatures, _t = _timed(texts, lambda text: stories.minhash_values(stories.shingles(text)))
    prints, t_print = _timed(texts, stories.fingerprint)
    simhashes, t_simhash = _timed(texts, stories.simhash_value)
    band_sets = {k: set(p.bands) if p else set() for k, p in prints.items()}

    def lsh_line(name: str, bands_of: dict[str, set]) -> str:
        pos = sum(bool(bands_of[p.a.id] & bands_of[p.b.id]) for p in pairs if p.same)
        neg = sum(bool(bands_of[p.a.id] & bands_of[p.b.id]) for p in pairs if not p.same)
        return f"LSH {name}: candidates for {pos}/{positives} same-story pairs, {neg}/{len(pairs) - positives} different"

    for bands, rows in ((16, 8), (32, 4), (64, 2)):
        lines.append(lsh_line(f"whole text {bands}x{rows}", {
            k: set(stories.lsh_bands(v, bands, rows)) for k, v in signatures.items()}))
    lines.append(lsh_line(f"chosen {stories.BANDS}x{stories.ROWS} + lead {stories.LEAD_BANDS}x{stories.ROWS}",
                          band_sets))

    chosen = score(pairs, lambda a, b: stories.is_copy(prints[a.id], prints[b.id]))
    lines.append(f"chosen  minhash-lsh + overlap>={stories.MIN_OVERLAP} + figure share>={stories.MIN_FIGURE_SHARE}: "
                 f"precision={chosen.precision:.3f} "
                 f"recall={chosen.recall:.3f} f1={chosen.f1:.3f}  fingerprint {t_print:.2f} ms/article")

    saved = stories.MIN_FIGURE_SHARE
    for share in (0.0, 0.5, 0.9):
        stories.MIN_FIGURE_SHARE = share
        s = score(pairs, lambda a, b: stories.is_copy(prints[a.id], prints[b.id]))
        label = "off" if share == 0 else f">={share}"
        lines.append(f"  same rule, figure share {label}: precision={s.precision:.3f} recall={s.recall:.3f} "
                     f"({s.fp} false merges, {s.fn} missed copies)")
    stories.MIN_FIGURE_SHARE = saved

    def est_jaccard(a: StoryText, b: StoryText) -> float:
        x, y = signatures[a.id], signatures[b.id]
        return sum(1 for i, j in zip(x, y, strict=True) if i == j) / len(x)

    (f1, t, s), (lo, hi) = _best(pairs, est_jaccard, [i / 100 for i in range(5, 100, 5)], higher=True)
    lines.append(f"minhash jaccard>={t:.2f} (best; F1-tied {lo:.2f}-{hi:.2f}): precision={s.precision:.3f} "
                 f"recall={s.recall:.3f} f1={s.f1:.3f}  fingerprint {t_print:.2f} ms/article")

    def exact_overlap(a: StoryText, b: StoryText) -> float:
        return stories.overlap(shingle_sets[a.id], shingle_sets[b.id])

    (f1, t, s), (lo, hi) = _best(pairs, exact_overlap, [i / 100 for i in range(5, 100, 5)], higher=True)
    lines.append(f"exact overlap>={t:.2f} (best; F1-tied {lo:.2f}-{hi:.2f}): precision={s.precision:.3f} "
                 f"recall={s.recall:.3f} f1={s.f1:.3f}  shingles {t_shingle:.2f} ms/article")

    def distance(a: StoryText, b: StoryText) -> float:
        return stories.hamming(simhashes[a.id], simhashes[b.id])

    (f1, t, s), (lo, hi) = _best(pairs, distance, list(range(0, 33)), higher=False)
    lines.append(f"simhash-64 hamming<={t} (best; F1-tied {lo}-{hi}): precision={s.precision:.3f} "
                 f"recall={s.recall:.3f} f1={s.f1:.3f}  fingerprint {t_simhash:.2f} ms/article")
    misses = [p for why, p in s.errors if why == "missed copy"]
    if misses:
        kinds: dict[str, int] = {}
        for p in misses:
            kinds[p.kind] = kinds.get(p.kind, 0) + 1
        worst = sorted(kinds.items(), key=lambda kv: -kv[1])[:3]
        lines.append("  simhash misses most: " + ", ".join(f"{k} ({n})" for k, n in worst))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", help="folder of seed texts to add (read there, not copied)")
    args = parser.parse_args()
    for line in run(args.seeds):
        print(line, flush=True)


if __name__ == "__main__":
    main()
