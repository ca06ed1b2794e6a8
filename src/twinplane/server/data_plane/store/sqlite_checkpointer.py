"""WAL checkpoints on their own thread, so no writer commit ever pays for one."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading

from twinplane.server.data_plane.store.sqlite_connection import open_connection

logger = logging.getLogger(__name__)

# Past this size the WAL is checkpointed in TRUNCATE mode (see SqliteCheckpointer).
WAL_TRUNCATE_BYTES = 256 * 1024 * 1024
# How long a TRUNCATE checkpoint may wait for readers; it holds off the writer meanwhile.
TRUNCATE_WAIT_MS = 500


class SqliteCheckpointer:
    """Copies the WAL back into the database file on its own thread and connection.

    With autocheckpoint left on, every ~1000 pages one unlucky commit of the writer would
    do that copy (and its fsync) while every queued call waits; here it overlaps with
    the writer's work instead.

    A PASSIVE checkpoint copies pages but never makes the writer start the WAL over while a
    reader (the indexer, a query) still reads an older snapshot; under steady ingest and reads
    the WAL then grows without bound (8.7 GB after a 1 M-span load). Once it passes
    ``WAL_TRUNCATE_BYTES`` a TRUNCATE checkpoint waits up to ``TRUNCATE_WAIT_MS`` for readers
    to move on, copies the rest and empties the file; if readers stay, it tries again a
    round later.
    """

    def __init__(self, path: str, synchronous: str, interval: float = 0.5) -> None:
        self._path = path
        self.truncate_above = WAL_TRUNCATE_BYTES
        self._synchronous = synchronous
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="twinplane-sqlite-checkpoint", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        conn = open_connection(self._path, self._synchronous, readonly=True)
        try:
            while not self._stop.wait(self._interval):
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    if self._wal_size() > self.truncate_above:
                        self._truncate(conn)
                except sqlite3.Error:
                    logger.warning("WAL checkpoint failed; will retry", exc_info=True)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except sqlite3.Error:
            logger.warning("final WAL checkpoint failed", exc_info=True)
        finally:
            conn.close()

    def _wal_size(self) -> int:
        try:
            return os.path.getsize(self._path + "-wal")
        except OSError:
            return 0

    def _truncate(self, conn: sqlite3.Connection) -> None:
        conn.execute(f"PRAGMA busy_timeout={TRUNCATE_WAIT_MS}")
        try:
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        finally:
            conn.execute("PRAGMA busy_timeout=30000")
        if busy:
            logger.info("WAL of %d bytes not truncated yet: readers still use it", self._wal_size())
