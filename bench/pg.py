"""A throw-away PostgreSQL database per benchmark run (``tp_bench_<random>``), on the local server."""

from __future__ import annotations

import os
import uuid

PG_ADMIN = os.environ.get("TWINPLANE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def create_database() -> str:
    """Create a fresh database and return its URL."""
    import psycopg

    name = "tp_bench_" + uuid.uuid4().hex[:10]
    with psycopg.connect(PG_ADMIN, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def drop_database(url: str) -> None:
    """Drop a database ``create_database`` made, ending its sessions first."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN, autocommit=True) as c:
        c.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        c.execute(f'DROP DATABASE IF EXISTS "{name}"')
