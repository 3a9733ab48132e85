"""The site registry: every shipped entry loads; a broken entry is reported whole, all problems at once."""

from __future__ import annotations

import pytest

from crawler.registry import RegistryError, load_registry, load_sample_registry, parse_registry


def test_shipped_registry_loads_and_names_are_unique():
    registry = load_registry()
    names = [s.name for s in registry.sites]
    assert names and len(names) == len(set(names))
    for site in registry.sites:
        assert site.allowed_domains, site.name


def test_sample_registry_fills_the_served_addresses():
    from crawler.sample_sites import SITE_NAMES

    bases = {name: f"http://127.0.0.1:{40001 + i}" for i, name in enumerate(SITE_NAMES)}
    registry = load_sample_registry(bases)
    assert {s.kind for s in registry.sites} == {"policy_api", "gov_portal", "news", "feed"}
    assert registry.get("sample_gov_portal").start_urls == ["http://127.0.0.1:40002/col/col_tzgg/index.html"]
    assert registry.get("sample_gov_portal").allowed_domains == ["127.0.0.1"]
    assert registry.get("sample_feed").start_urls == ["http://127.0.0.1:40006/rss.xml", "http://127.0.0.1:40006/sitemap_index.xml"]


def test_every_kind_has_a_live_entry_and_every_live_entry_says_what_was_confirmed():
    registry = load_registry()
    enabled = registry.enabled()
    assert {s.kind for s in enabled} == {"policy_api", "gov_portal", "news", "feed"}
    assert len([s for s in enabled if s.kind == "gov_portal" and s.region_code not in (None, "100000")]) >= 11
    for site in registry.sites:
        assert site.confirmed, site.name
        assert site.concurrency <= 2 and site.download_delay >= 1, site.name
        if site.enabled:
            assert site.contract is not None, f"{site.name}: a live site needs a contract (check-sites)"
        else:
            assert site.notes, site.name


def test_the_briefs_command_lines_name_real_entries():
    registry = load_registry()
    assert registry.get("hunan").kind == "gov_portal"
    assert registry.get("beijing").kind == "gov_portal"


BROKEN = """
sites:
  - name: Hunan Portal
    kind: portal
    title: 湖南省人民政府
    start_urls: ["ftp://www.hunan.gov.cn/"]
    detail_url_pattern: "([unclosed"
  - name: ok_site
    kind: policy_api
    title: 缺少 api 段
    start_urls: ["https://www.example.gov.cn/api"]
    detail_url_pattern: "/content_\\\\d+"
    colour: blue
"""


def test_broken_entries_are_reported_all_at_once_with_site_names():
    with pytest.raises(RegistryError) as info:
        parse_registry(BROKEN, "test.yaml")
    message = str(info.value)
    for expected in ("Hunan Portal", "name", "kind", "start_urls", "detail_url_pattern", "ok_site", "colour", "api"):
        assert expected in message, expected
    assert "problem(s)" in message


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("sites: [", "not valid YAML"),
        ("- just a list", "must be a mapping"),
        (
            "sites:\n"
            "  - {name: a1, kind: news, title: t, start_urls: ['http://a.cn/'], detail_url_pattern: x}\n"
            "  - {name: a1, kind: news, title: t, start_urls: ['http://b.cn/'], detail_url_pattern: y}\n",
            "repeated: a1",
        ),
    ],
)
def test_unusable_documents_say_why(text, needle):
    with pytest.raises(RegistryError, match=needle):
        parse_registry(text, "x.yaml")


def test_unknown_site_lists_the_known_ones():
    with pytest.raises(RegistryError, match="known sites: govcn_policy_library, govcn_bumen_library, ndrc"):
        load_registry().get("nosuchsite")


ENTRY = """
  - name: {name}
    kind: {kind}
    title: 某省人民政府
    start_urls: ["https://www.example.gov.cn/col/index.html"]
    detail_url_pattern: '/t\\d{{8}}_\\d+\\.html$'
"""


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ("    enabled: false\n", "a disabled site needs `notes` saying why"),
        ("    paging: json_pages\n", "paging json_pages is for kind policy_api"),
        ("    selectors: {{published: '//span'}}\n", "unknown selector field(s) published"),
        ("    selectors: {{date: '//span[@id='}}\n", "selectors.date is not valid XPath"),
        ("    request_headers: {{User-Agent: Mozilla/5.0}}\n", "request_headers may not set User-Agent"),
        ("    contract: {{page: a/b.html, url: 'https://www.example.gov.cn/list.html'}}\n",
         "does not match detail_url_pattern"),
        ("    contract: {{page: ../../etc/passwd, url: 'https://www.example.gov.cn/t20240101_1.html'}}\n",
         "must be a path inside crawler/registry/contracts/"),
        ("    contract: {{page: a/b.html, url: 'https://www.example.gov.cn/t20240101_1.html', list_page: a/l.html}}\n",
         "list_page needs list_url"),
    ],
)
def test_entry_rules_say_what_is_wrong(extra, needle):
    text = "sites:" + ENTRY.format(name="a_site", kind="gov_portal") + extra.format()
    with pytest.raises(RegistryError) as info:
        parse_registry(text, "x.yaml")
    assert needle in str(info.value)
    assert "site a_site" in str(info.value)


def test_a_broken_entry_among_good_ones_reports_every_problem_of_every_entry():
    text = "sites:" + ENTRY.format(name="good_one", kind="news") + BROKEN.split("sites:", 1)[1]
    with pytest.raises(RegistryError) as info:
        parse_registry(text, "x.yaml")
    lines = [line for line in str(info.value).splitlines() if line.startswith("  - ")]
    assert len(lines) >= 6 and not any("good_one" in line for line in lines)


def test_live_registry_must_be_polite(tmp_path):
    path = tmp_path / "sites.yaml"
    path.write_text("sites:" + ENTRY.format(name="eager", kind="news") + "    concurrency: 8\n    download_delay: 0\n",
                    encoding="utf-8")
    with pytest.raises(RegistryError) as info:
        load_registry(path)
    assert "impolite" in str(info.value)
    assert "site eager: concurrency 8 > 2" in str(info.value)
    assert "site eager: download_delay 0.0 < 1.0 s" in str(info.value)
