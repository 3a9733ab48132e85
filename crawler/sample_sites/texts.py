"""Loading the sample sites' texts (content/*.yaml) and the text transforms a real source would apply."""

from __future__ import annotations

import functools
import re
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

CONTENT_DIR = Path(__file__).parent / "content"
BEIJING = timezone(timedelta(hours=8))


@functools.cache
def load_site_content(site: str) -> dict[str, Any]:
    """The YAML content of one site; dates stay strings (PyYAML would turn some into datetimes)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(CONTENT_DIR / f"{site}.yaml", encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)  # noqa: S506 - a safe loader


def paragraphs(body: str) -> list[str]:
    return [line.strip() for line in body.splitlines() if line.strip()]


def beijing_time(value: str) -> datetime:
    """'2021-04-27 10:15' (Beijing time, as government pages write it) as an aware datetime."""
    return datetime.strptime(str(value), "%Y-%m-%d %H:%M").replace(tzinfo=BEIJING)


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(timezone.utc), usegmt=True)


@functools.lru_cache(maxsize=1)
def _s2tw():  # noqa: ANN202 - opencc has no type hints
    import opencc

    return opencc.OpenCC("s2tw.json")


def to_traditional(text: str, chain_variant: bool = False) -> str:
    """Taiwan-standard Traditional; `chain_variant` writes 區塊鍊 as many such sites do (s2tw gives 上鍊 itself)."""
    converted = _s2tw().convert(text)
    if chain_variant:
        converted = converted.replace("區塊鏈", "區塊鍊")
    return converted


_SENTENCE_PUNCTUATION = re.compile(r"[，。；：！？、]")
_QUOTES = re.compile(r"[“”‘’「」『』]")
_ASCII_AI = re.compile(r"(?<![A-Za-z])AI(?![A-Za-z])")


def mangle_punctuation(text: str) -> str:
    """What a broken feed does to a text: sentence punctuation → '.', quotes → "'", 5G/AI lowercased."""
    text = _SENTENCE_PUNCTUATION.sub(".", text)
    text = _QUOTES.sub("'", text)
    text = text.replace("5G", "5g")
    return _ASCII_AI.sub("ai", text)
