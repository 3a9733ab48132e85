"""Text of the attachment formats extract.attachments leaves unread: OFD, XLSX, XLS/ET, DOC/WPS.

OFD (GB/T 33190, the fixed-layout format of official documents) is a zip of XML: its text layer is read
here directly, lines and table rows rebuilt from the glyph positions, with only the page XML inflated and
every byte inflated counted against a cap (a small reader of what we need was simpler and safer than
`easyofd`, which renders pages and pulls in PyMuPDF, OpenCV and reportlab). Spreadsheets come out as every sheet's
rows of cells, tab-separated; rows of a table whose header names a year or a 目标值 are also restated as one
sentence each (到2025年，5G基站数达到8万个。) after a cell reference (【指标!B3】), so targets found in them
go through the same extractor as a notice's and their span points at the cell they came from.
DOC and WPS (Kingsoft Writer saves Word's binary format) are read from their piece table (MS-DOC: the FIB
names the table stream's CLX, whose pieces say where each run of text lies, 8-bit or UTF-16), with olefile
for the compound file; an encrypted or obfuscated file, or one without a WordDocument stream, says so.
"""

from __future__ import annotations

import io
import logging
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from typing import Any

import olefile
import openpyxl
import xlrd
from lxml import etree
from openpyxl.utils import get_column_letter

from crawler.settings import ATTACHMENT_EXPANDED_MAX_BYTES
from extract.attachments import AttachmentText, sniff_type

logger = logging.getLogger(__name__)

FORMATS = {
    "ofd",
    "xlsx",
    "xls",
    "et",
    "doc",
    "wps",
}  # what this module reads; extract.attachments reads the rest
MAX_CELLS = (
    200_000  # a project list has a few thousand; past this the rest of the sheet is left out (said so)
)
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_LINE_TOLERANCE = 0.5  # mm: glyphs whose baselines differ by less sit on one line
_CELL_GAP = 4.0  # mm of blank between two runs of one line: a new table cell (written as a tab)
_YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年?")
_BASELINE_WORDS = ("基数", "基期", "现状", "完成", "实际", "实绩", "现值", "基准")
_METRIC_WORDS = ("指标", "项目", "名称", "内容", "任务")


class _TooLarge(Exception):
    pass


# --- OFD ------------------------------------------------------------------------------------------------------


def _read_member(archive: zipfile.ZipFile, name: str, budget: list[int]) -> bytes:
    """One member, inflated a chunk at a time against the bytes left in `budget` (shared by all members)."""
    out = bytearray()
    with archive.open(name) as member:
        while chunk := member.read(1 << 16):
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise _TooLarge(name)
            out += chunk
    return bytes(out)


def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _page_paths(archive: zipfile.ZipFile, names: set[str], budget: list[int]) -> list[str]:
    """Content.xml of each page in reading order: OFD.xml → DocRoot (Document.xml) → Pages/Page@BaseLoc."""
    root = etree.fromstring(_read_member(archive, _member(names, "OFD.xml"), budget), _XML_PARSER)
    paths: list[str] = []
    for doc_root in (el for el in root.iter() if _local(el.tag) == "DocRoot"):
        doc_path = _member(names, (doc_root.text or "").strip().lstrip("/"))
        document = etree.fromstring(_read_member(archive, doc_path, budget), _XML_PARSER)
        base = posixpath.dirname(doc_path)
        for page in (el for el in document.iter() if _local(el.tag) == "Page"):
            loc = (page.get("BaseLoc") or "").strip()
            if loc:
                path = (
                    loc.lstrip("/") if loc.startswith("/") else posixpath.normpath(posixpath.join(base, loc))
                )
                paths.append(_member(names, path))
    return paths


def _member(names: set[str], path: str) -> str:
    """The member named `path`, matched without regard to case (producers differ)."""
    if path in names:
        return path
    lowered = {n.lower(): n for n in names}
    if path.lower() in lowered:
        return lowered[path.lower()]
    raise KeyError(path)


def _floats(value: str | None) -> list[float]:
    try:
        return [float(v) for v in (value or "").replace(",", " ").split()]
    except ValueError:
        return []


