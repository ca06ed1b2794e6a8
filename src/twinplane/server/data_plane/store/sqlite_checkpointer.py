"""WAL checkpoints on their own thread, so no writer commit ever pays for one."""

from __future__ import annotations

import logging
import sqlite3
import threading

from twinplane.server.data_plane.store.sqlite_connection import open_connection

logger = logging.getLogger(__name__)


class SqliteCheckpointer:
    """Copies the WAL back into the database file on its own thread and connection.

    With autocheckpoint left on, every ~1000 pages one unlucky commit of the writer would
    do that copy (and its fsync) while every queued call waits; here it overlaps with
    the writer's work instead.
    """

    def __init__(self, path: str, synchronous: str, interval: float = 0.5) -> None:
        self._path = path
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
                except sqlite3.Error:
                    logger.warning("WAL checkpoint failed; will retry", exc_info=True)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except sqlite3.Error:
            logger.warning("final WAL checkpoint failed", exc_info=True)
        finally:
            conn.close()
