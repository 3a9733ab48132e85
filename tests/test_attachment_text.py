"""OFD, XLSX and XLS attachments: text with lines and table rows rebuilt, targets from goal tables with their
cell, and a plain status for what cannot be read. The files are made here (an OFD zip of XML we write,
workbooks written with openpyxl and xlwt)."""

from __future__ import annotations

import io
import struct
import zipfile

import openpyxl
import pytest
import xlwt

from crawler.items import FetchedAttachment
from extract import attachment_text
from extract.attachment_text import MAX_CELLS, doc_text, ofd_text, read_attachment_text, xls_text, xlsx_text
from extract.facts import extract_facts
from pipelines.attachments import read_attachment

NS = "http://www.ofdspec.org/2016"


def _text_object(x: float, y: float, text: str, size: float = 4.0) -> str:
    deltas = " ".join([str(size)] * (len(text) - 1))
    return (
        f'<ofd:TextObject ID="1" Boundary="{x} {y} {size * len(text) + 1} {size + 1}" Font="2" Size="{size}">'
        f'<ofd:TextCode X="0" Y="{size}" DeltaX="{deltas}">{text}</ofd:TextCode></ofd:TextObject>'
    )


def make_ofd(pages: list[list[tuple[float, float, str]]], *, extra: dict[str, bytes] | None = None) -> bytes:
    """An OFD package as a producer writes it: OFD.xml → Doc_0/Document.xml → Pages/Page_N/Content.xml."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "OFD.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="{NS}" Version="1.0" '
            f'DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>x</ofd:DocID></ofd:DocInfo>'
            f"<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        )
        listed = "".join(
            f'<ofd:Page ID="{i + 10}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages))
        )
        z.writestr(
            "Doc_0/Document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="{NS}">'
            f"<ofd:CommonData><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>"
            f"</ofd:CommonData><ofd:Pages>{listed}</ofd:Pages></ofd:Document>",
        )
        for i, runs in enumerate(pages):
            objects = "".join(_text_object(x, y, t) for x, y, t in runs)
            z.writestr(
                f"Doc_0/Pages/Page_{i}/Content.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="{NS}"><ofd:Content>'
                f'<ofd:Layer ID="3">{objects}</ofd:Layer></ofd:Content></ofd:Page>',
            )
        z.writestr("Doc_0/Res/font.ttf", b"\0" * 1000)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buffer.getvalue()


NOTICE_PAGES = [
    [  # shuffled as producers write them: the reader orders by position
        (30, 60, "各市州人民政府，省直有关单位："),
        (40, 40, "湖南省人民政府办公厅关于印发《湖南省数字政府建设实施方案》的通知"),
        (70, 50, "湘政办发〔2023〕19号"),
        (38, 70, "现将《湖南省数字政府建设实施方案》印发给你们，请认真贯彻执行。"),
    ],
    [
        (30, 30, "到2025年，政务服务事项网上可办率达到100%。"),
        (30, 50, "指标"),
        (90, 50, "单位"),
        (130, 50, "2025年"),  # a table row: cells apart
        (30, 60, "数据共享接口"),
        (90, 60, "个"),
        (130, 60, "500"),
    ],
]


def test_ofd_text_comes_in_reading_order_with_lines_and_table_cells():
    result = ofd_text(make_ofd(NOTICE_PAGES))
    assert result.status == "ok", result.reason
    assert result.text.split("\n") == [
        "湖南省人民政府办公厅关于印发《湖南省数字政府建设实施方案》的通知",
        "湘政办发〔2023〕19号",
        "各市州人民政府，省直有关单位：",
        "现将《湖南省数字政府建设实施方案》印发给你们，请认真贯彻执行。",
        "到2025年，政务服务事项网上可办率达到100%。",
        "指标\t单位\t2025年",
        "数据共享接口\t个\t500",
    ]
    facts = extract_facts(result.text, file="a.ofd", keywords=False)
    assert [(t.year, t.metric, t.value, t.unit) for t in facts.targets] == [
        (2025, "政务服务事项网上可办率", 100, "%")
    ]


def test_an_ofd_is_read_by_its_bytes_whatever_its_link_said():
    assert read_attachment_text(make_ofd(NOTICE_PAGES), "pdf").type == "ofd"


@pytest.mark.parametrize(
    "data, status, reason",
    [
        (make_ofd([[]]), "empty_scanned", "no text layer on 1 page(s)"),
        (make_ofd([]), "corrupt", "OFD lists no pages"),
        (b"PK\x03\x04 not a zip", "corrupt", "OFD cannot be read"),
    ],
)
def test_an_ofd_without_text_says_why(data, status, reason):
    result = ofd_text(data)
    assert (result.status, result.text) == (status, "") and reason in result.reason


def test_an_ofd_is_inflated_only_up_to_the_cap_and_only_its_pages():
    bomb = make_ofd(NOTICE_PAGES, extra={"Doc_0/Res/image.png": b"\0" * 5_000_000})  # never read: not text
    assert ofd_text(bomb, max_expanded_bytes=100_000).status == "ok"
    big_page = make_ofd([[(30, 30 + i * 0.01, "数字政府" * 50) for i in range(2000)]])
    result = ofd_text(big_page, max_expanded_bytes=100_000)
    assert result.status == "too_large" and "ATTACHMENT_EXPANDED_MAX_BYTES" in result.reason


def _goals_workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "主要指标"
    sheet.append(["湖南省“十四五”数字经济发展主要指标"])
    sheet.append(["指标名称", "单位", "2020年基数", "2025年目标值", "属性"])
    sheet.append(["5G基站数", "万个", 1.2, 8, "预期性"])
    sheet.append(["数字经济核心产业增加值占地区生产总值比重", "%", 6.5, 10, "预期性"])
    sheet.append(["规模以上工业企业上云数量", "万家", 2, 5, "约束性"])
    projects = book.create_sheet("重点项目")
    projects.append(["序号", "项目名称", "总投资（亿元）"])
    projects.append([1, "长沙人工智能创新中心", 35.5])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_gives_every_sheet_and_the_targets_of_its_goal_table_with_their_cells():
    result = xlsx_text(_goals_workbook())
    assert result.status == "ok", result.reason
    lines = result.text.split("\n")
    assert lines[:3] == [
        "【主要指标】",
        "湖南省“十四五”数字经济发展主要指标",
        "指标名称\t单位\t2020年基数\t2025年目标值\t属性",
    ]
    assert "1\t长沙人工智能创新中心\t35.5" in lines
    assert lines[lines.index("【表中目标】") + 1 :] == [
        "【主要指标!D3】到2025年，5G基站数达到8万个。",
        "【主要指标!D4】到2025年，数字经济核心产业增加值占地区生产总值比重达到10%。",
        "【主要指标!D5】到2025年，规模以上工业企业上云数量达到5万家。",
    ]
    facts = extract_facts(result.text, file="goals.xlsx", keywords=False)
    found = {(t.year, t.metric, t.value, t.unit) for t in facts.targets}
    assert {(2025, "5G基站数", 80000, "个"), (2025, "规模以上工业企业上云数量", 50000, "家")} <= found
    for target in facts.targets:  # each target's span sits on a line that names its cell
        line = result.text[: target.start].rsplit("\n", 1)[-1]
        assert line.startswith("【主要指标!D"), line


def test_a_target_column_without_a_year_takes_the_year_of_the_title():
    book = openpyxl.Workbook()
    book.active.append(["到2027年主要目标"])
    book.active.append(["指标", "单位", "目标值"])
    book.active.append(["充电桩", "万个", 12])
    out = io.BytesIO()
    book.save(out)
    assert xlsx_text(out.getvalue()).text.endswith("【Sheet!C3】到2027年，充电桩达到12万个。")


def test_xls_and_et_are_read_with_xlrd():
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("目标")
    for r, row in enumerate([["指标", "单位", "2025年目标"], ["新能源汽车充电桩", "万个", 15]]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    result = read_attachment_text(out.getvalue(), "xls")
    assert (result.type, result.status) == ("xls", "ok")
    assert result.text.endswith("【目标!C2】到2025年，新能源汽车充电桩达到15万个。")
    assert read_attachment_text(out.getvalue(), "et").status == "ok"
    assert read_attachment_text(out.getvalue(), None).type == "xls"  # told by its Workbook stream


def test_broken_spreadsheets_say_what_could_not_be_read():
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
    assert xls_text(ole2).status == "corrupt" and "xlrd" in xls_text(ole2).reason
    assert xls_text(ole2, "et").status == "unsupported"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<not-a-workbook")
    assert xlsx_text(buffer.getvalue()).status == "corrupt"
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", b" " * 3_000_000)
    assert xlsx_text(bomb.getvalue(), max_expanded_bytes=1_000_000).status == "too_large"
    assert read_attachment_text(b"%PDF-1.7 ...", "pdf") is None  # extract.attachments' own


def test_a_huge_sheet_is_cut_at_the_cell_cap_and_says_so(monkeypatch):
    monkeypatch.setattr(attachment_text, "MAX_CELLS", 400)  # the real cap (200,000) takes seconds to reach
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("明细")
    for i in range(110):
        sheet.append([i, "项目", 1.5, "长沙"])
    out = io.BytesIO()
    book.save(out)
    result = xlsx_text(out.getvalue())
    assert result.status == "ok" and result.reason == "cut at 400 cells in sheet 明细"
    assert result.text.split("\n")[-1] == "99\t项目\t1.5\t长沙"  # 100 rows of 4 cells, not one more
    assert MAX_CELLS == 200_000


# --- DOC / WPS: Word's binary format, written here as the spec (MS-DOC, MS-CFB) lays it out ------------------

SECTOR = 512
END, FREE, FATSECT = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD


def _fib(ccp_text: int, fc_clx: int, lcb_clx: int, table1: bool = True, flags_extra: int = 0) -> bytes:
    base = bytearray(32)
    struct.pack_into("<HH", base, 0, 0xA5EC, 0x00C1)
    struct.pack_into("<H", base, 0x0A, (0x0200 if table1 else 0) | flags_extra)
    csw, cslw, cb = 14, 22, 0x5D
    rgw = struct.pack("<H", csw) + bytes(2 * csw)
    lw = bytearray(4 * cslw)
    struct.pack_into("<I", lw, 4 * 3, ccp_text)
    rglw = struct.pack("<H", cslw) + bytes(lw)
    blob = bytearray(8 * cb)
    struct.pack_into("<II", blob, 8 * 33, fc_clx, lcb_clx)
    return bytes(base) + rgw + rglw + struct.pack("<H", cb) + bytes(blob)


def make_doc(pieces: list[tuple[str, bool]], *, table1: bool = True, flags_extra: int = 0) -> bytes:
    """`pieces`: (text, 8-bit?) runs; the WordDocument stream holds the FIB then each run's bytes."""
    header_len = len(_fib(0, 0, 0))
    body, offsets = bytearray(), []
    for text, compressed in pieces:
        offsets.append(header_len + len(body))
        body += text.encode("cp1252") if compressed else text.encode("utf-16-le")
    cps = [0]
    for text, _ in pieces:
        cps.append(cps[-1] + len(text))
    plc = b"".join(struct.pack("<I", cp) for cp in cps)
    for (_text, compressed), offset in zip(pieces, offsets, strict=True):
        fc = (offset * 2) | 0x40000000 if compressed else offset
        plc += struct.pack("<HIH", 0, fc, 0)
    clx = (
        bytes([0x01])
        + struct.pack("<H", 3)
        + b"\x00\x00\x00"
        + bytes([0x02])
        + struct.pack("<I", len(plc))
        + plc
    )
    table = bytes(16) + clx
    word = _fib(cps[-1], 16, len(clx), table1, flags_extra) + bytes(body)
    return _compound({"WordDocument": word, "1Table" if table1 else "0Table": table})