def _glyph_runs(page: etree._Element) -> Iterator[tuple[float, float, float, str]]:
    """(baseline y, x, width, text) of each TextCode, in page coordinates (mm)."""
    for obj in page.iter():
        if _local(obj.tag) != "TextObject":
            continue
        box = _floats(obj.get("Boundary")) or [0.0, 0.0, 0.0, 0.0]
        size = (_floats(obj.get("Size")) or [3.5])[0]
        for code in obj:
            if _local(code.tag) != "TextCode" or not code.text:
                continue
            x = box[0] + ((_floats(code.get("X")) or [0.0])[0])
            y = box[1] + ((_floats(code.get("Y")) or [0.0])[0])
            deltas = _floats(code.get("DeltaX"))
            width = sum(deltas) + size if deltas else size * len(code.text)
            yield y, x, width, code.text


def _page_lines(page: etree._Element) -> list[str]:
    """The page's text as lines, top to bottom; runs apart by more than a cell's gap joined with a tab."""
    runs = sorted(_glyph_runs(page))
    lines: list[list[tuple[float, float, str]]] = []
    last_y: float | None = None
    for y, x, width, text in runs:
        if last_y is None or y - last_y > _LINE_TOLERANCE:
            lines.append([])
        lines[-1].append((x, width, text))
        last_y = y
    out = []
    for line in lines:
        line.sort()
        parts, end = [], None
        for x, width, text in line:
            if end is not None:
                parts.append("\t" if x - end > _CELL_GAP else "")
            parts.append(text)
            end = x + width
        out.append("".join(parts).strip())
    return [line for line in out if line]


def ofd_text(data: bytes, *, max_expanded_bytes: int = ATTACHMENT_EXPANDED_MAX_BYTES) -> AttachmentText:
    """The text layer of an OFD file, page after page."""
    budget = [max_expanded_bytes]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            pages = [
                etree.fromstring(_read_member(archive, path, budget), _XML_PARSER)
                for path in _page_paths(archive, names, budget)
            ]
    except _TooLarge as error:
        return AttachmentText(
            "ofd",
            "",
            "too_large",
            f"expands past {max_expanded_bytes} bytes (ATTACHMENT_EXPANDED_MAX_BYTES) in {error}",
        )
    except KeyError as error:
        return AttachmentText("ofd", "", "corrupt", f"OFD names a part it does not contain: {error}")
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        NotImplementedError,
        etree.XMLSyntaxError,
    ) as error:
        return AttachmentText("ofd", "", "corrupt", f"OFD cannot be read: {type(error).__name__}: {error}")
    if not pages:
        return AttachmentText("ofd", "", "corrupt", "OFD lists no pages")
    text = "\n".join(line for page in pages for line in _page_lines(page))
    if not text:
        return AttachmentText(
            "ofd", "", "empty_scanned", f"no text layer on {len(pages)} page(s): scanned images?"
        )
    return AttachmentText("ofd", text, "ok")


# --- spreadsheets -----------------------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def _target_column_year(header: str, title_year: str | None) -> str | None:
    """The year a header column promises (2025年目标 → 2025; 目标值 → the sheet title's year), else None."""
    if any(word in header for word in _BASELINE_WORDS):
        return None
    year = _YEAR_RE.search(header)
    if year and (len(header) <= 8 or "目标" in header):
        return year.group(1)
    if "目标" in header:
        return title_year or ""
    return None


def _table_sentences(sheet: str, rows: list[list[str]]) -> list[str]:
    """Each row of a goals table restated as one sentence after its cell reference: 【指标!C3】到2025年，…。"""
    header_at = next((i for i, row in enumerate(rows) if sum(1 for c in row if c) >= 2), None)
    if header_at is None:
        return []
    title_year = next(
        (m.group(1) for row in rows[:header_at] for c in row if (m := _YEAR_RE.search(c))), None
    )
    header = rows[header_at]
    years = {j: y for j, h in enumerate(header) if (y := _target_column_year(h, title_year)) is not None}
    if not years:
        return []
    metric_col = next((j for j, h in enumerate(header) if any(w in h for w in _METRIC_WORDS)), 0)
    unit_col = next((j for j, h in enumerate(header) if "单位" in h), None)
    sentences = []
    for i, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        metric = row[metric_col] if metric_col < len(row) else ""
        unit = row[unit_col] if unit_col is not None and unit_col < len(row) else ""
        for j, year in years.items():
            value = row[j] if j < len(row) else ""
            if not metric or not value or not re.search(r"\d", value):
                continue
            amount = value if not unit or value.endswith(unit) else f"{value}{unit}"
            when = f"到{year}年，" if year else ""
            sentences.append(f"【{sheet}!{get_column_letter(j + 1)}{i}】{when}{metric}达到{amount}。")
    return sentences


