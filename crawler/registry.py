"""The site registry: sites are data (YAML), validated at load with every error reported at once.

Adding a site is an entry in `crawler/registry/sites.yaml`; the spider kind named by `kind` does the rest.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

SpiderKind = Literal["policy_api", "gov_portal", "news", "feed"]
CONTRACTS_DIR = "registry/contracts"  # inside the `crawler` package: contracts ship with it


class RegistryError(Exception):
    """The registry file is unusable; the message lists every problem found."""


class ApiRule(BaseModel):
    """How to read a JSON search API: where the items are and how pages are counted."""

    model_config = ConfigDict(extra="forbid")
    items_field: str = Field("items", description="dotted path of the list of results in the JSON")
    url_field: str = Field("url", description="field of an item holding the detail page URL (absolute or relative)")
    title_field: str | None = Field("title", description="field holding the title")
    date_field: str | None = Field("pubDate", description="field holding the publication date")
    doc_number_field: str | None = Field(None, description="field holding the 发文字号")
    issuer_field: str | None = Field(None, description="field holding the 发文机关")
    page_param: str = Field("page", description="query parameter that selects the page")
    pages_field: str | None = Field("pages", description="dotted path of the total number of pages")


class Contract(BaseModel):
    """A page recorded from the site and what it must still parse into (`policycrawl check-sites`).

    Paths are relative to `crawler/registry/contracts/`, so the contracts ship with the package.
    """

    model_config = ConfigDict(extra="forbid")
    page: str = Field(description="recorded detail page, e.g. hunan/t20240301_32871234.html")
    url: str = Field(description="the URL the page was recorded at (resolves links, must match detail_url_pattern)")
    recorded: str | None = Field(None, description="when and how the page was recorded or written")
    expect: dict[str, str] = Field(
        default_factory=dict,
        description="exact values the page must give: title, published_on, doc_number, issuer, index_no, source",
    )
    body_contains: list[str] = Field(default_factory=list, description="phrases the body must contain")
    min_body_chars: int = Field(200, ge=0, description="the body must be at least this long")
    list_page: str | None = Field(None, description="recorded list page / API answer / feed the links come from")
    list_url: str | None = Field(None, description="the URL the list page was recorded at")
    min_links: int = Field(1, ge=0, description="detail links the list page must yield")

    @field_validator("page", "list_page")
    @classmethod
    def _relative(cls, path: str | None) -> str | None:
        if path is not None and (path.startswith("/") or ".." in path.split("/")):
            raise ValueError(f"{path!r} must be a path inside crawler/registry/contracts/")
        return path

    @model_validator(mode="after")
    def _list_needs_url(self) -> Contract:
        if self.list_page and not self.list_url:
            raise ValueError("list_page needs list_url (the address it was recorded at)")
        return self


class SiteEntry(BaseModel):
    """One site: what to fetch, how to find detail pages, how politely."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{1,63}$", description="short id used on the command line")
    kind: SpiderKind = Field(description="spider kind that crawls it")
    title: str = Field(description="human name of the site")
    enabled: bool = Field(True, description="disabled sites stay in the registry but are not crawled")
    region_code: str | None = Field(None, pattern=r"^\d{6}$", description="division code of the site's region")
    start_urls: list[str] = Field(min_length=1, description="list pages or API URLs to start from")
    allowed_domains: list[str] = Field(default_factory=list, description="defaults to the start URLs' hosts")
    detail_url_pattern: str = Field(description="regex that an article/notice URL matches")
    list_url_pattern: str | None = Field(None, description="regex of further list pages to follow")
    paging: Literal["json_pages", "trs", "next_link", "none"] = Field(
        "next_link", description="how list pages page (json_pages: API; trs: createPageHTML + index_N; next_link: 下一页)"
    )
    api: ApiRule | None = Field(None, description="JSON API reading rules (kind policy_api)")
    encoding: str | None = Field(None, description="charset hint when the site declares a wrong one")
    request_headers: dict[str, str] = Field(
        default_factory=dict,
        description="extra HTTP headers an API needs (e.g. its Referer); never a browser disguise of the User-Agent",
    )
    selectors: dict[str, str] = Field(default_factory=dict, description="XPath per field, only where the generic reader fails")
    concurrency: int = Field(2, ge=1, le=8, description="parallel requests to this site")
    download_delay: float = Field(1.0, ge=0, description="seconds between requests to this site (live sites: ≥ 1)")
    max_list_pages: int = Field(50, ge=1, description="list pages per run at most (pagination traps stop here)")
    confirmed: str | None = Field(None, description="what was confirmed about the URL/page structure, and from where")
    notes: str | None = Field(None, description="what is not confirmed; for a disabled entry, why it is disabled")
    contract: Contract | None = Field(None, description="a recorded page that must still parse (check-sites)")
    canonical_base: str | None = Field(
        None, description="stable scheme://host used as the articles' identity when the site is served elsewhere "
        "(a mirror, the sample server on a random port)"
    )

    @field_validator("start_urls")
    @classmethod
    def _urls_are_http(cls, urls: list[str]) -> list[str]:
        bad = [u for u in urls if urlsplit(u).scheme not in ("http", "https") or not urlsplit(u).netloc]
        if bad:
            raise ValueError(f"not http(s) URLs: {', '.join(bad)}")
        return urls

    @field_validator("detail_url_pattern", "list_url_pattern")
    @classmethod
    def _is_regex(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from exc
        return pattern

    @field_validator("selectors")
    @classmethod
    def _selectors(cls, selectors: dict[str, str]) -> dict[str, str]:
        from lxml import etree

        from extract.selectors import SELECTABLE

        bad = [name for name in selectors if name not in SELECTABLE]
        if bad:
            raise ValueError(f"unknown selector field(s) {', '.join(bad)}; use {', '.join(SELECTABLE)}")
        for name, xpath in selectors.items():
            try:
                etree.XPath(xpath)
            except etree.XPathSyntaxError as exc:
                raise ValueError(f"selectors.{name} is not valid XPath: {exc}") from exc
        return selectors

    @model_validator(mode="wrap")
    @classmethod
    def _whole_entry_rules(cls, data: Any, handler: Any) -> SiteEntry:
        """Rules between fields, checked on the raw entry so they are reported together with field errors."""
        problems = _entry_rule_problems(data) if isinstance(data, dict) else []
        try:
            entry = handler(data)
        except ValidationError as exc:
            if not problems:
                raise
            details = [{k: e[k] for k in ("type", "loc", "input", "ctx") if k in e} for e in exc.errors()]
            details += [{"type": "value_error", "loc": (), "input": data, "ctx": {"error": ValueError(p)}}
                        for p in problems]
            raise ValidationError.from_exception_data(exc.title, details) from None
        if problems:
            raise ValueError("; ".join(problems))
        return entry

    @model_validator(mode="after")
    def _kind_needs(self) -> SiteEntry:
        problems = []
        if self.contract is not None:
            try:
                matches = re.search(self.detail_url_pattern, self.contract.url)
            except re.error:
                matches = True  # the pattern error is reported on its own
            if not matches:
                problems.append(
                    f"contract.url {self.contract.url} does not match detail_url_pattern {self.detail_url_pattern}"
                )
        if any(k.lower() == "user-agent" for k in self.request_headers):
            problems.append("request_headers may not set User-Agent (USER_AGENT in crawler/settings.py names us)")
        if problems:
            raise ValueError("; ".join(problems))
        if not self.allowed_domains:
            self.allowed_domains = sorted({urlsplit(u).hostname or "" for u in self.start_urls} - {""})
        return self


def _entry_rule_problems(raw: dict[str, Any]) -> list[str]:
    problems = []
    kind, paging = raw.get("kind"), raw.get("paging", "next_link")
    if kind == "policy_api" and not raw.get("api"):
        problems.append("kind policy_api needs an `api` section")
    if kind != "policy_api" and paging == "json_pages":
        problems.append("paging json_pages is for kind policy_api")
    if raw.get("enabled", True) is False and not raw.get("notes"):
        problems.append("a disabled site needs `notes` saying why it is disabled")
    return problems


class Registry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sites: list[SiteEntry]

    def get(self, name: str) -> SiteEntry:
        for site in self.sites:
            if site.name == name:
                return site
        known = ", ".join(s.name for s in self.sites) or "(none)"
        raise RegistryError(f"no site named {name!r} in the registry; known sites: {known}")

    def enabled(self) -> list[SiteEntry]:
        return [s for s in self.sites if s.enabled]


def _format_errors(exc: ValidationError, raw: dict) -> str:
    lines = []
    for err in exc.errors():
        loc = list(err["loc"])
        where = ".".join(str(x) for x in loc)
        if len(loc) >= 2 and loc[0] == "sites" and isinstance(loc[1], int):
            try:
                rest = ".".join(str(x) for x in loc[2:])
                where = f"site {raw['sites'][loc[1]].get('name', loc[1])!s}" + (f": {rest}" if rest else "")
            except (KeyError, IndexError, AttributeError):
                pass
        lines.append(f"  - {where}: {err['msg']}")
    return "\n".join(lines)


def parse_registry(text: str, source: str = "registry", substitutions: dict[str, str] | None = None) -> Registry:
    """Validate a registry document; `{name}` placeholders are filled from `substitutions` first."""
    if substitutions:
        for key, value in substitutions.items():
            text = text.replace("{" + key + "}", value)
    try:
        raw = yaml.safe_load(text) or {"sites": []}
    except yaml.YAMLError as exc:
        raise RegistryError(f"{source} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise RegistryError(f"{source} must be a mapping with a `sites:` list")
    raw.setdefault("sites", [])
    if raw["sites"] is None:
        raw["sites"] = []
    try:
        registry = Registry.model_validate(raw)
    except ValidationError as exc:
        raise RegistryError(f"{source} has {exc.error_count()} problem(s):\n{_format_errors(exc, raw)}") from exc
    names = [s.name for s in registry.sites]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise RegistryError(f"{source}: site names must be unique, repeated: {', '.join(dupes)}")
    return registry


def load_registry(path: str | Path | None = None) -> Registry:
    """The live registry: the file given, else the one shipped in the package."""
    if path is None:
        text = resources.files("crawler").joinpath("registry/sites.yaml").read_text(encoding="utf-8")
        return check_politeness(parse_registry(text, "crawler/registry/sites.yaml"), "crawler/registry/sites.yaml")
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise RegistryError(f"cannot read the registry {p}: {exc.strerror}") from exc
    return check_politeness(parse_registry(text, str(p)), str(p))


def check_politeness(registry: Registry, source: str = "registry") -> Registry:
    """Live sites are public servers: at most LIVE_MAX_CONCURRENCY requests at a time, a delay of at least
    LIVE_MIN_DOWNLOAD_DELAY seconds (crawler/settings.py). The sample sites are exempt (they are ours)."""
    from crawler.settings import LIVE_MAX_CONCURRENCY, LIVE_MIN_DOWNLOAD_DELAY

    problems = []
    for site in registry.sites:
        if site.concurrency > LIVE_MAX_CONCURRENCY:
            problems.append(f"  - site {site.name}: concurrency {site.concurrency} > {LIVE_MAX_CONCURRENCY}")
        if site.download_delay < LIVE_MIN_DOWNLOAD_DELAY:
            problems.append(
                f"  - site {site.name}: download_delay {site.download_delay} < {LIVE_MIN_DOWNLOAD_DELAY} s"
            )
    if problems:
        raise RegistryError(f"{source} is impolite to live sites ({len(problems)} problem(s)):\n" + "\n".join(problems))
    return registry


def contract_path(relative: str) -> Path:
    """Where a contract's recorded page lives in the installed package."""
    return Path(str(resources.files("crawler").joinpath(CONTRACTS_DIR, relative)))


def load_sample_registry(base_urls: dict[str, str]) -> Registry:
    """The registry of the bundled sample sites, with their 127.0.0.1 addresses filled in."""
    text = resources.files("crawler").joinpath("registry/sample.yaml").read_text(encoding="utf-8")
    return parse_registry(text, "crawler/registry/sample.yaml", substitutions=base_urls)
