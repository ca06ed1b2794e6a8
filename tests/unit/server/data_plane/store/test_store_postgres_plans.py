"""PostgreSQL query plans that must not grow with the data: a search page walks its hits newest
first and stops, whatever the server's parallel settings; an indexer round reads only its batch."""

from __future__ import annotations

import psycopg

from twinplane.server.data_plane.migrations import upgrade_to_head
from twinplane.server.data_plane.query.parse import parse_filter
from twinplane.server.data_plane.store.base import ObjectRef, RowQuery
from twinplane.server.data_plane.store.postgres import _INDEX_SQL, INDEX_BATCH, PostgresStore
from twinplane.server.data_plane.store.postgres_dialect import PostgresDialect
from twinplane.server.data_plane.store.row_select import build_select

from .conftest import ORG

LOGS = ObjectRef("project_logs", "p")


async def _plan(conn: psycopg.AsyncConnection, sql: str, params: object = None) -> str:
    cur = await conn.execute("EXPLAIN " + sql, params)  # type: ignore[arg-type]
    return "\n".join(r[0] for r in await cur.fetchall())


async def test_a_search_for_a_common_word_walks_its_hits_newest_first_without_parallel_workers(postgres_url) -> None:
    # 60,000 entries in two objects; "common" in every one, "rare" in ten. Without statistics on
    # the object test (ok + 0) the planner guessed 0.5 % of the hits and, parallel workers off,
    # sorted every one of them instead of stopping after a page.
    upgrade_to_head(postgres_url)  # the schema only; no indexer running
    async with await psycopg.AsyncConnection.connect(postgres_url, autocommit=True) as conn:
        await conn.execute(
            "INSERT INTO dp_fts (seq, ok, fts) SELECT g, 1 + (g % 5 > 1)::int, "
            "to_tsvector('simple', 'common ' || CASE WHEN g % 6000 = 0 THEN 'rare ' ELSE '' END || 'w' || (g % 997)) "
            "FROM generate_series(1, 60000) AS g")
        await conn.execute("ANALYZE dp_fts")
        await conn.execute("SET max_parallel_workers_per_gather = 0")
        plans = {}
        for word in ("common", "rare"):
            d = PostgresDialect(1)
            sel = build_select(RowQuery(ORG, LOGS, search=word, filter=parse_filter("metadata.model = 'm'"),
                                        limit=50), d)
            plans[word] = await _plan(conn, sel.sql, sel.params)
    assert "Index Scan Backward using dp_fts_pkey" in plans["common"], plans["common"]
    assert "Seq Scan on dp_fts" not in plans["common"], plans["common"]
    assert "Bitmap Index Scan on ix_dp_fts_gin" in plans["rare"], plans["rare"]  # a few hits: found, then sorted


async def test_an_indexer_round_probes_its_batch_by_key_however_long_the_queue(postgres_url) -> None:
    # A backlog (a burst of ingest, a rebuild) must not make every round read the whole queue:
    # that made catching up take time quadratic in the backlog.
    upgrade_to_head(postgres_url)  # the schema only; no indexer running
    async with await psycopg.AsyncConnection.connect(postgres_url, autocommit=True) as conn:
        await conn.execute("INSERT INTO dp_fts_queue (row_seq) SELECT g FROM generate_series(1, 100000) AS g")
        await conn.execute("ANALYZE dp_fts_queue")
        plan = await _plan(conn, _INDEX_SQL, (INDEX_BATCH,))
    assert "Seq Scan on dp_fts_queue" not in plan, plan
    assert "Index Scan using dp_fts_queue_pkey" in plan, plan


async def test_the_stores_reads_start_no_parallel_workers_and_compile_nothing(postgres_url) -> None:
    # Reads walk an index and stop after a page: launching workers cost a page 27 ms of waiting
    # on a busy 2-core server for 2 ms of work, and JIT compiling 8-13 ms of a 2.5 ms page (the
    # planner costs it as the whole scan it stops early; bench/results/query_notes.md).
    store = PostgresStore(postgres_url, min_size=1, max_size=2)
    await store.start()
    try:
        assert await store._query("SHOW max_parallel_workers_per_gather") == [("0",)]
        assert await store._query("SHOW jit") == [("off",)]
    finally:
        await store.close()