def _sheets_text(kind: str, sheets: Iterable[tuple[str, Iterable[Iterable[Any]]]]) -> AttachmentText:
    """Every sheet as its rows of cells (tab-separated), then the goals its tables state, one per line."""
    lines: list[str] = []
    goals: list[str] = []
    cells = 0
    cut = None
    for name, sheet_rows in sheets:
        rows: list[list[str]] = []
        for row in sheet_rows:
            values = [_cell_text(v) for v in row]
            cells += len(values)
            if cells > MAX_CELLS:
                cut = name
                break
            while values and not values[-1]:
                values.pop()
            if values:
                rows.append(values)
        lines.append(f"【{name}】")
        lines.extend("\t".join(row) for row in rows)
        goals.extend(_table_sentences(name, rows))
        if cut:
            break
    if goals:
        lines.append("【表中目标】")
        lines.extend(goals)
    text = "\n".join(lines)
    if not any(line and not line.startswith("【") for line in lines):
        return AttachmentText(kind, "", "empty_scanned", "the workbook's sheets hold no cells")
    reason = f"cut at {MAX_CELLS} cells in sheet {cut}" if cut else None
    return AttachmentText(kind, text, "ok", reason)


def _zip_inflates_within(data: bytes, max_bytes: int) -> str | None:
    """A reason when the members, inflated for real, come to more than `max_bytes` (openpyxl reads them all)."""
    budget = [max_bytes]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                with archive.open(name) as member:
                    while chunk := member.read(1 << 20):
                        budget[0] -= len(chunk)
                        if budget[0] < 0:
                            return f"expands past {max_bytes} bytes (ATTACHMENT_EXPANDED_MAX_BYTES) in {name}"
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as error:
        return f"not a readable zip: {type(error).__name__}: {error}"
    return None


def xlsx_text(data: bytes, *, max_expanded_bytes: int = ATTACHMENT_EXPANDED_MAX_BYTES) -> AttachmentText:
    """Cells of an XLSX workbook (openpyxl, read-only: rows streamed, values not formulas)."""
    problem = _zip_inflates_within(data, max_expanded_bytes)
    if problem:
        return AttachmentText("xlsx", "", "corrupt" if problem.startswith("not a") else "too_large", problem)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            return _sheets_text(
                "xlsx", ((ws.title, ws.iter_rows(values_only=True)) for ws in book.worksheets)
            )
        finally:
            book.close()
    except Exception as error:  # noqa: BLE001 - openpyxl raises KeyError, ValueError, lxml and zip errors
        return AttachmentText("xlsx", "", "corrupt", f"XLSX cannot be read: {type(error).__name__}: {error}")


def xls_text(data: bytes, kind: str = "xls") -> AttachmentText:
    """Cells of an XLS (Excel 97-2003) or ET (Kingsoft, the same BIFF8 records) workbook, with xlrd."""
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as error:  # noqa: BLE001 - xlrd raises XLRDError, CompDocError, struct.error…
        return AttachmentText(
            kind,
            "",
            "corrupt" if kind == "xls" else "unsupported",
            f"{kind.upper()} cannot be read as a BIFF workbook (xlrd): {type(error).__name__}: {error}",
        )
    try:
        sheets = []
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            sheets.append((sheet.name, (sheet.row_values(r) for r in range(sheet.nrows))))
        return _sheets_text(kind, sheets)
    except Exception as error:  # noqa: BLE001
        return AttachmentText(
            kind, "", "corrupt", f"{kind.upper()} cannot be read: {type(error).__name__}: {error}"
        )
    finally:
        book.release_resources()


