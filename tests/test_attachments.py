"""Attachment links, type sniffing and text extraction — fixtures are generated here, never downloaded."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import html as lxml_html
from pypdf import PdfReader, PdfWriter

from extract.article import parse_page
from extract.attachments import (
    OLE2_MAGIC,
    extract_attachment_text,
    find_attachment_links,
    sniff_type,
)


def make_pdf(pages: list[str], *, image_only: bool = False) -> bytes:
    """A minimal PDF whose text uses the predefined CJK font STSong-Light with the UniGB-UCS2-H CMap,
    the way Chinese government PDFs made by office suites often do; or pages holding only an image."""
    objs: list[str] = ["", ""]
    font = 3
    objs += [
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>",
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 5 0 R >>",
        "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 "
        "/Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    ]
    kids = []
    for text in pages:
        if image_only:
            objs.append(
                "<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 "
                "/Length 4 >>\nstream\n\x00\xff\xff\x00\nendstream"
            )
            stream, resources = (
                "q 200 0 0 200 100 500 cm /Im1 Do Q",
                f"<< /XObject << /Im1 {len(objs)} 0 R >> >>",
            )
        else:
            lines = [
                f"BT /F1 12 Tf 50 {780 - 20 * i} Td <{line.encode('utf-16-be').hex().upper()}> Tj ET"
                for i, line in enumerate(text.split("\n"))
            ]
            stream, resources = "\n".join(lines), f"<< /Font << /F1 {font} 0 R >> >>"
        objs.append(f"<< /Length {len(stream.encode('latin-1'))} >>\nstream\n{stream}\nendstream")
        content = len(objs)
        objs.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources {resources} /Contents {content} 0 R >>"
        )
        kids.append(len(objs))
    objs[0] = "<< /Type /Catalog /Pages 2 0 R >>"
    objs[1] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def make_docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def encrypt(pdf: bytes, password: str) -> bytes:
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        writer.add_page(page)
    writer.encrypt(user_password=password, owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def zip_bomb_named_docx(member_bytes: int = 20_000_000, claimed_bytes: int | None = None) -> bytes:
    """A .docx-shaped zip whose member expands enormously; `claimed_bytes` rewrites the central directory's
    uncompressed size, as a crafted bomb does, without making the test write that much."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\x00" * member_bytes)
    data = bytearray(buffer.getvalue())
    if claimed_bytes is not None:
        entry = data.rindex(b"PK\x01\x02")  # central directory entry of the last member
        data[entry + 24 : entry + 28] = claimed_bytes.to_bytes(4, "little")
    return bytes(data)


NOTICE_PDF_TEXT = "关于印发《农村公路提质改造实施方案》的通知\n到2025年，全省完成农村公路提质改造1.2万公里。"


def test_pdf_with_predefined_cjk_font_reads_chinese():
    result = extract_attachment_text(make_pdf([NOTICE_PDF_TEXT, "附件2：项目清单"]), "pdf")
    assert (result.type, result.status, result.reason) == ("pdf", "ok", None)
    assert result.text == NOTICE_PDF_TEXT + "\n附件2：项目清单"


def test_docx_paragraphs_and_table_cells():
    data = make_docx(
        ["湖南省农村公路提质改造任务分工表", "一、省交通运输厅牵头负责项目库建设。"],
        [["任务", "责任单位"], ["资金保障", "省财政厅"]],
    )
    result = extract_attachment_text(data, "docx")
    assert result.status == "ok"
    assert result.text.split("\n") == [
        "湖南省农村公路提质改造任务分工表",
        "一、省交通运输厅牵头负责项目库建设。",
        "任务\t责任单位",
        "资金保障\t省财政厅",
    ]


@pytest.mark.parametrize(
    ("data", "declared", "status", "reason_contains"),
    [
        (make_pdf(["", ""], image_only=True), "pdf", "empty_scanned", "no text layer on 2 page(s)"),
        (encrypt(make_pdf([NOTICE_PDF_TEXT]), "secret"), "pdf", "encrypted", "password"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", "pdf", "corrupt", "PDF"),
        (make_pdf([NOTICE_PDF_TEXT])[:300], "pdf", "corrupt", "PDF"),
        (zip_bomb_named_docx(), "docx", "too_large", "zip bomb"),
        (zip_bomb_named_docx(1_000, claimed_bytes=3_000_000_000), "docx", "too_large", "expands to 3000"),
        (b"PK\x03\x04 this is not really a zip", "docx", "corrupt", "not a readable zip"),
        (OLE2_MAGIC + b"\x00" * 504, "doc", "unsupported", "DOC (Word 97-2003)"),
        (OLE2_MAGIC + b"\x00" * 504, "wps", "unsupported", "WPS"),
        (OLE2_MAGIC + b"\x00" * 504, "xls", "unsupported", "XLS"),
        (OLE2_MAGIC + b"\x00" * 504, None, "unsupported", "OLE2"),
        (b"<html><body>404 Not Found</body></html>", "pdf", "corrupt", "not a PDF"),
        (b"", "pdf", "corrupt", "empty"),
    ],
)
def test_bad_attachments_get_a_status_and_reason(
    data: bytes, declared: str | None, status: str, reason_contains: str
):
    result = extract_attachment_text(data, declared)
    assert (result.status, result.text) == (status, "")
    assert reason_contains in (result.reason or "")


def test_encrypted_pdf_with_empty_user_password_is_read():
    result = extract_attachment_text(encrypt(make_pdf([NOTICE_PDF_TEXT]), ""), "pdf")
    assert result.status == "ok" and "1.2万公里" in result.text


def test_file_over_the_cap_is_not_read():
    result = extract_attachment_text(make_pdf([NOTICE_PDF_TEXT]), "pdf", max_bytes=100)
    assert result.status == "too_large" and "cap of 100" in (result.reason or "")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (make_pdf(["测试"]), "pdf"),
        (b"\r\n%PDF-1.4 after junk", "pdf"),
        (make_docx(["测试"]), "docx"),
        (OLE2_MAGIC + b"\x00" * 100, "ole2"),
        (b"Rar!\x1a\x07\x00", "rar"),
        (b"<html>", None),
        (b"", None),
    ],
)
def test_sniff_type(data: bytes, expected: str | None):
    assert sniff_type(data) == expected


