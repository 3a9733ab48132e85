"""The site registry: sites are data (YAML), validated at load with every error reported at once.

Adding a site is an entry in `crawler/registry/sites.yaml`; the spider kind named by `kind` does the rest.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

SpiderKind = Literal["policy_api", "gov_portal", "news"]


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
    paging: Literal["json_pages", "trs", "next_link", "none"] = Field("next_link", description="how list pages page")
    api: ApiRule | None = Field(None, description="JSON API reading rules (kind policy_api)")
    encoding: str | None = Field(None, description="charset hint when the site declares a wrong one")
    selectors: dict[str, str] = Field(default_factory=dict, description="XPath per field, only where the generic reader fails")
    concurrency: int = Field(2, ge=1, le=8, description="parallel requests to this site")
    download_delay: float = Field(0.5, ge=0, description="seconds between requests to this site")
    max_list_pages: int = Field(50, ge=1, description="list pages per run at most (pagination traps stop here)")
    confirmed: str | None = Field(None, description="what was confirmed about the URL/page structure, and from where")
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

    @model_validator(mode="after")
    def _kind_needs(self) -> SiteEntry:
        if self.kind == "policy_api" and self.api is None:
            raise ValueError("kind policy_api needs an `api` section")
        if not self.allowed_domains:
            self.allowed_domains = sorted({urlsplit(u).hostname or "" for u in self.start_urls} - {""})
        return self


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
                where = f"site {raw['sites'][loc[1]].get('name', loc[1])!s}: " + ".".join(str(x) for x in loc[2:])
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
        return parse_registry(text, "crawler/registry/sites.yaml")
    p = Path(path)
    try:
        return parse_registry(p.read_text(encoding="utf-8"), str(p))
    except OSError as exc:
        raise RegistryError(f"cannot read the registry {p}: {exc.strerror}") from exc


def load_sample_registry(base_urls: dict[str, str]) -> Registry:
    """The registry of the bundled sample sites, with their 127.0.0.1 addresses filled in."""
    text = resources.files("crawler").joinpath("registry/sample.yaml").read_text(encoding="utf-8")
    return parse_registry(text, "crawler/registry/sample.yaml", substitutions=base_urls)
