"""Fixtures every tier shares: real PostgreSQL and Redis, each test with its own database.

In CI (``CI=true`` or ``TWINPLANE_TEST_REQUIRE_SERVICES=1``) a missing PostgreSQL or Redis
fails the test; elsewhere the test skips with the reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

POSTGRES_ADMIN_URL = os.environ.get("TWINPLANE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TWINPLANE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REQUIRE_SERVICES = os.environ.get("CI", "").lower() == "true" or os.environ.get("TWINPLANE_TEST_REQUIRE_SERVICES") == "1"


def _unavailable(what: str, err: Exception) -> None:
    msg = f"{what} is not reachable ({type(err).__name__}: {err})"
    if REQUIRE_SERVICES:
        pytest.fail(msg + " — required in CI", pytrace=False)
    pytest.skip(msg)


def _pg_admin_connect():
    import psycopg

    return psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)


def create_postgres_database() -> str:
    """Create a fresh database and return its psycopg URL (``postgresql://...``)."""
    name = "tp_test_" + uuid.uuid4().hex[:12]
    try:
        with _pg_admin_connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as err:  # noqa: BLE001
        _unavailable("PostgreSQL", err)
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with _pg_admin_connect() as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test (``postgresql://...``), dropped afterwards."""
    url = create_postgres_database()
    try:
        yield url
    finally:
        drop_postgres_database(url)


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The Redis server, with every key this test wrote (prefix ``tptest:<id>:``) removed afterwards.

    Yields the URL; the prefix is in ``os.environ['TWINPLANE_TEST_REDIS_PREFIX']``.
    """
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except Exception as err:  # noqa: BLE001
        _unavailable("Redis", err)
    prefix = f"tptest:{uuid.uuid4().hex[:8]}:"
    os.environ["TWINPLANE_TEST_REDIS_PREFIX"] = prefix
    try:
        yield REDIS_URL
    finally:
        for key in client.scan_iter(match=prefix + "*"):
            client.delete(key)
        client.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def dialect(request: pytest.FixtureRequest) -> str:
    """Parametrizes a test over both database engines."""
    return request.param


@pytest.fixture
def database_url(dialect: str, tmp_path) -> Iterator[str]:
    """A fresh database of ``dialect``: ``sqlite:///<tmp>/db.sqlite`` or ``postgresql://...``."""
    if dialect == "sqlite":
        yield f"sqlite:///{tmp_path}/db.sqlite"
    else:
        url = create_postgres_database()
        try:
            yield url
        finally:
            drop_postgres_database(url)
