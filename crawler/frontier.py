"""The shared frontier of distributed crawls: scrapy-redis, per site, with reliable delivery.

`policycrawl seed --frontier redis://…` puts each site's start requests into Redis; any number of
`policycrawl crawl --frontier redis://… --db postgresql://…` workers, on any number of machines, then take their
requests from there (scrapy-redis's scheduler and dupefilter) and push the links they find back.

Keys, per site (our spider classes are per kind and several sites share a kind, so scrapy-redis's default
`%(spider)s` keys would mix sites):

    policycrawl:<site>:requests          sorted set  the queue (scrapy-redis PriorityQueue: pickled requests)
    policycrawl:<site>:dupefilter        set         request fingerprints (SHA1, 40 bytes) seen in this generation
    policycrawl:<site>:seen              set         canonical URLs the spiders have queued or skipped (their caps
                                                      and list-page chains, shared by the workers)
    policycrawl:<site>:requests:inflight hash        token → pickled request, popped but not finished yet
    policycrawl:<site>:requests:owners   hash        token → "worker|score"
    policycrawl:worker:<host:pid:nonce>  string      a worker's lease, kept alive by its heartbeat (TTL)
    policycrawl:sample-registry          string      the sample sites `seed --sample` is serving (JSON)

Nothing grows in a worker's memory with the number of pages: fingerprints and URLs live in Redis sets (exact,
about 210 bytes a URL there for both), and `seed` starts a new generation by deleting them.

Reliable delivery. scrapy-redis pops a request and forgets it: a worker killed in the middle loses what it held.
Here a pop is one Lua script that moves the request into the in-flight hash under the worker's id. The worker
removes it (acknowledges) once Scrapy is completely done with it — downloaded, the callback run, every item it
yielded through the pipelines (stored: the storage pipeline finishes an item only once its batch is written), every request it yielded pushed back to Redis; a retry or a redirect is
done once its replacement is queued. Workers re-queue the in-flight requests of workers whose lease expired
(at start and whenever they are idle), so a killed worker's requests are fetched again by the others or by its
restart: at-least-once delivery, and the store upserts by canonical URL, so nothing is lost and nothing doubled.

Two things a frontier worker does differently from a one-process crawl: its spiders' own start requests are left
to `seed` (a generation begins there, not when a worker happens to start), and it leases a request only when its
download slot can send it at once, so that requests wait in Redis for any idle worker rather than behind one
worker's download delay.

Scrapy internals used: the engine's `_slot.inprogress` set (a request is done when it leaves it; checked when a
worker opens, so a Scrapy upgrade that moves it fails at once) and `_SLOT_HEARTBEAT_INTERVAL` (how often an idle
engine asks its scheduler again; without it a waiting worker only notices new requests every 5 s).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import redis
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from crawler.db import DatabaseError
from crawler.registry import Registry, SiteEntry
from crawler.urls import canonical_url

logger = logging.getLogger(__name__)

DEFAULT_PREFIX = "policycrawl"
SAMPLE_REGISTRY = "sample-registry"


class FrontierError(DatabaseError):
    """The frontier (Redis) cannot be reached: exit code 3, like a database that cannot be opened."""


# --- Redis --------------------------------------------------------------------------------------------------
def connect(url: str) -> Any:
    """A Redis client for `url`, checked with a PING so a wrong URL fails before any crawling."""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise FrontierError(f"{url!r} is not a Redis URL; use --frontier redis://HOST:6379/0")
    try:
        server = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10)
        server.ping()
    except (redis.RedisError, ValueError) as exc:
        raise FrontierError(f"cannot reach the frontier at {url}: {exc}; start Redis or fix --frontier") from exc
    return server


@dataclass(frozen=True)
class SiteKeys:
    prefix: str
    site: str

    @property
    def queue(self) -> str:
        return f"{self.prefix}:{self.site}:requests"

    @property
    def dupefilter(self) -> str:
        return f"{self.prefix}:{self.site}:dupefilter"

    @property
    def seen(self) -> str:
        return f"{self.prefix}:{self.site}:seen"

    @property
    def in_flight(self) -> str:
        return in_flight_keys(self.queue)[0]


def in_flight_keys(queue_key: str) -> tuple[str, str, str]:
    """(in-flight hash, owners hash, token counter) that belong to a queue key."""
    return f"{queue_key}:inflight", f"{queue_key}:owners", f"{queue_key}:tokens"


def worker_key_prefix(prefix: str) -> str:
    return f"{prefix}:worker:"


_worker_id: tuple[int, str] | None = None


def worker_id() -> str:
    """host:pid:nonce of this process (a restarted worker is a new worker; its old lease just expires)."""
    global _worker_id
    if _worker_id is None or _worker_id[0] != os.getpid():
        _worker_id = (os.getpid(), f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}")
    return _worker_id[1]


# A pop that leaves a lease: the request moves from the queue into the in-flight hash in one step.
# KEYS: queue, in-flight, owners, token counter; ARGV: worker id.
LEASE_SCRIPT = """
local popped = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #popped == 0 then return false end
redis.call('ZREM', KEYS[1], popped[1])
local token = tostring(redis.call('INCR', KEYS[4]))
redis.call('HSET', KEYS[2], token, popped[1])
redis.call('HSET', KEYS[3], token, ARGV[1] .. '|' .. popped[2])
return {token, popped[1]}
"""

# In-flight requests of workers without a live lease go back to the queue with their priority.
# KEYS: queue, in-flight, owners; ARGV: worker key prefix.
REQUEUE_SCRIPT = """
local owners = redis.call('HGETALL', KEYS[3])
local moved = 0
for i = 1, #owners, 2 do
  local token, value = owners[i], owners[i + 1]
  local sep = string.find(value, '|', 1, true)
  local worker, score = string.sub(value, 1, sep - 1), string.sub(value, sep + 1)
  if redis.call('EXISTS', ARGV[1] .. worker) == 0 then
    local member = redis.call('HGET', KEYS[2], token)
    if member then redis.call('ZADD', KEYS[1], score, member) end
    redis.call('HDEL', KEYS[2], token)
    redis.call('HDEL', KEYS[3], token)
    moved = moved + 1
  end
