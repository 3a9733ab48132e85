"""One identity per policy document, however the reports write its title.

Sites write one plan as 《…(2020-2022年)》, 《…(2020—2022年)》, 《…（2020－2022年）》, 《…（2020年-2022年）》,
《…[2020-2022年]》 or with the period unbracketed, in either script, with “” or 「」 around a slogan and spaces
anywhere. `policy_key` folds all of these to one string, which is `policies.norm_title`. It folds only how the
title is written, never what it says: a draft (征求意见稿) stays apart from the final text, and a 2020-2022
action plan apart from a 2020-2025 master plan of the same province. `merge_policy_fields` is the rule for
combining what several reports say about one document: the first value of each field is kept with the article
it came from, and a differing later value is recorded as a conflict next to it, never written over it.
"""

from __future__ import annotations

import re
from typing import Any

POLICY_FIELDS = ("issuer", "region", "issued_on", "doc_number", "period_start", "period_end", "doc_type", "status")

_BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "［": "(", "］": ")", "[": "(", "]": ")",
                           "﹙": "(", "﹚": ")", "（": "(", "）": ")", "〈": "", "〉": "", "<": "", ">": ""})
_QUOTES_RE = re.compile(r"[“”‘’\"'「」『』〝〞]")
_DOTS_RE = re.compile(r"[·•・]")
_YEAR = r"((?:19|20)\d{2})"
_RANGE = _YEAR + r"\s*年?\s*[-~～至到]\s*" + _YEAR + r"\s*年?"
_BRACKETED_PERIOD_RE = re.compile(r"\(\s*" + _RANGE + r"\s*\)")
_BARE_PERIOD_RE = re.compile(r"(?<![\d(])" + _RANGE + r"$")
_DRAFT_RE = re.compile(r"\(?(征求意见稿|送审稿|草案|试行|暂行)\)?$")
_TRAILING_PUNCT_RE = re.compile(r"[。，,；;：:！!？?、\s]+$")


_DASHES_RE = re.compile(r"[—－–\-‐‑‒―]+")


def policy_key(title: str) -> str:
    """The identity of a policy title (the value of policies.norm_title)."""
    from extract.normalize import normalize_title  # Simplified, ASCII (), no spaces, no 《》

    key = _DASHES_RE.sub("-", normalize_title(title or "")).translate(_BRACKETS)
    key = _QUOTES_RE.sub("", key)
    key = _DOTS_RE.sub("", key)
    key = _TRAILING_PUNCT_RE.sub("", key)
    key = re.sub(r"[a-z]+", lambda m: m.group(0).upper(), key)  # 5g → 5G
    key = _BRACKETED_PERIOD_RE.sub(lambda m: f"({m.group(1)}-{m.group(2)}年)", key)
    # an unbracketed trailing period, possibly before a draft mark: …计划2020-2022年 / …计划2020-2022年征求意见稿
    draft = ""
    m = _DRAFT_RE.search(key)
    if m:
        draft, key = f"({m.group(1)})", key[: m.start()]
    key = _BARE_PERIOD_RE.sub(lambda m: f"({m.group(1)}-{m.group(2)}年)", key)
    return key + draft


def merge_policy_fields(current: dict[str, Any], sources: dict[str, Any], incoming: dict[str, Any],
                        source_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Combine one more report about a document into its merged fields.

    `current` holds the merged values so far, `sources` the article each came from (and `conflicts`);
    returns the new values and sources. A field still empty takes the incoming value and its source; a field
    that differs keeps its value and gains `{"value", "article_id"}` under `sources["conflicts"][field]`.
    """
    values = dict(current)
    merged_sources = {k: (dict(v) if isinstance(v, dict) else v) for k, v in (sources or {}).items()}
    for field in POLICY_FIELDS:
        value = incoming.get(field)
        if value is None:
            continue
        have = values.get(field)
        if have is None:
            values[field] = value
            merged_sources[field] = source_id
        elif have != value:
            conflicts = merged_sources.setdefault("conflicts", {})
            entries = list(conflicts.get(field, []))
            entry = {"value": value, "article_id": source_id}
            if entry not in entries:
                entries.append(entry)
            conflicts[field] = entries
    return values, merged_sources
