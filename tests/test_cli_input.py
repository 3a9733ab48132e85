"""Bad input at the command line ends in one sentence and exit code 2, never a traceback or a recorded run."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import main
from crawler.crawl import UsageError, parse_setting_overrides
from crawler.text_files import NotTextError, read_text_file

ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8  # what /bin/ls starts like
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)
TEXT = "湖南省发展和改革委员会关于加快新能源汽车充电基础设施建设的通知：到2025年，全省新建公共充电桩5000个。"


# ---------------------------------------------------------------------------------------------------- -s NAME=VALUE


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        ("REVISIT_AFTER_DAYS=abc", "-s REVISIT_AFTER_DAYS expects a whole number (the default is 30), got 'abc'"),
        ("CONCURRENT_REQUESTS=abc", "-s CONCURRENT_REQUESTS expects a whole number (the default is 16), got 'abc'"),
        ("CONCURRENT_REQUESTS=2.5", "-s CONCURRENT_REQUESTS expects a whole number (the default is 16), got '2.5'"),
        ("DOWNLOAD_DELAY=soon", "-s DOWNLOAD_DELAY expects a number (the default is 0.5), got 'soon'"),
        ("ROBOTSTXT_OBEY=maybe", "-s ROBOTSTXT_OBEY expects true or false (the default is true), got 'maybe'"),
        ("ITEM_PIPELINES=none", "-s ITEM_PIPELINES expects a JSON object, got 'none'"),  # long default not shown
    ],
)
def test_a_value_of_the_wrong_type_is_named_with_the_type_expected(pair, message):
    with pytest.raises(UsageError) as raised:
        parse_setting_overrides([pair])
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("pair", "expected"),
    [
        ("REVISIT_AFTER_DAYS=7", {"REVISIT_AFTER_DAYS": 7}),
        ("DOWNLOAD_DELAY=0", {"DOWNLOAD_DELAY": 0.0}),
        ("FRONTIER_IDLE_SECONDS=3", {"FRONTIER_IDLE_SECONDS": 3.0}),
        ("AUTOTHROTTLE_ENABLED=false", {"AUTOTHROTTLE_ENABLED": False}),
        ("AUTOTHROTTLE_ENABLED=False", {"AUTOTHROTTLE_ENABLED": False}),
        ("ROBOTSTXT_OBEY=1", {"ROBOTSTXT_OBEY": True}),
        ("USER_AGENT=123", {"USER_AGENT": "123"}),  # a text setting keeps what was typed
        ("LOG_LEVEL=DEBUG", {"LOG_LEVEL": "DEBUG"}),
        ("RETRY_HTTP_CODES=[500, 503]", {"RETRY_HTTP_CODES": [500, 503]}),
        ("FRONTIER_URL=redis://127.0.0.1:6379/0", {"FRONTIER_URL": "redis://127.0.0.1:6379/0"}),  # default None
    ],
)
def test_values_of_the_right_type_are_read_as_that_type(pair, expected):
    assert parse_setting_overrides([pair]) == expected


@pytest.mark.parametrize("pair", ["REVISIT_AFTER_DAYS=abc", "CONCURRENT_REQUESTS=abc"])
def test_crawl_with_a_bad_setting_exits_2_with_one_line_and_records_no_run(tmp_path, pair):
    db = tmp_path / "policy.db"
    done = CliRunner().invoke(main, ["crawl", "--sample", "--db", str(db), "-s", pair])
    assert done.exit_code == 2
    name = pair.partition("=")[0]
    assert done.stderr == f"policycrawl: -s {name} expects a whole number (the default is " + (
        "30), got 'abc'\n" if name == "REVISIT_AFTER_DAYS" else "16), got 'abc'\n"
    )
    assert "Traceback" not in done.output and done.stdout == ""
    assert not db.exists()  # nothing opened, so no run recorded


# ---------------------------------------------------------------------------------------------------- binary files


@pytest.mark.parametrize(("name", "data"), [("ls", ELF), ("logo.png", PNG), ("page.html", PNG)])
def test_binary_files_are_refused(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(NotTextError, match="is not a text file"):
        read_text_file(path)


@pytest.mark.parametrize(
    "data",
    [TEXT.encode("utf-8"), TEXT.encode("utf-8-sig"), TEXT.encode("gbk"), TEXT.encode("utf-16"), b""],
    ids=["utf-8", "utf-8 with BOM", "gbk", "utf-16 with BOM", "empty"],
)
def test_text_in_any_charset_we_read_is_accepted(tmp_path, data):
    path = tmp_path / "a.txt"
    path.write_bytes(data)
    assert read_text_file(path) == (TEXT if data else "")


@pytest.mark.parametrize("command", ["extract", "normalize"])
def test_a_binary_file_exits_2_with_one_sentence(tmp_path, command):
    path = tmp_path / "ls"
    real = Path("/bin/ls")
    shutil.copyfile(real, path) if real.exists() else path.write_bytes(ELF)
    done = CliRunner().invoke(main, [command, str(path)])
    assert done.exit_code == 2
    assert done.stdout == ""
    assert done.stderr == f"policycrawl: {path} is not a text file (it holds binary data); give a UTF-8 or GBK " \
        "text or HTML file\n"


def test_extract_reports_each_binary_file_and_carries_on_with_the_rest(tmp_path):
    good, bad, html = tmp_path / "good.txt", tmp_path / "bad.bin", tmp_path / "bad.html"
    good.write_text(TEXT, encoding="utf-8")
    bad.write_bytes(ELF)
    html.write_bytes(PNG)
    done = CliRunner().invoke(main, ["extract", str(bad), str(good), str(html)])
    assert done.exit_code == 2
    assert [line.split('"')[3] for line in done.stdout.splitlines()] == ["good.txt"]  # {"file": "good.txt", …}
    assert done.stderr.splitlines() == [
        f"policycrawl: {bad} is not a text file (it holds binary data); give a UTF-8 or GBK text or HTML file",
        f"policycrawl: {html} is not a text file (it holds binary data); give a UTF-8 or GBK text or HTML file",
    ]


# What `extract` and `normalize` on a small file load: the analysis, not the crawl (issue 23, item 4).
CRAWL_PACKAGES = ("scrapy", "twisted", "sqlalchemy", "datasette", "redis", "psycopg")
_LOADED = ("import sys\nfrom crawler.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
           f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({CRAWL_PACKAGES!r})))")


@pytest.mark.parametrize("command", ["extract", "normalize"])
def test_a_file_command_starts_without_the_crawl_and_the_database(tmp_path, command):
    path = tmp_path / "notice.txt"
    path.write_text(TEXT, encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", _LOADED, command, str(path)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[-1] == "[]"  # none of Scrapy, Twisted, SQLAlchemy, datasette, Redis, psycopg