def test_sniff_xlsx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert sniff_type(buffer.getvalue()) == "xlsx"


@pytest.mark.parametrize(
    ("anchor", "expected"),
    [
        ('<a href="./P020230314512345678901.pdf">关于印发实施方案的通知.pdf</a>',
         ("http://www.hunan.gov.cn/xxgk/202303/P020230314512345678901.pdf", "关于印发实施方案的通知.pdf", "pdf")),
        ('<a href="/attach/任务分工表.docx"></a>',
         ("http://www.hunan.gov.cn/attach/任务分工表.docx", "任务分工表.docx", "docx")),
        ('<a href="/attach/%E8%B5%84%E9%87%91%E8%A1%A8.XLSX">附件2</a>',
         ("http://www.hunan.gov.cn/attach/%E8%B5%84%E9%87%91%E8%A1%A8.XLSX", "附件2", "xlsx")),
        ('<a href="/servlet/download?filename=申报表.wps&id=3">申报表</a>',
         ("http://www.hunan.gov.cn/servlet/download?filename=申报表.wps&id=3", "申报表", "wps")),
        ('<a href="/download.jsp?id=88">政策解读.ofd</a>',
         ("http://www.hunan.gov.cn/download.jsp?id=88", "政策解读.ofd", "ofd")),
        ('<a href="/xxgk/index.html">返回列表</a>', None),
        ('<a href="javascript:void(0)">打印.pdf</a>', None),
    ],
)  # fmt: skip
def test_find_attachment_links(anchor: str, expected: tuple[str, str, str] | None):
    tree = lxml_html.document_fromstring(f"<html><body><div>附件：{anchor}</div></body></html>")
    links = find_attachment_links(tree, "http://www.hunan.gov.cn/xxgk/202303/t20230314_1.html")
    assert [(a.url, a.name, a.type) for a in links] == ([expected] if expected else [])


PAGES = Path(__file__).parent / "data" / "pages"


def test_attachments_are_the_articles_not_the_sites():
    """The notice's 附件 block and a document it links in its text; not the 网站年报 of the top bar, the 信息公开指南
    of the header, the downloads of the side bar, the ad slot's brochure nor the footer's 品牌广告.pdf."""
    url = "http://jyj.example.gov.cn/tzgg/202403/t20240318_5566.html"
    record = parse_page((PAGES / "site_chrome_attachments" / "t20240318_5566.html").read_bytes(), url)
    assert [(a.url.rsplit("/", 1)[1], a.name, a.type) for a in record.attachments] == [
        ("xqhf.pdf", "2024年学区划分方案", "pdf"),
        ("P020240318556601.docx", "1. 2024年义务教育招生工作日程表.docx", "docx"),
        ("P020240318556602.xls", "2. 各区县招生计划汇总表", "xls"),
    ]


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        # an attachment block's own name wins over the column it sits in
        ("<div class='left-side'><div class='attach-list'><a href='/a/1.pdf'>实施方案.pdf</a></div></div>", 1),
        # a wrapper named like chrome that holds the article's prose is the article's
        ("<div class='top'><p>" + "为进一步规范招生工作，保障适龄儿童入学，现将有关事项通知如下。" * 4
         + "</p><p>附件：<a href='/a/2.docx'>日程表</a></p></div>", 1),
        ("<div class='con_bottom'>附件：<a href='/a/7.pdf'>申报指南.pdf</a></div>", 1),
        ("<footer><a href='/a/3.pdf'>网站年报.pdf</a></footer>", 0),
        ("<div id='copyright'><a href='/a/4.pdf'>版权声明.pdf</a></div>", 0),
        ("<div class='banner ad'><a href='/a/5.pdf'>宣传手册.pdf</a></div>", 0),
        # the same document in the article and in the footer: the article's
        ("<p>附件：<a href='/a/6.pdf'>名单.pdf</a></p><div class='footer'><a href='/a/6.pdf'>名单.pdf</a></div>", 1),
    ],
)  # fmt: skip
def test_chrome_links_are_left_out(page: str, expected: int):
    tree = lxml_html.document_fromstring(f"<html><body>{page}</body></html>")
    assert len(find_attachment_links(tree, "http://www.example.gov.cn/")) == expected
