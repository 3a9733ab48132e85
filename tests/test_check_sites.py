"""`policycrawl check-sites`: every shipped contract passes; a contract whose page no longer reads as expected
(or whose list page no longer yields links) fails loudly, with the reasons, and exit code 1."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import main
from crawler.contracts import check_sites, run_contract
from crawler.registry import contract_path, load_registry

HUNAN_DETAIL = "hunan/t20240301_32871234.html"


@pytest.mark.parametrize("site", [s.name for s in load_registry().sites if s.contract])
def test_shipped_contract_passes(site: str):
    result = run_contract(load_registry().get(site))
    assert (result.status, result.problems) == ("ok", [])
    assert result.checks >= 6


def test_shipped_contract_pages_are_inside_the_package():
    for site in load_registry().sites:
        if site.contract:
            assert contract_path(site.contract.page).is_file(), site.name
            assert contract_path(site.contract.list_page).is_file(), site.name


def test_check_sites_prints_a_table_and_exits_0_when_all_pass():
    done = CliRunner().invoke(main, ["check-sites", "--sites", "hunan,govcn_policy_library,chinanews_china"])
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert lines[0].split() == ["site", "contract", "checks", "problems"]
    assert [line.split()[:2] for line in lines[2:5]] == [["hunan", "ok"], ["govcn_policy_library", "ok"],
                                                        ["chinanews_china", "ok"]]
    assert lines[-1] == "3 ok, 0 failed, 0 skipped (disabled, no contract)"


def _own_registry(tmp_path: Path, entry_yaml: str) -> Path:
    (tmp_path / "contracts" / "hunan").mkdir(parents=True)
    registry = tmp_path / "sites.yaml"
    registry.write_text("sites:\n" + entry_yaml, encoding="utf-8")
    return registry


HUNAN_ENTRY = """
  - name: hunan
    kind: gov_portal
    title: 湖南省人民政府·文件库
    start_urls: ["https://www.hunan.gov.cn/hnszf/xxgk/wjk/szfbgt/wjk_glrb.html"]
    detail_url_pattern: '/hnszf/xxgk/wjk/szfbgt/\\d{6}/t\\d{8}_\\d+\\.html$'
    paging: next_link
    concurrency: 1
    download_delay: 2
    contract:
      page: hunan/t20240301_32871234.html
      url: https://www.hunan.gov.cn/hnszf/xxgk/wjk/szfbgt/202403/t20240301_32871234.html
      expect: {title: 湖南省人民政府办公厅关于印发《湖南省促进银发经济发展若干措施》的通知,
               doc_number: 湘政办发〔2024〕8号, date: "2024-03-01"}
      body_contains: [银发经济]
      list_page: hunan/wjk_glrb.html
      list_url: https://www.hunan.gov.cn/hnszf/xxgk/wjk/szfbgt/wjk_glrb.html
      min_links: 3
"""


def test_a_redesigned_page_fails_its_contract_loudly(tmp_path: Path):
    registry = _own_registry(tmp_path, HUNAN_ENTRY)
    page = contract_path(HUNAN_DETAIL).read_text(encoding="utf-8")
    # The redesign: the 信息公开 table is gone (no 文号, no 发布日期) and the list opens notices by script.
    redesigned = re.sub(r"<tr><td class='t1'>(发文字号|发布日期).*?</tr>", "", page).replace('name="PubDate"', 'name="x"')
    (tmp_path / "contracts" / HUNAN_DETAIL).write_text(redesigned, encoding="utf-8")
    listing = contract_path("hunan/wjk_glrb.html").read_text(encoding="utf-8")
    (tmp_path / "contracts" / "hunan" / "wjk_glrb.html").write_text(
        listing.replace('href="/hnszf/xxgk/wjk/szfbgt/2', 'href="javascript:void(0)" data-path="/hnszf/xxgk/wjk/szfbgt/2'),
        encoding="utf-8")
    done = CliRunner().invoke(main, ["check-sites", "--registry", str(registry)])
    assert done.exit_code == 1
    assert "hunan                        FAIL" in done.output
    assert "doc_number: expected '湘政办发〔2024〕8号', got None" in done.output
    assert "date: expected '2024-03-01', got " in done.output  # some other date on the page, or none
    assert "list page gives 0 detail link(s) matching" in done.output
    assert "0 ok, 1 failed" in done.output
    assert "contract failed for hunan" in done.output  # stderr is mixed into output by CliRunner


def test_missing_recorded_page_and_missing_contract_both_fail(tmp_path: Path):
    no_contract = HUNAN_ENTRY.split("    contract:")[0].replace("name: hunan", "name: hunan_new")
    wrong_page = HUNAN_ENTRY.replace("page: hunan/t20240301_32871234.html", "page: hunan/gone.html")
    registry = _own_registry(tmp_path, wrong_page + no_contract)
    results = check_sites(load_registry(registry), extra_dir=tmp_path / "contracts")
    assert [(r.site, r.status, r.problems) for r in results] == [
        ("hunan", "FAIL", ["recorded page hunan/gone.html not found"]),
        ("hunan_new", "none", ["no contract: record a detail page into crawler/registry/contracts/ (README: Adding a site)"]),
    ]


def test_unknown_site_and_broken_registry_are_usage_errors(tmp_path: Path):
    done = CliRunner().invoke(main, ["check-sites", "--sites", "atlantis"])
    assert done.exit_code == 2 and "no site named 'atlantis'" in done.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("sites: [", encoding="utf-8")
    done = CliRunner().invoke(main, ["check-sites", "--registry", str(bad)])
    assert done.exit_code == 2 and "not valid YAML" in done.output


def test_contracts_of_a_copied_registry_are_found_next_to_it(tmp_path: Path):
    registry = _own_registry(tmp_path, HUNAN_ENTRY)
    shutil.copy(contract_path(HUNAN_DETAIL), tmp_path / "contracts" / HUNAN_DETAIL)
    result = check_sites(load_registry(registry), ["hunan"], extra_dir=tmp_path / "contracts")[0]
    assert (result.status, result.problems) == ("ok", [])
