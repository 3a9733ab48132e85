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
    bases = {name: f"http://127.0.0.1:{port}" for name, port in zip(
        ["sample_policy_library", "sample_gov_portal", "sample_news_hans", "sample_news_hant", "sample_news_mangled"],
        range(40001, 40006), strict=False)}
    registry = load_sample_registry(bases)
    assert {s.kind for s in registry.sites} == {"policy_api", "gov_portal", "news"}
    assert registry.get("sample_gov_portal").start_urls == ["http://127.0.0.1:40002/col/col_tzgg/index.html"]
    assert registry.get("sample_gov_portal").allowed_domains == ["127.0.0.1"]


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
    with pytest.raises(RegistryError, match="known sites: govcn_policy_library"):
        load_registry().get("nosuchsite")
