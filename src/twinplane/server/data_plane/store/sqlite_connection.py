"""Opening a connection to the data-plane SQLite file with the settings every user of it needs."""

from __future__ import annotations

import sqlite3
import struct

# Page size of a new database file (an existing file keeps its own). The ~2 KB rows of a typical
# span fit one per 4 KB page (the other half stays empty) and three per 8 KB page: with 8 KB
# pages ingest with appended keys wrote ~15 % less and took ~13 % more rows/s, and with uuid
# keys it took the same (alternating runs, store README's performance log), against ~half the
# versions table's disk. Larger pages cost more per random index write.
PAGE_SIZE = 8192

# Past this many bytes of frames the writer starts the WAL over (``SqliteWriter``, between
# groups); the file is then written over in place, not emptied (see ``sqlite_checkpointer``).
WAL_RESTART_BYTES = 256 * 1024 * 1024
# ... and trims it to this size when it does (``journal_size_limit``).
WAL_KEEP_BYTES = 320 * 1024 * 1024
assert WAL_RESTART_BYTES < WAL_KEEP_BYTES  # a WAL started over must not be cut short again
# The checkpointer copies frames into the database file once this many bytes of them wait
# (or ``sqlite_checkpointer.COPY_AFTER_SECONDS`` passed): well before the writer starts the
# WAL over, so that restart rarely has much left to copy itself.
WAL_COPY_BYTES = WAL_RESTART_BYTES // 2


def wal_frames(path: str) -> tuple[int, int]:
    """The WAL of the database at ``path`` now: its frames and how many of them are copied into
    the database file (``mxFrame`` at offset 16 and ``nBackfill`` at offset 96 of the wal-index,
    ``<db>-shm``, native byte order; https://www.sqlite.org/walformat.html). Reading them
    checkpoints nothing and takes no lock; (0, 0) when there is no WAL index."""
    try:
        with open(path + "-shm", "rb") as f:
            head = f.read(100)
    except OSError:
        return 0, 0
    if len(head) < 100:
        return 0, 0
    return int(struct.unpack_from("=I", head, 16)[0]), int(struct.unpack_from("=I", head, 96)[0])


def frame_bytes(conn: sqlite3.Connection) -> int:
    """Bytes of one WAL frame: a 24-byte header and a page."""
    return 24 + int(conn.execute("PRAGMA page_size").fetchone()[0])


# How long a statement waits for another connection's lock before failing.
BUSY_TIMEOUT_MS = 30_000


def checkpoint(conn: sqlite3.Connection, mode: str, wait_ms: int) -> str | None:
    """Run a ``mode`` (RESTART, TRUNCATE) checkpoint that waits at most ``wait_ms`` for readers
    (it holds off the writer meanwhile). None when it finished; else why not: ``"checkpointing"``
    when another connection was copying frames (SQLite then answers at once, without waiting),
    ``"readers"`` when readers kept it from finishing."""
    conn.execute(f"PRAGMA busy_timeout={int(wait_ms)}")
    try:
        busy, log, _ = conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
    finally:
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    if not busy:
        return None
    return "checkpointing" if log == -1 else "readers"


def open_connection(path: str, synchronous: str, *, readonly: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={'FULL' if synchronous == 'FULL' else 'NORMAL'}")
    conn.execute("PRAGMA cache_size=-65536")
    conn.execute("PRAGMA temp_store=MEMORY")
    conn.execute("PRAGMA mmap_size=268435456")
    if readonly:
        conn.execute("PRAGMA query_only=1")
    else:
        conn.execute(f"PRAGMA journal_size_limit={WAL_KEEP_BYTES}")
        # Checkpoints run on their own thread (SqliteCheckpointer), not inside a commit.
        conn.execute("PRAGMA wal_autocheckpoint=0")
    return conn
