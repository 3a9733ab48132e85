"""Attachment files for the hostile web, generated here: a readable PDF, a broken one, a locked one, a bomb."""

from __future__ import annotations

import io
import zipfile


def text_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose Chinese text uses the predefined font STSong-Light (UniGB-UCS2-H), as office
    suites write government PDFs."""
    shows = "\n".join(
        f"BT /F1 12 Tf 60 {760 - 22 * i} Td <{line.encode('utf-16-be').hex().upper()}> Tj ET" for i, line in enumerate(lines)
    )
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [6 0 R] /Count 1 >>",
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>",
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> >>",
        f"<< /Length {len(shows)} >>\nstream\n{shows}\nendstream",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def corrupt_pdf(pdf: bytes) -> bytes:
    """The head of a PDF and then garbage: a download cut and glued by a broken CMS."""
    return pdf[: len(pdf) // 3] + b"\x00\xff garbage after a cut \xfe" * 40


def locked_pdf(pdf: bytes, password: str = "gov2024") -> bytes:
    """The same PDF behind a user password (RC4, which pypdf opens without extra crypto packages)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        writer.add_page(page)
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def zip_bomb_docx(members: int = 1, member_bytes: int = 300_000_000) -> bytes:
    """A .docx-shaped zip whose members expand to `members * member_bytes` bytes of zeros, all referenced from
    the package relationships so a reader that trusts the file would load every one."""
    buffer = io.BytesIO()
    zeros = b"\x00" * min(member_bytes, 1 << 24)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        overrides = "".join(
            f'<Override PartName="/word/part{i}.xml" ContentType="application/xml"/>' for i in range(members)
        )
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            f"{overrides}</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>',
        )
        rels = "".join(
            f'<Relationship Id="rId{i + 10}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml" '
            f'Target="part{i}.xml"/>' for i in range(members)
        )
        archive.writestr(
            "word/_rels/document.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{rels}</Relationships>",
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>附件</w:t></w:r></w:p></w:body></w:document>",
        )
        for i in range(members):
            with archive.open(f"word/part{i}.xml", "w", force_zip64=True) as member:
                left = member_bytes
                while left > 0:
                    member.write(zeros[: min(left, len(zeros))])
                    left -= len(zeros)
    return buffer.getvalue()
