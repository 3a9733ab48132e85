"""Run one crawl in a process of its own and print its result and peak memory as one JSON line.

`python tests/faults/child.py '{"db": …, "registry": …, "settings": {…}}'`. A separate process because Twisted's
reactor runs once per process, and because the peak must be the crawl's own, not the test runner's. The
crawl analyses pages in worker processes (PROCESSING_WORKERS), so a sampler adds up the resident memory of
the crawl process and all its descendants every 20 ms (Linux /proc) and keeps the highest total.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time

import extract.facts

# A page made slow on purpose: with FAULT_SLOW_MARKER set, a text holding it keeps the fact extractor busy
# (a Python loop, as a super-linear rule would) for FAULT_SLOW_SECONDS. Set here at the top of the module,
# so the page-analysis workers get it too: a spawned worker runs the parent's main module as `__mp_main__`.
SLOW_MARKER = os.environ.get("FAULT_SLOW_MARKER")
SLOW_SECONDS = float(os.environ.get("FAULT_SLOW_SECONDS", "30"))


def _slowed(extract_facts):
    def slow_extract_facts(text, *args, **kwargs):
        if SLOW_MARKER and SLOW_MARKER in (text or ""):
            deadline = time.monotonic() + SLOW_SECONDS
            while time.monotonic() < deadline:
                pass
        return extract_facts(text, *args, **kwargs)

    return slow_extract_facts


if SLOW_MARKER:
    extract.facts.extract_facts = _slowed(extract.facts.extract_facts)


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as children:
                    kids = [int(k) for k in children.read().split()]
            except (OSError, ValueError):
                continue
            found += kids
            todo += kids
    return found


class PeakSampler(threading.Thread):
    """The highest resident memory of this process plus its worker processes, sampled while the crawl runs."""

    def __init__(self, interval: float = 0.02) -> None:
        super().__init__(daemon=True, name="rss-sampler")
        self.interval = interval
        self.peak_total_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        while not self.done.wait(self.interval):
            total = _rss_kb(me) + sum(_rss_kb(pid) for pid in _descendants(me))
            self.peak_total_kb = max(self.peak_total_kb, total)


def main() -> None:
    args = json.loads(sys.argv[1])
    from crawler.crawl import run_crawl

    sampler = PeakSampler()
    sampler.start()
    result = run_crawl(
        args["db"],
        registry_path=args["registry"],
        site_names=args.get("sites"),
        settings_overrides=args.get("settings"),
        log_file=args.get("log_file"),
    )
    sampler.done.set()
    sampler.join()
    main_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    worker_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest worker, once it has exited
    print(json.dumps({
        "run_id": result.run_id,
        "exit_code": result.exit_code,
        "seconds": round(result.seconds, 2),
        "counts": result.counts,
        "failures": result.failures,
        "peak_rss_mb": round(max(sampler.peak_total_kb, main_kb) / 1024, 1),
        "peak_main_rss_mb": round(main_kb / 1024, 1),
        "peak_worker_rss_mb": round(worker_kb / 1024, 1),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
