"""Feeding SQLite's FTS5 index in batches, off the acknowledgement path.

Written rows are marked ``fts_dirty``; each round takes a batch of them (and of deleted
rows waiting in ``dp_fts_trash``), removes the entry of the version the index holds,
adds the current version, and clears the marks, all in one transaction. The index is
contentless: removing an entry needs the text it was built from, which the append-only
versions table still has (``fts_seq`` names that version), and the text is derived from
the JSON in SQL (``json_tree``), deterministically, so a removal reproduces it exactly.
"""

# SQL here is assembled from fixed fragments and placeholders; every value is bound.
# ruff: noqa: S608

from __future__ import annotations

import sqlite3

from twinplane.server.data_plane.store.row_shape import FTS_FIELDS


def _text(data: str, field: str) -> str:
    # the string and number leaves of one field, in document order
    return (f"(SELECT group_concat(value, char(10)) FROM json_tree({data}, '$.{field}') "
            "WHERE type IN ('text', 'integer', 'real'))")


def fts_values(data: str, ok: str) -> str:
    """SQL for the (obj, input, output, expected, metadata, error) values of an FTS entry."""
    return ", ".join([f"'obj' || {ok}"] + [_text(data, f) for f in FTS_FIELDS])


_COLUMNS = "obj, " + ", ".join(FTS_FIELDS)

_ADD = (f"INSERT INTO dp_fts (rowid, {_COLUMNS}) SELECT r.seq, {fts_values('v.data', 'r.ok')} "
        "FROM temp.fts_batch b JOIN dp_rows r ON r.seq = b.seq JOIN dp_versions v ON v.seq = r.version_seq")
_REMOVE_OLD = (f"INSERT INTO dp_fts (dp_fts, rowid, {_COLUMNS}) SELECT 'delete', r.seq, {fts_values('o.data', 'o.ok')} "
               "FROM temp.fts_batch b JOIN dp_rows r ON r.seq = b.seq JOIN dp_versions o ON o.seq = r.fts_seq")
_REMOVE_TRASH = (f"INSERT INTO dp_fts (dp_fts, rowid, {_COLUMNS}) SELECT 'delete', t.row_seq, "
                 f"{fts_values('o.data', 'o.ok')} FROM temp.fts_trash_batch x JOIN dp_fts_trash t "
                 "ON t.row_seq = x.row_seq JOIN dp_versions o ON o.seq = t.fts_seq")


class SqliteIndexer:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS fts_batch (seq INTEGER PRIMARY KEY)")
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS fts_trash_batch (row_seq INTEGER PRIMARY KEY)")

    def run(self, batch: int) -> int:
        """One round; returns how many rows it handled (0 when the index is current)."""
        c = self._conn
        c.execute("BEGIN IMMEDIATE")
        try:
            c.execute("DELETE FROM temp.fts_batch")
            c.execute("DELETE FROM temp.fts_trash_batch")
            n = c.execute("INSERT INTO temp.fts_batch (seq) SELECT seq FROM dp_rows WHERE fts_dirty LIMIT ?",
                          (batch,)).rowcount
            m = c.execute("INSERT INTO temp.fts_trash_batch (row_seq) SELECT row_seq FROM dp_fts_trash LIMIT ?",
                          (batch,)).rowcount
            if m:
                c.execute(_REMOVE_TRASH)
                c.execute("DELETE FROM dp_fts_trash WHERE row_seq IN (SELECT row_seq FROM temp.fts_trash_batch)")
            if n:
                c.execute(_REMOVE_OLD)
                c.execute(_ADD)
                c.execute("UPDATE dp_rows SET fts_dirty = 0, fts_seq = version_seq "
                          "WHERE seq IN (SELECT seq FROM temp.fts_batch)")
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        return n + m


def purge_fts(c: sqlite3.Connection, ok: int) -> None:
    """Remove every FTS entry of one object (inside the caller's transaction)."""
    c.execute(f"INSERT INTO dp_fts (dp_fts, rowid, {_COLUMNS}) SELECT 'delete', r.seq, {fts_values('o.data', 'o.ok')} "
              "FROM dp_rows r JOIN dp_versions o ON o.seq = r.fts_seq WHERE r.ok = ? AND r.fts_seq IS NOT NULL", (ok,))
    c.execute(f"INSERT INTO dp_fts (dp_fts, rowid, {_COLUMNS}) SELECT 'delete', t.row_seq, "
              f"{fts_values('o.data', 'o.ok')} FROM dp_fts_trash t JOIN dp_versions o ON o.seq = t.fts_seq "
              "WHERE o.ok = ?", (ok,))
    c.execute("DELETE FROM dp_fts_trash WHERE fts_seq IN (SELECT seq FROM dp_versions WHERE ok = ?)", (ok,))
