"""The machine's own Redis and PostgreSQL for the distributed tests: a fresh PostgreSQL database and an empty
Redis database per use, both removed afterwards. A server that cannot be reached skips the test with its
address and the command that starts it (`bash .ci/run` starts both before the suite).
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator

import pytest

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
PG_START = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
REDIS_START = ('redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no '
               "--dir /var/lib/redis --logfile /var/log/redis/ci.log")
CLAIM_SECONDS = 1800  # a claimed Redis database is released by the test, or by Redis after this long


def _admin_connection():
    import psycopg

    url = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/postgres"
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable at {url} ({str(exc).strip()}); start it with `{PG_START}` "
                    "or run `bash .ci/run`")


@contextlib.contextmanager
def scratch_postgres() -> Iterator[str]:
    """The URL of a new database `policycrawl_test_<random>`, dropped (with its connections) at the end."""
    from crawler import dialect

    name = f"policycrawl_test_{secrets.token_hex(4)}"
    admin = _admin_connection()
    try:
        admin.execute(f"CREATE DATABASE {name}")
        url = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
        try:
            yield url
        finally:
            dialect.dispose_server_engine(url)
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        admin.close()


@contextlib.contextmanager
def scratch_redis() -> Iterator[str]:
    """The URL of an empty Redis database (1–15) claimed for this test alone, flushed at the end."""
    import redis

    base = f"redis://{REDIS_HOST}:{REDIS_PORT}"
    try:
        registry = redis.Redis.from_url(f"{base}/0", socket_connect_timeout=5)
        registry.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {base} ({exc}); start it with `{REDIS_START}` or run `bash .ci/run`")
    token = secrets.token_hex(4)
    for db in range(15, 0, -1):
        claim = f"policycrawl-test:claim:{db}"
        if not registry.set(claim, token, nx=True, ex=CLAIM_SECONDS):
            continue
        server = redis.Redis.from_url(f"{base}/{db}")
        if server.dbsize():  # someone else's data: leave it alone
            registry.delete(claim)
            continue
        try:
            yield f"{base}/{db}"
        finally:
            server.flushdb()
            registry.delete(claim)
        return
    pytest.skip(f"no empty Redis database among 1–15 at {base}; free one (FLUSHDB) for the distributed tests")

