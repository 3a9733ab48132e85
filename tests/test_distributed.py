"""Distributed crawling end to end: worker processes share one Redis frontier and write one PostgreSQL database.

The sample sites are served once by the test (so every request of every worker lands in one request log) and
the workers find them through the frontier (`crawl --sample --frontier`, as `seed --sample` arranges it).
Against the machine's Redis and PostgreSQL; skipped with the address and the start command when they are down.
"""

from __future__ import annotations

import collections
import os
import pickle
import pprint
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from live_servers import scratch_postgres, scratch_redis
from scrapy import Request
from test_crawl_sample import CANNED
from test_store_batches import _pages, _pipeline

from crawler.export import export_sqlite
from crawler.frontier import (
    Frontier,
    LeasedPriorityQueue,
    SharedSeenSet,
    in_flight_keys,
    requeue_orphans,
    spider_for,
    worker_key_prefix,
)
from crawler.registry import load_sample_registry
from crawler.sample_sites import SITE_NAMES, SampleSites
from crawler.store import Store

WORKER_SETTINGS = ["-s", "FRONTIER_IDLE_SECONDS=3", "-s", "FRONTIER_POLL_SECONDS=0.2"]
RETRIED = {"500_once": 2, "500": 3}  # fetches of a page that fails once, and of one that always fails (RETRY_TIMES 2)


