"""``Store.stats``: the figures the metrics endpoint exports, on both engines."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator

import psycopg

from twinplane.server.data_plane.store.base import ObjectRef

from .conftest import w

LOGS = ObjectRef("project_logs", "proj-1")


@contextlib.asynccontextmanager
async def _indexer_held(store, database_url: str) -> AsyncIterator[None]:
    """Keep the full-text indexer from finishing a round: a write lock on what it writes. Taken off the
    event loop: a PostgreSQL round of this store holds the table until its commit, which needs the loop."""
    if database_url.startswith("sqlite"):
        side = sqlite3.connect(store.path + ".fts", isolation_level=None, check_same_thread=False)
        await asyncio.to_thread(side.execute, "BEGIN IMMEDIATE")
        try:
            yield
        finally:
            side.execute("ROLLBACK")
            side.close()
    else:
        with psycopg.connect(database_url) as conn:
            # the round's INSERT waits, its queue rows stay
            await asyncio.to_thread(conn.execute, "LOCK TABLE dp_fts IN EXCLUSIVE MODE")
            yield
            conn.rollback()


async def test_stats_report_the_search_lag_and_nothing_pending_once_answered(store, database_url) -> None:
    await store.write_rows([w(LOGS, "first", input="hello")])
    await store.wait_indexed()
    idle = await store.stats()
    assert idle.engine == ("sqlite" if database_url.startswith("sqlite") else "postgresql")
    assert (idle.pending_writes, idle.search_lag) == (0, 0)
    async with _indexer_held(store, database_url):
        await store.write_rows([w(LOGS, f"r{i}", input=f"word{i}") for i in range(7)])
        held = await store.stats()
        assert held.search_lag == 7
        assert held.pending_writes == 0  # answered: committed
    await store.wait_indexed()
    assert (await store.stats()).search_lag == 0
    if idle.engine == "postgresql":
        assert held.wal_bytes_waiting is None


async def test_sqlite_stats_count_wal_bytes_not_yet_copied(tmp_path) -> None:
    """Frames past a reader's snapshot cannot be copied into the database file: they wait, and are counted."""
    from twinplane.server.data_plane.store.sqlite import SqliteStore

    store = SqliteStore(str(tmp_path / "data.db"))
    await store.start()
    reader = sqlite3.connect(store.path, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM dp_rows").fetchone()  # holds its snapshot
        await store.write_rows([w(LOGS, f"r{i}", input="x" * 2000) for i in range(50)])
        waiting = (await store.stats()).wal_bytes_waiting
        assert waiting is not None and waiting >= 50 * 2000
    finally:
        reader.execute("ROLLBACK")
        reader.close()
        await store.close()


async def test_stats_count_write_calls_not_answered_yet(store, database_url) -> None:
    """Calls queued behind a held write lock are pending until their commit."""
    if database_url.startswith("sqlite"):
        blocker = sqlite3.connect(store.path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        release = lambda: (blocker.execute("ROLLBACK"), blocker.close())  # noqa: E731
    else:
        await store.write_rows([w(LOGS, "x", input="seed")])  # the row the blocker holds
        pg = psycopg.connect(database_url)
        await asyncio.to_thread(pg.execute, "LOCK TABLE dp_rows IN EXCLUSIVE MODE")
        release = lambda: (pg.rollback(), pg.close())  # noqa: E731
    writes = [asyncio.create_task(store.write_rows([w(LOGS, "x", input=f"v{i}")])) for i in range(3)]
    try:
        for _ in range(100):
            if (await store.stats()).pending_writes == 3:
                break
            await asyncio.sleep(0.02)
        assert (await store.stats()).pending_writes == 3
    finally:
        release()
    await asyncio.gather(*writes)
    assert (await store.stats()).pending_writes == 0
