"""Near-duplicate stories: is this article another copy of one we already have?

Syndicated policy news reappears on other sites in the other script, under a new headline, with its ending cut
or a site's trailer added. We compare bodies after normalisation (`extract.normalize.normalize_text`: Simplified,
punctuation repaired) and fold what still differs between copies: every character that is not a CJK ideograph,
a letter or a digit is dropped and letters are lower-cased, so punctuation, spacing and 5G/5g no longer count.

Two measures, both over the set of character 5-grams ("shingles") of that folded text:
- *overlap* = |A ∩ B| / min(|A|, |B|): a copy that keeps only the first half of a report, or adds a trailer,
  still scores near 1, where the Jaccard index would fall to 0.5;
- *Jaccard* = |A ∩ B| / |A ∪ B|, estimated by MinHash, whose LSH bands find the candidates;
and one more check, because copies keep the figures: most numbers of the shorter text occur in the other one
(two notices of one template that differ only in names and amounts share most of their 5-grams, not their
figures).

Finding candidates: a MinHash signature of `NUM_PERM` values is cut into `BANDS` bands of `ROWS` values; two
texts that agree on a whole band are candidates (probability 1 - (1 - J^ROWS)^BANDS). With 64 bands of 2 rows a
pair at Jaccard 0.3 (a copy with half its paragraphs) is a candidate with probability 0.998, unrelated reports
(J < 0.02) with about 0.03; 16 more bands over the lead alone catch briefs that keep little else. Candidates
are then confirmed on the exact shingle overlap and the figures, so LSH only decides where to look. The choice
of MinHash over SimHash, and of the thresholds, is measured by `python -m bench.stories` on the labelled pairs
of `crawler/story_pairs.py` (`policycrawl eval-stories` scores this rule alone).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
import zlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass

SHINGLE_SIZE = 5
NUM_PERM = 128
BANDS = 64
ROWS = NUM_PERM // BANDS
# The lead (first LEAD_CHARS folded characters) gets bands of its own: a brief that keeps only the headline and
# the lead paragraph of a long report has a Jaccard index with it far below what whole-text bands catch.
LEAD_CHARS = 200
LEAD_BANDS = 16  # numbered BANDS … BANDS + LEAD_BANDS - 1, ROWS values each
# A candidate is the same story when this share of the shorter text's shingles occurs in the other one.
MIN_OVERLAP = 0.6
# Texts shorter than this (in shingles) are not fingerprinted: a headline-only brief has nothing to compare.
MIN_SHINGLES = 40
# Shingles fed to MinHash at a time: datasketch hashes a batch as one (batch × NUM_PERM) array of 64-bit values,
# so a 1.5-million-character text in one batch took 1.26 GB; 4,096 at a time take 4 MB, for the same signature.
MINHASH_CHUNK = 4096
# Copies keep the figures: of the numbers in the shorter text, this share must occur in the other one. Template
# notices that differ only in their names and amounts share most of their words but not their figures
# (measured: such pairs share 0.25-0.29 of their figures, copies and a revised notice 0.82 and more).
MIN_FIGURE_SHARE = 0.6
MIN_FIGURES = 3  # below this many numbers the figures say too little to decide

_NOT_COMPARED_RE = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def story_text(text: str) -> str:
    """The characters two copies of a story share: ideographs, letters (lower-cased) and digits, nothing else."""
    return _NOT_COMPARED_RE.sub("", (text or "").lower())


def shingles(text: str, size: int = SHINGLE_SIZE) -> frozenset[int]:
    """The set of character `size`-grams of the folded text, as stable 32-bit hashes."""
    folded = story_text(text)
    if len(folded) < size:
        return frozenset()
    return frozenset(zlib.crc32(folded[i : i + size].encode("utf-8")) for i in range(len(folded) - size + 1))


_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class StoryPrint:
    """What one article contributes to story matching: shingles, figures and LSH bands."""

    shingles: frozenset[int]
    figures: frozenset[str]
    bands: tuple[tuple[int, int], ...] = ()


def figures(text: str) -> frozenset[str]:
    """The numbers a text states, as digits only (1.5万亿 → 15, 1,800 → 1800, 2025年 → 2025)."""
    return frozenset(re.sub(r"[.,]", "", n) for n in _NUMBER_RE.findall(text or ""))


def overlap(a: Collection[int], b: Collection[int]) -> float:
    """Share of the smaller set found in the larger one (1.0 when one text contains the other). One of the two
    must be a set; the other may be any collection of distinct shingles (a stored candidate's array)."""
    if not a or not b:
        return 0.0
    common = a.intersection(b) if isinstance(a, (set, frozenset)) else b.intersection(a)
    return len(common) / min(len(a), len(b))


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def figures_agree(shorter: frozenset[str], longer: frozenset[str]) -> bool:
    if len(shorter) < MIN_FIGURES:
        return True
    return len(shorter & longer) / len(shorter) >= MIN_FIGURE_SHARE


def same_story(a: StoryPrint, b: StoryPrint) -> bool:
    """The decision on two fingerprints: most shingles of the shorter text in the other, and its figures too."""
    if len(a.shingles) < MIN_SHINGLES or len(b.shingles) < MIN_SHINGLES:
        return False
    if overlap(a.shingles, b.shingles) < MIN_OVERLAP:
        return False
    shorter, longer = (a, b) if len(a.shingles) <= len(b.shingles) else (b, a)
    return figures_agree(shorter.figures, longer.figures)


@functools.cache
def _permutations() -> tuple:
    """datasketch's affine permutations for NUM_PERM, made once (they depend only on the seed)."""
    from datasketch import MinHash

    probe = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=_identity)
    return probe.permutations


