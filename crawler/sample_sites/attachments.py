"""PDF, DOCX, OFD and XLSX attachments for the sample portal, generated from our own text.

The PDF is written by hand with the predefined CJK font STSong-Light (no embedding, UniGB-UCS2-H), which is how
many small government PDFs are made and what pypdf can read back; the DOCX comes from python-docx. Both are
built on first request and cached, so starting the sample sites stays fast.
"""

from __future__ import annotations

import functools
import io
import zipfile
from xml.sax.saxutils import escape

import openpyxl

PDF_LINE_CHARS = 36
PDF_LINES_PER_PAGE = 48


def _wrap(text: str, width: int) -> list[str]:
    """Hard-wrap each paragraph at `width` characters, as a text layout without hyphenation does for CJK."""
    lines: list[str] = []
    for paragraph in text.splitlines():
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        lines.extend(paragraph[i : i + width] for i in range(0, len(paragraph), width))
    return lines


def _ucs2_hex(line: str) -> str:
    return line.encode("utf-16-be").hex().upper()


def _page_stream(lines: list[str]) -> bytes:
    ops = ["BT", "/F1 12 Tf", "16 TL", "60 780 Td"]
    ops.extend(f"<{_ucs2_hex(line)}> Tj T*" for line in lines)
    ops.append("ET")
    return "\n".join(ops).encode("ascii")


@functools.lru_cache(maxsize=64)
def build_pdf(title: str, text: str) -> bytes:
    """A valid multi-page PDF whose text layer is `title` followed by `text` (one paragraph per line)."""
    lines = _wrap(title, PDF_LINE_CHARS) + [""] + _wrap(text, PDF_LINE_CHARS)
    pages = [lines[i : i + PDF_LINES_PER_PAGE] for i in range(0, len(lines), PDF_LINES_PER_PAGE)] or [[]]
    # Objects: 1 catalog, 2 pages, 3 Type0 font, 4 CIDFont, 5 descriptor, then (page, content) pairs.
    first_page = 6
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(len(pages)))
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H"
        b" /DescendantFonts [4 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >>"
        b" /FontDescriptor 5 0 R /DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880]"
        b" /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    ]
    for i, page_lines in enumerate(pages):
        content_ref = first_page + 2 * i + 1
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >>"
            f" /Contents {content_ref} 0 R >>".encode()
        )
        stream = _page_stream(page_lines)
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return _assemble_pdf(objects, title)


def _assemble_pdf(objects: list[bytes], title: str) -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    info_number = len(objects) + 1
    offsets.append(out.tell())
    out.write(
        b"%d 0 obj\n<< /Title <FEFF%s> /Producer (policy-crawler sample sites) >>\nendobj\n"
        % (info_number, _ucs2_hex(title).encode())
    )
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (info_number + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (info_number + 1, info_number, xref)
    )
    return out.getvalue()


@functools.lru_cache(maxsize=64)
def build_docx(title: str, text: str) -> bytes:
    """A DOCX with the title as heading and one paragraph per line; lines with "|" become table rows."""
    import docx  # python-docx loads an XML template: keep it out of module import

    document = docx.Document()
    document.add_heading(title, level=1)
    rows = []
    for line in (line.strip() for line in text.splitlines()):
        if not line:
            continue
        if "|" in line:
            rows.append([cell.strip() for cell in line.split("|")])
            continue
        _flush_table(document, rows)
        rows = []
        document.add_paragraph(line)
    _flush_table(document, rows)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _flush_table(document, rows: list[list[str]]) -> None:  # noqa: ANN001 - python-docx Document
    if not rows:
        return
    table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            table.cell(r, c).text = cell


OFD_NS = "http://www.ofdspec.org/2016"
OFD_FONT_MM = 4.0
OFD_LINE_MM = 7.0
OFD_CELL_MM = 45.0  # table cells ("|" in the text) start every 45 mm, as a layout engine places columns


def _ofd_text_object(x: float, y: float, text: str) -> str:
    size = OFD_FONT_MM
    deltas = " ".join([str(size)] * (len(text) - 1))
    return (f'<ofd:TextObject ID="1" Boundary="{x} {y} {size * len(text) + 1} {size + 1}" Font="1" Size="{size}">'
            f'<ofd:TextCode X="0" Y="{size}" DeltaX="{deltas}">{escape(text)}</ofd:TextCode></ofd:TextObject>')


@functools.lru_cache(maxsize=64)
def build_ofd(title: str, text: str) -> bytes:
    """An OFD (GB/T 33190) package whose pages carry `title` and `text` as positioned text objects; lines with
    "|" become table rows, one text object per cell. Objects are written bottom-up, as producers often do."""
    lines = [title, ""] + [line.strip() for line in text.splitlines() if line.strip()]
    per_page = 36
    pages = [lines[i : i + per_page] for i in range(0, len(lines), per_page)] or [[]]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OFD.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="{OFD_NS}" '
                         f'Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:Title>{escape(title)}</ofd:Title>'
                         f'</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>')
        listed = "".join(f'<ofd:Page ID="{i + 2}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages)))
        archive.writestr("Doc_0/Document.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document '
                         f'xmlns:ofd="{OFD_NS}"><ofd:CommonData><ofd:PageArea><ofd:PhysicalBox>0 0 210 297'
                         f'</ofd:PhysicalBox></ofd:PageArea></ofd:CommonData><ofd:Pages>{listed}</ofd:Pages>'
                         f'</ofd:Document>')
        for i, page_lines in enumerate(pages):
            objects = []
            for n, line in enumerate(page_lines):
                y = 25 + n * OFD_LINE_MM
                for c, cell in enumerate(part.strip() for part in line.split("|")):
                    if cell:
                        objects.append(_ofd_text_object(25 + c * OFD_CELL_MM, y, cell))
            archive.writestr(f"Doc_0/Pages/Page_{i}/Content.xml",
                             f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="{OFD_NS}"><ofd:Content>'
                             f'<ofd:Layer ID="1">{"".join(reversed(objects))}</ofd:Layer></ofd:Content></ofd:Page>')
    return buffer.getvalue()


@functools.lru_cache(maxsize=64)
def build_xlsx(title: str, text: str) -> bytes:
    """An XLSX whose first row is `title` and each line of `text` a row ("|" separates the cells); numbers
    are written as numbers, as a spreadsheet of goals holds them."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "主要指标"
    sheet.append([title])
    for line in (line.strip() for line in text.splitlines()):
        if line:
            sheet.append([_cell_value(cell.strip()) for cell in line.split("|")])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell_value(cell: str) -> str | int | float:
    try:
        number = float(cell)
    except ValueError:
        return cell
    return int(number) if number.is_integer() else number
