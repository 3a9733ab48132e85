"""Run every benchmark and print one line per figure (`make bench`)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from importlib import metadata


def versions() -> str:
    names = ["scrapy", "opencc", "jieba", "sqlalchemy", "sqlite-utils", "datasette"]
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    return ", ".join(found)


def bench_startup() -> list[str]:
    """`policycrawl --help` must not load jieba or OpenCC: compare with a bare `python -c pass`."""
    def wall(cmd: list[str]) -> float:
        best = float("inf")
        for _ in range(5):
            t = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=True)
            best = min(best, time.perf_counter() - t)
        return best

    bare = wall([sys.executable, "-c", "pass"])
    cli = wall([sys.executable, "-m", "crawler.cli", "--help"])
    return [f"startup: policycrawl --help {cli:.3f} s vs bare python {bare:.3f} s (ratio {cli / bare:.1f}x; goal < 0.5 s)"]


def main() -> None:
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}; {versions()}")
    from bench.bench_extract import bench_extract
    from bench.bench_normalize import bench_normalize

    for part in (bench_normalize, bench_extract, bench_startup):
        for line in part():
            print(line, flush=True)


if __name__ == "__main__":
    main()
