"""SQLAlchemy engine creation for the two supported databases: SQLite and PostgreSQL.

URLs are normalized so ``postgresql://`` (what operators and libpq tools write) selects the
psycopg 3 driver, the only PostgreSQL driver installed. SQLite connections get the pragmas
a small server needs: WAL so readers never block the writer, foreign keys on, and a busy
timeout so concurrent request threads wait for the write lock instead of failing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

__all__ = ["create_db_engine", "normalize_database_url", "is_sqlite"]


def normalize_database_url(url: str) -> str:
    """``postgresql://`` / ``postgres://`` → ``postgresql+psycopg://``; others unchanged."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def is_sqlite(url: str) -> bool:
    return normalize_database_url(url).startswith("sqlite")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def create_db_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; creates the parent folder of a SQLite file."""
    url = normalize_database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 5}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        kwargs.setdefault("pool_pre_ping", True)
        kwargs.setdefault("pool_size", 10)
        return create_engine(url, **kwargs)
    raise ValueError(f"unsupported database URL scheme {parsed.drivername!r}: use sqlite:/// or postgresql://")
