"""Bytes → text for Chinese web pages, robust to the charsets pages really use.

Order of evidence: byte-order mark → the charset the server declared → the page's own `<meta>` → detection.
gb2312/gbk are decoded as gb18030 (a strict superset: pages declaring gb2312 routinely hold GBK characters).
A page that declares a legacy charset but whose bytes are valid UTF-8 with CJK is UTF-8 (a common real mistake).
"""

from __future__ import annotations

import codecs
import logging
import re

logger = logging.getLogger(__name__)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_GB_FAMILY = {"gb2312", "gbk", "gb_2312-80", "gb_2312", "x-gbk", "cp936", "euc-cn", "gb18030", "hz-gb-2312"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
_CJK = re.compile(r"[\u4e00-\u9fff]")
DETECTION_SAMPLE_BYTES = 200_000
# A few undecodable bytes (a truncated last character, one stray byte) do not mean the charset is wrong.
_TOLERATED_BAD_RATIO = 0.001
REPLACED_SUFFIX = "+replace"
MIXED_LABEL = "utf-8+gb18030"
# A UTF-8 page with GBK runs (a footer or a paragraph pasted from a GBK system) is read as mixed only while
# UTF-8 holds most of its non-ASCII bytes; beyond this share of GB bytes it is a GBK page and detection decides.
MIXED_MAX_GB_SHARE = 0.5
_NON_ASCII_RUN = re.compile(rb"[\x80-\xff]+")


def _utf8_with_gb_runs(body: bytes) -> str | None:
    """UTF-8 text whose runs of non-ASCII bytes that are not UTF-8 are GBK; None when GBK dominates.

    Runs are split at ASCII bytes (tags, digits, spaces), the way a GBK paragraph sits between tags in a
    UTF-8 page. A run is UTF-8 when it decodes as such and holds a three-byte (CJK) character: GBK pairs
    often pass as two-byte UTF-8 (位 = CE BB reads as λ), Chinese in UTF-8 never does.
    """
    parts: list[str] = []
    position = gb_bytes = non_ascii = 0
    for match in _NON_ASCII_RUN.finditer(body):
        parts.append(body[position : match.start()].decode("ascii"))
        run = match.group()
        non_ascii += len(run)
        as_utf8 = _strict(run, "utf-8")
        as_gb = None
        if as_utf8 is None or all(ord(c) < 0x800 for c in as_utf8):
            as_gb = _strict(run, "gb18030")
        if as_gb is not None:
            parts.append(as_gb)
            gb_bytes += len(run)
        else:
            parts.append(as_utf8 if as_utf8 is not None else run.decode("utf-8", errors="replace"))
        position = match.end()
    parts.append(body[position:].decode("ascii"))
    if not non_ascii or gb_bytes > non_ascii * MIXED_MAX_GB_SHARE:
        return None
    return "".join(parts)


def canonical_encoding(name: str | None) -> str | None:
    """Python codec name for a declared charset, with the GB family widened to gb18030; None if unknown."""
    if not name:
        return None
    cleaned = name.strip().strip("\"'").lower()
    if cleaned in _GB_FAMILY or cleaned.startswith("gb2312") or cleaned.startswith("gbk"):
        return "gb18030"
    if cleaned in {"big5", "big5-hkscs", "x-x-big5"}:
        return "big5hkscs"
    try:
        return codecs.lookup(cleaned).name
    except LookupError:
        logger.info("unknown declared charset %r", name)
        return None


def meta_charset(body: bytes) -> str | None:
    """The charset named by the page's `<meta charset>` or `<meta http-equiv>` in its first few KB."""
    match = _META_CHARSET.search(body[:8192])
    return match.group(1).decode("ascii", "ignore") if match else None


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _nearly(body: bytes, encoding: str) -> str | None:
    """Decoded text if all but a negligible share of bytes decode; None if the charset is plainly wrong."""
    text = _strict(body, encoding)
    if text is not None:
        return text
    try:
        text = body.decode(encoding, errors="replace")
    except LookupError:
        return None
    bad = text.count("\ufffd")
    return text if bad <= max(2, len(text) * _TOLERATED_BAD_RATIO) else None


def _utf8_with_cjk(body: bytes) -> str | None:
    text = _strict(body, "utf-8")
    return text if text is not None and _CJK.search(text) else None


def _detect(body: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - installed with the project
        return None
    best = from_bytes(body[:DETECTION_SAMPLE_BYTES]).best()
    return canonical_encoding(best.encoding) if best is not None else None


def _try_declared(body: bytes, declared: str | None, source: str) -> tuple[str, str] | None:
    encoding = canonical_encoding(declared)
    if encoding is None:
        return None
    if encoding != "utf-8" and not encoding.startswith("utf-"):
        as_utf8 = _utf8_with_cjk(body)
        if as_utf8 is not None:
            logger.info("%s charset %s but bytes are UTF-8: decoding as utf-8", source, declared)
            return as_utf8, "utf-8"
    text = _nearly(body, encoding)
    if text is None:
        logger.info("%s charset %s does not decode these bytes", source, declared)
        return None
    return text, _label(body, text, encoding)


def _label(body: bytes, text: str, encoding: str) -> str:
    """The encoding name, marked when a few undecodable bytes were replaced."""
    if "\ufffd" in text and _strict(body, encoding) is None:
        return encoding + REPLACED_SUFFIX
    return encoding


def _without_stray_boms(body: bytes) -> bytes:
    """`body` without UTF-16/32 byte-order marks that stand before bytes of another charset (an editor's
    stray mark before a UTF-8 page). UTF-16 markup has a zero byte in every ASCII character; UTF-8 has none."""
    for _ in range(4):  # one stray mark is what editors leave; a few more cost nothing, a run is not looked at
        bom = next((b for b, encoding in _BOMS if encoding != "utf-8" and body.startswith(b)), None)
        if bom is None or b"\x00" in body[len(bom) : len(bom) + 4096]:
            return body
        logger.info("a UTF-16/32 byte-order mark before bytes without zeros: ignored")
        body = body[len(bom) :]
    return body


def decode_html(body: bytes, declared: str | None = None) -> tuple[str, str]:
    """(text, encoding used). Never raises; a last-resort lossy decode is marked `<enc>+replace` and logged."""
    if not body:
        return "", declared and canonical_encoding(declared) or "utf-8"
    body = _without_stray_boms(body)
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            text = _nearly(body[len(bom) :], encoding)
            if text is not None:
                return text, _label(body[len(bom) :], text, encoding)
    for source, name in (("HTTP-declared", declared), ("<meta>", meta_charset(body))):
        decoded = _try_declared(body, name, source)
        if decoded is not None:
            return decoded
    as_utf8 = _strict(body, "utf-8")
    if as_utf8 is not None:
        return as_utf8, "utf-8"
    mixed = _utf8_with_gb_runs(body)
    if mixed is not None:
        logger.info("UTF-8 page with GBK runs: decoding each run in its own charset")
        return mixed, MIXED_LABEL
    detected = _detect(body)
    for encoding in (detected, "gb18030", "utf-8"):
        if encoding:
            text = _nearly(body, encoding)
            if text is not None:
                return text, _label(body, text, encoding)
    # gb18030 decodes nearly any byte sequence; when even that fails, keep what UTF-8 can give.
    logger.warning("no charset decodes this page cleanly; decoding utf-8 with replacement characters")
    return body.decode("utf-8", errors="replace"), "utf-8" + REPLACED_SUFFIX
