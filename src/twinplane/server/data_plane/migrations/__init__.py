"""The data plane's one Alembic migration tree; runs on SQLite and PostgreSQL.

``upgrade_to_head(url)`` is what a store calls at start. Dialect-only DDL (the FTS5 table,
the tsvector column) sits inside the same revisions, guarded by the dialect's name.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text
from sqlalchemy.pool import NullPool

from twinplane.server.data_plane.store.sqlite_connection import PAGE_SIZE

logger = logging.getLogger(__name__)

VERSION_TABLE = "dp_alembic_version"
# Held while migrating so data-plane processes starting together do not race.
_PG_MIGRATION_LOCK = 7_346_112_009


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent))
    return cfg


def sqlalchemy_url(url: str) -> str:
    """``postgresql://`` (what operators write) selects psycopg 3, the one installed driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def upgrade_to_head(url: str) -> None:
    engine = create_engine(sqlalchemy_url(url), poolclass=NullPool)
    if engine.dialect.name == "sqlite":
        # Takes effect only while the file has no table yet: a new database gets it, an old one
        # keeps the page size it was created with.
        event.listen(engine, "connect", lambda dbapi_conn, _record: dbapi_conn.execute(f"PRAGMA page_size={PAGE_SIZE}"))
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
                conn.commit()
            try:
                cfg = alembic_config()
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                conn.commit()
            finally:
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_MIGRATION_LOCK})
                    conn.commit()
    finally:
        engine.dispose()
    logger.info("data-plane schema is at head")
