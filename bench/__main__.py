"""Run every benchmark and print one line per figure (`make bench`; `python -m bench --quick` for a dev run).

Each figure is a ratio of two things measured side by side in this run on this machine, so a busy machine
moves both sides; absolute rates are printed too but say more about the machine than about the code.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path


@dataclass(frozen=True)
class Sizes:
    pages: int  # detail pages of the crawled site (figures 1, 4, 5)
    big_pages: int  # detail pages of the site of the memory comparison (figure 5)
    stored: int  # articles saved through the store (figure 3), then re-extracted (figure 2)
    # Seconds a step may take before it is stopped and measured as far as it got (None: no limit); they keep
    # `make bench` near ten minutes while the store is slow, and say so on the lines they cut short.
    crawl_cap: float | None
    big_cap: float | None
    store_cap: float | None
    startup_runs: int = 5  # each start-up command is timed this many times, the best kept


FULL = Sizes(pages=2000, big_pages=20000, stored=1000, crawl_cap=180, big_cap=400, store_cap=120)
QUICK = Sizes(pages=300, big_pages=3000, stored=200, crawl_cap=120, big_cap=60, store_cap=20)


def versions() -> str:
    names = ["scrapy", "twisted", "jieba", "jieba_fast", "opencc", "sqlalchemy", "lxml"]
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    found.append(f"sqlite {sqlite3.sqlite_version}")
    return ", ".join(found)


def bench_startup(runs: int = 5) -> list[str]:
    """`policycrawl --help` must not load jieba or OpenCC: compare with a bare `python -c pass`."""

    def wall(cmd: list[str]) -> float:
        best = float("inf")
        for _ in range(runs):
            t = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=True)
            best = min(best, time.perf_counter() - t)
        return best

    script = Path(sys.executable).with_name("policycrawl")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "crawler.cli"]
    bare = wall([sys.executable, "-c", "pass"])
    cli = wall([*command, "--help"])
    with tempfile.TemporaryDirectory(prefix="policy-bench-") as tmp:
        paragraph = Path(tmp) / "notice.txt"
        paragraph.write_text(STARTUP_PARAGRAPH, encoding="utf-8")
        extract = wall([*command, "extract", str(paragraph)])
    return [f"6. startup: policycrawl --help {cli:.3f} s (best of {runs}) vs bare python {bare:.3f} s: "
            f"{cli / bare:.1f}x (goal < 0.5 s)",
            f"6b. startup: policycrawl extract on a one-paragraph file {extract:.3f} s (best of {runs}) vs --help "
            f"{cli:.3f} s: {extract / cli:.1f}x (goal < 1 s; jieba's dictionary and the IDF table load per call)"]


# One paragraph of our own: what a user scripting `policycrawl extract` over a folder hands it, file by file.
STARTUP_PARAGRAPH = ("湖南省人民政府办公厅近日印发《湖南省数字经济发展三年行动计划（2023-2025年）》，提出到2025年，"
                     "全省数字经济规模突破2万亿元，建成5G基站15万个，培育数字经济骨干企业100家以上。")


def run(sizes: Sizes, parts: set[str], inline: bool = False) -> None:
    def say(lines: list[str]) -> None:
        for line in lines:
            print(line, flush=True)

    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}; {versions()}")
    print("note: the machine may be shared; each figure's two sides are measured in this run, one after the other")
    if "micro" in parts:
        from bench.bench_extract import bench_extract
        from bench.bench_normalize import bench_normalize

        say(bench_normalize())
        say(bench_extract())
    with tempfile.TemporaryDirectory(prefix="policy-bench-") as tmp:
        if "crawl" in parts:
            from bench.bench_crawl import bench_crawl

            bench_crawl(sizes.pages, sizes.big_pages, Path(tmp), cap=sizes.crawl_cap, big_cap=sizes.big_cap,
                        inline=inline, say=say)
        if parts & {"store", "reextract"}:
            from bench.bench_reextract import bench_reextract
            from bench.bench_store import analysed_pages, bench_store

            lines, db = bench_store(analysed_pages(sizes.stored), Path(tmp), cap=sizes.store_cap)
            if "store" in parts:
                say(lines)
            if "reextract" in parts:
                say(bench_reextract(db))
    if "startup" in parts:
        say(bench_startup(sizes.startup_runs))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"small sizes for a dev run ({QUICK})")
    parser.add_argument("--before", action="store_true",
                        help="also crawl with the analysis on the event loop (PROCESSING_WORKERS=0) for comparison")
    parser.add_argument("--no-caps", action="store_true", help="let every step finish however long it takes")
    parser.add_argument("--only", default="micro,crawl,store,reextract,startup",
                        help="comma-separated parts: micro, crawl, store, reextract, startup")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    sizes = QUICK if args.quick else FULL
    if args.no_caps:
        sizes = dataclasses.replace(sizes, crawl_cap=None, big_cap=None, store_cap=None)
    run(sizes, {p.strip() for p in args.only.split(",") if p.strip()}, args.before)
    print(f"bench: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
