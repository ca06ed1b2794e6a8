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

The writer of this process hands over the text of each row it committed (``offer``,
keyed by the row's change number, computed from the dict it already holds:
``search_text``), so a round parses no JSON for them; rows written by another process,
or offered while the hand-over was full, are read from the JSON by SQL as before.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterable

from twinplane.server.data_plane.store.db_error import describe
from twinplane.server.data_plane.store.row_shape import FTS_FIELDS
from twinplane.server.data_plane.store.search_text import SearchText
from twinplane.server.data_plane.store.sqlite_bulk import insert_all
from twinplane.server.data_plane.store.sqlite_dialect import FTS_TOKENIZE, fts_object_token

# SQL here is assembled from fixed fragments and placeholders; every value is bound.
# ruff: noqa: S608

logger = logging.getLogger(__name__)

INDEX_BATCH = 5000  # changes per round
# Seconds between rounds unless a full batch is waiting: long enough that a span's start
# and its end merge usually land in one round (indexed once), short enough for ~0.5 s lag.
ROUND_INTERVAL = 0.25
# Texts handed over by the writer and not yet indexed; past this the writer's offers are
# dropped (those rows are then read by SQL): bounds memory when indexing falls behind.
MAX_OFFERED = 50_000

_COLUMNS = "obj, " + ", ".join(FTS_FIELDS)
# The index's definition. No positions (detail=column): searches ask for words in a
# column, never phrases or NEAR, and without positions indexing a row costs ~13% less CPU
# (store README, "Full text").
# A side file built under another FORMAT is dropped and rebuilt from the rows on open.
FORMAT = 2
_TABLE = ("CREATE VIRTUAL TABLE fts.dp_fts USING fts5("
          f"{_COLUMNS}, columnsize=0, detail=column, tokenize='{FTS_TOKENIZE}')")
_STATE = "CREATE TABLE IF NOT EXISTS fts.fts_state (k TEXT PRIMARY KEY, v INTEGER NOT NULL)"


def fts_path(db_path: str) -> str:
    return db_path + ".fts"


def _text(field: str) -> str:
    # the string and number leaves of one field, in document order
    return (f"(SELECT group_concat(value, char(10)) FROM json_tree(v.data, '$.{field}') "
            "WHERE type IN ('text', 'integer', 'real'))")


_ADD = (f"INSERT INTO fts.dp_fts (rowid, {_COLUMNS}) SELECT r.seq, 'obj' || r.ok, "
        + ", ".join(_text(f) for f in FTS_FIELDS)
        + " FROM main.dp_rows r JOIN main.dp_versions v ON v.seq = r.version_seq "
        "WHERE r.seq IN (SELECT value FROM json_each(:seqs))")
_CHANGED = "SELECT seq, ok, change_seq FROM main.dp_rows WHERE change_seq > :lo AND change_seq <= :hi"
_PUT = f"INSERT INTO fts.dp_fts (rowid, {_COLUMNS})"
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
    _ensure_format(conn)
    return conn


def _ensure_format(conn: sqlite3.Connection) -> None:
    """Create the index, or drop and recreate it (watermark 0: rebuilt from the rows) when the
    side file holds another definition. The first write locks only the side file."""
    conn.execute(_STATE)
    conn.execute("BEGIN")
    try:
        state = dict(conn.execute("SELECT k, v FROM fts.fts_state").fetchall())
        exists = conn.execute("SELECT 1 FROM fts.sqlite_master WHERE name = 'dp_fts'").fetchone() is not None
        if not exists or state.get("format") != FORMAT:
            if exists:
                logger.warning("full-text index: format %s found, rebuilding it as format %s from the rows",
                               state.get("format"), FORMAT)
            conn.execute("DROP TABLE IF EXISTS fts.dp_fts")
            conn.execute(_TABLE)
            conn.executemany("INSERT OR REPLACE INTO fts.fts_state (k, v) VALUES (?, ?)",
                             [("watermark", 0), ("format", FORMAT)])
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


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
        self._offered: dict[int, SearchText] = {}  # change number -> the row's text at that change
        self._offered_lock = threading.Lock()

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

    def offer(self, entries: Iterable[tuple[int, SearchText]]) -> None:
        """Texts of rows just committed, by change number (called by the writer after COMMIT)."""
        with self._offered_lock:
            room = MAX_OFFERED - len(self._offered)
            for change, text in entries:
                if room <= 0:
                    break
                self._offered[change] = text
                room -= 1

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
                except sqlite3.Error as err:
                    logger.error("full-text indexing round failed (%s); will retry", describe(err))
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
                self._add(c, c.execute(_CHANGED, {"lo": lo, "hi": hi}).fetchall())
                c.execute("UPDATE fts.fts_state SET v = ? WHERE k = 'watermark'", (hi,))
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        if hi > lo:
            # offers up to hi are done with, whether used or superseded by a later change
            with self._offered_lock:
                for change in [k for k in self._offered if k <= hi]:
                    del self._offered[change]
        with self._progress:
            self.watermark = max(hi, lo)
            self._progress.notify_all()
        return max(hi - lo, 0)

    def _add(self, c: sqlite3.Connection, changed: list[tuple[int, int, int]]) -> None:
        """Index rows (seq, ok, change number): from the writer's texts, else from their JSON."""
        with self._offered_lock:
            texts = [self._offered.get(change) for _seq, _ok, change in changed]
        insert_all(c, _PUT, [(seq, fts_object_token(ok), *text)
                             for (seq, ok, _c), text in zip(changed, texts, strict=True) if text is not None])
        unknown = [seq for (seq, _ok, _c), text in zip(changed, texts, strict=True) if text is None]
        if unknown:
            c.execute(_ADD, {"seqs": json.dumps(unknown)})
