"""``open_store(settings)``: the engine named by ``DataPlaneSettings.database_url``."""

from __future__ import annotations

from pathlib import Path

from twinplane.server.data_plane.store.base import Store
from twinplane.server.settings import DataPlaneSettings


def sqlite_path(url: str) -> str:
    """``sqlite:///relative/path`` or ``sqlite:////absolute/path`` → the file path."""
    path = url[len("sqlite:///"):]
    if not path or path == ":memory:":
        raise ValueError("the data plane needs a SQLite file, not an in-memory database")
    return path


def open_store(settings: DataPlaneSettings) -> Store:
    """A store for ``settings.database_url`` (not started: call ``await store.start()``)."""
    url = settings.database_url
    if url.startswith("sqlite:///"):
        from twinplane.server.data_plane.store.sqlite import SqliteStore

        path = sqlite_path(url)
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        return SqliteStore(str(Path(path).expanduser()), synchronous=settings.sqlite_synchronous)
    if url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        from twinplane.server.data_plane.store.postgres import PostgresStore

        return PostgresStore(url.replace("postgresql+psycopg://", "postgresql://", 1))
    raise ValueError("database_url must start with sqlite:/// or postgresql://")
