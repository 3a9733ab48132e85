"""The documents a text cites, by 发文字号 and/or title, so an analyst can walk from a policy to those it rests on.

A notice cites others by title (《…通知》), by number (国发〔2021〕29号) or both side by side; the policies the
extractor found carry the titles and the numbers it tied to them, and every other number in the text is a
citation by number alone. The text's own title and number are not citations of itself. One pass over the
text (extract.doc_numbers) plus one over the policies: linear.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from extract.doc_numbers import find_doc_numbers, parse_doc_number
from extract.policy_identity import policy_key

# 《title》（国发〔2021〕29号）: the closing 》 and the opening bracket between the title's span and its number
_NUMBER_AFTER_TITLE = 3


@dataclass(frozen=True)
class Citation:
    """One cited document: its canonical 发文字号, its title, or both; the span where the text names it."""

    doc_number: str | None
    title: str | None
    start: int | None
    end: int | None


def _canonical(doc_number: str | None) -> str | None:
    parsed = parse_doc_number(doc_number)
    return parsed.canonical if parsed else None


def own_doc_number(title: str | None, doc_number: str | None, policies: Iterable[Any] = ()) -> str | None:
    """The text's own 发文字号: the page's field, else the number the extractor gave the policy that bears the
    text's title (a notice whose number stands under its title, with no 发文字号 field)."""
    if doc_number:
        return doc_number
    key = policy_key(title) if title else None
    for policy in policies:
        if (
            key
            and getattr(policy, "doc_number", None)
            and policy_key(getattr(policy, "title", "") or "") == key
        ):
            return policy.doc_number
    return None


def _is_own(title: str, own_key: str | None) -> bool:
    """The text's own title, or the plan it 印发s (its title inside the own one: 关于印发《…》的通知)."""
    if not own_key:
        return False
    key = policy_key(title)
    return bool(key) and key in own_key


def find_citations(
    text: str,
    policies: Iterable[Any] = (),
    *,
    own_title: str | None = None,
    own_doc_number: str | None = None,
) -> list[Citation]:
    """The citations of `text`: each policy the extractor found in it (objects with `title`, `doc_number`,
    `spans` into `text`) and each 发文字号 no policy claims, except the text's own (`own_title`,
    `own_doc_number`). A number written right after a title (《…》（国发〔2021〕29号）) is that title's."""
    text = text or ""
    own_key = policy_key(own_title) if own_title else None
    own_number = _canonical(own_doc_number)
    numbers = find_doc_numbers(text)
    starts = [n.start for n in numbers]
    citations: list[Citation] = []
    claimed: set[str] = set()
    seen: set[tuple[str | None, str | None]] = set()
    for policy in policies:
        title = getattr(policy, "title", None) or None
        if not title or _is_own(title, own_key):
            continue
        spans = getattr(policy, "spans", None) or [(None, None)]
        start, end = spans[0]
        number = None
        if end is not None:
            i = bisect_left(starts, end)
            if i < len(numbers) and numbers[i].start - end <= _NUMBER_AFTER_TITLE:
                number = numbers[i].canonical
        if number is None:
            number = _canonical(getattr(policy, "doc_number", None))
        if number == own_number:  # the extractor may lend the text's own number to the titles it names
            number = None
        if number:
            claimed.add(number)
        if (number, title) in seen:
            continue
        seen.add((number, title))
        citations.append(Citation(number, title, start, end))
    for found in numbers:
        number = found.canonical
        if number == own_number or number in claimed:
            continue
        claimed.add(number)
        citations.append(Citation(number, None, found.start, found.end))
    return citations
