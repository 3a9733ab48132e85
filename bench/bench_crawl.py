"""Crawl figures: speed next to bare Scrapy (1), the cost of a second crawl (4), memory against site size (5).

All crawls run in child processes (bench/crawl_run.py) against the generated site (bench/site.py), itself served
by another process; both share this machine's cores, as a remote site would not. Settings: crawler/settings.py
with the sample sites' overrides (SAMPLE_SETTINGS: our own server, so no politeness delay, no AutoThrottle,
CONCURRENT_REQUESTS_PER_DOMAIN 8), the same for the bare spider and the full pipeline.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.crawl_run import run_in_child
from bench.site import BenchServer


@dataclass
class CrawlFigures:
    lines: list[str] = field(default_factory=list)
    db_path: Path | None = None  # the database of the first full crawl (kept for the caller while it lives)


def crawl_settings() -> dict[str, Any]:
    from crawler.settings import SAMPLE_SETTINGS

    return {**SAMPLE_SETTINGS, "LOG_LEVEL": "WARNING"}


def _rate(run: dict[str, Any]) -> float:
    return run["pages"] / run["seconds"] if run["seconds"] else 0.0


def _cpu_ms(run: dict[str, Any], key: str) -> float:
    return run[key] * 1000 / max(1, run["pages"])


def _capped(run: dict[str, Any], cap: float | None) -> str:
    """What a reader must know about a run that did not go as planned."""
    notes = []
    if run.get("capped"):
        notes.append(f" [stopped at its {cap or 0:.0f} s cap: rate of the pages done]")
    if run.get("worker_deaths"):
        notes.append(f" [an analysis worker died {run['worker_deaths']} time(s): see pipelines/offload.py]")
    return "".join(notes)


def _cpu_budget(full: dict[str, Any], bare: dict[str, Any]) -> str:
    """The most figure 1 can be on this machine: with every core busy, the full pipeline's pages/s cannot exceed
    cores / (CPU per page of the crawl process + its workers + the site's server)."""
    import os

    cores = os.cpu_count() or 1
    full_ms = sum(_cpu_ms(full, k) for k in ("cpu_s", "workers_cpu_s", "server_cpu_s"))
    ceiling = cores * 1000 / full_ms if full_ms else 0.0
    return (f"   CPU budget: the full pipeline costs {full_ms:.1f} ms of CPU per page in all (server "
            f"{_cpu_ms(full, 'server_cpu_s'):.1f} of it; bare Scrapy's server {_cpu_ms(bare, 'server_cpu_s'):.1f}); "
            f"{cores} cores allow at most {ceiling:.0f} pages/s, a ratio of {ceiling / _rate(bare):.2f} "
            f"against this bare run")


def _registry(tmp: Path, server: BenchServer) -> str:
    # The registry must pass the live politeness check; the bench's own settings override concurrency and delay.
    path = tmp / f"bench_registry_{server.pages}.yaml"
    path.write_text(server.registry_yaml(concurrency=2, download_delay=1.0), encoding="utf-8")
    return str(path)


def bench_crawl(pages: int, big_pages: int, tmp: Path, cap: float | None = None, big_cap: float | None = None,
                inline: bool = False, say: Callable[[list[str]], None] | None = None) -> CrawlFigures:
    """Figures 1, 4 and 5 (5 needs the `big_pages` site too); databases are written under `tmp`, lines handed to
    `say` as soon as each figure is known. `inline` adds the full crawl once more with the analysis on the event
    loop (PROCESSING_WORKERS=0, as before the pool). A capped first crawl leaves figure 4 without meaning."""
    settings = crawl_settings()
    figures = CrawlFigures(db_path=tmp / "crawl.db")

    def tell(*lines: str) -> None:
        figures.lines.extend(lines)
        if say is not None:
            say(list(lines))

    with BenchServer(pages) as server:
        registry = _registry(tmp, server)

        def crawl(mode: str, db: Path) -> dict[str, Any]:
            """One crawl, with the CPU the site's server spent answering it."""
            before = server.cpu_seconds()
            run = run_in_child(mode, registry, str(db), settings, time_cap=cap)
            run["server_cpu_s"] = server.cpu_seconds() - before
            return run

        bare_runs = [crawl("bare", tmp / "bare.db")]
        server.requests(reset=True)
        full = crawl("full", figures.db_path)
        first_requests = server.requests(reset=True)
        bare_runs.append(crawl("bare", tmp / "bare.db"))
        bare = max(bare_runs, key=_rate)  # best of two, one before and one after: the machine is shared
        ratio = _rate(full) / _rate(bare) if _rate(bare) else 0.0
        knobs = ", ".join(f"{k}={settings[k]}" for k in ("CONCURRENT_REQUESTS_PER_DOMAIN", "DOWNLOAD_DELAY",
                                                           "AUTOTHROTTLE_ENABLED"))
        tell(
            f"1. crawl: {_rate(full):.1f} pages/s full pipeline vs {_rate(bare):.1f} pages/s bare Scrapy "
            f"(best of 2: {', '.join(f'{_rate(b):.1f}' for b in bare_runs)}), {pages:,} detail pages + list pages on "
            f"127.0.0.1, {knobs}: ratio {ratio:.2f} (goal >= 0.8){_capped(full, cap)}",
            f"   CPU per page: full {_cpu_ms(full, 'cpu_s'):.1f} ms in the crawl process + "
            f"{_cpu_ms(full, 'workers_cpu_s'):.1f} ms in {full.get('workers', '?')} analysis workers; bare "
            f"{_cpu_ms(bare, 'cpu_s'):.1f} ms (the site's server, a separate process, uses the same cores); jieba "
            f"{'loaded' if full.get('jieba_loaded') else 'never loaded'} in the crawl process",
            _cpu_budget(full, bare),
        )
        if inline:
            before = run_in_child("full", registry, str(tmp / "crawl_inline.db"),
                                  {**settings, "PROCESSING_WORKERS": 0}, time_cap=cap)
            tell(f"   before the worker pool (PROCESSING_WORKERS=0, analysis on the event loop): "
                 f"{_rate(before):.1f} pages/s, ratio {_rate(before) / _rate(bare):.2f}; CPU per page "
                 f"{_cpu_ms(before, 'cpu_s'):.1f} ms in the crawl process{_capped(before, cap)}")
        server.requests(reset=True)  # count the second crawl's requests only
        second = run_in_child("full", registry, str(figures.db_path), settings, time_cap=cap)
        second_requests = server.requests(reset=True)
    unfinished = " [the first crawl did not finish: no figure]" if full.get("capped") else ""
    tell(
        f"4. incremental: second crawl of the unchanged site made {second_requests:,} requests vs {first_requests:,} "
        f"in the first (server count, robots.txt included): ratio {second_requests / max(1, first_requests):.3f} "
        f"(goal <= 0.05); {second['seconds']:.1f} s vs {full['seconds']:.1f} s{unfinished}"
    )
    with BenchServer(big_pages) as server:
        big = run_in_child("full", _registry(tmp, server), str(tmp / "crawl_big.db"), settings, time_cap=big_cap)
        big_requests = server.requests()
    main_ratio = big["maxrss_mb"] / full["maxrss_mb"]
    tree_ratio = big["tree_peak_mb"] / full["tree_peak_mb"]
    tell(
        f"5. memory: crawl process peak RSS {full['maxrss_mb']:.0f} MB for {full['pages']:,} pages vs "
        f"{big['maxrss_mb']:.0f} MB for {big['pages']:,} pages of the {big_pages:,}-page site: ratio {main_ratio:.2f} "
        f"(goal < 1.5){_capped(big, big_cap or 0)}",
        f"   with its analysis workers: {full['tree_peak_mb']:.0f} MB vs {big['tree_peak_mb']:.0f} MB "
        f"(ratio {tree_ratio:.2f}); the big crawl: {big_requests:,} requests in {big['seconds']:.0f} s, "
        f"{_rate(big):.1f} pages/s",
    )
    return figures


def main() -> None:
    import sys

    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp:
        for line in bench_crawl(pages, pages * 10, Path(tmp)).lines:
            print(line, flush=True)


if __name__ == "__main__":
    main()