def _compound(streams: dict[str, bytes]) -> bytes:
    """An OLE2 file with these streams, each padded to the 4096-byte cutoff (no mini stream)."""
    data = {
        name: content.ljust(max(4096, -(-len(content) // SECTOR) * SECTOR), b"\0")
        for name, content in streams.items()
    }
    fat = [FATSECT, END]  # sector 0: the FAT, sector 1: the directory
    starts = {}
    for name, content in data.items():
        starts[name] = len(fat)
        n = len(content) // SECTOR
        fat += [len(fat) + i + 1 for i in range(n - 1)] + [END]
    assert len(fat) <= 128
    fat += [FREE] * (128 - len(fat))
    header = bytearray(SECTOR)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, END, 0, END, 0)
    struct.pack_into("<I", header, 76, 0)
    for i in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * i, FREE)

    def entry(name: str, kind: int, left=FREE, right=FREE, child=FREE, start=END, size=0) -> bytes:
        e = bytearray(128)
        raw = name.encode("utf-16-le") + b"\0\0"
        e[0 : len(raw)] = raw
        struct.pack_into("<HBB", e, 64, len(raw), kind, 1)
        struct.pack_into("<III", e, 68, left, right, child)
        struct.pack_into("<II", e, 116, start, size)
        return bytes(e)

    names = list(data)
    directory = entry("Root Entry", 5, child=1)
    for i, name in enumerate(names, start=1):
        directory += entry(
            name, 2, right=i + 1 if i < len(names) else FREE, start=starts[name], size=len(data[name])
        )
    directory = directory.ljust(SECTOR, b"\0")
    return bytes(header) + b"".join(struct.pack("<I", x) for x in fat) + directory + b"".join(data.values())


NOTICE_RUNS = [
    (
        "Hunan Provincial People's Government\r",
        True,
    ),  # an 8-bit (compressed) piece, as Word writes ASCII runs
    (
        "湖南省人民政府办公厅关于印发《湖南省数字政府建设实施方案》的通知\r湘政办发〔2023〕19号\r"
        "到2025年，政务服务事项网上可办率达到100%。\r",
        False,
    ),
    ("指标\x07单位\x072025年\x07\x07数据共享接口\x07个\x07500\x07\x07", False),  # a table: cells, rows
    ('详见\x13 HYPERLINK "http://www.hunan.gov.cn/" \x14湖南省人民政府门户网站\x15。\r', False),
]


def test_doc_text_comes_from_the_piece_table_with_tables_and_fields_made_plain():
    result = doc_text(make_doc(NOTICE_RUNS))
    assert result.status == "ok", result.reason
    assert result.text.split("\n") == [
        "Hunan Provincial People's Government",
        "湖南省人民政府办公厅关于印发《湖南省数字政府建设实施方案》的通知",
        "湘政办发〔2023〕19号",
        "到2025年，政务服务事项网上可办率达到100%。",
        "指标\t单位\t2025年",
        "数据共享接口\t个\t500",
        "详见湖南省人民政府门户网站。",
    ]
    wps = read_attachment_text(make_doc(NOTICE_RUNS, table1=False), "wps")  # WPS Writer: the same format
    assert (wps.type, wps.status) == ("wps", "ok") and "湘政办发〔2023〕19号" in wps.text
    untyped = read_attachment_text(make_doc(NOTICE_RUNS), None)  # download.jsp?id=…: the streams tell
    assert (untyped.type, untyped.status) == ("doc", "ok")


def test_doc_files_that_cannot_be_read_say_why():
    assert doc_text(make_doc(NOTICE_RUNS, flags_extra=0x0100)).status == "encrypted"
    no_word = doc_text(_compound({"Workbook": b"\0" * 100}))
    assert no_word.status == "unsupported" and "WordDocument" in no_word.reason
    assert doc_text(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600).status == "corrupt"
    broken = bytearray(make_doc(NOTICE_RUNS))
    broken[3 * 512 + 154 + 8 * 33 : 3 * 512 + 154 + 8 * 33 + 4] = struct.pack(
        "<I", 10**9
    )  # fcClx past the end
    assert doc_text(bytes(broken)).status == "corrupt"


def test_the_pipeline_reads_ofd_and_xlsx_where_pdf_and_docx_are_read_and_finds_their_facts():
    item = FetchedAttachment(
        site="sample_gov_portal",
        article_url="http://127.0.0.1/n/1.html",
        url="http://127.0.0.1/n/goals.xlsx",
        name="主要指标.xlsx",
        declared_type="xlsx",
        status=200,
        body=_goals_workbook(),
    )
    read = read_attachment(item, 20_000_000)
    assert (read.type, read.text_status) == ("xlsx", "ok")
    assert any(t.metric == "5G基站数" and t.year == 2025 for t in read.facts.targets)
    ofd = read_attachment(
        FetchedAttachment(
            site="sample_gov_portal",
            article_url="http://127.0.0.1/n/1.html",
            url="http://127.0.0.1/n/a.ofd",
            name="通知.ofd",
            declared_type="ofd",
            status=200,
            body=make_ofd(NOTICE_PAGES),
        ),
        20_000_000,
    )
    assert (ofd.type, ofd.text_status) == ("ofd", "ok") and "湘政办发〔2023〕19号" in ofd.text
    doc = read_attachment(_attachment("a.doc", "doc", make_doc(NOTICE_RUNS)), 20_000_000)
    assert (doc.type, doc.text_status) == ("doc", "ok")
    assert [(t.year, t.metric) for t in doc.facts.targets] == [(2025, "政务服务事项网上可办率")]
    ppt = read_attachment(
        _attachment("a.ppt", "ppt", _compound({"PowerPoint Document": b"\0" * 100})), 20_000_000
    )
    assert ppt.text_status == "unsupported"  # neither reader takes it: extract.attachments' status stands


def _attachment(name: str, declared_type: str, body: bytes) -> FetchedAttachment:
    return FetchedAttachment(
        site="sample_gov_portal",
        article_url="http://127.0.0.1/n/1.html",
        url=f"http://127.0.0.1/n/{name}",
        name=name,
        declared_type=declared_type,
        status=200,
        body=body,
    )
