"""SQLite query plans: the reads that must stay fast as objects grow walk an index in the
requested order and stop after a page, instead of sorting every candidate."""

from __future__ import annotations

import sqlite3

from twinplane.server.data_plane.query.parse import parse_filter
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


def _plans(path: str, q: RowQuery) -> tuple[list[str], list[str]]:
    """The plans of a value-sorted read: its rows with the value, then (``then``) those without."""
    conn = sqlite3.connect(path)
    try:
        sel = build_select(q, SqliteDialect(1, roots_only=q.roots_only))
        assert sel.then is not None
        return tuple([r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + s.sql, s.params)]  # type: ignore[return-value]
                     for s in (sel, sel.then))
    finally:
        conn.close()


async def test_a_page_sorted_by_a_score_is_read_from_the_scores(tmp_path) -> None:
    """Sorted by a score, a page starts from that score's values (the side table's key range)
    and reads rows by their seq, never walking every row of the object to probe its value; the
    rows without the score then follow in the created index's order, stopping after a page."""
    path = str(tmp_path / "data.db")
    store = SqliteStore(path)
    await store.start()
    try:
        await store.write_rows([w(EXP, f"r{i}", scores={"acc": i % 3} if i % 2 else None) for i in range(20)])
    finally:
        await store.close()
    filtered = RowQuery(ORG, EXP, limit=50, sort=[("scores.acc", "desc")], filter=parse_filter("metadata.m = 'a'"))
    for q in (RowQuery(ORG, EXP, limit=50, sort=[("scores.acc", "desc")]), filtered):
        values, rest = _plans(path, q)
        paging = values[:values.index("SCAN p")]
        first_table = next(step for step in paging if step.startswith(("SEARCH", "SCAN")))
        assert first_table == "SEARCH s USING PRIMARY KEY (ok=? AND name=?)", values
        assert "SEARCH r USING INTEGER PRIMARY KEY (rowid=?)" in paging, values
        assert not any("ix_dp_rows" in step for step in paging), values
        assert any("USING INDEX ix_dp_rows_created" in step for step in rest), rest
        assert not any("TEMP B-TREE" in step for step in rest[:rest.index("SCAN p")]), rest
