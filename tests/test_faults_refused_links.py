"""Attachment links the crawl will not follow (issue 21, item 11): `file://` paths and link-local addresses
(the cloud metadata service) are never requested, and their attachment rows say so instead of staying
`pending` for every later run to ask again. The readable attachment beside them is fetched as usual.
"""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from faults.files import text_pdf
from faults.harness import assert_no_half_written_rows, crawl, site_entry
from faults.pages import NOTICES, list_html, notice_html
from faults.server import FaultServer, FaultSite, Reply

REFUSED = {
    "file:///etc/passwd.pdf": "not http",
    "http://169.254.169.254/latest/meta-data/方案.pdf": "not on the site",
    "http://[fe80::1]/files/附件.docx": "not on the site",
}


@pytest.fixture(scope="module")
def refused(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("refused")
    links = (("/files/方案.pdf", "方案.pdf"), *((url, url.rsplit("/", 1)[1]) for url in REFUSED))
    routes = {
        "/files/方案.pdf": Reply(body=text_pdf(["关于印发公共充电设施建设方案的通知"]), content_type="application/pdf"),
        "/art/2024/1.html": Reply(body=notice_html(NOTICES[0], attachments=links).encode()),
        "/list/index.html": Reply(body=list_html([("/art/2024/1.html", NOTICES[0].title)]).encode()),
    }
    with FaultServer(FaultSite(routes), max_requests=50, max_seconds=200) as server:
        entry = site_entry("fault_refused", server.base_url, start="/list/index.html", detail=r"/art/2024/\d+\.html$")
        first = crawl(tmp, [entry])
        second = crawl(tmp, [entry])
        paths = server.paths()
    return first, second, paths


@pytest.mark.slow
def test_refused_links_are_recorded_not_left_pending(refused):
    first, _second, _paths = refused
    rows = {unquote(url): (status, reason or "") for url, status, reason in
            first.query("SELECT url, status, reason FROM attachments")}
    assert len(rows) == 1 + len(REFUSED), rows
    for url, why in REFUSED.items():
        (status, reason), = [v for k, v in rows.items() if k.split("/")[:3] == url.split("/")[:3]]
        assert status == "refused" and reason.startswith("attachment_refused: ") and why in reason, (url, reason)
    assert [status for url, (status, _r) in rows.items() if url.endswith("/files/方案.pdf")] == ["ok"]
    assert first.site_counts("fault_refused")["errors"] == {"attachment_refused": len(REFUSED)}
    assert first.exit_code == 0, first.failures  # links not followed do not fail the site
    assert_no_half_written_rows(first.db)


@pytest.mark.slow
def test_the_next_run_does_not_ask_again_and_nothing_left_the_site(refused):
    _first, second, paths = refused
    assert "fetching attachment left pending" not in second.log
    assert all(p.startswith(("/list/", "/art/", "/files/", "/robots.txt")) for p in paths), paths
