"""Attachments of government notices: finding their links, telling their type from bytes, reading their text.

PDF text comes from pypdf, DOCX from python-docx. DOC, WPS and XLS are OLE2 compound files that no small
maintained pure-Python library reads well; they are reported as `unsupported` with that reason, never guessed.
Every limit (size, zip expansion) is checked before a document is parsed, expansion by the bytes a
streamed pass actually inflates, so a hostile file costs no more than an honest one at the cap.
"""

from __future__ import annotations

import io
import logging
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

from lxml import html as lxml_html

from crawler.settings import ATTACHMENT_EXPANDED_MAX_BYTES
from extract.records import AttachmentLink

logger = logging.getLogger(__name__)

ATTACHMENT_EXTENSIONS: set[str] = {
    "pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "ofd", "zip", "rar", "7z", "ppt", "pptx", "dps", "txt",
    "csv", "tif", "tiff", "ceb", "caj",
}  # fmt: skip
MAX_ZIP_EXPANDED_BYTES = 200_000_000
MAX_ZIP_RATIO = 200  # uncompressed / compressed for one member: beyond this it is a zip bomb, not a document
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXT_IN_TEXT = re.compile(
    r"\.(" + "|".join(sorted(ATTACHMENT_EXTENSIONS, key=len, reverse=True)) + r")\s*$", re.I
)


@dataclass
class AttachmentText:
    type: str | None
    text: str
    status: str  # ok | empty_scanned | encrypted | corrupt | too_large | unsupported
    reason: str | None = None


def _extension(path: str) -> str | None:
    ext = posixpath.splitext(unquote(path))[1].lower().lstrip(".")
    return ext if ext in ATTACHMENT_EXTENSIONS else None


def _link_extension(href: str, text: str) -> str | None:
    ext = _href_extension(href)
    if ext:
        return ext
    match = _EXT_IN_TEXT.search(text)
    return match.group(1).lower() if match else None


@lru_cache(maxsize=4096)  # a site's menus and footers bring the same links back on every page
def _href_extension(href: str) -> str | None:
    """The document type named by a link's path or by one of its query values."""
    parts = urlsplit(href)
    ext = _extension(parts.path)
    if ext:
        return ext
    if not parts.query:
        return None
    for values in parse_qs(parts.query).values():  # download.jsp?filename=通知.pdf
        for value in values:
            ext = _extension(value)
            if ext:
                return ext
    return None


# Where a site puts what every page carries — header, menus, footer, side bars, ad slots — by tag and by
# class/id words: a document linked there ("品牌广告.pdf", "网站年报.pdf") is the site's, not the article's.
# Not "top", "head" or "bottom": articles have them too ("con_bottom" holds the 附件 on some portals).
_CHROME_TAGS = frozenset({"header", "footer", "nav", "aside"})
_CHROME_HINT = re.compile(
    r"(?:^|[\s_\-])(?:footer|foot|copyright|banquan|nav|navbar|menu|submenu|header|topbar|top-bar|"
    r"sidebar|side|aside|ad|ads|adv|advert|banner|guanggao|friend-?links?|yqlj|sitemap)(?:$|[\s_\-\d])",
    re.I,
)
# An attachment block's own words win over the chrome around it (a "fujian" list inside a "main-side" column).
_ATTACHMENT_HINT = re.compile(r"attach|fujian|fj|xiazai|download|enclosure|appendix|annex", re.I)


@lru_cache(maxsize=4096)  # a site's class names come back on every page
def _chrome_verdict(hint: str) -> bool | None:
    """True for a container of site chrome, False for an attachment block, None when its words say neither."""
    if not hint.strip():
        return None
    if _ATTACHMENT_HINT.search(hint):
        return False
    return True if _CHROME_HINT.search(hint) else None


# A container named like chrome that holds prose is the article's wrapper ("top-content", "main-nav-body"); told
# by reading its text, at most this many times a page, so a page of nested such containers stays linear.
MAX_PROSE_CHECKS = 16
PROSE_MIN_MARKS = 12
_SENTENCE_MARKS = re.compile(r"[，。；！？]")


