"""Applying one ``write_rows`` call to SQLite, on the writer thread, inside a transaction.

Sequence numbers (rows, versions) and the transaction counter are read once per group
and handed out in memory: the writer holds the database's write lock for the whole
group, so nobody else can take them, and a rolled-back call gives its numbers back.
"""

# SQL here is assembled from fixed fragments and placeholders; every value is bound.
# ruff: noqa: S608

from __future__ import annotations

import sqlite3
import time
from typing import Any

import orjson

from twinplane.server.data_plane.store.base import RowWrite, WriteResult
from twinplane.server.data_plane.store.row_change import RowKey, merge_keys, plan_changes
from twinplane.server.data_plane.store.row_shape import RowShape, shape_of
from twinplane.server.data_plane.store.search_text import SearchText
from twinplane.server.data_plane.store.sqlite_bulk import insert_all
from twinplane.server.data_plane.store.trace_rollup import EXPERIMENT, refresh_sqlite, touched

_CHUNK = 500  # bound variables per IN (...) list

_INSERT_VERSION = "INSERT INTO dp_versions (seq, ok, row_id, xact_id, deleted, created, data)"
_INSERT_ROW = ("INSERT INTO dp_rows (seq, ok, row_id, project_id, xact_id, version_seq, created, root_span_id, "
               "span_id, is_root, span_name, span_type, start_ts, end_ts, has_error, case_key, change_seq)")
_INSERT_SCORE = "INSERT INTO dp_scores (ok, name, row_seq, root_span_id, value)"
_INSERT_METRIC = "INSERT INTO dp_metrics (ok, name, row_seq, root_span_id, value)"
_INSERT_XACT = "INSERT INTO dp_xacts (ok, xact_id, created, rows_changed)"
# Columns an update may change, in the order of RowChange values below. An UPDATE names
# only the columns whose value changed: SQLite rewrites the entries of every index on a
# column named in SET, changed or not, and a span's end merge changes no indexed column.
_ROW_COLUMNS = ("project_id", "xact_id", "version_seq", "created", "root_span_id", "span_id", "is_root",
                "span_name", "span_type", "start_ts", "end_ts", "has_error", "case_key")


def _side_facts(shape: RowShape | None) -> tuple[Any, ...]:
    if shape is None:
        return ()
    return (shape.root_span_id, shape.scores, shape.metrics)


