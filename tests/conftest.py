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


# --- both planes as real processes -------------------------------------------------------

class RunningPlanes:
    """``twinplane up`` running as a subprocess: two planes, two ports, two SQLite databases."""

    def __init__(self, proc, state: dict, data_dir: str, log_path: str) -> None:
        self.proc = proc
        self.state = state
        self.data_dir = data_dir
        self.log_path = log_path

    @property
    def control_url(self) -> str:
        return self.state["control_url"]

    @property
    def data_url(self) -> str:
        return self.state["data_url"]

    @property
    def api_key(self) -> str:
        return self.state["api_key"]

    def stop(self) -> None:
        import signal

        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except Exception:  # noqa: BLE001
                self.proc.kill()
                self.proc.wait()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_planes(data_dir: str, *, demo: bool = False, timeout: float = 120.0,
                 control_port: int | None = None, data_port: int | None = None) -> RunningPlanes:
    """Start ``twinplane up`` on free ports and wait until both planes answer."""
    import json
    import subprocess
    import sys
    import time

    import httpx

    cport, dport = control_port or free_port(), data_port or free_port()
    log_path = os.path.join(data_dir, "up.log")
    os.makedirs(data_dir, exist_ok=True)
    log = open(log_path, "ab")  # noqa: SIM115 - closed with the process
    cmd = [sys.executable, "-m", "twinplane.cli.main", "up", "--data-dir", data_dir,
           "--control-port", str(cport), "--data-port", str(dport)]
    if demo:
        cmd.append("--demo")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWINPLANE_", "BRAINTRUST_"))}
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + timeout
    state_path = os.path.join(data_dir, "up.json")
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"twinplane up exited {proc.returncode}:\n" + open(log_path).read()[-4000:])
        if os.path.exists(state_path):
            state = json.loads(open(state_path).read())
            if state.get("control_url", "").endswith(f":{cport}") and (not demo or state.get("demo_loaded")):
                try:
                    ok = all(httpx.get(u + "/healthz", timeout=1).status_code == 200
                             for u in (state["control_url"], state["data_url"]))
                except httpx.HTTPError:
                    ok = False
                if ok:
                    return RunningPlanes(proc, state, data_dir, log_path)
        time.sleep(0.25)
    proc.kill()
    raise RuntimeError("twinplane up did not become ready:\n" + open(log_path).read()[-4000:])


@pytest.fixture(scope="session")
def planes(tmp_path_factory) -> Iterator[RunningPlanes]:
    """Both planes as real processes for the whole session (shared; tests use their own projects)."""
    running = start_planes(str(tmp_path_factory.mktemp("planes")))
    try:
        yield running
    finally:
        running.stop()