class _ChromeMap:
    """Whether an element sits in site chrome, worked out once per element for the whole page: a link's
    ancestors are climbed only up to the first one already known, so all links together cost one pass."""

    def __init__(self) -> None:
        self._inside: dict[lxml_html.HtmlElement, bool] = {}
        self._prose_checks_left = MAX_PROSE_CHECKS

    def holds(self, anchor: lxml_html.HtmlElement) -> bool:
        chain = []
        node = anchor.getparent()
        while node is not None and node not in self._inside:
            chain.append(node)
            node = node.getparent()
        inside = self._inside[node] if node is not None else False
        for el in reversed(chain):  # from the top down
            own = self._own_verdict(el, inside)
            inside = own if own is not None else inside
            self._inside[el] = inside
        return inside

    def _own_verdict(self, el: lxml_html.HtmlElement, inside: bool) -> bool | None:
        cls, ident = el.get("class"), el.get("id")
        verdict = _chrome_verdict(f"{cls or ''} {ident or ''}") if cls or ident else None
        if verdict is None and el.tag in _CHROME_TAGS:
            verdict = True
        if verdict and not inside and self._prose_checks_left > 0:
            self._prose_checks_left -= 1
            verdict = len(_SENTENCE_MARKS.findall(el.text_content())) < PROSE_MIN_MARKS
        return verdict


def find_attachment_links(tree: lxml_html.HtmlElement, base_url: str | None = None) -> list[AttachmentLink]:
    """Links to document files, absolute, named by their link text (or file name), de-duplicated in page order;
    links in the site's header, menus, footer, side bars and ad slots are not the article's and are left out."""
    links: list[AttachmentLink] = []
    seen: set[str] = set()
    chrome = _ChromeMap()
    for anchor in tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        text = " ".join(anchor.text_content().split())  # spaces collapsed
        try:
            ext = _link_extension(href, text)
            if not ext:
                continue  # not a document: no need to resolve it (most links of a page)
            absolute = urljoin(base_url, href) if base_url else href
            name = text or unquote(posixpath.basename(urlsplit(href).path)) or absolute
        except ValueError as error:  # "http://[::1": one broken link must not cost the page
            logger.info("unreadable link %r: %s", href[:200], error)
            continue
        if absolute in seen or chrome.holds(anchor):
            continue
        seen.add(absolute)
        links.append(AttachmentLink(url=absolute, name=name, type=ext))
    return links


