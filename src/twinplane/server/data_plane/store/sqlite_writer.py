"""The one SQLite writer: a thread fed by a queue, committing many calls per transaction.

``write_rows`` calls from any number of requests queue up; the thread takes what is
waiting (up to a row budget), applies each call inside its own SAVEPOINT of one
transaction, commits once, and only then answers every call (group commit). A call that
fails is rolled back to its savepoint alone, so calls stay atomic and independent.
Full text is built beside it by ``SqliteIndexer`` (its own thread and file). The server
runs it in a process of its own (``sqlite_writer_process``), which names the other
writes it may ask for in ``OPS``.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from twinplane.server.data_plane.store.base import OBJECT_TABLES, RowWrite
from twinplane.server.data_plane.store.db_error import describe
from twinplane.server.data_plane.store.sqlite_apply import SqliteApplier
from twinplane.server.data_plane.store.sqlite_connection import (
    WAL_RESTART_BYTES,
    checkpoint,
    frame_bytes,
    open_connection,
    wal_frames,
)
from twinplane.server.data_plane.store.sqlite_indexer import MAX_BACKLOG, SqliteIndexer

logger = logging.getLogger(__name__)

GROUP_MAX_ROWS = 5000  # rows per group transaction: bounds latency and memory
# How long starting the WAL over may wait for readers of other processes (the writer waits
# meanwhile), and how long after a failed attempt the next one comes.
RESTART_WAIT_MS = 1000
RESTART_RETRY_SECONDS = 0.5
# Past ``wal_restart_bytes`` the writer starts the WAL over once at most 1/8 of that is left to
# copy (the checkpointer copies as soon as the WAL passes the bound), or at once when the WAL
# reached 5/4 of it. Restarting with ~200 MB left to copy and fsync stalled the writer ~10 %
# of the time under steady ingest (store README, performance log).
RESTART_LEFT_DIVISOR = 8
RESTART_FORCE_RATIO = 1.25
# How long the writer waits, at most, for a round of an indexer past ``sqlite_indexer.MAX_BACKLOG``.
BACKLOG_WAIT_SECONDS = 1.0
# After such a wait ran out (the indexer did not move), the writer does not wait again for this long:
# a stuck indexer costs ingest one second now and then, not one per group.
BACKLOG_PAUSE_SECONDS = 30.0


# How a call's outcome is reported: (result, None) or (None, error), on the writer thread.
Done = Callable[[Any, BaseException | None], None]


@dataclass(slots=True)
class _Job:
    done: Done
    rows: list[RowWrite] | None = None
    fn: Callable[[sqlite3.Connection], Any] | None = None
    result: Any = None
    error: BaseException | None = None


def _settle(job: _Job) -> None:
    try:
        job.done(job.result, job.error)
    except Exception:  # noqa: BLE001 - a failing answer must not stop the writer
        logger.exception("answering a writer call failed")


def put_object(c: sqlite3.Connection, *args: Any) -> None:
    """Insert or replace a data-plane object record (``RowReads._object_args`` order)."""
    c.execute(
        "INSERT INTO dp_objects (id, org_id, project_id, object_type, name, created, created_ts, data, deleted) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET project_id = excluded.project_id, "
        "object_type = excluded.object_type, name = excluded.name, created = excluded.created, "
        "created_ts = excluded.created_ts, data = excluded.data, deleted = excluded.deleted "
        "WHERE dp_objects.org_id = excluded.org_id", args)


def _drop_rows(c: sqlite3.Connection, ok: int, seqs: list[int]) -> None:
    """Delete rows of one object by seq with their scores and metrics; each row goes to the full-text trash under a
    fresh change number, so the indexer drops its entry (deriving its text from the row's version, still there)."""
    batch = orjson.dumps(seqs).decode()
    last = c.execute("SELECT value FROM dp_counters WHERE name = 'change'").fetchone()[0]
    c.execute("INSERT INTO dp_fts_trash (change_seq, row_seq) SELECT ? + key + 1, value FROM json_each(?)",
              (last, batch))
    c.execute("UPDATE dp_counters SET value = value + ? WHERE name = 'change'", (len(seqs),))
    for table in ("dp_scores", "dp_metrics"):  # their (ok, row_seq) index
        c.execute(f"DELETE FROM {table} WHERE ok = ? AND row_seq IN (SELECT value FROM json_each(?))",  # noqa: S608
                  (ok, batch))
    c.execute("DELETE FROM dp_rows WHERE seq IN (SELECT value FROM json_each(?))", (batch,))


def purge(c: sqlite3.Connection, ok: int, limit: int) -> int:
    """Delete up to ``limit`` rows of one object (``_drop_rows``); the call that finds fewer also clears the rest of
    the object but its versions, which stay until ``purge_versions``: the indexer needs them to remove the
    entries (the index keeps no text)."""
    seqs = [seq for (seq,) in c.execute("SELECT seq FROM dp_rows WHERE ok = ? LIMIT ?", (ok, limit))]
    _drop_rows(c, ok, seqs)
    if len(seqs) < limit:  # the last call
        for table in OBJECT_TABLES:
            if table != "dp_versions":
                c.execute(f"DELETE FROM {table} WHERE ok = ?", (ok,))  # noqa: S608 - fixed table names
    return len(seqs)


def purge_versions(c: sqlite3.Connection, ok: int, limit: int) -> int:
    """The second half of a purge, once the indexer has removed the object's entries: up to ``limit`` versions
    (of rows that have no current row: one written meanwhile keeps its own, and the repeated purge takes it)."""
    return int(c.execute("DELETE FROM dp_versions WHERE rowid IN (SELECT v.rowid FROM dp_versions v WHERE v.ok = ? AND "
                         "NOT EXISTS (SELECT 1 FROM dp_rows r WHERE r.ok = v.ok AND r.row_id = v.row_id) LIMIT ?)",
                         (ok, limit)).rowcount)


def queue_versions(c: sqlite3.Connection, ok: int, row_ids: list[str]) -> None:
    """``Store.queue_version_removal``: into ``dp_expired``, which ``expire_versions`` empties."""
    c.executemany("INSERT OR IGNORE INTO dp_expired (ok, row_id) VALUES (?, ?)", [(ok, rid) for rid in row_ids])


def expire(c: sqlite3.Connection, ok: int, before: float, limit: int) -> int:
    """Delete up to ``limit`` of an object's rows created before ``before``, oldest first (``_drop_rows``), their ids
    queued for ``expire_versions``."""
    rows = c.execute("SELECT seq, row_id FROM dp_rows WHERE ok = ? AND created < ? ORDER BY created LIMIT ?",
                     (ok, before, limit)).fetchall()
    _drop_rows(c, ok, [seq for seq, _ in rows])
    queue_versions(c, ok, [rid for _, rid in rows])
    return len(rows)


def expire_versions(c: sqlite3.Connection) -> int:
    """The second step of ``expire`` (and of an erasure), once the indexer has removed the rows' entries: their
    versions (a row written again meanwhile keeps them)."""
    n = int(c.execute("DELETE FROM dp_versions WHERE rowid IN (SELECT v.rowid FROM dp_expired e "
                      "JOIN dp_versions v ON v.ok = e.ok AND v.row_id = e.row_id "
                      "WHERE NOT EXISTS (SELECT 1 FROM dp_rows r WHERE r.ok = e.ok AND r.row_id = e.row_id))").rowcount)
    c.execute("DELETE FROM dp_expired")
    return n


def pending_expired(c: sqlite3.Connection) -> int:
    return int(c.execute("SELECT count(*) FROM dp_expired").fetchone()[0])


def durability(c: sqlite3.Connection) -> int:
    """The writer connection's ``PRAGMA synchronous`` (1 NORMAL, 2 FULL)."""
    return int(c.execute("PRAGMA synchronous").fetchone()[0])


# The writes other than rows the writer process runs for the server, by name.
OPS: dict[str, Callable[..., Any]] = {
    "put_object": put_object, "purge": purge, "purge_versions": purge_versions, "queue_versions": queue_versions,
    "expire": expire, "expire_versions": expire_versions, "pending_expired": pending_expired, "durability": durability,
}


class SqliteWriter:
    def __init__(self, path: str, synchronous: str, wal_restart_bytes: int = WAL_RESTART_BYTES) -> None:
        self._path = path
        self._synchronous = synchronous
        self._wal_restart_bytes = wal_restart_bytes
        self._frame_bytes = 0  # a WAL frame: its 24-byte header and one page (known once started)
        self._restart_after = 0.0  # monotonic time before which no new attempt is made
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._conn: sqlite3.Connection | None = None
        self._applier: SqliteApplier | None = None
        self._indexer = SqliteIndexer(path)
        self.max_backlog = MAX_BACKLOG
        self._committed_change = 0  # the change number of the last committed group
        self._backlog_paused_until = 0.0  # time.monotonic() before which no group waits for the indexer

    # lifecycle ----------------------------------------------------------
    def start(self) -> None:
        self._conn = open_connection(self._path, self._synchronous)
        self._frame_bytes = frame_bytes(self._conn)
        self._applier = SqliteApplier(self._conn)
        self._indexer.start()
        self._thread = threading.Thread(target=self._run, name="twinplane-sqlite-writer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Finish queued work, let the indexer catch up, close the connection."""
        if self._thread is None:
            return
        self._queue.put(None)
        self._thread.join()
        self._thread = None
        self._indexer.stop()  # it finishes indexing what was written first

    # submission ---------------------------------------------------------
    def submit_rows(self, rows: list[RowWrite], done: Done) -> None:
        """Queue a row write; ``done`` hears its ``WriteResult`` after the commit."""
        self._submit(_Job(done, rows=rows))

    def submit_call(self, fn: Callable[[sqlite3.Connection], Any], done: Done) -> None:
        """Queue ``fn(conn)``, run on the writer thread inside its own transaction."""
        self._submit(_Job(done, fn=fn))

    def _submit(self, job: _Job) -> None:
        if self._thread is None:
            raise RuntimeError("the store is not started")
        self._queue.put(job)

    def index_now(self, timeout: float = 60.0) -> None:
        """Block until every row written so far is searchable (tests, benchmarks)."""
        answered = threading.Event()
        outcome: list[Any] = []

        def done(result: Any, error: BaseException | None) -> None:
            outcome[:] = [result, error]
            answered.set()

        self.submit_call(lambda c: c.execute("SELECT value FROM dp_counters WHERE name = 'change'").fetchone()[0], done)
        answered.wait()
        target, error = outcome
        if error is not None:
            raise error
        if not self._indexer.wait_caught_up(target, timeout):
            raise TimeoutError("the full-text index did not catch up")

    # the thread ---------------------------------------------------------
    def _run(self) -> None:
        assert self._conn is not None
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                break
            jobs = [first]
            budget = len(first.rows) if first.rows else 1
            while budget < GROUP_MAX_ROWS:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stopping = True
                    break
                jobs.append(nxt)
                budget += len(nxt.rows) if nxt.rows else 1
            self._run_jobs(jobs)
            self._restart_wal_if_long()
            self._wait_for_indexer()
        self._conn.close()
        self._conn = None

    def _wait_for_indexer(self) -> None:
        """Past ``max_backlog`` changes not yet indexed, wait for the indexer's next round (at most
        ``BACKLOG_WAIT_SECONDS``) before the next group: behind, it then indexes at least as many
        changes as the writer commits, so the search lag stops growing, and a rebuild of the whole
        index (an upgrade, a deleted side file) paces ingest instead of stopping it."""
        mark = self._indexer.watermark
        if self._committed_change - mark <= self.max_backlog or time.monotonic() < self._backlog_paused_until:
            return
        if not self._indexer.wait_caught_up(mark + 1, BACKLOG_WAIT_SECONDS):
            self._backlog_paused_until = time.monotonic() + BACKLOG_PAUSE_SECONDS
            logger.warning("full-text indexer %d changes behind and not moving; writing on without waiting for "
                           "%.0f s", self._committed_change - mark, BACKLOG_PAUSE_SECONDS)

    def _restart_wal_if_long(self) -> None:
        """Start the WAL over once it holds ``wal_restart_bytes`` of frames, between two groups.

        The server's checkpointer copies frames into the database file, but a checkpoint that
        would start the file over needs a moment when no connection reads from the WAL, and it
        never got one: this process's writer groups and indexer rounds overlap, and SQLite
        holds one lock per process for them (the WAL grew to 2-3 GB in 40 s of random-id
        ingest with concurrent reads). Here the writer is between groups and the indexer
        between rounds; only other processes' reads (short) are waited for, and the frames not
        copied yet are copied by this thread, so it waits until few are left (see
        ``RESTART_LEFT_DIVISOR``). The next commit then writes from the file's start.
        """
        assert self._conn is not None
        if time.monotonic() < self._restart_after:
            return
        frames, copied = wal_frames(self._path)
        length, waiting = frames * self._frame_bytes, (frames - copied) * self._frame_bytes
        bound = self._wal_restart_bytes
        # Past the bound, wait (a group or a few) for the checkpointer to copy most frames, so this
        # thread copies and fsyncs little with every call waiting, unless the WAL grows far past it.
        if length <= bound or (waiting > bound // RESTART_LEFT_DIVISOR and length <= bound * RESTART_FORCE_RATIO):
            return
        with self._indexer.round_lock:
            try:
                busy = checkpoint(self._conn, "RESTART", RESTART_WAIT_MS)
            except sqlite3.Error as err:
                logger.warning("WAL not started over (%s)", describe(err))
                busy = "error"
        if busy:  # another connection copying frames, or reading: let the writer work a while first
            # (trying again at once would wait for an indexer round each time for the round lock)
            logger.info("WAL not started over yet: %s", "another connection is copying its frames"
                        if busy == "checkpointing" else "another process still reads from it")
            self._restart_after = time.monotonic() + RESTART_RETRY_SECONDS

    def _run_jobs(self, jobs: list[_Job]) -> None:
        group: list[_Job] = []
        for job in jobs:
            if job.rows is not None:
                group.append(job)
                continue
            if group:
                self._write_group(group)
                group = []
            self._run_fn(job)
        if group:
            self._write_group(group)

    def _write_group(self, jobs: list[_Job]) -> None:
        assert self._applier is not None and self._conn is not None
        try:
            self._applier.ensure_objects([w for j in jobs for w in (j.rows or [])])
            self._conn.execute("BEGIN IMMEDIATE")
        except BaseException as err:  # noqa: BLE001 - every caller must hear about it
            logger.error("sqlite writer could not begin a transaction (%s)", describe(err))
            for job in jobs:
                job.error = err
                _settle(job)
            return
        accepted: list[_Job] = []
        try:
            self._applier.begin_group()
            for job in jobs:
                self._conn.execute("SAVEPOINT call")
                try:
                    job.result = self._applier.apply_call(job.rows or [])
                    self._conn.execute("RELEASE call")
                    accepted.append(job)
                except Exception as err:  # noqa: BLE001 - the call fails alone
                    self._conn.execute("ROLLBACK TO call")
                    self._conn.execute("RELEASE call")
                    self._applier.forget_call()
                    job.error = err
            self._applier.end_group()
            # deletions the index has already applied need no remembering
            self._conn.execute("DELETE FROM dp_fts_trash WHERE change_seq <= ?", (self._indexer.watermark,))
            self._conn.execute("COMMIT")
            self._committed_change = self._applier.last_change
            self._indexer.offer(self._applier.search)
        except BaseException as err:  # noqa: BLE001
            logger.error("sqlite writer group failed (%s)", describe(err))
            try:
                self._conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            for job in accepted:
                job.result = None
                job.error = err
        for job in jobs:
            _settle(job)

    def _run_fn(self, job: _Job) -> None:
        assert self._conn is not None and job.fn is not None
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                job.result = job.fn(self._conn)
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        except BaseException as err:  # noqa: BLE001
            job.error = err
        _settle(job)