def start_workers(n: int, frontier: str, db: str, lease_seconds: int = 15) -> list[subprocess.Popen]:
    return [
        subprocess.Popen([sys.executable, "-m", "crawler.cli", "crawl", "--sample", "--frontier", frontier, "--db", db,
                          *WORKER_SETTINGS, "-s", f"FRONTIER_LEASE_SECONDS={lease_seconds}"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)  # its own process group: a worker with its helper processes
        for _ in range(n)
    ]


def seed_sample(sites: SampleSites, frontier_url: str) -> Frontier:
    """What `policycrawl seed --sample` does, for the sample sites this test serves."""
    frontier = Frontier(frontier_url)
    registry = load_sample_registry(sites.base_urls)
    frontier.publish_sample_registry(registry)
    for entry in registry.sites:
        assert frontier.seed(entry).requests >= 1
    return frontier


def finish(procs: list[subprocess.Popen]) -> list[tuple[int, str, str]]:
    outputs = [p.communicate(timeout=300) for p in procs]
    return [(p.returncode, out, err) for p, (out, err) in zip(procs, outputs, strict=True)]


def rows(db: str) -> dict[str, Any]:
    """What must be equal however the crawl was run: articles, policies, facts per article, attachments, errors."""
    from sqlalchemy import text

    engine = Store(db).engine
    with engine.connect() as conn:
        def q(sql: str) -> list[tuple]:
            return [tuple(r) for r in conn.execute(text(sql))]

        return {
            "articles": set(q("SELECT url, content_hash FROM articles")),
            "policies": set(q("SELECT norm_title FROM policies")),
            "targets": collections.Counter(dict(q(
                "SELECT a.url, COUNT(t.id) FROM articles a JOIN targets t ON t.article_id = a.id GROUP BY a.url"))),
            "attachments": set(q("SELECT t.url, t.status, a.url FROM attachments t "
                                 "LEFT JOIN articles a ON a.id = t.article_id")),
            "errors": set(q("SELECT url, kind FROM errors")),
        }


def page_requests(sites: SampleSites) -> collections.Counter:
    return collections.Counter((r.site, r.path) for r in sites.requests if r.path != "/robots.txt")


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> dict[str, Any]:
    """The same sample sites crawled the ordinary way: one process, a SQLite file."""
    db = tmp_path_factory.mktemp("baseline") / "policy.db"
    out = subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", "--sample", "--db", str(db)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    counts = Store(str(db)).run(1)["counts"]
    fetched = sum(n for c in counts.values() for kind, n in (c.get("fetched") or {}).items() if kind != "robots")
    return {"db": str(db), "rows": rows(str(db)), "page_requests": fetched}


@pytest.fixture(scope="module")
def three_workers() -> dict[str, Any]:
    with scratch_redis() as redis_url, scratch_postgres() as pg_url, SampleSites() as sites:
        frontier = seed_sample(sites, redis_url)
        results = finish(start_workers(3, redis_url, pg_url))
        yield {"frontier": frontier, "db": pg_url, "results": results, "requests": page_requests(sites),
               "expected": {name: sites.expected_articles(name) for name in SITE_NAMES},
               "base_urls": dict(sites.base_urls)}


@pytest.mark.slow
def test_workers_finish_and_share_the_work(three_workers):
    for code, _out, err in three_workers["results"]:
        assert code == 0, err[-3000:]
        assert "Traceback" not in err, err[-3000:]
    runs = Store(three_workers["db"]).runs()
    assert sorted(r["status"] for r in runs) == ["ok"] * 3  # each worker recorded its own run
    new = [sum(c.get("new", 0) for c in r["counts"].values()) for r in runs]
    assert sum(new) == len(rows(three_workers["db"])["articles"])  # every article stored once, by one worker
    assert sum(1 for n in new if n) >= 2, new  # and the work was shared


@pytest.mark.slow
def test_every_page_is_fetched_once_across_workers(three_workers, baseline):
    requests = three_workers["requests"]
    status = {}
    for site, articles in three_workers["expected"].items():
        base = three_workers["base_urls"][site]
        for a in articles:
            status[(site, a.url[len(base):])] = a.expected_status
    repeated = {key: n for key, n in requests.items() if n != RETRIED.get(status.get(key), 1)}
    assert repeated == {}
    assert sum(requests.values()) == baseline["page_requests"]  # and nothing the single process fetched is missing
    assert {key for key, s in status.items() if s in ("ok", "500_once")} <= set(requests)


@pytest.mark.slow
def test_postgres_rows_equal_those_of_a_single_process_sqlite_crawl(three_workers, baseline):
    assert rows(three_workers["db"]) == baseline["rows"]


@pytest.mark.slow
def test_the_frontier_is_left_empty(three_workers):
    frontier = three_workers["frontier"]
    for site in SITE_NAMES:
        status = frontier.status(site)
        assert (status.queued, status.in_flight) == (0, 0), site
        assert status.fingerprints > 0  # the generation's dupefilter stays, in Redis, until the next seed
    assert frontier.workers() == []  # every worker removed its lease on the way out


@pytest.mark.slow
def test_the_export_of_the_distributed_crawl_serves_datasette(three_workers, tmp_path):
    import asyncio

    from crawler.publish import datasette_app

    target = export_sqlite(three_workers["db"], tmp_path / "policy.db").target
    ds = datasette_app(target)
    for query, params in CANNED.items():
        response = asyncio.run(ds.client.get(f"/policy/{query}.json?_shape=array&{params}"))
        assert response.status_code == 200, response.text[:500]
        if query != "same_story_on_several_sites":
            assert response.json(), query
    found = asyncio.run(ds.client.get("/policy/articles.json?_search=区块链&_shape=array&_col=text")).json()
    assert found and all("区块链" in row["text"] for row in found)
    count = sqlite3.connect(target).execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    assert count == len(rows(three_workers["db"])["articles"])


@pytest.mark.slow
def test_a_worker_killed_mid_crawl_loses_nothing(baseline):
    """SIGKILL a worker while it holds a detail page or an attachment in flight: the two workers started after
    it take its requests over once its lease expires, and the database ends up exactly as the single-process
    crawl's. The victim runs alone until then, so the moment is chosen by what it holds, not by a clock."""
    with scratch_redis() as redis_url, scratch_postgres() as pg_url, SampleSites() as sites:
        frontier = seed_sample(sites, redis_url)
        [victim] = start_workers(1, redis_url, pg_url, lease_seconds=4)  # the others wait this long for its requests
        held = _kill_while_holding(victim, frontier)
        out, err = victim.communicate(timeout=60)
        assert held, f"the worker finished the crawl alone (exit {victim.returncode}) without ever being seen " \
                     f"holding a detail page in flight: {err[-2000:]}"
        assert victim.returncode == -signal.SIGKILL
        results = finish(start_workers(2, redis_url, pg_url, lease_seconds=4))
        for code, _out, err in results:
            assert code == 0, err[-3000:]
        assert "re-queued" in "".join(err for _code, _out, err in results)  # its requests were taken back
        differences = _differences(rows(pg_url), baseline["rows"])
        assert not differences, f"held when killed: {held}\n{pprint.pformat(differences)}"
        for site in SITE_NAMES:
            assert (frontier.status(site).queued, frontier.status(site).in_flight) == (0, 0), site
        requests = page_requests(sites)
        assert {(s, p) for s, p, _kind in held} <= set(requests)  # what it held was fetched


def _differences(got: dict[str, Any], want: dict[str, Any]) -> dict[str, Any]:
    """Per table, the rows only one side has (a readable failure instead of two whole tables)."""
    diff = {}
    for table in want:
        a, b = got[table], want[table]
        if a != b:
            if isinstance(a, collections.Counter):
                diff[table] = {"distributed": dict(a - b), "single": dict(b - a)}
            else:
                diff[table] = {"distributed": sorted(a - b), "single": sorted(b - a)}
    return diff


def _held_by(frontier: Frontier, pid: int) -> list[tuple[str, str, str]]:
    """(site, path, page kind) of the requests worker `pid` holds in flight."""
    held = []
    for site in SITE_NAMES:
        inflight, owners, _tokens = in_flight_keys(frontier.keys(site).queue)
        for token, owner in frontier.server.hgetall(owners).items():
            if f":{pid}:" in owner.decode():
                data = frontier.server.hget(inflight, token)
                if data:
                    request = pickle.loads(data)
                    held.append((site, "/" + request["url"].split("/", 3)[-1], request["meta"].get("page_kind", "")))
    return held


def _kill_while_holding(victim: subprocess.Popen, frontier: Frontier) -> list[tuple[str, str, str]]:
    """Freeze the worker and look at what it holds; once that is a detail page or an attachment (mid-crawl: the
    list pages were read), kill it with the processes it started, as a machine dies; else let it run on.
    Returns what it held, or [] if it finished the crawl first."""
    while victim.poll() is None:
        os.kill(victim.pid, signal.SIGSTOP)
        held = _held_by(frontier, victim.pid)
        if any(kind in ("detail", "attachment") for _site, _path, kind in held):
            os.killpg(victim.pid, signal.SIGKILL)
            return held
        os.kill(victim.pid, signal.SIGCONT)
        time.sleep(0.01)
    return []


@pytest.mark.slow
def test_a_bare_scrapy_crawl_with_frontier_url_is_a_worker(tmp_path):
    """What a scrapyd job runs: `scrapy crawl KIND -a site=NAME -s FRONTIER_URL=… -s DB_PATH=postgresql://…`."""
    import yaml

    with scratch_redis() as redis_url, scratch_postgres() as pg_url, SampleSites() as sites:
        entry = load_sample_registry(sites.base_urls).get("sample_news_mangled")
        polite = {**entry.model_dump(mode="json", exclude_none=True), "concurrency": 1, "download_delay": 1}
        registry = tmp_path / "sites.yaml"
        registry.write_text(yaml.safe_dump({"sites": [polite]}, allow_unicode=True), encoding="utf-8")
        frontier = Frontier(redis_url)
        frontier.seed(entry)
        out = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"site={entry.name}", "-a", f"registry_path={registry}",
             "-s", f"FRONTIER_URL={redis_url}", "-s", f"DB_PATH={pg_url}", "-s", "FRONTIER_IDLE_SECONDS=2",
             "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0"],
            capture_output=True, text=True, timeout=300, cwd=Path(__file__).resolve().parents[1],
        )
        assert out.returncode == 0, out.stderr[-3000:]
        assert "frontier/acknowledged" in out.stderr  # the scheduler was ours, through FrontierAddon
        status = frontier.status(entry.name)
        assert (status.queued, status.in_flight) == (0, 0) and status.fingerprints > 1
        stored = {url for url, _hash in rows(pg_url)["articles"]}
        expected = {a.url[len(sites.base_urls[entry.name]):] for a in sites.expected_articles(entry.name)
                    if a.expected_status == "ok"}
        assert {url.split(".invalid", 1)[1] for url in stored} == expected


