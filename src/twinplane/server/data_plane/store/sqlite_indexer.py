"""SQLite full text: an FTS5 index in a side file, fed by its own thread.

The index lives in ``<database>.fts``, not in the main file, so building it never takes
the main file's write lock: the writer thread and the indexer thread run at the same time
(on two cores) and a search lag never slows acknowledgements. The side file is derived
data: delete it and the indexer rebuilds it from the rows.

Progress is a watermark over ``dp_rows.change_seq`` (bumped by every write of a row) and
``dp_fts_trash`` (rows deleted or purged). A round reads, in one snapshot of the main
file, the changes between the watermark and a bound no later than the last committed
change, replaces those rows' entries (text: the string and number leaves of input,
output, expected, metadata and error, taken from the JSON by ``json_tree``), and stores
the new watermark in the side file, in the same transaction. rowid = ``dp_rows.seq``, so
``ORDER BY rowid DESC LIMIT n`` walks the newest rows first and stops after a page.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

from twinplane.server.data_plane.store.row_shape import FTS_FIELDS

# SQL here is assembled from fixed fragments and placeholders; every value is bound.
# ruff: noqa: S608

logger = logging.getLogger(__name__)

INDEX_BATCH = 5000  # changes per round
# Seconds between rounds unless a full batch is waiting: long enough that a span's start
# and its end merge usually land in one round (indexed once), short enough for ~0.5 s lag.
ROUND_INTERVAL = 0.25

_COLUMNS = "obj, " + ", ".join(FTS_FIELDS)
_SCHEMA = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS fts.dp_fts USING fts5("
    f"{_COLUMNS}, columnsize=0, tokenize='unicode61 remove_diacritics 2')",
    "CREATE TABLE IF NOT EXISTS fts.fts_state (k TEXT PRIMARY KEY, v INTEGER NOT NULL)",
    "INSERT OR IGNORE INTO fts.fts_state (k, v) VALUES ('watermark', 0)",
)


def fts_path(db_path: str) -> str:
    return db_path + ".fts"


def _text(field: str) -> str:
    # the string and number leaves of one field, in document order
    return (f"(SELECT group_concat(value, char(10)) FROM json_tree(v.data, '$.{field}') "
            "WHERE type IN ('text', 'integer', 'real'))")


_ADD = (f"INSERT INTO fts.dp_fts (rowid, {_COLUMNS}) SELECT r.seq, 'obj' || r.ok, "
        + ", ".join(_text(f) for f in FTS_FIELDS)
        + " FROM main.dp_rows r JOIN main.dp_versions v ON v.seq = r.version_seq "
        "WHERE r.change_seq > :lo AND r.change_seq <= :hi")
_DROP = ("DELETE FROM fts.dp_fts WHERE rowid IN ("
         "SELECT seq FROM main.dp_rows WHERE change_seq > :lo AND change_seq <= :hi "
         "UNION ALL SELECT row_seq FROM main.dp_fts_trash WHERE change_seq > :lo AND change_seq <= :hi)")


def open_index(db_path: str) -> sqlite3.Connection:
    """A connection to the main file with the side file attached as ``fts`` (created if missing)."""
    conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute("ATTACH DATABASE ? AS fts", (fts_path(db_path),))
    conn.execute("PRAGMA fts.journal_mode=WAL")
    conn.execute("PRAGMA fts.synchronous=NORMAL")
    conn.execute("PRAGMA cache_size=-32768")
    for stmt in _SCHEMA:
        conn.execute(stmt)
    return conn


class SqliteIndexer:
    """The indexing thread. ``watermark`` is read by the writer (to prune the trash)."""

    def __init__(self, db_path: str) -> None:
        self._db_path = db_path
        self._conn: sqlite3.Connection | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._progress = threading.Condition()
        self.watermark = 0

    def start(self) -> None:
        self._conn = open_index(self._db_path)
        self.watermark = self._conn.execute("SELECT v FROM fts.fts_state WHERE k = 'watermark'").fetchone()[0]
        self._thread = threading.Thread(target=self._run, name="twinplane-sqlite-fts", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._wake.set()
        self._thread.join()
        self._thread = None

    def wake(self) -> None:
        self._wake.set()

    def wait_caught_up(self, target: int, timeout: float = 60.0) -> bool:
        """Block until every change up to ``target`` is indexed."""
        self._wake.set()
        with self._progress:
            return self._progress.wait_for(lambda: self.watermark >= target, timeout)

    def _run(self) -> None:
        assert self._conn is not None
        try:
            while True:
                try:
                    n = self.run_round(INDEX_BATCH)
                except sqlite3.Error:
                    logger.exception("full-text indexing round failed; will retry")
                    n = 0
                if n == 0 and self._stop.is_set():
                    break
                if n < INDEX_BATCH:
                    self._wake.wait(ROUND_INTERVAL)
                    self._wake.clear()
        finally:
            self._conn.close()
            self._conn = None

    def run_round(self, batch: int) -> int:
        """Index the next changes (at most ``batch``); returns how far the watermark moved."""
        c = self._conn
        assert c is not None
        # DEFERRED: reads take a snapshot of the main file, the first write locks only the side file.
        c.execute("BEGIN")
        try:
            # read, not remembered: another process serving the same file may have moved it
            lo = c.execute("SELECT v FROM fts.fts_state WHERE k = 'watermark'").fetchone()[0]
            last = c.execute("SELECT value FROM main.dp_counters WHERE name = 'change'").fetchone()[0]
            hi = min(last, lo + batch)
            if hi > lo:
                c.execute(_DROP, {"lo": lo, "hi": hi})
                c.execute(_ADD, {"lo": lo, "hi": hi})
                c.execute("UPDATE fts.fts_state SET v = ? WHERE k = 'watermark'", (hi,))
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        with self._progress:
            self.watermark = max(hi, lo)
            self._progress.notify_all()
        return max(hi - lo, 0)
