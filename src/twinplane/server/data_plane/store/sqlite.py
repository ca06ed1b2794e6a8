"""The embedded engine: SQLite in WAL mode, one writer process, parallel readers, FTS5.

Writes go to ``SqliteWriter`` (group commit on one thread, full-text indexing beside it)
in a process of its own (``WriterProcess``); WAL checkpoints run on a thread here
(``SqliteCheckpointer``). Reads use a small pool of read-only connections driven through
``asyncio.to_thread``, so they never wait for the writer (WAL readers see the last
committed state).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from twinplane.server.common.errors import BadRequest, TwinplaneError, Unavailable
from twinplane.server.data_plane.migrations import upgrade_to_head
from twinplane.server.data_plane.store.base import (
    PURGE_BATCH,
    ObjectMeta,
    ObjectRef,
    RowWrite,
    StoreStats,
    WriteResult,
)
from twinplane.server.data_plane.store.row_reads import RowReads
from twinplane.server.data_plane.store.sqlite_checkpointer import SqliteCheckpointer
from twinplane.server.data_plane.store.sqlite_connection import WAL_RESTART_BYTES, open_connection, wal_frames
from twinplane.server.data_plane.store.sqlite_dialect import SqliteDialect, regexp
from twinplane.server.data_plane.store.sqlite_indexer import fts_path
from twinplane.server.data_plane.store.sqlite_writer_process import WriterProcess

logger = logging.getLogger(__name__)
T = TypeVar("T")

READERS = 4
READ_TIMEOUT = 30.0  # seconds a read may run before it is interrupted


# changes past the full-text watermark, and the page size (a WAL frame is 24 bytes + a page)
_STATS = ("SELECT (SELECT value FROM main.dp_counters WHERE name = 'change') "
          "- (SELECT v FROM fts.fts_state WHERE k = 'watermark'), (SELECT page_size FROM pragma_page_size)")


class _Readers:
    """A fixed pool of read-only connections; each read holds one for its duration."""

    def __init__(self, path: str, synchronous: str, size: int) -> None:
        self._pool: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._all: list[sqlite3.Connection] = []
        for _ in range(size):
            conn = open_connection(path, synchronous, readonly=True)
            conn.execute("ATTACH DATABASE ? AS fts", (fts_path(path),))
            conn.create_function("regexp", 2, regexp, deterministic=True)
            self._all.append(conn)
            self._pool.put(conn)

    def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        conn = self._pool.get()
        deadline = time.monotonic() + READ_TIMEOUT
        conn.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 20_000)
        try:
            return fn(conn)
        except sqlite3.OperationalError as err:
            if "interrupted" in str(err):
                raise BadRequest(f"the query ran longer than {READ_TIMEOUT:g} s; narrow it down") from err
            raise
        finally:
            conn.set_progress_handler(None, 0)
            self._pool.put(conn)

    def close(self) -> None:
        for conn in self._all:
            conn.close()


class SqliteStore(RowReads):
    dialect_class = SqliteDialect

    def __init__(self, path: str, synchronous: str = "NORMAL", readers: int = READERS,
                 wal_restart_bytes: int = WAL_RESTART_BYTES) -> None:
        super().__init__()
        self.path = path
        self._synchronous = synchronous
        self._nreaders = readers
        self._writer = WriterProcess(path, synchronous, wal_restart_bytes)
        self._checkpointer = SqliteCheckpointer(path, synchronous)
        self._readers: _Readers | None = None

    # lifecycle ----------------------------------------------------------
    async def start(self) -> None:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(upgrade_to_head, f"sqlite:///{self.path}")
        await self._writer.start()  # creates the full-text side file the readers attach
        self._readers = _Readers(self.path, self._synchronous, self._nreaders)
        self._checkpointer.start()

    async def close(self) -> None:
        await self._writer.stop()
        self._checkpointer.stop()
        if self._readers is not None:
            self._readers.close()
            self._readers = None

    async def ping(self) -> None:
        await self._read(lambda c: c.execute("SELECT 1").fetchone())

    async def stats(self) -> StoreStats:
        lag, page = await self._read(lambda c: c.execute(_STATS).fetchone())
        frames, copied = wal_frames(self.path)  # read without a lock: clamped, a torn read is never negative
        return StoreStats("sqlite", self._writer.pending, None if lag is None else max(0, int(lag)),
                          max(0, frames - copied) * (24 + int(page)))

    async def wait_indexed(self) -> None:
        await self._writer.index_now()

    # plumbing for RowReads ----------------------------------------------
    async def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        if self._readers is None:
            raise RuntimeError("the store is not started")
        return await asyncio.to_thread(self._readers.run, fn)

    async def _query(self, sql: str, params: dict[str, Any] | tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return await self._read(lambda c: c.execute(sql, params).fetchall())

    async def _lookup_ok(self, org_id: str, ref: ObjectRef) -> int | None:
        rows = await self._query("SELECT id FROM dp_objkeys WHERE org_id = ? AND object_type = ? AND object_id = ?",
                                 (org_id, ref.object_type, ref.object_id))
        return rows[0][0] if rows else None

    # writes -------------------------------------------------------------
    async def write_rows(self, rows: list[RowWrite]) -> WriteResult:
        # every row is validated (row_change.validate) by prepare_all before anything is sent
        return await self._writer.write(rows)

    async def put_object(self, meta: ObjectMeta) -> ObjectMeta:
        await self._writer.run("put_object", *self._object_args(meta))
        return meta

    async def purge_object(self, org_id: str, ref: ObjectRef) -> int:
        """Rows first (reads see nothing from then on), then, once the indexer has removed their entries
        (deriving each entry's text from its version, as for any removal), the versions; both in transactions
        of ``PURGE_BATCH``, so writes to other objects go on between them. If the index does not catch up in
        time the versions stay, and a later purge of the object finishes."""
        ok = await self._ok(org_id, ref)
        if ok is None:
            return 0
        total = 0
        while (n := int(await self._writer.run("purge", ok, PURGE_BATCH))) == PURGE_BATCH:
            total += n
        total += n
        try:
            await self._writer.index_now()
        except TwinplaneError as err:
            raise Unavailable("the object's rows are deleted, but the search index is still catching up; "
                              "repeat the delete to finish", retry_after=30) from err
        while int(await self._writer.run("purge_versions", ok, PURGE_BATCH)) == PURGE_BATCH:
            pass
        return total

    async def queue_version_removal(self, org_id: str, ref: ObjectRef, row_ids: list[str]) -> None:
        ok = await self._ok(org_id, ref)
        if ok is not None and row_ids:
            await self._writer.run("queue_versions", ok, row_ids)

    async def finish_version_removal(self) -> int:
        """After the index has dropped the rows' entries (it derives their text from these versions)."""
        if not await self._writer.run("pending_expired"):
            return 0
        await self._writer.index_now()
        return int(await self._writer.run("expire_versions"))

    async def expire_rows(self, org_id: str, ref: ObjectRef, before: float, limit: int) -> int:
        """Two steps, as a purge (``sqlite_writer.expire`` / ``expire_versions``); ids whose versions a crash
        left behind wait in ``dp_expired`` and are finished here."""
        ok = await self._ok(org_id, ref)
        n = int(await self._writer.run("expire", ok, before, limit)) if ok is not None else 0
        await self.finish_version_removal()
        return n