# --- DOC / WPS -------------------------------------------------------------------------------------------------

_FIB_MAGIC = 0xA5EC
_FLAG_TABLE_1 = 0x0200  # fWhichTblStm: the CLX is in 1Table, else 0Table
_FLAG_ENCRYPTED = 0x0100
_CLX_PAIR = 33  # fcClx / lcbClx: the 34th pair of FibRgFcLcb97
_CCP_TEXT = 3  # ccpText: the 4th value of FibRgLw97 (characters of the main document)
_FIELD_BEGIN, _FIELD_SEPARATOR, _FIELD_END = "\x13", "\x14", "\x15"
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class _NotWord(ValueError):
    pass


def _u16(data: bytes, offset: int) -> int:
    if offset + 2 > len(data):
        raise _NotWord("the FIB is cut short")
    return int.from_bytes(data[offset : offset + 2], "little")


def _u32(data: bytes, offset: int) -> int:
    if offset + 4 > len(data):
        raise _NotWord("the FIB is cut short")
    return int.from_bytes(data[offset : offset + 4], "little")


def _pieces(word: bytes, table: bytes) -> Iterator[tuple[int, int, bool]]:
    """(file offset, characters, 8-bit?) of each piece of the text, in order (the PlcPcd of the CLX)."""
    csw = _u16(word, 32)
    lw_at = 34 + 2 * csw
    cslw = _u16(word, lw_at)
    ccp_text = _u32(word, lw_at + 2 + 4 * _CCP_TEXT)
    blob_at = lw_at + 2 + 4 * cslw + 2
    fc_clx, lcb_clx = _u32(word, blob_at + 8 * _CLX_PAIR), _u32(word, blob_at + 8 * _CLX_PAIR + 4)
    clx = table[fc_clx : fc_clx + lcb_clx]
    if len(clx) != lcb_clx or not clx:
        raise _NotWord("the piece table lies outside the table stream")
    at = 0
    while at < len(clx) and clx[at] == 0x01:  # Prc: formatting, skipped
        at += 3 + _u16(clx, at + 1)
    if at >= len(clx) or clx[at] != 0x02:
        raise _NotWord("no piece table in the CLX")
    lcb = _u32(clx, at + 1)
    plc = clx[at + 5 : at + 5 + lcb]
    count = (len(plc) - 4) // 12
    if count <= 0:
        raise _NotWord("an empty piece table")
    cps = [_u32(plc, 4 * i) for i in range(count + 1)]
    left = ccp_text or cps[-1]
    for i in range(count):
        fc = _u32(plc, 4 * (count + 1) + 8 * i + 2)
        chars = min(max(cps[i + 1] - cps[i], 0), left)
        if chars <= 0:
            break
        left -= chars
        compressed = bool(fc & 0x40000000)
        yield ((fc & 0x3FFFFFFF) // 2 if compressed else fc), chars, compressed


def _word_text(word: bytes, table: bytes, max_chars: int) -> str:
    parts, total = [], 0
    for offset, chars, compressed in _pieces(word, table):
        chars = min(chars, max_chars - total)
        raw = word[offset : offset + (chars if compressed else 2 * chars)]
        parts.append(raw.decode("cp1252", "replace") if compressed else raw.decode("utf-16-le", "replace"))
        total += chars
        if total >= max_chars:
            break
    return _plain("".join(parts))


def _plain(text: str) -> str:
    """Word's marks made plain: paragraphs (\\r) as lines, cell marks (\\x07) as tabs and a row's end as a line,
    a field's result kept and its instruction dropped (\\x13 instruction \\x14 result \\x15). Linear."""
    out, depth_instruction = [], []
    for ch in text:
        if ch == _FIELD_BEGIN:
            depth_instruction.append(True)
        elif ch == _FIELD_SEPARATOR and depth_instruction:
            depth_instruction[-1] = False
        elif ch == _FIELD_END and depth_instruction:
            depth_instruction.pop()
        elif depth_instruction and depth_instruction[-1]:
            continue
        elif ch in "\r\x0b":
            out.append("\n")
        elif ch == "\x07" and out and out[-1] == "\t":  # a cell's end then the row's end: the row is done
            out[-1] = "\n"
        elif ch == "\x07":
            out.append("\t")
        else:
            out.append(ch)
    lines = (_CONTROL_RE.sub("", line).strip() for line in "".join(out).split("\n"))
    return "\n".join(line for line in lines if line)


def doc_text(data: bytes, kind: str = "doc", *, max_chars: int = 5_000_000) -> AttachmentText:
    """Text of a Word 97-2003 (.doc) or WPS Writer (.wps, the same binary format) file."""
    try:
        ole = olefile.OleFileIO(data)
    except Exception as error:  # noqa: BLE001 - olefile raises OSError, struct.error, IndexError…
        return AttachmentText(kind, "", "corrupt", f"{kind.upper()} is not a readable compound file: {error}")
    try:
        if not ole.exists("WordDocument"):
            return AttachmentText(
                kind,
                "",
                "unsupported",
                f"{kind.upper()} has no WordDocument stream: not a "
                "Word-format file (an older WPS format?); convert it with LibreOffice or WPS",
            )
        word = ole.openstream("WordDocument").read()
        if _u16(word, 0) != _FIB_MAGIC:
            return AttachmentText(
                kind, "", "corrupt", f"{kind.upper()}'s WordDocument stream has no Word FIB"
            )
        flags = _u16(word, 0x0A)
        if flags & _FLAG_ENCRYPTED:
            return AttachmentText(kind, "", "encrypted", f"{kind.upper()} is encrypted or obfuscated")
        table_name = "1Table" if flags & _FLAG_TABLE_1 else "0Table"
        if not ole.exists(table_name):
            return AttachmentText(kind, "", "corrupt", f"{kind.upper()} lacks its table stream {table_name}")
        text_ = _word_text(word, ole.openstream(table_name).read(), max_chars)
    except _NotWord as error:
        return AttachmentText(kind, "", "corrupt", f"{kind.upper()} cannot be read: {error}")
    except Exception as error:  # noqa: BLE001 - a broken compound file fails in many ways
        return AttachmentText(
            kind, "", "corrupt", f"{kind.upper()} cannot be read: {type(error).__name__}: {error}"
        )
    finally:
        ole.close()
    if not text_:
        return AttachmentText(kind, "", "empty_scanned", f"{kind.upper()} has no text")
    return AttachmentText(kind, text_, "ok")


# --- dispatch ---------------------------------------------------------------------------------------------------


def read_attachment_text(
    data: bytes, declared_type: str | None, *, max_expanded_bytes: int = ATTACHMENT_EXPANDED_MAX_BYTES
) -> AttachmentText | None:
    """The text of an OFD, XLSX, XLS, ET, DOC or WPS file, told by its bytes (for OLE2 by the declared type);
    None for any other file (extract.attachments reads those). Never raises."""
    sniffed = sniff_type(data)
    declared = (declared_type or "").lower()
    if sniffed == "ofd" or (sniffed == "zip" and declared == "ofd"):
        return ofd_text(data, max_expanded_bytes=max_expanded_bytes)
    if sniffed == "xlsx":
        return xlsx_text(data, max_expanded_bytes=max_expanded_bytes)
    if sniffed == "ole2" and declared not in {"xls", "et", "doc", "wps"}:
        declared = _ole2_kind(data) or declared  # a link that named no type (download.jsp?id=…)
    if sniffed == "ole2" and declared in {"xls", "et"}:
        return xls_text(data, declared)
    if sniffed == "ole2" and declared in {"doc", "wps"}:
        return doc_text(data, declared)
    return None


def _ole2_kind(data: bytes) -> str | None:
    """doc or xls, from the streams of a compound file whose link did not say (None: another kind, or unreadable)."""
    try:
        with olefile.OleFileIO(data) as ole:
            if ole.exists("WordDocument"):
                return "doc"
            if ole.exists("Workbook") or ole.exists("Book"):
                return "xls"
    except Exception:  # noqa: BLE001 - an unreadable compound file: extract.attachments' status stands
        return None
    return None
