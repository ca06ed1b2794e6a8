"""The control plane's one Alembic history, for SQLite and PostgreSQL alike.

Run programmatically (no alembic.ini): ``upgrade_to_head(url)``. The version table has a
plane-specific name so the two planes could share one PostgreSQL database without clashing.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from twinplane.server.common.db import create_db_engine

__all__ = ["upgrade_to_head", "alembic_config", "VERSION_TABLE"]

VERSION_TABLE = "twinplane_control_alembic_version"
_HERE = Path(__file__).resolve().parent


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_HERE))
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade_to_head(database_url: str) -> None:
    """Bring the database at ``database_url`` to the newest schema (creating it if empty)."""
    cfg = alembic_config(database_url)
    engine = create_db_engine(database_url)
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    finally:
        engine.dispose()
