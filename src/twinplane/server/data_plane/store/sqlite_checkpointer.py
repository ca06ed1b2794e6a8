"""WAL checkpoints on their own thread, so no writer commit ever pays for one."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time

from twinplane.server.data_plane.store.sqlite_connection import (
    WAL_COPY_BYTES,
    WAL_RESTART_BYTES,
    checkpoint,
    frame_bytes,
    open_connection,
    wal_frames,
)

logger = logging.getLogger(__name__)

# How long the idle TRUNCATE may wait for readers; it holds off the writer meanwhile.
TRUNCATE_WAIT_MS = 500
# How often the WAL's length is looked at (the -shm header: no lock, no checkpoint).
POLL_SECONDS = 0.25
# Frames waiting this long are copied even when fewer than ``WAL_COPY_BYTES``.
COPY_AFTER_SECONDS = 2.0
# Polls without a new frame after which the WAL is emptied (TRUNCATE, 10 s): disk given back when idle.
IDLE_ROUNDS = 40


class SqliteCheckpointer:
    """Copies the WAL back into the database file on its own thread and connection.

    With autocheckpoint left on, every ~1000 pages one unlucky commit of the writer would
    do that copy (and its fsync) while every queued call waits; here it overlaps with
    the writer's work instead (PASSIVE). It copies once ``WAL_COPY_BYTES`` of frames wait, or
    once frames have waited ``COPY_AFTER_SECONDS``, not on every tick: each copy ends with an
    fsync of the database file, and pages that commits rewrite (index pages) are copied and
    written back once per copy, however often they changed since (figures: the store
    README's performance log).

    Copying never starts the WAL over; the writer does that between its groups once the WAL
    holds ``sqlite_connection.WAL_RESTART_BYTES`` of frames (``SqliteWriter._restart_wal_if_long``, which says
    why it cannot be done from here) and most of them are copied: past that bound this thread
    copies at every poll. The file is then written over in place, not
    emptied: its pages are still in the page cache, while writing past the end of a file
    makes the kernel allocate and zero new pages (a WAL frame is 24 bytes + one page, so its
    writes never cover whole pages): under steady ingest that was ~4 % of the machine's CPU.
    Once no frame has been written for ``idle_rounds`` polls, a TRUNCATE checkpoint empties
    the file.
    """

    def __init__(self, path: str, synchronous: str) -> None:
        self._path = path
        self.idle_rounds = IDLE_ROUNDS
        self._synchronous = synchronous
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
        frame = frame_bytes(conn)
        copy_frames, restart_frames = WAL_COPY_BYTES // frame, WAL_RESTART_BYTES // frame
        last = idle = 0
        waiting_since: float | None = None  # when frames not copied yet were first seen
        try:
            while not self._stop.wait(POLL_SECONDS):
                try:
                    frames, copied = wal_frames(self._path)
                    idle = idle + 1 if frames == last else 0
                    last = frames
                    now = time.monotonic()
                    if frames <= copied:
                        waiting_since = None
                    elif waiting_since is None:
                        waiting_since = now
                    # past the restart bound at once: the writer starts the WAL over once it is copied
                    if waiting_since is not None and (frames - copied >= copy_frames or frames >= restart_frames
                                                      or now - waiting_since >= COPY_AFTER_SECONDS):
                        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                        waiting_since = None  # frames a reader kept from being copied wait again
                    if idle >= self.idle_rounds and self._wal_size() > 0:
                        self._truncate(conn)
                        last = idle = 0
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
        if checkpoint(conn, "TRUNCATE", TRUNCATE_WAIT_MS):
            logger.info("idle WAL of %d bytes not emptied yet: readers still use it", self._wal_size())