end
return moved
"""


# A request enters the frontier in one step: its fingerprint into the dupefilter and the request into the queue,
# or neither (a worker killed in between would leave a fingerprint with no request: a page never fetched).
# KEYS: dupefilter, queue, seen; ARGV: fingerprint ('' = dont_filter), score, request, canonical URL ('' = none).
ENQUEUE_SCRIPT = """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
if ARGV[4] ~= '' then redis.call('SADD', KEYS[3], ARGV[4]) end
return 1
"""


def requeue_orphans(server: Any, queue_key: str, prefix: str) -> int:
    """Re-queue the in-flight requests of dead workers (expired lease); return how many."""
    inflight, owners, _tokens = in_flight_keys(queue_key)
    return int(server.eval(REQUEUE_SCRIPT, 3, queue_key, inflight, owners, worker_key_prefix(prefix)))


# --- the frontier seen from outside Scrapy: seeding, status, the sample registry ---------------------------
@dataclass
class SiteStatus:
    site: str
    queued: int
    in_flight: int
    fingerprints: int

    @property
    def pending(self) -> int:
        return self.queued + self.in_flight


@dataclass
class SeedResult:
    site: str
    requests: int = 0
    skipped: str | None = None  # why the site was not (re)seeded


class Frontier:
    """Seeding and watching a frontier (the workers' side is FrontierScheduler)."""

    def __init__(self, url: str, prefix: str = DEFAULT_PREFIX) -> None:
        self.url = url
        self.prefix = prefix
        self.server = connect(url)

    def keys(self, site: str) -> SiteKeys:
        return SiteKeys(self.prefix, site)

    def status(self, site: str) -> SiteStatus:
        k = self.keys(site)
        pipe = self.server.pipeline(transaction=False)
        pipe.zcard(k.queue).hlen(k.in_flight).scard(k.dupefilter)
        queued, in_flight, fingerprints = pipe.execute()
        return SiteStatus(site, int(queued), int(in_flight), int(fingerprints))

    def workers(self) -> list[str]:
        """Ids of the workers whose lease is alive."""
        prefix = worker_key_prefix(self.prefix)
        return sorted(k.decode()[len(prefix):] for k in self.server.scan_iter(match=prefix + "*"))

    def requeue_orphans(self, site: str) -> int:
        return requeue_orphans(self.server, self.keys(site).queue, self.prefix)

    def seed(self, entry: SiteEntry, force: bool = False) -> SeedResult:
        """Start a new generation of `entry`: forget what the last one fetched, queue the start requests.

        A site whose last generation is still being crawled (requests queued or in flight) is left alone unless
        `force`, which drops them: clearing the fingerprints under running workers would fetch pages twice.
        """
        k = self.keys(entry.name)
        status = self.status(entry.name)
        if status.pending and not force:
            return SeedResult(entry.name, skipped=f"{status.queued} queued and {status.in_flight} in flight from "
                                                  "the running generation (wait for the workers, or --force)")
        inflight, owners, _tokens = in_flight_keys(k.queue)
        self.server.delete(k.queue, inflight, owners, k.dupefilter, k.seen)
        spider = spider_for(entry)
        spider._seen = SharedSeenSet(self.server, k.seen)  # noqa: SLF001 - as the workers' spiders see it
        queue = LeasedPriorityQueue(self.server, spider, k.queue)
        dupefilter = RFPDupeFilter(self.server, key=k.dupefilter)
        result = SeedResult(entry.name)
        for chain, url in enumerate(entry.start_urls):
            request = spider.list_request(url, chain=chain)
            if request is not None and not dupefilter.request_seen(request):
                queue.push(request)
                result.requests += 1
        spider._seen.flush()  # noqa: SLF001
        return result

    def publish_sample_registry(self, registry: Registry) -> None:
        """Tell `crawl --sample --frontier` workers where `seed --sample` serves the sample sites."""
        self.server.set(f"{self.prefix}:{SAMPLE_REGISTRY}", registry.model_dump_json())

    def withdraw_sample_registry(self) -> None:
        self.server.delete(f"{self.prefix}:{SAMPLE_REGISTRY}")

    def sample_registry(self) -> Registry | None:
        raw = self.server.get(f"{self.prefix}:{SAMPLE_REGISTRY}")
        return Registry.model_validate_json(raw) if raw else None

    def wait_drained(self, sites: Iterable[str], idle_seconds: float, poll: float = 0.5,
                     report: Any = None) -> None:
        """Block until no request of `sites` has been queued or in flight for `idle_seconds`."""
        sites = list(sites)
        quiet_since: float | None = None
        last = None
        while True:
            for site in sites:
                self.requeue_orphans(site)
            pending = sum(self.status(site).pending for site in sites)
            if report is not None and pending != last:
                report(pending)
                last = pending
            now = time.monotonic()
            if pending:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = now
            elif now - quiet_since >= idle_seconds:
                return
            time.sleep(poll)


def spider_for(entry: SiteEntry) -> Any:
    """A spider of the entry's kind, to build requests exactly as the workers' spiders do."""
    from crawler.crawl import _spider_classes

    return _spider_classes()[entry.kind](entry=entry)


class SharedSeenSet:
    """The spider's set of canonical URLs, shared by every worker of the generation (a Redis set).

    RegistrySpider remembers what it queued or skipped so list-page chains and caps do not count repeats; with
    several workers that memory must be common, or a worker would queue a list page another already fetched
    (the dupefilter drops it, and the chain of list pages behind it would never be walked).

    What a callback adds stays in this worker until it is safe to share: a request's URL reaches Redis with the
    request itself (FrontierScheduler.enqueue_request), the rest (links skipped) once the worker holds no leased
    request, i.e. no callback is half-way. A worker killed in the middle of a list page has then told the others
    nothing that page decided, and the worker that fetches the page again decides it all again: otherwise the
    links it had marked seen but not yet queued would never be fetched by anyone.
    """

    def __init__(self, server: Any, key: str) -> None:
        self.server = server
        self.key = key
        self.pending: set[str] = set()

    def __contains__(self, url: object) -> bool:
        return url in self.pending or bool(self.server.sismember(self.key, str(url)))

    def add(self, url: str) -> None:
        self.pending.add(url)

    def claim(self, url: str) -> str:
        """`url` if it is pending here (it is being queued: the caller writes it with its request), else ''."""
        if url in self.pending:
            self.pending.discard(url)
            return url
        return ""

    def flush(self) -> None:
        """Share what is pending (call when no callback of this worker is half-way)."""
        if self.pending:
            self.server.sadd(self.key, *self.pending)
            self.pending.clear()

    def __len__(self) -> int:
        return int(self.server.scard(self.key)) + len(self.pending)


# --- the workers' side: scrapy-redis queue and scheduler with leases ------------------------------------------
class LeasedPriorityQueue(PriorityQueue):
    """scrapy-redis's priority queue (same keys and encoding) whose pops leave a lease in the in-flight hash."""

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self.inflight_key, self.owners_key, self.tokens_key = in_flight_keys(self.key)

    def lease(self, worker: str) -> tuple[str, Any] | None:
        """Pop the most urgent request into the in-flight hash under `worker`: (token, request)."""
        leased = self.server.eval(LEASE_SCRIPT, 4, self.key, self.inflight_key, self.owners_key, self.tokens_key, worker)
        if not leased:
            return None
        token, data = leased
        return token.decode() if isinstance(token, bytes) else str(token), self._decode_request(data)

    def push_new(self, request: Any, fingerprint: str, dupefilter_key: str, seen: SharedSeenSet | None = None) -> bool:
        """Queue `request` unless `fingerprint` is in the dupefilter ('' for a request not to be filtered), in one
        step with its fingerprint and, when it is pending in `seen`, its canonical URL. False: a duplicate."""
        url = seen.claim(canonical_url(request.url)) if seen is not None else ""
        seen_key = seen.key if seen is not None else f"{self.key}:seen-unused"
        return bool(self.server.eval(ENQUEUE_SCRIPT, 3, dupefilter_key, self.key, seen_key, fingerprint,
                                     -request.priority, self._encode_request(request), url))

    def pop(self, timeout: int = 0) -> Any:
        raise NotImplementedError("LeasedPriorityQueue hands out requests with lease(); FrontierScheduler does")

    def ack(self, tokens: list[str]) -> None:
        if tokens:
            pipe = self.server.pipeline(transaction=True)
            pipe.hdel(self.inflight_key, *tokens).hdel(self.owners_key, *tokens)
            pipe.execute()

    def in_flight(self) -> int:
        return int(self.server.hlen(self.inflight_key))


class WorkerLease:
    """This process's lease in Redis, renewed by a thread every third of its TTL.

    A thread, not a reactor call: pipelines run in the reactor and a long PDF or a cold jieba can hold it for
    seconds; the lease must say "this process is alive", not "this process is idle". A frozen or killed process
    stops renewing it, and its in-flight requests go back to the queue when it expires. One lease per process,
    shared by the schedulers of all its sites; deleted when the last of them closes.
    """

    _open: dict[str, WorkerLease] = {}

    def __init__(self, server: Any, key: str, ttl: int) -> None:
        self.server, self.key, self.ttl = server, key, ttl
        self.users = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew, name="frontier-lease", daemon=True)

    @classmethod
    def acquire(cls, server: Any, key: str, ttl: int) -> WorkerLease:
        lease = cls._open.get(key)
        if lease is None:
            lease = cls._open[key] = WorkerLease(server, key, ttl)
            lease._set()
            lease._thread.start()
        lease.users += 1
        return lease

    def release(self) -> None:
        self.users -= 1
        if self.users > 0:
            return
        self._stop.set()
        self._thread.join(timeout=5)
        self._open.pop(self.key, None)
        self.server.delete(self.key)  # this process is done: what it left in flight is free at once

    def _set(self) -> None:
        self.server.set(self.key, json.dumps({"pid": os.getpid(), "at": time.time()}), ex=self.ttl)

    def _renew(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            try:
                self._set()
            except redis.RedisError as exc:  # Redis away for a moment: the next beat tries again
                logger.warning("frontier lease %s not renewed: %s", self.key, exc)


class FrontierScheduler(Scheduler):
    """scrapy-redis's scheduler with leased pops, acknowledgements, a heartbeat and an idle rule.

    Settings: FRONTIER_SITE, FRONTIER_KEY_PREFIX, FRONTIER_LEASE_SECONDS, FRONTIER_IDLE_SECONDS,
    FRONTIER_POLL_SECONDS (crawler/settings.py), plus scrapy-redis's REDIS_URL and SCHEDULER_* keys.
    """

    # Read by the storage pipeline: a request is acknowledged when Scrapy is done with it, so its items must be
    # stored by then, not held in a batch (pipelines/store.py).
    acknowledges_requests = True

    @classmethod
    def from_crawler(cls, crawler: Any) -> FrontierScheduler:
        scheduler = super().from_crawler(crawler)
        settings = crawler.settings
        scheduler.crawler = crawler
        scheduler.prefix = settings.get("FRONTIER_KEY_PREFIX", DEFAULT_PREFIX)
        scheduler.lease_seconds = max(2, settings.getint("FRONTIER_LEASE_SECONDS", 15))
        scheduler.idle_seconds = settings.getfloat("FRONTIER_IDLE_SECONDS", 60)
        scheduler.worker = worker_id()
        # The site's keys: set per site by `policycrawl crawl`; for a bare `scrapy crawl KIND -a site=NAME`
        # (scrapyd jobs, FrontierAddon) taken from the spider's site, never scrapy-redis's per-kind default.
        spider = getattr(crawler, "spider", None)
        site = settings.get("FRONTIER_SITE") or getattr(spider, "site_name", None) or getattr(spider, "name", "")
        keys = SiteKeys(scheduler.prefix, site)
        scheduler.site = site
        scheduler.queue_key, scheduler.dupefilter_key = keys.queue, keys.dupefilter
        scheduler.leased = {}
        scheduler.max_downloading = settings.getint("FRONTIER_MAX_DOWNLOADING")
        scheduler.idle_since = None
        scheduler.lease = None
        scheduler.seen = None
        # The engine looks at its scheduler every 5 s when idle; a worker waiting for the shared queue should
        # notice new requests sooner. (A private attribute: checked in open().)
        crawler.engine._SLOT_HEARTBEAT_INTERVAL = settings.getfloat("FRONTIER_POLL_SECONDS", 0.5)  # noqa: SLF001
        return scheduler

    @property
    def worker_key(self) -> str:
        return worker_key_prefix(self.prefix) + self.worker

    def open(self, spider: Any) -> None:
        """scrapy-redis's open (without its deprecated Spider.log call), then lease, heartbeat and idle rule."""
        from scrapy import signals
        from scrapy.utils.misc import load_object

        self.spider = spider
        queue_cls = load_object(self.queue_cls)
        if not issubclass(queue_cls, LeasedPriorityQueue):
            raise ValueError("FrontierScheduler needs SCHEDULER_QUEUE_CLASS = crawler.frontier.LeasedPriorityQueue")
        self.queue = queue_cls(self.server, spider, self.queue_key % {"spider": spider.name}, self.serializer)
        if not self.df:  # scrapy-redis's RFPDupeFilter (or a subclass) on this site's key
            self.df = load_object(self.dupefilter_cls)(self.server, key=self.dupefilter_key,
                                                       debug=self.crawler.settings.getbool("DUPEFILTER_DEBUG"))
        if self.flush_on_start:
            self.flush()
        self._in_progress()  # fail now, not after the first page, if Scrapy's engine changed
        if isinstance(getattr(spider, "_seen", None), set):
            spider._seen = SharedSeenSet(self.server, SiteKeys(self.prefix, self.site).seen)  # noqa: SLF001
        self.seen = getattr(spider, "_seen", None)
        if not isinstance(self.seen, SharedSeenSet):
            self.seen = None
        self.lease = WorkerLease.acquire(self.server, self.worker_key, self.lease_seconds)
        requeued = requeue_orphans(self.server, self.queue.key, self.prefix)
        if requeued:
            logger.warning("%s: re-queued %d request(s) left in flight by workers that died", self.site, requeued)
            self._stat("frontier/requeued", requeued)
        self.crawler.signals.connect(self._on_idle, signal=signals.spider_idle)
        logger.info("frontier worker %s on %s (%d queued)", self.worker, self.queue.key, len(self.queue))

    def _stat(self, key: str, n: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(key, n)

    def _in_progress(self) -> set:
        """The requests Scrapy's engine is downloading or scraping (including their items and follow-ups)."""
        slot = getattr(self.crawler.engine, "_slot", None)
        in_progress = getattr(slot, "inprogress", None)
        if not isinstance(in_progress, set):
            raise RuntimeError("this Scrapy version's engine keeps no `_slot.inprogress` set; "
                               "crawler/frontier.py must be adapted before distributed crawling can use it")
        return in_progress

    def _ack_finished(self) -> None:
        """Acknowledge the leased requests the engine is done with (their outcome is stored or queued); with
        none left, no callback is half-way and what the spider marked seen is shared (SharedSeenSet)."""
        if self.leased:
            in_progress = self._in_progress()
            done = [request for request in self.leased if request not in in_progress]
            if done:
                self.queue.ack([self.leased.pop(request) for request in done])
                self._stat("frontier/acknowledged", len(done))
        if not self.leased and self.seen is not None:
            self.seen.flush()

    def enqueue_request(self, request: Any) -> bool:
        """scrapy-redis's, counting in Scrapy's stats without the deprecated `spider` argument, and with the
        dupefilter check and the push in one Redis step (ENQUEUE_SCRIPT).

        The spider's own start requests are left out: in a frontier, `policycrawl seed` starts each generation
        (as scrapy-redis's spiders read their start URLs from Redis), so a worker that starts before tonight's
        seed waits for it instead of beginning a generation of its own."""
        if request.meta.get("is_start_request"):
            self._stat("frontier/start_requests_left_to_seed")
            return False
        fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
        if not self.queue.push_new(request, fingerprint, self.df.key, self.seen):
            self.df.log(request, self.spider)
            return False
        self._stat("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Any:
        self._ack_finished()
        if not self._may_lease():
            return None  # asked again as soon as a download ends
        leased = self.queue.lease(self.worker)
        if leased is None:
            return None
        token, request = leased
        self.leased[request] = token
        self._stat("scheduler/dequeued/redis")
        return request

    def _may_lease(self) -> bool:
        """Take a request only when this worker can start downloading it now.

        Scrapy pulls requests until its downloader holds CONCURRENT_REQUESTS, whatever the site's delay; a worker
        would lease a site's whole queue and let it wait behind its own download delay while the other workers
        sit idle. So it holds what its download slot can send: the site's concurrency, or one at a time when the
        slot has a delay (DOWNLOAD_DELAY, AutoThrottle). FRONTIER_MAX_DOWNLOADING > 0 sets the number instead.
        """
        downloader = self.crawler.engine.downloader
        cap = self.max_downloading
        if cap <= 0:
            slots = list(downloader.slots.values())
            # before the first download there is no slot to ask: one request, which creates it
            cap = 1 if not slots or any(slot.delay for slot in slots) else max(slot.concurrency for slot in slots)
        return len(downloader.active) < cap

    def _on_idle(self, spider: Any = None) -> None:
        """Stay open while the site has queued or in-flight requests anywhere; close after FRONTIER_IDLE_SECONDS
        of an empty frontier. In-flight requests of dead workers are taken back here."""
        from scrapy.exceptions import DontCloseSpider

        self._ack_finished()
        requeued = requeue_orphans(self.server, self.queue.key, self.prefix)
        if requeued:
            logger.warning("%s: re-queued %d request(s) of workers that died", self.site, requeued)
            self._stat("frontier/requeued", requeued)
        if len(self.queue) or self.queue.in_flight():
            self.idle_since = None
            raise DontCloseSpider
        now = time.monotonic()
        if self.idle_since is None:
            self.idle_since = now
        if now - self.idle_since < self.idle_seconds:
            raise DontCloseSpider

    def close(self, reason: str) -> None:
        if reason == "finished":
            self._ack_finished()
        elif self.leased:  # cut short: what it held goes back to the queue for the others (lease below)
            logger.warning("%s: %d request(s) left in flight for other workers", self.site, len(self.leased))
        if self.lease is not None:
            self.lease.release()
        super().close(reason)


# --- what the crawl command sets per site ------------------------------------------------------------------
def worker_settings(url: str, site: str | None, idle_seconds: float | None = None) -> dict[str, Any]:
    """Per-site Scrapy settings of a frontier worker (crawler/crawl.py applies them with the site's others)."""
    from crawler.settings import FRONTIER_KEY_PREFIX

    settings: dict[str, Any] = {
        "SCHEDULER": "crawler.frontier.FrontierScheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.frontier.LeasedPriorityQueue",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,  # one worker finishing must not wipe the queue the others share
        "REDIS_URL": url,
    }
    if site:
        keys = SiteKeys(FRONTIER_KEY_PREFIX, site)
        settings.update({"SCHEDULER_QUEUE_KEY": keys.queue, "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
                         "FRONTIER_SITE": site})
    if idle_seconds is not None:
        settings["FRONTIER_IDLE_SECONDS"] = idle_seconds
    return settings


def check_worker_options(url: str, jobdir: str | None) -> None:
    """Refuse what a worker cannot do, before anything is written; reach the frontier once."""
    from crawler.crawl import UsageError

    if jobdir:
        raise UsageError("--jobdir and --frontier exclude each other: the frontier keeps the crawl's state in Redis")
    connect(url)


def served_sample_registry(url: str) -> Registry:
    """The sample sites that `policycrawl seed --sample --frontier URL` is serving, for `crawl --sample`."""
    from crawler.crawl import UsageError

    registry = Frontier(url).sample_registry()
    if registry is None:
        raise UsageError(f"no sample sites are served for {url}; start `policycrawl seed --sample --frontier {url}` "
                         "first (it serves them until the crawl is done)")
    return registry


def as_share_of_site(counts: dict[str, Any]) -> None:
    """A worker's counts are its share of a site: "no articles" may only mean the other workers took them all,
    and a few failed pages in a small share say little. So a worker fails no site (its exit code says it ran to
    the end); its summary keeps errors and broken-reader notes, and `policycrawl runs` shows every worker's run.
    Returns None, the worker's verdict, after dropping the "no articles" notes from `counts`."""
    if counts.get("broken"):
        counts["broken"] = [reason for reason in counts["broken"] if not reason.startswith("no articles")]
    return None