def _identity(value: int) -> int:
    return value


def minhash_values(shingle_set: Iterable[int]) -> list[int]:
    """The MinHash signature (NUM_PERM unsigned 32-bit values) of a shingle set."""
    from datasketch import MinHash

    mh = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=_identity, permutations=_permutations(), scheme="affine32")
    values = iter(shingle_set)
    while chunk := list(itertools.islice(values, MINHASH_CHUNK)):  # the minimum of minima: same signature
        mh.update_batch(chunk)
    return [int(v) for v in mh.hashvalues]


def lsh_bands(signature: list[int], bands: int = BANDS, rows: int = ROWS, first: int = 0) -> list[tuple[int, int]]:
    """(band number, band hash) pairs; the hash is a signed 63-bit int so SQLite stores it as an INTEGER."""
    out = []
    for band in range(bands):
        chunk = f"{first + band}:" + ",".join(str(v) for v in signature[band * rows : (band + 1) * rows])
        digest = int.from_bytes(hashlib.blake2b(chunk.encode(), digest_size=8).digest(), "big") >> 1
        out.append((first + band, digest))
    return out


def all_bands(text: str, grams: frozenset[int]) -> list[tuple[int, int]]:
    """Whole-text bands, then lead bands (see LEAD_CHARS)."""
    bands = lsh_bands(minhash_values(grams))
    lead = shingles(story_text(text)[:LEAD_CHARS])
    if len(lead) >= MIN_SHINGLES:
        bands += lsh_bands(minhash_values(lead)[: LEAD_BANDS * ROWS], LEAD_BANDS, ROWS, first=BANDS)
    return bands


def fingerprint(text: str, *, bands: bool = True) -> StoryPrint | None:
    """The story fingerprint of a normalised body, or None when it is too short to compare safely.

    `bands=False` skips the MinHash (enough to check a candidate against a new article)."""
    grams = shingles(text)
    if len(grams) < MIN_SHINGLES:
        return None
    return StoryPrint(grams, figures(text), tuple(all_bands(text, grams)) if bands else ())


def simhash_value(text: str, size: int = SHINGLE_SIZE) -> int:
    """64-bit SimHash of the same shingles (the alternative measured in bench/stories.py)."""
    from simhash import Simhash

    folded = story_text(text)
    features = [folded[i : i + size] for i in range(max(len(folded) - size + 1, 0))]
    return Simhash(features or [folded]).value


def hamming(a: int, b: int) -> int:
    return bin(a ^ b).count("1")


def is_copy(a: StoryPrint | None, b: StoryPrint | None) -> bool:
    """The full rule of the database, on two fingerprints: an LSH candidate, then the exact overlap check."""
    if a is None or b is None:
        return False
    return bool(set(a.bands) & set(b.bands)) and same_story(a, b)