def _zip_names(data: bytes) -> list[str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def sniff_type(data: bytes) -> str | None:
    """Type from magic bytes: pdf, docx, xlsx, pptx, ofd, zip, rar; 'ole2' for DOC/XLS/WPS/ET (one container,
    which the magic alone cannot tell apart); None if unknown."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(OLE2_MAGIC):
        return "ole2"
    if data.startswith(b"Rar!"):
        return "rar"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        names = _zip_names(data) or []
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        if any(n.startswith("ppt/") for n in names):
            return "pptx"
        if any(n.lower() == "ofd.xml" for n in names):
            return "ofd"
        return "zip"
    return None


def _zip_too_big(data: bytes) -> str | None:
    """A reason if the zip central directory promises more than we will expand (checked before reading)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        return f"not a readable zip: {error}"
    total = sum(info.file_size for info in infos)
    if total > MAX_ZIP_EXPANDED_BYTES:
        return f"expands to {total} bytes (cap {MAX_ZIP_EXPANDED_BYTES})"
    if total > 10_000_000 and total / max(len(data), 1) > MAX_ZIP_RATIO:
        # many members each under the per-member test: a reader that loads every part would hold it all
        return f"expands {total // max(len(data), 1)}x to {total} bytes across {len(infos)} members: zip bomb"
    for info in infos:
        if (
            info.compress_size
            and info.file_size / info.compress_size > MAX_ZIP_RATIO
            and info.file_size > 10_000_000
        ):
            return f"member {info.filename} expands {info.file_size // info.compress_size}x: zip bomb"
    return None


def _zip_expands_past(data: bytes, max_bytes: int) -> str | None:
    """A reason if the members, inflated for real (streamed, a chunk at a time), come to more than `max_bytes`:
    headers can lie, and honest ones at a deflate ratio of 13 let a 7.8 MB DOCX hold 100 MB of XML."""
    produced = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                with archive.open(info) as member:
                    while chunk := member.read(1 << 20):
                        produced += len(chunk)
                        if produced > max_bytes:
                            return f"expands past {max_bytes} bytes (ATTACHMENT_EXPANDED_MAX_BYTES) in {info.filename}"
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as error:
        return f"not a readable zip: {type(error).__name__}: {error}"
    return None


def _pdf_text(data: bytes) -> AttachmentText:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:  # pragma: no cover - installed with the project
        return AttachmentText("pdf", "", "unsupported", "pypdf is not installed")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    return AttachmentText("pdf", "", "encrypted", "PDF needs a password")
            except Exception as error:  # noqa: BLE001 - crypto backends raise their own types
                return AttachmentText(
                    "pdf", "", "encrypted", f"PDF is encrypted and cannot be opened: {error}"
                )
        pages = list(reader.pages)
        texts = [(page.extract_text() or "").strip() for page in pages]
    except PdfReadError as error:
        return AttachmentText("pdf", "", "corrupt", f"PDF cannot be read: {error}")
    except Exception as error:  # noqa: BLE001 - pypdf raises many types on broken files
        return AttachmentText("pdf", "", "corrupt", f"PDF cannot be read: {type(error).__name__}: {error}")
    text = "\n".join(t for t in texts if t)
    if not text.strip():
        return AttachmentText(
            "pdf", "", "empty_scanned", f"no text layer on {len(pages)} page(s): scanned images?"
        )
    return AttachmentText("pdf", text, "ok")


def _docx_text(data: bytes) -> AttachmentText:
    try:
        import docx
    except ImportError:  # pragma: no cover - installed with the project
        return AttachmentText("docx", "", "unsupported", "python-docx is not installed")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # noqa: BLE001 - python-docx raises KeyError, ValueError, lxml errors…
        return AttachmentText("docx", "", "corrupt", f"DOCX cannot be read: {type(error).__name__}: {error}")
    lines = [p.text.strip() for p in document.paragraphs if p.text.strip()]
    for table in document.tables:
        for row in table.rows:
            cells = [cell.text.strip() for cell in row.cells if cell.text.strip()]
            if cells:
                lines.append("\t".join(dict.fromkeys(cells)))
    text = "\n".join(lines)
    return AttachmentText(
        "docx", text, "ok" if text else "empty_scanned", None if text else "DOCX has no text"
    )


_UNSUPPORTED_REASONS = {
    "ole2": "DOC/XLS/WPS/ET (OLE2 compound file): binary Office/WPS formats are not extracted; convert with "
    "LibreOffice to read them",
    "doc": "DOC (Word 97-2003) text is not extracted: no maintained pure-Python reader",
    "wps": "WPS (Kingsoft Writer) text is not extracted: no maintained pure-Python reader",
    "xls": "XLS (Excel 97-2003) cells are not extracted",
    "et": "ET (Kingsoft spreadsheet) cells are not extracted",
    "xlsx": "XLSX cells are not extracted (no spreadsheet reader installed)",
    "ofd": "OFD (Chinese fixed-layout format) text is not extracted",
    "rar": "RAR archives are not opened",
    "zip": "ZIP archives are not opened; their members are not read",
    "pptx": "PPTX slides are not extracted",
}


def extract_attachment_text(
    data: bytes, declared_type: str | None = None, *, max_bytes: int = 20_000_000,
    max_expanded_bytes: int = ATTACHMENT_EXPANDED_MAX_BYTES,
) -> AttachmentText:
    """Text of a downloaded attachment, or an empty text with a status and a plain reason. Never raises.

    `max_bytes` caps the file, `max_expanded_bytes` what its zip members inflate to (DOCX)."""
    if len(data) > max_bytes:
        return AttachmentText(
            declared_type, "", "too_large", f"{len(data)} bytes exceeds the cap of {max_bytes}"
        )
    if not data:
        return AttachmentText(declared_type, "", "corrupt", "empty file")
    sniffed = sniff_type(data)
    kind = sniffed or (declared_type or "").lower() or None
    if sniffed and declared_type and sniffed not in {declared_type, "ole2"}:
        logger.info("attachment declared %s but bytes say %s", declared_type, sniffed)
    if declared_type in {"pdf", "docx"} and sniffed is None:
        return AttachmentText(declared_type, "", "corrupt", f"bytes are not a {declared_type.upper()} file")
    if kind == "ole2" and declared_type in {"doc", "wps", "xls", "et"}:
        return AttachmentText(declared_type, "", "unsupported", _UNSUPPORTED_REASONS[declared_type])
    if kind in {"docx", "xlsx", "pptx", "ofd", "zip"}:
        too_big = _zip_too_big(data)
        if not too_big and kind == "docx":  # the one zip kind we read: python-docx inflates every member
            too_big = _zip_expands_past(data, max_expanded_bytes)
        if too_big:
            status = "corrupt" if too_big.startswith("not a readable") else "too_large"
            return AttachmentText(kind, "", status, too_big)
    if kind == "pdf":
        return _pdf_text(data)
    if kind == "docx":
        return _docx_text(data)
    if kind in _UNSUPPORTED_REASONS:
        return AttachmentText(kind, "", "unsupported", _UNSUPPORTED_REASONS[kind])
    return AttachmentText(kind, "", "unsupported", f"unknown file type (declared {declared_type!r})")
