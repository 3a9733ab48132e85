"""Facts of the files a user names (`policycrawl extract`, `normalize`): text or HTML in, refused if binary.

Apart from crawler/offline.py (re-extraction from the database) so that `extract` on a small file starts
without the store: SQLAlchemy, the models and their migrations cost more than the file's analysis.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from crawler.processing import reference_date as page_date
from extract.article import parse_page
from extract.encoding import decode_html
from extract.facts import extract_facts


class NotTextError(ValueError):
    """A file given as text holds binary data (an executable, an image, an archive): refused with one sentence
    rather than read as garbage that looks like an article."""


TEXT_SAMPLE_CHARS = 8192  # decoded characters looked at to decide text or binary
BINARY_CHAR_RATIO = 0.01  # beyond this share of NULs, control characters or undecodable bytes, it is binary
_BINARY_CHARS = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\ufffd]")


def ensure_text(text: str, path: Path) -> str:
    """`text` unless it reads as binary: a real text file, in any charset, decodes to almost no control
    characters, while an ELF, PNG or zip decodes (as gb18030 accepts nearly anything) to NULs and controls."""
    sample = text[:TEXT_SAMPLE_CHARS]
    if "\x00" in sample or len(_BINARY_CHARS.findall(sample)) > BINARY_CHAR_RATIO * len(sample):
        raise NotTextError(f"{path} is not a text file (it holds binary data); give a UTF-8 or GBK text or HTML file")
    return text


def read_text_file(path: Path) -> str:
    """Text files arrive in UTF-8 or GBK; decode with the same rules as web pages. Raises NotTextError."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = decode_html(data)[0]
    return ensure_text(text, path)


def facts_of_file(path: Path, reference_date: dt.date | None = None, explain: list | None = None):
    """FACTS.md facts of a plain-text or HTML file; HTML goes through page understanding first."""
    if path.suffix.lower() in (".html", ".htm", ".shtml"):
        data = path.read_bytes()
        ensure_text(decode_html(data)[0], path)
        record = parse_page(data, None)
        page_fields = None
        if record.doc_number or record.index_no:
            page_fields = {"title": record.title, "doc_number": record.doc_number, "issuer": record.issuer,
                           "written_on": record.written_on, "published_on": record.published_on}
        return extract_facts(record.text, file=path.name, reference_date=reference_date or page_date(record),
                             title=record.title, source=record.source, author=record.author,
                             page_fields=page_fields, normalized=True, explain=explain)
    return extract_facts(read_text_file(path), file=path.name, reference_date=reference_date, explain=explain)