# --- a worker's storage pipeline (fast, no Redis) ---------------------------------------------------------------
def test_a_workers_article_is_finished_only_once_its_batch_is_written(tmp_path):
    """The frontier acknowledges a request when Scrapy is done with its items: an item that returned while its
    article waited in the batch would let a worker killed then lose the article for the whole generation."""
    db = tmp_path / "policy.db"
    pipeline = _pipeline(db, STORE_BATCH_SIZE=10, STORE_BATCH_SECONDS=60, SCHEDULER="crawler.frontier.FrontierScheduler")
    page = _pages()[0]
    pending = pipeline.process_item(page, pipeline.crawler.spider)
    pending.send(None)  # Scrapy awaits it: still waiting, the article is held in the batch
    assert not sqlite3.connect(db).execute("SELECT 1 FROM articles").fetchall()
    pipeline.close_spider(pipeline.crawler.spider)  # or the batch filling up, or STORE_BATCH_SECONDS passing
    with pytest.raises(StopIteration) as done:
        pending.send(None)
    assert done.value.value is page
    assert sqlite3.connect(db).execute("SELECT url FROM articles").fetchall() == [(page.url,)]


def test_a_single_process_crawl_keeps_its_items_as_before(tmp_path):
    pipeline = _pipeline(tmp_path / "policy.db", STORE_BATCH_SIZE=10, STORE_BATCH_SECONDS=60)
    page = _pages()[0]
    assert pipeline.process_item(page, pipeline.crawler.spider) is page  # no scheduler waits for acknowledgements
    pipeline.close_spider(pipeline.crawler.spider)


