"""WAL checkpoints on their own thread, so no writer commit ever pays for one."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading

from twinplane.server.data_plane.store.sqlite_connection import WAL_KEEP_BYTES, open_connection

logger = logging.getLogger(__name__)

# Past this size the WAL is checkpointed in RESTART mode (see SqliteCheckpointer).
WAL_RESTART_BYTES = 128 * 1024 * 1024
assert WAL_RESTART_BYTES < WAL_KEEP_BYTES  # a restarted WAL must not be cut short again
# How long a RESTART or TRUNCATE checkpoint may wait for readers; it holds off the writer meanwhile.
BLOCKING_WAIT_MS = 500
# Rounds without a new frame after which the WAL is emptied (TRUNCATE): disk given back when idle.
IDLE_ROUNDS = 20


class SqliteCheckpointer:
    """Copies the WAL back into the database file on its own thread and connection.

    With autocheckpoint left on, every ~1000 pages one unlucky commit of the writer would
    do that copy (and its fsync) while every queued call waits; here it overlaps with
    the writer's work instead.

    A PASSIVE checkpoint copies pages but never makes the writer start the WAL over while
    writes keep coming (there is always a frame past the copy) and readers (the indexer, a
    query) hold snapshots; under steady ingest the WAL then grows without bound (8.7 GB
    after a 1 M-span load). Once it passes ``restart_above`` a RESTART checkpoint waits up
    to ``BLOCKING_WAIT_MS`` for readers to move on and copies the rest, and the writer's
    next commit starts the file over; if readers stay, it tries again a round later.

    RESTART rather than TRUNCATE: the file is written over, not emptied. Its pages are
    still in the page cache, while writing past the end of a file makes the kernel allocate
    and zero new pages (a WAL frame is 24 bytes + one page, so its writes never cover
    whole pages): under steady ingest that was ~4 % of the machine's CPU. The writer trims
    the file to ``WAL_KEEP_BYTES`` when it starts over (``journal_size_limit``), and once no
    frame has been written for ``idle_rounds`` rounds a TRUNCATE checkpoint empties it.
    """

    def __init__(self, path: str, synchronous: str, interval: float = 0.5) -> None:
        self._path = path
        self.restart_above = WAL_RESTART_BYTES
        self.idle_rounds = IDLE_ROUNDS
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
        last_frames, idle = -1, 0
        try:
            frame_bytes = 24 + conn.execute("PRAGMA page_size").fetchone()[0]
            while not self._stop.wait(self._interval):
                try:
                    # frames in use, not the file's size: a restarted file keeps its size
                    _busy, frames, _done = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    if frames < 0:  # another connection was checkpointing: nothing learnt this round
                        continue
                    idle = idle + 1 if frames == last_frames else 0
                    last_frames = frames
                    if idle >= self.idle_rounds:
                        if self._wal_size() > 0:  # no writer to start the file over: empty it
                            self._blocking(conn, "TRUNCATE")
                    elif frames * frame_bytes > self.restart_above:
                        self._blocking(conn, "RESTART")
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

    def _blocking(self, conn: sqlite3.Connection, mode: str) -> None:
        conn.execute(f"PRAGMA busy_timeout={BLOCKING_WAIT_MS}")
        try:
            busy = conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()[0]
        finally:
            conn.execute("PRAGMA busy_timeout=30000")
        if busy:
            logger.info("WAL of %d bytes not started over yet: readers still use it", self._wal_size())
