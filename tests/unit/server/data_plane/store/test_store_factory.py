"""open_store picks the engine from the URL; start() migrates to head and is repeatable."""

from __future__ import annotations

import pytest

from twinplane.server.data_plane.store.factory import open_store
from twinplane.server.data_plane.store.postgres import PostgresStore
from twinplane.server.data_plane.store.sqlite import SqliteStore
from twinplane.server.settings import DataPlaneSettings


async def test_sqlite_url_creates_the_parent_folder_and_migrates_idempotently(tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/deep/er/data.db"
    store = open_store(DataPlaneSettings(database_url=url, sqlite_synchronous="FULL"))
    assert isinstance(store, SqliteStore)
    assert (tmp_path / "deep" / "er").is_dir()
    await store.start()
    await store.ping()
    # the writer's durability setting comes from the settings (FULL: survives power loss)
    assert await store._writer.run("durability") == 2
    await store.close()
    store = open_store(DataPlaneSettings(database_url=url))
    await store.start()  # again: the schema is at head already
    assert await store._writer.run("durability") == 1  # NORMAL
    await store.close()


async def test_postgres_url_selects_postgres(postgres_url) -> None:
    store = open_store(DataPlaneSettings(database_url=postgres_url))
    assert isinstance(store, PostgresStore)
    await store.start()
    await store.ping()
    await store.close()
    again = open_store(DataPlaneSettings(database_url=postgres_url.replace("postgresql://", "postgresql+psycopg://")))
    await again.start()
    await again.close()


def test_other_urls_are_refused() -> None:
    with pytest.raises(ValueError):
        open_store(DataPlaneSettings(database_url="mysql://x/y"))
    with pytest.raises(ValueError):
        open_store(DataPlaneSettings(database_url="sqlite:///:memory:"))
