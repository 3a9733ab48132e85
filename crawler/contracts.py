"""Site contracts (`policycrawl check-sites`): a page recorded from each site must still parse into the fields
we expect, and its recorded list page / API answer / feed must still yield detail links by the entry's rules.

A contract fails loudly when the generic reader or a registry rule drifts: run it in CI and before a crawl.
Recorded pages ship with the package under `crawler/registry/contracts/<site>/`; for a registry file of your
own, a `contracts/` folder next to it is searched first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from crawler.registry import Registry, SiteEntry, contract_path

# Fields of extract.records.PageRecord a contract may pin down exactly, and `date`: the page's publication
# day however it was found (信息公开 发布日期, else meta tags or the byline), the date ops care about.
EXPECTABLE = ("title", "date", "published_on", "published_at", "doc_number", "issuer", "index_no", "written_on",
              "source", "author", "topic")


def _field(record, name: str) -> str | None:  # noqa: ANN001
    if name == "date":
        day = record.published_on or record.published_at
        return day[:10] if day else None
    return getattr(record, name, None)


@dataclass
class ContractResult:
    site: str
    status: str  # ok | FAIL | none (enabled, no contract) | skipped (disabled, no contract)
    checks: int = 0
    problems: list[str] = field(default_factory=list)
    page: str | None = None

    @property
    def failed(self) -> bool:
        return self.status in ("FAIL", "none")


def _find(relative: str, extra_dir: Path | None) -> Path | None:
    for candidate in ([extra_dir / relative] if extra_dir else []) + [contract_path(relative)]:
        if candidate.is_file():
            return candidate
    return None


def run_contract(entry: SiteEntry, extra_dir: Path | None = None) -> ContractResult:
    """Check one entry's contract; every failed check is one line in `problems`."""
    contract = entry.contract
    if contract is None:
        if not entry.enabled:
            return ContractResult(entry.name, "skipped")
        return ContractResult(entry.name, "none", problems=[
            "no contract: record a detail page into crawler/registry/contracts/ (README: Adding a site)"])
    result = ContractResult(entry.name, "ok", page=contract.page)
    path = _find(contract.page, extra_dir)
    result.checks += 1
    if path is None:
        result.problems.append(f"recorded page {contract.page} not found")
        result.status = "FAIL"
        return result
    body = path.read_bytes()
    record, dropped = read_like_the_crawl(entry, body, contract.url)
    result.checks += 1
    if record is None:
        result.problems.append(f"the crawl would drop this page: {dropped}")
        result.status = "FAIL"
        return result
    text = record.text or record.text_original or ""

    def check(ok: bool, problem: str) -> None:
        result.checks += 1
        if not ok:
            result.problems.append(problem)

    for name, wanted in contract.expect.items():
        if name not in EXPECTABLE:
            check(False, f"expect.{name}: not a page field (one of {', '.join(EXPECTABLE)})")
            continue
        got = _field(record, name)
        check(got == wanted, f"{name}: expected {wanted!r}, got {got!r}")
    for phrase in contract.body_contains:
        check(phrase in text, f"body lacks {phrase!r}")
    check(len(text) >= contract.min_body_chars, f"body has {len(text)} characters, expected at least {contract.min_body_chars}")
    if contract.list_page:
        _check_list(entry, extra_dir, result, check)
    result.status = "FAIL" if result.problems else "ok"
    return result


def read_like_the_crawl(entry: SiteEntry, body: bytes, url: str):  # noqa: ANN201
    """(record, None) as the crawl's page step reads the page (selectors included), or (None, drop reason)."""
    from crawler.items import FetchedPage
    from crawler.processing import NotAnArticle, understand_page
    from extract.encoding import decode_html
    from extract.selectors import select_fields

    hint = select_fields(decode_html(body, entry.encoding)[0], entry.selectors, url) if entry.selectors else {}
    item = FetchedPage(site=entry.name, url=url, final_url=url, status=200, content_type=None,
                       declared_encoding=entry.encoding, body=body, hint=hint)
    try:
        return understand_page(item).record, None
    except NotAnArticle as exc:
        return None, str(exc)


def _check_list(entry: SiteEntry, extra_dir: Path | None, result: ContractResult, check) -> None:  # noqa: ANN001
    contract = entry.contract
    path = _find(contract.list_page, extra_dir)
    if path is None:
        check(False, f"recorded list page {contract.list_page} not found")
        return
    links = list_links(entry, path.read_bytes(), contract.list_url)
    check(len(links) >= contract.min_links,
          f"list page gives {len(links)} detail link(s) matching {entry.detail_url_pattern}, expected at least {contract.min_links}")


def list_links(entry: SiteEntry, body: bytes, url: str) -> list[str]:
    """Detail URLs a recorded list page / API answer / feed gives under the entry's rules (as the spider would)."""
    pattern = re.compile(entry.detail_url_pattern)
    if entry.kind == "policy_api":
        from urllib.parse import urljoin

        from extract.listing import dig

        try:
            items = dig(json.loads(body.decode("utf-8")), entry.api.items_field) or []
        except (ValueError, UnicodeDecodeError):
            return []
        urls = [urljoin(url, str(dig(item, entry.api.url_field) or "")) for item in items if isinstance(item, dict)]
        return [u for u in urls if pattern.search(u)]
    if entry.kind == "feed":
        from extract.feeds import parse_feed

        return [e.url for e in parse_feed(body, url).entries if not e.is_sitemap and pattern.search(e.url)]
    from extract.encoding import decode_html
    from extract.listing import detail_links

    text, _encoding = decode_html(body, entry.encoding)
    return [link.url for link in detail_links(text, url, entry.detail_url_pattern)]


def check_sites(registry: Registry, names: list[str] | None = None, extra_dir: Path | None = None) -> list[ContractResult]:
    """Contracts of the named entries (all entries when `names` is empty), in registry order."""
    entries = [registry.get(n) for n in names] if names else list(registry.sites)
    return [run_contract(e, extra_dir) for e in entries]


def format_table(results: list[ContractResult]) -> list[str]:
    header = f"{'site':<28} {'contract':<8} {'checks':>6}  problems"
    lines = [header, "-" * 78]
    for r in results:
        first = r.problems[0] if r.problems else ""
        lines.append(f"{r.site:<28} {r.status:<8} {r.checks:>6}  {first}")
        for more in r.problems[1:]:
            lines.append(f"{'':<46}{more}")
    failed = sum(r.failed for r in results)
    ok = sum(r.status == "ok" for r in results)
    skipped = sum(r.status == "skipped" for r in results)
    lines.append("-" * 78)
    lines.append(f"{ok} ok, {failed} failed, {skipped} skipped (disabled, no contract)")
    return lines