# --- the frontier itself, against Redis (fast) ---------------------------------------------------------------
@pytest.fixture
def redis_url():
    with scratch_redis() as url:
        yield url


def _offline_sample_registry():
    return load_sample_registry({name: f"http://127.0.0.1:9/{name}" for name in SITE_NAMES})


def test_a_popped_request_stays_leased_until_acknowledged_and_a_dead_workers_come_back(redis_url):
    frontier = Frontier(redis_url)
    entry = _offline_sample_registry().get("sample_news_hans")
    spider = spider_for(entry)
    queue = LeasedPriorityQueue(frontier.server, spider, frontier.keys(entry.name).queue)
    for path, priority in (("/urgent.html", 5), ("/usual.html", 0), ("/late.html", -1)):
        queue.push(Request(f"http://127.0.0.1:9{path}", callback=spider.parse_detail, priority=priority))
    dead_token, dead = queue.lease("host:1:dead")
    live_token, live = queue.lease("host:2:live")
    assert (dead.url, live.url) == ("http://127.0.0.1:9/urgent.html", "http://127.0.0.1:9/usual.html")
    assert dead.callback == spider.parse_detail  # decoded against the spider, as scrapy-redis does
    assert (len(queue), queue.in_flight()) == (1, 2)
    frontier.server.set(worker_key_prefix(frontier.prefix) + "host:2:live", "{}", ex=30)
    assert requeue_orphans(frontier.server, queue.key, frontier.prefix) == 1  # only the dead worker's request
    assert (len(queue), queue.in_flight()) == (2, 1)
    token, again = queue.lease("host:3:new")
    assert again.url == dead.url and again.priority == 5  # back at its place in the queue
    queue.ack([live_token, token])
    assert queue.in_flight() == 0 and len(queue) == 1


