"""Feeding SQLite's FTS5 index in batches, off the acknowledgement path.

Written rows are marked ``fts_dirty``; each round takes a batch of them (and of deleted
rows waiting in ``dp_fts_trash``), removes the entry of the version the index holds,
adds the current version, and clears the marks, all in one transaction. The index is
contentless: removing an entry needs the text it was built from, which the append-only
versions table still has (``fts_seq`` names that version).
"""

from __future__ import annotations

import sqlite3
from typing import Any

import orjson

from twinplane.server.data_plane.store.row_shape import fts_texts
from twinplane.server.data_plane.store.sqlite_dialect import fts_object_token

_INSERT = "INSERT INTO dp_fts (rowid, obj, input, output, expected, metadata, error) VALUES (?, ?, ?, ?, ?, ?, ?)"
_DELETE = ("INSERT INTO dp_fts (dp_fts, rowid, obj, input, output, expected, metadata, error) "
           "VALUES ('delete', ?, ?, ?, ?, ?, ?, ?)")


def fts_entry(row_seq: int, ok: int, data: str | None) -> tuple[Any, ...]:
    row = orjson.loads(data) if data else None
    return (row_seq, fts_object_token(ok), *fts_texts(row))


class SqliteIndexer:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def run(self, batch: int) -> int:
        """One round; returns how many rows it handled (0 when the index is current)."""
        c = self._conn
        c.execute("BEGIN IMMEDIATE")
        try:
            dirty = c.execute(
                "SELECT r.seq, r.ok, r.version_seq, r.fts_seq, v.data, o.data FROM dp_rows r "
                "JOIN dp_versions v ON v.seq = r.version_seq LEFT JOIN dp_versions o ON o.seq = r.fts_seq "
                "WHERE r.fts_dirty LIMIT ?",
                (batch,),
            ).fetchall()
            trash = c.execute(
                "SELECT t.row_seq, v.ok, v.data FROM dp_fts_trash t JOIN dp_versions v ON v.seq = t.fts_seq LIMIT ?",
                (batch,),
            ).fetchall()
            removals = [fts_entry(seq, ok, data) for seq, ok, data in trash]
            removals += [fts_entry(seq, ok, old) for seq, ok, _v, fts_seq, _d, old in dirty if fts_seq is not None]
            if removals:
                c.executemany(_DELETE, removals)
            if dirty:
                c.executemany(_INSERT, [fts_entry(seq, ok, data) for seq, ok, _v, _f, data, _o in dirty])
                c.executemany("UPDATE dp_rows SET fts_dirty = 0, fts_seq = ? WHERE seq = ?",
                              [(vseq, seq) for seq, _ok, vseq, _f, _d, _o in dirty])
            if trash:
                c.executemany("DELETE FROM dp_fts_trash WHERE row_seq = ?", [(t[0],) for t in trash])
            # Trash whose version is gone (object purged) can never be removed from FTS by
            # text; purge removes those entries itself, so just drop the marker.
            c.execute("DELETE FROM dp_fts_trash WHERE fts_seq NOT IN (SELECT seq FROM dp_versions)")
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        return len(dirty) + len(trash)
