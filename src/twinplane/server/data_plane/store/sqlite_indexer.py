"""SQLite full text: an FTS5 index in a side file, fed by its own thread.

The index lives in ``<database>.fts``, not in the main file, so building it never takes
the main file's write lock: the writer thread and the indexer thread run at the same time
(on two cores) and a search lag never slows acknowledgements. The side file is derived
data: delete it and the indexer rebuilds it from the rows.

Progress is a watermark over ``dp_rows.change_seq`` (bumped by every write of a row) and
``dp_fts_trash`` (rows deleted or purged). A round reads, in one snapshot of the main
file, the changes between the watermark and a bound no later than the last committed
change, replaces those rows' entries, and stores the new watermark in the side file, in
the same transaction. rowid = ``dp_rows.seq``, so ``ORDER BY rowid DESC LIMIT n`` walks
the newest rows first and stops after a page.

The text of a row is ``search_text`` of its JSON (the string and number leaves of input,
output, expected, metadata and error). The writer of this process hands over the text of
each row it committed (``offer``, keyed by the row's change number, computed from the dict
it already holds), so a round parses no JSON for them; rows written by another process,
or offered while the hand-over was full, are parsed from their stored version.

The index is contentless: it keeps no copy of the text (that copy was ~90 % of the side
file). Removing a row's entry means handing FTS5 the exact text it indexed, so
``fts_docs`` records the version each entry was built from, and the text is derived again
from that version's JSON by the same ``search_text``. So a purge deletes an object's rows
first and its versions only once a round has removed the rows' entries
(``SqliteStore.purge_object``): the words of a deleted object leave the side file too.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import sys
import threading
from collections.abc import Iterable

import orjson

from twinplane.server.data_plane.store.db_error import describe
from twinplane.server.data_plane.store.row_shape import FTS_FIELDS
from twinplane.server.data_plane.store.search_text import SearchText, search_text
from twinplane.server.data_plane.store.sqlite_bulk import insert_all
from twinplane.server.data_plane.store.sqlite_connection import BUSY_TIMEOUT_MS
from twinplane.server.data_plane.store.sqlite_dialect import FTS_TOKENIZE, fts_object_token

# SQL here is assembled from fixed fragments and placeholders; every value is bound.
# ruff: noqa: S608

logger = logging.getLogger(__name__)

INDEX_BATCH = 5000  # changes per round
# Seconds between rounds unless a full batch is waiting: long enough that a span's start
# and its end merge usually land in one round (indexed once), short enough for ~0.5 s lag.
ROUND_INTERVAL = 0.25
# Texts handed over by the writer and not yet indexed; past this the writer's offers are
# dropped (those rows are then parsed from their stored version): bounds memory when
# indexing falls behind.
MAX_OFFERED = 50_000
# The indexer thread's nice value (Linux, where it is per thread): the CPU goes first to what
# acknowledges rows (the server's HTTP, the writer), and the index is built in what is left.
# Ordered-id ingest +6 % (5 of 5 alternating runs), search lag p95 ~0.5 -> ~0.75 s; nice 5
# measured the same as 0. The writer bounds the lag this may cause (``MAX_BACKLOG``).
NICE = 10
# Changes not yet indexed past which the writer waits for an indexer round after each of its
# groups (``SqliteWriter._wait_for_indexer``), so a starved or slower indexer slows ingest
# instead of letting the search lag grow without end; ~1 s of ingest at 20k rows/s. At 40,000,
# spans of real prose (``bench_ingest``, ``BENCH_INGEST_TEXT=zipf``) were searchable 1.9-3.1 s
# (p95) after their acknowledgement; at 20,000, 1.27-1.28 s at the same rows/s (15.5-15.9k
# against 15.4k, alternating, 2 runs each).
MAX_BACKLOG = 20_000

_COLUMNS = "obj, " + ", ".join(FTS_FIELDS)
# The index's definition: contentless (see above), and without positions (detail=column):
# searches ask for words in a column, never phrases or NEAR. Against a stored copy of the
# text with positions, a new row costs ~28 % less indexer CPU and the side file ~90 % less
# disk (store README, "Performance log"). A side file of another FORMAT is dropped and rebuilt on open.
FORMAT = 3
# Bytes of new entries FTS5 gathers in memory before writing them out as a segment (its default:
# 1 MB). A round of 5,000 rows of ~1 KB of text each wrote several small segments, each merged
# again and again later; at 8 MB a round is one segment. With a realistic vocabulary (Zipf over
# 200,000 words) the indexer's CPU per row fell from 31.8-32.5 to 23.7-24.0 µs (store README,
# "Performance log"); the pending entries live only within a round's transaction.
HASH_BYTES = 8 * 1024 * 1024
_TABLES = (
    "CREATE VIRTUAL TABLE fts.dp_fts USING fts5("
    f"{_COLUMNS}, content='', columnsize=0, detail=column, tokenize='{FTS_TOKENIZE}')",
    # the version of the row each entry was built from: its text is what a removal hands back
    "CREATE TABLE fts.fts_docs (rowid INTEGER PRIMARY KEY, version_seq INTEGER NOT NULL)",
)
_STATE = "CREATE TABLE IF NOT EXISTS fts.fts_state (k TEXT PRIMARY KEY, v INTEGER NOT NULL)"


def fts_path(db_path: str) -> str:
    return db_path + ".fts"


_CHANGED = ("SELECT seq, ok, change_seq, version_seq FROM main.dp_rows "
            "WHERE change_seq > :lo AND change_seq <= :hi")
_TRASHED = "SELECT row_seq FROM main.dp_fts_trash WHERE change_seq > :lo AND change_seq <= :hi"
# the entries about to be replaced or removed, with the JSON they were built from (NULL
# when a purge deleted that version)
_INDEXED = ("SELECT d.rowid, v.ok, v.data FROM fts.fts_docs d LEFT JOIN main.dp_versions v "
            "ON v.seq = d.version_seq WHERE d.rowid IN (SELECT value FROM json_each(:seqs))")
_FORGET = "DELETE FROM fts.fts_docs WHERE rowid IN (SELECT value FROM json_each(:seqs))"
_VERSIONS = "SELECT seq, data FROM main.dp_versions WHERE seq IN (SELECT value FROM json_each(:seqs))"
# Entries go through a temporary staging table and reach FTS5 in one INSERT ... SELECT per
# round and kind: FTS5 writes its pending terms out as a new segment at the end of every
# statement that writes it inside a transaction (its xSavepoint / xRelease), so a multi-row
# VALUES per 128 rows cost ~31 µs per row against ~18 staged (store README, "Performance log").
_STAGE_TABLE = f"CREATE TEMP TABLE IF NOT EXISTS fts_stage (seq INTEGER, {_COLUMNS})"
_STAGE = f"INSERT INTO temp.fts_stage (seq, {_COLUMNS})"
_UNSTAGE = "DELETE FROM temp.fts_stage"
_REMOVE = f"INSERT INTO fts.dp_fts (dp_fts, rowid, {_COLUMNS}) SELECT 'delete', seq, {_COLUMNS} FROM temp.fts_stage"
_PUT = f"INSERT INTO fts.dp_fts (rowid, {_COLUMNS}) SELECT seq, {_COLUMNS} FROM temp.fts_stage"
_DOCS = "INSERT INTO fts.fts_docs (rowid, version_seq)"


def _text_of(data: str | bytes) -> SearchText:
    """The text of a stored version: what ``search_text`` gave for the row it was written from."""
    return search_text(orjson.loads(data))


def open_index(db_path: str) -> sqlite3.Connection:
    """A connection to the main file with the side file attached as ``fts`` (created if missing)."""
    conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False, timeout=30)
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("ATTACH DATABASE ? AS fts", (fts_path(db_path),))
    conn.execute("PRAGMA fts.journal_mode=WAL")
    conn.execute("PRAGMA fts.synchronous=NORMAL")
    conn.execute("PRAGMA cache_size=-32768")
    conn.execute("PRAGMA temp_store=MEMORY")
    conn.execute(_STAGE_TABLE)
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
            conn.execute("DROP TABLE IF EXISTS fts.fts_docs")
            for stmt in _TABLES:
                conn.execute(stmt)
            conn.executemany("INSERT OR REPLACE INTO fts.fts_state (k, v) VALUES (?, ?)",
                             [("watermark", 0), ("format", FORMAT)])
        # kept in the index's own config table; set on every open, so indexes made before it get it too
        conn.execute("INSERT INTO fts.dp_fts (dp_fts, rank) VALUES ('hashsize', ?)", (HASH_BYTES,))
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
        self.round_lock = threading.Lock()  # held through each round (the writer holds it to start the WAL over)

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
        _lower_priority()
        try:
            while True:
                try:
                    with self.round_lock:
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
                bounds = {"lo": lo, "hi": hi}
                changed = c.execute(_CHANGED, bounds).fetchall()
                self._remove(c, [seq for seq, *_ in changed]
                             + [seq for (seq,) in c.execute(_TRASHED, bounds).fetchall()])
                self._add(c, changed)
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

    @staticmethod
    def _remove(c: sqlite3.Connection, seqs: list[int]) -> None:
        """Remove the entries of these rows, if indexed, handing FTS5 the text each was built from."""
        if not seqs:
            return
        args = {"seqs": json.dumps(seqs)}
        gone = [(seq, fts_object_token(ok), *_text_of(data))
                for seq, ok, data in c.execute(_INDEXED, args).fetchall() if data is not None]
        _staged(c, _REMOVE, gone)
        c.execute(_FORGET, args)

    def _add(self, c: sqlite3.Connection, changed: list[tuple[int, int, int, int]]) -> None:
        """Index rows (seq, ok, change number, version): from the writer's texts, else from their JSON."""
        with self._offered_lock:
            offered = [self._offered.get(change) for _seq, _ok, change, _v in changed]
        unknown = [version for (_s, _o, _c, version), text in zip(changed, offered, strict=True) if text is None]
        parsed: dict[int, SearchText] = {}
        if unknown:
            parsed = {seq: _text_of(data)
                      for seq, data in c.execute(_VERSIONS, {"seqs": json.dumps(unknown)}).fetchall()}
        texts = [parsed[version] if text is None else text
                 for (_s, _o, _c, version), text in zip(changed, offered, strict=True)]
        _staged(c, _PUT, [(seq, fts_object_token(ok), *text)
                          for (seq, ok, _c, _v), text in zip(changed, texts, strict=True)])
        insert_all(c, _DOCS, [(seq, version) for seq, _ok, _c, version in changed])


def _lower_priority() -> None:
    """Give this thread ``NICE`` (Linux only: elsewhere setpriority would renice the process)."""
    if sys.platform != "linux":
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
    except OSError as err:  # not allowed here: index at the process's priority
        logger.info("full-text indexer keeps the process's priority (%s)", err)


def _staged(c: sqlite3.Connection, write: str, entries: list[tuple[object, ...]]) -> None:
    """Run ``write`` (an FTS5 insert or 'delete' from the staging table) over ``entries`` in one statement."""
    if not entries:
        return
    insert_all(c, _STAGE, entries)
    c.execute(write)
    c.execute(_UNSTAGE)
