"""Fixtures every tier shares: real PostgreSQL and Redis, each test with its own database.

In CI (``CI=true`` or ``TWINPLANE_TEST_REQUIRE_SERVICES=1``) a missing PostgreSQL or Redis
fails the test; elsewhere the test skips with the reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from support.planes import SMALL_PAYLOAD_MAX_BYTES, RunningPlanes, SplitPlanes, start_planes

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


@pytest.fixture(scope="session")
def planes(tmp_path_factory) -> Iterator[RunningPlanes]:
    """Both planes as real processes for the whole session (shared; tests use their own projects)."""
    running = start_planes(str(tmp_path_factory.mktemp("planes")))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def small_payload_planes(tmp_path_factory) -> Iterator[SplitPlanes]:
    """Both planes, the data plane advertising ``logs3_payload_max_bytes`` = ``SMALL_PAYLOAD_MAX_BYTES`` so
    that a row of a few dozen KB goes through the overflow upload."""
    planes = SplitPlanes(tmp_path_factory.mktemp("small-payload-planes"),
                         extra_data_env={"TWINPLANE_DATA_LOGS3_PAYLOAD_MAX_BYTES": str(SMALL_PAYLOAD_MAX_BYTES)})
    planes.start_control()
    try:
        planes.start_data()
        yield planes
    finally:
        planes.stop()


@pytest.fixture(scope="session")
def braintrust_scenario():
    """Run one flow of the official braintrust SDK (tests/compat/scenarios.py) in a subprocess.

    ``mode`` is "normal" (login at the control plane) or "data-plane-only" (the SDK only
    knows the data plane's URL). Returns the scenario's RESULT json plus ``_output``.
    """
    import json
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).parent / "compat" / "scenarios.py"

    def run(planes, mode: str, scenario: str, project: str, canary: str = "canary-0000") -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BRAINTRUST_", "TWINPLANE_"))}
        env.update(
            BRAINTRUST_API_KEY=planes.api_key,
            BRAINTRUST_APP_URL=planes.control_url if mode == "normal" else planes.data_url,
            TP_DATA_URL=planes.data_url,
            TP_CANARY=canary,
            HOME=str(Path(planes.data_dir) / "home"),  # the SDK's prompt cache lives under ~
        )
        proc = subprocess.run([sys.executable, str(script), scenario, project], env=env,
                              capture_output=True, text=True, timeout=180)
        out = proc.stdout + proc.stderr
        assert proc.returncode == 0, out[-4000:]
        lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT: ")]
        assert lines, out[-4000:]
        result = json.loads(lines[-1][len("RESULT: "):])
        result["_output"] = out
        return result

    return run
