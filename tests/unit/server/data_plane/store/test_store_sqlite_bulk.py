"""``insert_all``: every row inserted once, in order, with its values as ``executemany`` binds them."""

from __future__ import annotations

import sqlite3

import pytest

from twinplane.server.data_plane.store.sqlite_bulk import CHUNK, insert_all


@pytest.mark.parametrize("n", [0, 1, 2, 3, 7, 100, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 5])
def test_every_row_in_order(n: int) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (i INTEGER, s TEXT, f REAL, b, z)")
    rows = [(i, f"r{i}\x00nul", i / 3, i % 2 == 0, None) for i in range(n)]
    insert_all(conn, "INSERT INTO t (i, s, f, b, z)", rows)
    got = conn.execute("SELECT i, s, f, b, z FROM t ORDER BY rowid").fetchall()
    assert got == [(i, s, f, int(b), z) for i, s, f, b, z in rows]
    for row in got:
        assert [type(v) for v in row] == [int, str, float, int, type(None)]
