"""SQLite query plans: the reads that must stay fast as objects grow walk an index in the
requested order and stop after a page, instead of sorting every candidate."""

from __future__ import annotations

import sqlite3

from twinplane.server.data_plane.store.base import ObjectRef, RowQuery
from twinplane.server.data_plane.store.row_select import build_select
from twinplane.server.data_plane.store.sqlite import SqliteStore
from twinplane.server.data_plane.store.sqlite_dialect import SqliteDialect
from twinplane.server.data_plane.store.sqlite_indexer import fts_path

from .conftest import ORG, w

EXP = ObjectRef("experiment", "exp-1")


def _plan(path: str, q: RowQuery) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        conn.execute("ATTACH DATABASE ? AS fts", (fts_path(path),))
        d = SqliteDialect(1, roots_only=q.roots_only)
        sel = build_select(q, d)
        # the inner (paging) query is what must avoid a sort; the outer one orders one page
        return [r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sel.sql, sel.params)]
    finally:
        conn.close()


async def test_pages_are_read_in_index_order(tmp_path) -> None:
    path = str(tmp_path / "data.db")
    store = SqliteStore(path)
    await store.start()
    try:
        await store.write_rows([w(EXP, f"r{i}", input="common words", root_span_id=f"t{i}", span_id=f"r{i}")
                                for i in range(20)])
        await store.wait_indexed()
    finally:
        await store.close()

    def inner_sorts(plan: list[str]) -> int:
        # steps before "SCAN p" belong to the paging query; after it, one page is ordered
        return sum("TEMP B-TREE" in step for step in plan[:plan.index("SCAN p")])

    newest = _plan(path, RowQuery(ORG, EXP, limit=50))
    assert any("USING INDEX ix_dp_rows_created" in step for step in newest) and inner_sorts(newest) == 0, newest
    roots = _plan(path, RowQuery(ORG, EXP, limit=50, roots_only=True))
    assert any("USING INDEX ix_dp_rows_roots" in step for step in roots) and inner_sorts(roots) == 0, roots
    # FTS5 drives the read in rowid order, newest first, so the LIMIT stops it after a page
    search = _plan(path, RowQuery(ORG, EXP, limit=50, search="common"))
    assert "dp_fts VIRTUAL TABLE" in search[1] and inner_sorts(search) == 0, search
