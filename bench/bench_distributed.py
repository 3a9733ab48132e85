"""Pages per second of 1 and of 3 frontier workers on the sample sites, measured one after the other in one run.

`python -m bench.bench_distributed` (needs the machine's Redis and PostgreSQL, like tests/test_distributed.py).
Each measure gets fresh sample sites, a fresh Redis database and a fresh PostgreSQL database; the workers are real
`policycrawl crawl --sample --frontier … --db postgresql://…` processes, started and warmed up (Scrapy, jieba,
OpenCC loaded) before the sites are seeded. The clock runs from the seed to the moment nothing is queued or in
flight, i.e. every page stored. Each worker analyses with one process (PROCESSING_WORKERS=1): with the default
pool a single worker already uses every core, and the figure would measure the pool, not the frontier.

Two workloads: the sample sites as fast as they answer (the analysis, CPU, sets the pace), and with a download
delay per site as live sites have (politeness sets the pace; each worker keeps the delay, so the workers fetch
side by side). The sides alternate (1, 3, 1, 3 …); the median of `--repeat` measures is quoted, the machine
may be shared.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

REDIS = "redis://127.0.0.1:6379"
POSTGRES = "postgresql://postgres@127.0.0.1:5432"
WORKER_SETTINGS = ["-s", "FRONTIER_IDLE_SECONDS=600", "-s", "FRONTIER_POLL_SECONDS=0.1", "-s", "PROCESSING_WORKERS=1"]


@dataclass
class Side:
    workers: int
    delay: float  # DOWNLOAD_DELAY per site, seconds
    pages: int  # requests answered by the sample sites, robots.txt left out
    seconds: float  # seeded → nothing queued or in flight

    @property
    def rate(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


@contextlib.contextmanager
def scratch_databases() -> Iterator[tuple[str, str]]:
    """(an empty Redis database, a new PostgreSQL database), both removed at the end."""
    import psycopg
    import redis

    from crawler import dialect

    registry = redis.Redis.from_url(f"{REDIS}/0")
    claimed = None
    for db in range(15, 0, -1):
        if registry.set(f"policycrawl-test:claim:{db}", "bench", nx=True, ex=1800):
            if redis.Redis.from_url(f"{REDIS}/{db}").dbsize() == 0:
                claimed = db
                break
            registry.delete(f"policycrawl-test:claim:{db}")
    if claimed is None:
        raise SystemExit(f"no empty Redis database among 1–15 at {REDIS}")
    name = f"policycrawl_bench_{secrets.token_hex(4)}"
    admin = psycopg.connect(f"{POSTGRES}/postgres", autocommit=True)
    admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{REDIS}/{claimed}", f"{POSTGRES}/{name}"
    finally:
        dialect.dispose_server_engine(f"{POSTGRES}/{name}")
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()
        redis.Redis.from_url(f"{REDIS}/{claimed}").flushdb()
        registry.delete(f"policycrawl-test:claim:{claimed}")


def measure(workers: int, delay: float = 0.0, timeout: float = 300) -> Side:
    from crawler.frontier import Frontier
    from crawler.registry import load_sample_registry
    from crawler.sample_sites import SITE_NAMES, SampleSites

    with scratch_databases() as (redis_url, pg_url), SampleSites() as sites:
        frontier = Frontier(redis_url)
        registry = load_sample_registry(sites.base_urls)
        frontier.publish_sample_registry(registry)
        procs = [subprocess.Popen([sys.executable, "-m", "crawler.cli", "crawl", "--sample", "--frontier", redis_url,
                                   "--db", pg_url, *WORKER_SETTINGS, "-s", _slot_delay(delay)],
                                  stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True) for _ in range(workers)]
        try:
            _wait_until(lambda: len(frontier.workers()) == workers, timeout, "workers to start")
            time.sleep(3)  # every site of every worker open, analysis processes warmed up
            seeded = time.monotonic()
            for entry in registry.sites:
                frontier.seed(entry)
            _wait_until(lambda: not sum(frontier.status(site).pending for site in SITE_NAMES), timeout, "the crawl")
            drained = time.monotonic()
        finally:
            for proc in procs:  # everything is stored once nothing is in flight: stop the waiting workers
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, 15)
            for proc in procs:
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, 9)
                    proc.wait()
        pages = sum(1 for r in sites.requests if r.path != "/robots.txt")
        return Side(workers, delay, pages, drained - seeded)


def _slot_delay(delay: float) -> str:
    """The delay of the sample sites' download slot (127.0.0.1), as a registry's download_delay would set it."""
    return "DOWNLOAD_SLOTS=" + json.dumps({"127.0.0.1": {"delay": delay}})


def _wait_until(done, timeout: float, what: str) -> None:  # noqa: ANN001
    started = time.monotonic()
    while not done():
        if time.monotonic() - started > timeout:
            raise SystemExit(f"bench: gave up waiting for {what} after {timeout:.0f} s")
        time.sleep(0.05)


def bench_distributed(repeat: int = 3, delays: tuple[float, ...] = (0.0, 0.5)) -> list[str]:
    lines = [f"{'delay s':>7} {'workers':>7} {'pages':>6} {'seconds':>8} {'pages/s':>8}"]
    summary = []
    for delay in delays:
        sides: dict[int, list[Side]] = {1: [], 3: []}
        for _ in range(repeat):
            for workers in sides:
                sides[workers].append(measure(workers, delay))
        for runs in sides.values():
            lines += [f"{s.delay:>7} {s.workers:>7} {s.pages:>6} {s.seconds:>8.2f} {s.rate:>8.1f}" for s in runs]
        one = statistics.median(s.rate for s in sides[1])
        three = statistics.median(s.rate for s in sides[3])
        pace = "analysis-bound" if not delay else f"download_delay {delay} s per site"
        summary.append(f"distributed ({pace}): 3 workers {three:.1f} pages/s vs 1 worker {one:.1f} pages/s "
                       f"(median of {repeat}; {three / one:.2f}x)")
    lines += summary
    lines.append(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (the machine is shared)")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_distributed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="measures of each side, alternated (median quoted)")
    args = parser.parse_args(argv)
    print("distributed crawl of the sample sites: Redis frontier, PostgreSQL store, worker processes", flush=True)
    for line in bench_distributed(args.repeat):
        print(line, flush=True)


if __name__ == "__main__":
    main()
