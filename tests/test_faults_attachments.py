"""Attachment faults: a corrupt PDF, a password-locked PDF, zip bombs named .docx and files over the cap, all
linked from one notice. Each attachment row says what became of the file; the notice and a readable PDF
beside them are stored with their facts; the crawl's memory stays bounded.
"""

from __future__ import annotations

import resource

import pytest
from faults.files import corrupt_pdf, locked_pdf, text_pdf, zip_bomb_docx
from faults.harness import assert_no_half_written_rows, crawl, site_entry
from faults.pages import NOTICES, list_html, notice_html
from faults.server import FaultServer, FaultSite, Reply

from extract.attachments import extract_attachment_text

CAP = 2_000_000  # ATTACHMENT_MAX_BYTES for this crawl (20 MB by default)
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_LINES = ["关于印发公共充电设施建设方案的通知", "到2025年，全市建成公共充电桩3000个以上。"]


def _files() -> dict[str, tuple[Reply, str, str]]:
    """path → (reply, attachment status, words the reason must hold)."""
    pdf = text_pdf(PDF_LINES)
    over_cap = pdf + b"\n%" + b"0" * (CAP + 500_000)
    return {
        "/files/方案.pdf": (Reply(body=pdf, content_type=PDF), "ok", ""),
        "/files/corrupt.pdf": (Reply(body=corrupt_pdf(pdf), content_type=PDF), "corrupt", "PDF cannot be read"),
        "/files/locked.pdf": (Reply(body=locked_pdf(pdf), content_type=PDF), "encrypted", "password"),
        "/files/bomb.docx": (Reply(body=zip_bomb_docx(1, 300_000_000), content_type=DOCX), "too_large", "expands to"),
        "/files/bomb_parts.docx": (Reply(body=zip_bomb_docx(19, 9_900_000), content_type=DOCX), "too_large", "zip bomb"),
        "/files/huge.pdf": (Reply(body=over_cap, content_type=PDF), "fetch_failed", "attachment_too_large"),
        "/files/huge_stream.pdf": (Reply(body=over_cap, content_type=PDF, fault="no_length"), "fetch_failed",
                                   "attachment_too_large"),
        "/files/gone.pdf": (Reply(404, "文件不存在".encode()), "fetch_failed", "attachment_http_404"),
    }


FILES = _files()


@pytest.fixture(scope="module")
def attachments(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("attachments")
    links = tuple((path, path.rsplit("/", 1)[1]) for path in FILES)
    routes = {path: reply for path, (reply, _status, _why) in FILES.items()}
    routes["/art/2024/1.html"] = Reply(body=notice_html(NOTICES[0], attachments=links).encode())
    routes["/art/2024/2.html"] = Reply(body=notice_html(NOTICES[1]).encode())
    routes["/list/index.html"] = Reply(body=list_html([("/art/2024/1.html", "通知"), ("/art/2024/2.html", "通知")]).encode())
    with FaultServer(FaultSite(routes), max_requests=100, max_seconds=240) as server:
        entry = site_entry("fault_attachments", server.base_url, start="/list/index.html", detail=r"/art/2024/\d+\.html$")
        outcome = crawl(tmp, [entry], settings={"ATTACHMENT_MAX_BYTES": CAP})
    print(f"\nattachment faults: {len(FILES)} files, exit {outcome.exit_code}, {outcome.seconds} s, peak RSS "
          f"{outcome.peak_rss_mb} MB (crawl process {outcome.peak_main_rss_mb} MB, largest worker "
          f"{outcome.peak_worker_rss_mb} MB)")
    return outcome, server


def _rows(outcome) -> dict[str, tuple]:
    from urllib.parse import unquote, urlsplit

    rows = outcome.query("SELECT url, article_url, status, reason, text FROM attachments")
    return {unquote(urlsplit(url).path): (article_url, status, reason or "", text) for url, article_url, status, reason, text in rows}


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(FILES))
def test_every_attachment_gets_a_row_saying_what_became_of_it(attachments, path):
    outcome, _server = attachments
    _reply, status, why = FILES[path]
    article_url, got_status, reason, text = _rows(outcome)[path]
    assert got_status == status
    assert why in reason
    assert article_url.endswith("/art/2024/1.html")
    assert bool(text) is (status == "ok")


@pytest.mark.slow
def test_files_over_the_cap_are_errors_with_their_kind_and_are_not_retried(attachments):
    outcome, server = attachments
    errors = outcome.errors()
    assert errors["/files/huge.pdf"] == ("attachment_too_large", 1, None)
    assert errors["/files/huge_stream.pdf"] == ("attachment_too_large", 1, None)
    assert errors["/files/gone.pdf"] == ("attachment_http_404", 1, 404)
    assert server.hits("/files/huge.pdf") == 1 and server.hits("/files/huge_stream.pdf") == 1
    assert outcome.site_counts("fault_attachments")["errors"] == {"attachment_too_large": 2, "attachment_http_404": 1}


@pytest.mark.slow
def test_the_notice_and_the_readable_pdf_keep_their_facts(attachments):
    outcome, _server = attachments
    assert outcome.article_paths() == {"/art/2024/1.html", "/art/2024/2.html"}
    from_pdf = outcome.query(
        "SELECT t.metric, t.value FROM targets t JOIN attachments a ON a.id = t.attachment_id WHERE a.status = 'ok'")
    assert ("公共充电桩", 3000.0) in from_pdf
    assert outcome.exit_code == 0, outcome.failures  # broken attachments do not fail the site
    assert_no_half_written_rows(outcome.db)


# --- the same files without a crawl: bounded memory in the reader itself ---------------------------
def test_a_bomb_of_many_small_members_is_refused_before_anything_is_expanded():
    bomb = zip_bomb_docx(19, 9_900_000)  # 188 MB of zeros in 19 parts of 9.9 MB, under the per-member test
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = extract_attachment_text(bomb, "docx")
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert (result.status, result.text) == ("too_large", "") and "zip bomb" in (result.reason or "")
    assert grown_mb < 20


@pytest.mark.parametrize(
    ("make", "declared", "status"),
    [
        (lambda: corrupt_pdf(text_pdf(PDF_LINES)), "pdf", "corrupt"),
        (lambda: locked_pdf(text_pdf(PDF_LINES)), "pdf", "encrypted"),
        # a download counter's HTML glued after %%EOF, and blank lines before %PDF: read anyway
        (lambda: text_pdf(PDF_LINES) + b"\r\n<html><body>\xcf\xc2\xd4\xd8 1024</body></html>\n", "pdf", "ok"),
        (lambda: b"\r\n\r\n" + text_pdf(PDF_LINES), "pdf", "ok"),
        (lambda: zip_bomb_docx(1, 300_000_000)[:50_000], "docx", "corrupt"),  # a bomb cut short
    ],
)
def test_broken_files_get_a_status_and_never_raise(make, declared, status):
    assert extract_attachment_text(make(), declared).status == status
