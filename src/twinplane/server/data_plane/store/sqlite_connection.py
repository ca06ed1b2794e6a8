"""Opening a connection to the data-plane SQLite file with the settings every user of it needs."""

from __future__ import annotations

import sqlite3

# Past this many bytes of frames the writer starts the WAL over (``SqliteWriter``, between
# groups); the file is then written over in place, not emptied (see ``sqlite_checkpointer``).
WAL_RESTART_BYTES = 256 * 1024 * 1024
# ... and trims it to this size when it does (``journal_size_limit``).
WAL_KEEP_BYTES = 320 * 1024 * 1024
assert WAL_RESTART_BYTES < WAL_KEEP_BYTES  # a WAL started over must not be cut short again


def open_connection(path: str, synchronous: str, *, readonly: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA busy_timeout=30000")
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