class SqliteApplier:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self.objkeys: dict[tuple[str, str, str], int] = {}
        self._xact = self._row_seq = self._version_seq = self._change = 0
        self._saved: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)
        # (change number, full-text columns) of the group's rows, for the indexer after commit
        self.search: list[tuple[int, SearchText]] = []
        # experiment traces the group's calls changed, recomputed once before commit (a
        # rolled-back call's traces too: recomputing an unchanged trace changes nothing)
        self._traces: set[tuple[int, str]] = set()

    # object keys --------------------------------------------------------
    def ensure_objects(self, rows: list[RowWrite]) -> None:
        """Give every object a key, in a transaction of its own (an unused key is harmless)."""
        missing = {(w.org_id, w.ref.object_type, w.ref.object_id) for w in rows} - self.objkeys.keys()
        if not missing:
            return
        c = self._conn
        c.execute("BEGIN IMMEDIATE")
        try:
            c.executemany("INSERT OR IGNORE INTO dp_objkeys (org_id, object_type, object_id) VALUES (?, ?, ?)",
                          sorted(missing))
            for k in missing:
                self.objkeys[k] = c.execute(
                    "SELECT id FROM dp_objkeys WHERE org_id = ? AND object_type = ? AND object_id = ?", k
                ).fetchone()[0]
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            for k in missing:
                self.objkeys.pop(k, None)
            raise

    # group counters -----------------------------------------------------
    def begin_group(self) -> None:
        c = self._conn
        self.search = []
        self._traces = set()
        counters = dict(c.execute("SELECT name, value FROM dp_counters").fetchall())
        self._xact, self._change = counters["xact"], counters["change"]
        # max of both: sqlite_sequence never goes back (no seq reuse), max(seq) is the truth
        seq = c.execute("SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'dp_rows'), 0), "
                        "coalesce((SELECT max(seq) FROM dp_rows), 0))").fetchone()
        self._row_seq = seq[0]
        self._version_seq = c.execute("SELECT coalesce(max(seq), 0) FROM dp_versions").fetchone()[0]

    def end_group(self) -> None:
        refresh_sqlite(self._conn, self._traces)
        self._conn.executemany("UPDATE dp_counters SET value = ? WHERE name = ?",
                               [(self._xact, "xact"), (self._change, "change")])

    def forget_call(self) -> None:
        self._xact, self._row_seq, self._version_seq, self._change, searched = self._saved
        del self.search[searched:]

    @property
    def last_change(self) -> int:
        """The change number of the last committed (or being committed) write."""
        return self._change

    def next_change(self) -> int:
        self._change += 1
        return self._change

    # one call -----------------------------------------------------------
    def _current(self, keys: list[RowKey]) -> dict[RowKey, tuple[int, dict[str, Any]]]:
        by_ok: dict[int, list[str]] = {}
        org_of: dict[int, tuple[str, str, str]] = {}
        for org, typ, obj, row_id in keys:
            ok = self.objkeys[(org, typ, obj)]
            by_ok.setdefault(ok, []).append(row_id)
            org_of[ok] = (org, typ, obj)
        out: dict[RowKey, tuple[int, dict[str, Any]]] = {}
        for ok, ids in by_ok.items():
            for i in range(0, len(ids), _CHUNK):
                chunk = ids[i:i + _CHUNK]
                marks = ",".join("?" * len(chunk))
                cur = self._conn.execute(
                    "SELECT r.seq, r.row_id, v.data FROM dp_rows r "
                    f"JOIN dp_versions v ON v.seq = r.version_seq WHERE r.ok = ? AND r.row_id IN ({marks})",
                    (ok, *chunk),
                )
                for seq, row_id, data in cur:
                    out[(*org_of[ok], row_id)] = (seq, orjson.loads(data))
        return out

    def apply_call(self, rows: list[RowWrite]) -> WriteResult:
        self._saved = (self._xact, self._row_seq, self._version_seq, self._change, len(self.search))
        now = time.time()
        current = self._current(merge_keys(rows))
        changes = plan_changes(rows, {k: v[1] for k, v in current.items()}, now)
        self._xact += 1
        xact = self._xact
        versions: list[tuple[Any, ...]] = []
        inserts: list[tuple[Any, ...]] = []
        updates: dict[tuple[int, ...], list[tuple[Any, ...]]] = {}
        deletes: list[tuple[int]] = []
        trash: list[tuple[int, int]] = []
        side_clear: list[tuple[int, int, RowShape]] = []  # (ok, row seq, the values it had)
        scores: list[tuple[Any, ...]] = []
        metrics: list[tuple[Any, ...]] = []
        per_object: dict[int, int] = {}
        for ch in changes:
            ok = self.objkeys[(ch.org_id, ch.ref.object_type, ch.ref.object_id)]
            per_object[ok] = per_object.get(ok, 0) + 1
            self._version_seq += 1
            vseq = self._version_seq
            existing = current.get(ch.key)
            sh = ch.shape
            summarized = ch.ref.object_type == EXPERIMENT
            if summarized and existing is None:
                self._traces.update((ok, t) for t in touched(None, sh))
            if sh is None:
                versions.append((vseq, ok, ch.row_id, xact, 1, None, None))
                if existing is not None:
                    deletes.append((existing[0],))
                    side_clear.append((ok, existing[0], gone := shape_of(existing[1], now, cases=summarized)))
                    if summarized:
                        self._traces.update((ok, t) for t in touched(gone, None))
                    trash.append((self.next_change(), existing[0]))
                continue
            versions.append((vseq, ok, ch.row_id, xact, 0, sh.created, ch.data))
            change = self.next_change()
            self.search.append((change, ch.search_text()))
            cols = (ch.project_id, xact, vseq, sh.created, sh.root_span_id, sh.span_id, sh.is_root, sh.span_name,
                    sh.span_type, sh.start, sh.end, sh.has_error, sh.case_key)
            if existing is not None:
                seq = existing[0]
                old = shape_of(existing[1], sh.created, cases=summarized)
                old_cols = (ch.project_id, None, None, old.created, old.root_span_id, old.span_id, old.is_root,
                            old.span_name, old.span_type, old.start, old.end, old.has_error, old.case_key)
                changed = tuple(i for i, (a, b) in enumerate(zip(cols, old_cols, strict=True)) if i < 3 or a != b)
                updates.setdefault(changed, []).append((*(cols[i] for i in changed), change, seq))
                if summarized:
                    self._traces.update((ok, t) for t in touched(old, sh))
                if _side_facts(old) == _side_facts(sh):
                    continue
                side_clear.append((ok, seq, old))
            else:
                self._row_seq += 1
                seq = self._row_seq
                inserts.append((seq, ok, ch.row_id, *cols, change))
            scores.extend((ok, n, seq, sh.root_span_id, v) for n, v in sh.scores.items())
            metrics.extend((ok, n, seq, sh.root_span_id, v) for n, v in sh.metrics.items())
        c = self._conn
        insert_all(c, _INSERT_VERSION, versions)
        if inserts:
            insert_all(c, _INSERT_ROW, inserts)
        for changed, args in updates.items():
            sets = ", ".join(f"{_ROW_COLUMNS[i]} = ?" for i in changed)
            c.executemany(f"UPDATE dp_rows SET {sets}, change_seq = ? WHERE seq = ?", args)
        if deletes:
            c.executemany("DELETE FROM dp_rows WHERE seq = ?", deletes)
        if trash:
            c.executemany("INSERT INTO dp_fts_trash (change_seq, row_seq) VALUES (?, ?)", trash)
        if side_clear:
            # by full key: the side tables are keyed (ok, name, row_seq), and we know the old names
            c.executemany("DELETE FROM dp_scores WHERE ok = ? AND name = ? AND row_seq = ?",
                          [(ok, n, seq) for ok, seq, old in side_clear for n in old.scores])
            c.executemany("DELETE FROM dp_metrics WHERE ok = ? AND name = ? AND row_seq = ?",
                          [(ok, n, seq) for ok, seq, old in side_clear for n in old.metrics])
        if scores:
            insert_all(c, _INSERT_SCORE, scores)
        if metrics:
            insert_all(c, _INSERT_METRIC, metrics)
        insert_all(c, _INSERT_XACT, [(ok, xact, now, n) for ok, n in per_object.items()])
        return WriteResult(xact_id=xact, row_ids=[w.row_id for w in rows])
