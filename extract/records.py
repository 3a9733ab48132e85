"""The records that flow out of `extract/`: one place, so every extractor, table and command agrees.

Field names follow `spec/FACTS.md` (facts) and `spec/CLI.md` (`parse-page`). Everything here is plain data:
no Scrapy, no database. `to_json()` gives exactly the JSON shape of the specs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Region:
    """One row of the national administrative division table."""

    code: str  # 6-digit division code, e.g. "430000"
    name: str  # full standard name, e.g. "湖南省"
    level: str  # "province" | "city"
    parent_code: str | None = None


@dataclass
class RegionMention:
    """A region named in a text: where, as written, and what it resolves to."""

    name: str  # full standard name
    code: str
    start: int
    end: int
    surface: str  # the characters as written (湘, 北京, 长沙市…)


@dataclass
class Policy:
    title: str
    issuer: str | None = None
    region: str | None = None
    issued_on: str | None = None
    doc_number: str | None = None
    period_start: int | None = None
    period_end: int | None = None
    doc_type: str | None = None
    status: str = "final"
    # Where the title was first named in the (normalised) text: (start, end) of the title without 《》.
    spans: list[tuple[int, int]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "issuer": self.issuer,
            "region": self.region,
            "issued_on": self.issued_on,
            "period_start": self.period_start,
            "period_end": self.period_end,
            "doc_type": self.doc_type,
            "status": self.status,
            "doc_number": self.doc_number,
        }


@dataclass
class Target:
    region: str | None
    year: int | None
    metric: str
    value: float | int
    value_max: float | int | None
    unit: str
    qualifier: str  # at_least | at_most | about | range | exact
    text: str
    start: int  # character offsets of `text` in the normalised text
    end: int
    policy_title: str | None = None  # the policy that sets it, when known

    def to_json(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "year": self.year,
            "metric": self.metric,
            "value": self.value,
            "value_max": self.value_max,
            "unit": self.unit,
            "qualifier": self.qualifier,
            "text": self.text,
        }


@dataclass
class ArticleFacts:
    """Everything `policycrawl extract` prints for one text (spec/FACTS.md)."""

    file: str | None
    title: str | None
    language: str
    regions_mentioned: list[str]
    source: str | None
    author: str | None
    policies: list[Policy] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    region_mentions: list[RegionMention] = field(default_factory=list)
    keywords: list[tuple[str, float]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "article": {
                "title": self.title,
                "language": self.language,
                "regions_mentioned": self.regions_mentioned,
                "source": self.source,
                "author": self.author,
            },
            "policies": [p.to_json() for p in self.policies],
            "targets": [t.to_json() for t in self.targets],
        }


@dataclass
class AttachmentLink:
    url: str
    name: str
    type: str  # pdf | docx | doc | xls | xlsx | wps | other


@dataclass
class PageRecord:
    """One page understood (spec/CLI.md `parse-page`); `fields_from` says which evidence layer gave each field."""

    url: str | None
    title: str | None = None
    published_at: str | None = None
    source: str | None = None
    author: str | None = None
    text: str = ""  # normalised body
    text_original: str = ""  # body as decoded, before normalisation
    language: str | None = None
    encoding: str | None = None
    index_no: str | None = None
    doc_number: str | None = None
    issuer: str | None = None
    written_on: str | None = None
    published_on: str | None = None
    topic: str | None = None
    region_code: str | None = None
    attachments: list[AttachmentLink] = field(default_factory=list)
    fields_from: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # reasons a field or the body could not be read

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("text_original")
        return d