def test_what_a_half_run_callback_marked_seen_stays_with_its_worker_until_queued(redis_url):
    """A worker killed half-way through a list page must not have told the others it queued links it had not:
    the worker that parses the page again would skip them, and no one would fetch them."""
    frontier = Frontier(redis_url)
    entry = _offline_sample_registry().get("sample_news_hans")
    keys = frontier.keys(entry.name)
    spider = spider_for(entry)
    queue = LeasedPriorityQueue(frontier.server, spider, keys.queue)
    dying, other = SharedSeenSet(frontier.server, keys.seen), SharedSeenSet(frontier.server, keys.seen)
    queued, skipped, unqueued = (f"http://127.0.0.1:9/news/{n}.html" for n in (1, 2, 3))
    for url in (queued, skipped, unqueued):
        dying.add(url)  # the callback decided all three; only the first request reached the scheduler
    assert queue.push_new(Request(queued, callback=spider.parse_detail), "a" * 40, keys.dupefilter, dying)
    assert all(url in dying for url in (queued, skipped, unqueued))  # the worker itself remembers them all
    assert (queued in other, skipped in other, unqueued in other) == (True, False, False)  # it was killed here
    assert not queue.push_new(Request(queued, callback=spider.parse_detail), "a" * 40, keys.dupefilter, other)
    assert len(queue) == 1  # the page parsed again: the queued link is not queued twice, the others will be
    dying.flush()  # what a worker does once it holds no leased request (no callback half-way)
    assert skipped in other and unqueued in other


def test_seed_starts_a_generation_and_leaves_a_running_one_alone(redis_url):
    frontier = Frontier(redis_url)
    entry = _offline_sample_registry().get("sample_gov_portal")
    keys = frontier.keys(entry.name)
    assert frontier.seed(entry).requests == 1
    assert frontier.status(entry.name).queued == 1 and frontier.status(entry.name).fingerprints == 1
    assert frontier.server.sismember(keys.seen, entry.start_urls[0])  # the workers' spiders will not queue it again
    again = frontier.seed(entry)
    assert again.requests == 0 and "1 queued" in again.skipped
    frontier.server.delete(keys.queue)  # the night's crawl is over ...
    frontier.server.sadd(keys.dupefilter, "f" * 40, "e" * 40)  # ... having fetched more pages
    assert frontier.seed(entry).requests == 1  # a new generation: fetched pages are forgotten
    assert frontier.status(entry.name).fingerprints == 1
    assert frontier.seed(entry, force=True).requests == 1
    assert frontier.status(entry.name).queued == 1


def test_seed_and_worker_commands_explain_what_is_wrong(redis_url, tmp_path):
    registry = tmp_path / "sites.yaml"
    registry.write_text(
        "sites:\n"
        "  - name: quiet_portal\n"
        "    kind: gov_portal\n"
        "    title: 安静的门户\n"
        "    start_urls: ['http://127.0.0.1:9/col/index.html']\n"
        "    detail_url_pattern: '/t\\d+\\.html$'\n"
        "    paging: trs\n"
        "    concurrency: 1\n"
        "    download_delay: 1\n",
        encoding="utf-8",
    )

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "crawler.cli", *args], capture_output=True, text=True, timeout=120)

    out = cli("seed", "--frontier", redis_url, "--registry", str(registry))
    assert out.returncode == 0 and "quiet_portal" in out.stdout and "1 start request(s) queued" in out.stdout
    out = cli("seed", "--frontier", "redis://127.0.0.1:1/0", "--registry", str(registry))
    assert out.returncode == 3 and "cannot reach the frontier" in out.stderr
    db = str(tmp_path / "policy.db")
    out = cli("crawl", "--frontier", redis_url, "--db", db, "--registry", str(registry), "--jobdir", str(tmp_path))
    assert out.returncode == 2 and "--jobdir and --frontier" in out.stderr
    out = cli("crawl", "--sample", "--frontier", redis_url, "--db", db)
    assert out.returncode == 2 and "seed --sample" in out.stderr
