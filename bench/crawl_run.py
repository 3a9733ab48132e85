"""One benchmark crawl in a process of its own, so its memory and CPU are its own.

`python -m bench.crawl_run full|bare --registry R --db D --overrides JSON` crawls the bench site and prints one
JSON line: seconds, detail pages, requests, peak RSS. `full` is `policycrawl crawl` itself (crawler.crawl.run_crawl
with every pipeline); `bare` is bench/bare_spider.py under the same settings with no pipeline. The parent
(`run_in_child`) also samples the child's whole process tree (pool workers included) for its peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GRACE_SECONDS = 30  # after its time cap, a crawl gets this long to finish the items it holds


def _bare(registry_path: str, db_path: str, overrides: dict[str, Any]) -> dict[str, Any]:
    """The same settings `crawler.crawl` gives a site (project settings, per-site values, overrides); no pipeline."""
    from scrapy.crawler import CrawlerProcess

    from crawler.crawl import project_settings
    from crawler.registry import load_registry

    entry = load_registry(registry_path).sites[0]
    settings = {"DB_PATH": db_path, "LOG_LEVEL": "WARNING",
                "CONCURRENT_REQUESTS_PER_DOMAIN": entry.concurrency, "DOWNLOAD_DELAY": entry.download_delay}
    settings.update(overrides)
    settings["ITEM_PIPELINES"] = {}
    process = CrawlerProcess(project_settings(settings), install_root_handler=True)
    from bench.bare_spider import BareSpider

    crawler = process.create_crawler(BareSpider)
    started = time.perf_counter()
    process.crawl(crawler, start_url=entry.start_urls[0], detail_pattern=entry.detail_url_pattern,
                  list_pattern=entry.list_url_pattern or "$^")
    process.start()
    seconds = time.perf_counter() - started
    stats = crawler.stats
    return {"seconds": seconds, "pages": int(stats.get_value("bench/detail_pages", 0)),
            "requests": int(stats.get_value("downloader/request_count", 0))}


def _full(registry_path: str, db_path: str, overrides: dict[str, Any]) -> dict[str, Any]:
    from crawler.crawl import run_crawl

    started = time.perf_counter()
    result = run_crawl(db_path, registry_path=registry_path, settings_overrides=overrides)
    seconds = time.perf_counter() - started
    counts = next(iter(result.counts.values()), {})
    pages = sum(int(counts.get(k, 0)) for k in ("new", "updated", "unchanged"))
    from crawler.crawl import project_settings

    workers = project_settings(overrides).getint("PROCESSING_WORKERS")
    return {"seconds": seconds, "pages": pages, "requests": int(counts.get("requests", 0)),
            "new": int(counts.get("new", 0)), "unchanged": int(counts.get("unchanged", 0)),
            "exit_code": result.exit_code, "workers": workers}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.crawl_run")
    parser.add_argument("mode", choices=["full", "bare"])
    parser.add_argument("--registry", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--overrides", default="{}", help="Scrapy settings as JSON, applied over the site's")
    parser.add_argument("--profile", default=None, help="write a cProfile of the crawl process to this file")
    args = parser.parse_args(argv)
    overrides = json.loads(args.overrides)
    crawl = _full if args.mode == "full" else _bare
    if args.profile:
        import cProfile

        with cProfile.Profile() as profile:
            out = crawl(args.registry, args.db, overrides)
        profile.dump_stats(args.profile)
    else:
        out = crawl(args.registry, args.db, overrides)
    segment = sys.modules.get("extract.segment")
    out["jieba_loaded"] = bool(segment and segment.tokenizer.cache_info().currsize)  # in this process, not a worker
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    out["maxrss_mb"], out["workers_maxrss_mb"] = own.ru_maxrss / 1024, workers.ru_maxrss / 1024
    out["cpu_s"], out["workers_cpu_s"] = own.ru_utime + own.ru_stime, workers.ru_utime + workers.ru_stime
    print(json.dumps(out), flush=True)


# --- the parent's side ---------------------------------------------------------------------------------------


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (Linux /proc), in MB; 0 when it is gone."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/statm") as handle:
                total += int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo += [int(c) for c in handle.read().split()]
        except (OSError, ValueError):
            continue
    return total / 2**20


def run_in_child(mode: str, registry_path: str, db_path: str, overrides: dict[str, Any],
                 time_cap: float | None = None) -> dict[str, Any]:
    """Run one crawl in a child process; its JSON result plus `tree_peak_mb` (child and its workers, sampled).

    A crawl still running after `time_cap` seconds is stopped the way Ctrl-C stops one (Scrapy closes the spider
    and the pipelines finish what they hold); its result then says `capped` and counts what was done.
    """
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.crawl_run", mode, "--registry", registry_path, "--db", db_path,
         "--overrides", json.dumps(overrides)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    peak = 0.0
    done = threading.Event()
    capped = threading.Event()
    forced: list[bool] = []

    def watch() -> None:
        nonlocal peak
        started = time.monotonic()
        while not done.wait(0.2):
            peak = max(peak, _tree_rss_mb(process.pid))
            if time_cap is None:
                continue
            late = time.monotonic() - started - time_cap
            if late > 0 and not capped.is_set():
                capped.set()
                process.send_signal(signal.SIGINT)
            elif late > GRACE_SECONDS and not forced:
                forced.append(True)
                process.send_signal(signal.SIGINT)  # a second Ctrl-C: Scrapy stops without finishing items

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    stdout, stderr = process.communicate()
    done.set()
    watcher.join()
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    if not lines or (process.returncode != 0 and not capped.is_set()):
        raise RuntimeError(f"bench crawl ({mode}) failed with exit code {process.returncode}:\n{stderr[-3000:]}")
    result = json.loads(lines[-1])
    result["tree_peak_mb"] = max(peak, result["maxrss_mb"])
    result["capped"] = capped.is_set()
    result["worker_deaths"] = stderr.count("page-analysis worker")  # pipelines/offload.py logs each one
    return result


if __name__ == "__main__":
    main()
