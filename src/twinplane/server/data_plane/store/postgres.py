"""The production engine: PostgreSQL through psycopg 3's async pool.

Safe with many data-plane processes on one database: transaction ids come from a
sequence, each call locks its row keys (``postgres_apply``), object keys are created with
``ON CONFLICT DO NOTHING``, and the full-text indexer of every process takes disjoint
batches with ``FOR UPDATE SKIP LOCKED``.
"""

# SQL here is assembled from fixed fragments and placeholders; every value is bound.
# ruff: noqa: S608

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

from twinplane.server.common.errors import BadRequest
from twinplane.server.data_plane.migrations import upgrade_to_head
from twinplane.server.data_plane.store.base import (
    OBJECT_TABLES,
    PURGE_BATCH,
    ObjectMeta,
    ObjectRef,
    RowWrite,
    StoreStats,
    WriteResult,
)
from twinplane.server.data_plane.store.db_error import describe
from twinplane.server.data_plane.store.postgres_dialect import FTS_CONFIG, FTS_WEIGHTS, PostgresDialect
from twinplane.server.data_plane.store.postgres_writer import PostgresWriter
from twinplane.server.data_plane.store.row_change import validate
from twinplane.server.data_plane.store.row_reads import RowReads

logger = logging.getLogger(__name__)

INDEX_BATCH = 2000
INDEX_IDLE = 0.2  # seconds the indexer sleeps when nothing is waiting
STATS_BOUND = 100_000  # the most queued rows Store.stats counts (the metric then reads "at least")
INDEX_TASKS = 2  # concurrent rounds per process (disjoint batches through SKIP LOCKED)
STATEMENT_TIMEOUT_MS = 30_000
# Every connection of the store: custom plans always (psycopg prepares after 5 runs, and a
# generic plan cannot tell a rare search term from a common one: 7 s vs 53 ms at 1 M spans,
# bench/results/query_notes.md); no parallel workers (our reads walk an index and stop after a
# page, and starting workers made a 2 ms page wait 27 ms for them on a busy 2-core server); no
# JIT (the planner's cost of a page that stops early is its whole scan's, so compiling took
# 8-13 ms of a 2.5 ms filtered page at 1 M spans, and up to 137 ms of a sorted one).
SESSION_OPTIONS = (f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c plan_cache_mode=force_custom_plan "
                   "-c max_parallel_workers_per_gather=0 -c jit=off")


def _tsvector_sql() -> str:
    def part(expr: str, weight: str) -> str:
        return (f"setweight(jsonb_to_tsvector('{FTS_CONFIG}', coalesce({expr}, 'null'::jsonb), "
                f"'[\"string\", \"numeric\"]'), '{weight}')")

    return " || ".join([
        part("v.data -> 'input'", FTS_WEIGHTS["input"]),
        part("v.data -> 'output'", FTS_WEIGHTS["output"]),
        part("v.data -> 'expected'", FTS_WEIGHTS["expected"]),
        part("jsonb_build_array(v.data -> 'metadata', v.data -> 'error')", FTS_WEIGHTS["metadata"]),
    ])


# Takes a batch of queued row seqs (entries another process holds are skipped), writes
# the tsvectors of those rows and drops the entries of rows deleted since. A writer that
# queues a row again meanwhile waits for this delete to commit, so the row is queued anew
# and indexed in a later round. Writers never touch dp_fts, so the two cannot deadlock.
# The batch is an array (``= ANY(ARRAY(...))``), not ``IN (subquery)``: with ``IN`` the
# planner hash-joined the whole queue every round (84 ms a round at 400,000 queued rows, so
# catching up on a backlog took time quadratic in it); the array is probed by key.
_INDEX_SQL = (
    "WITH q AS (DELETE FROM dp_fts_queue WHERE row_seq = ANY(ARRAY(SELECT row_seq FROM dp_fts_queue "
    "ORDER BY row_seq LIMIT %s FOR UPDATE SKIP LOCKED)) RETURNING row_seq), "
    "ins AS (INSERT INTO dp_fts (seq, ok, fts) "
    f"SELECT r.seq, r.ok, {_tsvector_sql()} "
    "FROM q JOIN dp_rows r ON r.seq = q.row_seq JOIN dp_versions v ON v.seq = r.version_seq "
    "ON CONFLICT (seq) DO UPDATE SET fts = excluded.fts RETURNING seq), "
    "gone AS (DELETE FROM dp_fts WHERE seq IN (SELECT row_seq FROM q) "
    "AND NOT EXISTS (SELECT 1 FROM dp_rows r WHERE r.seq = dp_fts.seq) RETURNING seq) "
    "SELECT (SELECT count(*) FROM q), (SELECT count(*) FROM ins), (SELECT count(*) FROM gone)"
)


class PostgresStore(RowReads):
    dialect_class = PostgresDialect

    def __init__(self, url: str, *, min_size: int = 2, max_size: int = 16) -> None:
        super().__init__()
        self.url = url
        self._pool = AsyncConnectionPool(url, min_size=min_size, max_size=max_size, open=False,
                                         kwargs={"options": SESSION_OPTIONS})
        self._indexers: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()
        self._objkeys: dict[tuple[str, str, str], int] = {}
        self._writer = PostgresWriter(self._pool, self._ensure_objects, self._objkeys, backlog=self._fts_queued)

    # lifecycle ----------------------------------------------------------
    async def start(self) -> None:
        await asyncio.to_thread(upgrade_to_head, self.url)
        await self._pool.open(wait=True)
        self._stopping.clear()
        self._indexers = [asyncio.create_task(self._index_loop(), name=f"twinplane-pg-fts-indexer-{i}")
                          for i in range(INDEX_TASKS)]

    async def close(self) -> None:
        await self._writer.close()
        # no cancellation: a round cancelled mid-query would leave its connection to be
        # cleaned up by the pool; the loops finish their round and see the flag instead
        self._stopping.set()
        await asyncio.gather(*self._indexers, return_exceptions=True)
        self._indexers = []
        await self._pool.close()

    async def ping(self) -> None:
        await self._query("SELECT 1", {})

    async def stats(self) -> StoreStats:
        return StoreStats("postgresql", self._writer.pending, await self._fts_queued(STATS_BOUND))

    async def _fts_queued(self, bound: int, within: float = 5.0) -> int:
        """Rows waiting for the full-text indexers, counted up to ``bound`` (a count never reads a huge queue),
        in at most ``within`` seconds, waiting for a connection included (else a psycopg or pool error)."""
        async with self._pool.connection(timeout=within) as conn, conn.transaction():
            await conn.execute(f"SET LOCAL statement_timeout = {max(1, int(within * 1000))}")
            cur = await conn.execute("SELECT count(*) FROM (SELECT 1 FROM dp_fts_queue LIMIT %s) q", (bound,))
            return int((await cur.fetchone())[0])  # type: ignore[index]

    # plumbing -----------------------------------------------------------
    async def _query(self, sql: str, params: dict[str, Any] | tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        try:
            async with self._pool.connection() as conn:
                cur = await conn.execute(sql, params or None)
                return await cur.fetchall() if cur.description else []
        except psycopg.errors.QueryCanceled as err:
            raise BadRequest(f"the query ran longer than {STATEMENT_TIMEOUT_MS // 1000} s; narrow it down") from err

    async def _lookup_ok(self, org_id: str, ref: ObjectRef) -> int | None:
        rows = await self._query("SELECT id FROM dp_objkeys WHERE org_id = %s AND object_type = %s AND object_id = %s",
                                 (org_id, ref.object_type, ref.object_id))
        return int(rows[0][0]) if rows else None

    async def _ensure_objects(self, rows: list[RowWrite]) -> None:
        missing = sorted({(w.org_id, w.ref.object_type, w.ref.object_id) for w in rows} - self._objkeys.keys())
        if not missing:
            return
        async with self._pool.connection() as conn:
            cur = conn.cursor()
            await cur.execute(
                "INSERT INTO dp_objkeys (org_id, object_type, object_id) SELECT * FROM unnest(%s::text[], %s::text[], "
                "%s::text[]) ON CONFLICT DO NOTHING", ([k[0] for k in missing], [k[1] for k in missing],
                                                     [k[2] for k in missing]))
            await cur.execute(
                "SELECT id, org_id, object_type, object_id FROM dp_objkeys WHERE (org_id, object_type, object_id) IN "
                "(SELECT * FROM unnest(%s::text[], %s::text[], %s::text[]))",
                ([k[0] for k in missing], [k[1] for k in missing], [k[2] for k in missing]))
            for id_, org, typ, obj in await cur.fetchall():
                self._objkeys[(org, typ, obj)] = int(id_)

    # writes -------------------------------------------------------------
    async def write_rows(self, rows: list[RowWrite]) -> WriteResult:
        for w in rows:
            validate(w)
        return await self._writer.write(rows)

    async def put_object(self, meta: ObjectMeta) -> ObjectMeta:
        args = self._object_args(meta)
        await self._query(
            "INSERT INTO dp_objects (id, org_id, project_id, object_type, name, created, created_ts, data, deleted) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s) ON CONFLICT (id) DO UPDATE SET "
            "project_id = excluded.project_id, object_type = excluded.object_type, name = excluded.name, "
            "created = excluded.created, created_ts = excluded.created_ts, data = excluded.data, "
            "deleted = excluded.deleted WHERE dp_objects.org_id = excluded.org_id", args)
        return meta

    async def purge_object(self, org_id: str, ref: ObjectRef) -> int:
        """The rows in transactions of ``PURGE_BATCH`` (``_remove_rows``), then what is left of the object: versions
        of rows deleted earlier, summaries, version listings, search entries."""
        ok = await self._ok(org_id, ref)
        if ok is None:
            return 0
        total = 0
        while (n := await self._remove_rows(ok, None, PURGE_BATCH)) == PURGE_BATCH:
            total += n
        async with self._pool.connection() as conn, conn.transaction():
            for table in (*OBJECT_TABLES, "dp_fts"):
                # a row written meanwhile keeps its versions (and the repeated purge takes it), as on SQLite
                live = (" AND NOT EXISTS (SELECT 1 FROM dp_rows r WHERE r.ok = dp_versions.ok "
                        "AND r.row_id = dp_versions.row_id)") if table == "dp_versions" else ""
                await conn.execute(f"DELETE FROM {table} WHERE ok = %s{live}", (ok,))
        return total + n

    async def queue_version_removal(self, org_id: str, ref: ObjectRef, row_ids: list[str]) -> None:
        ok = await self._ok(org_id, ref)
        if ok is None or not row_ids:
            return
        async with self._pool.connection() as conn, conn.transaction():
            await conn.execute("INSERT INTO dp_expired (ok, row_id) SELECT %s, unnest(%s::text[]) ON CONFLICT DO NOTHING",
                               (ok, row_ids))

    async def finish_version_removal(self) -> int:
        """One transaction: the queue is taken (entries another process holds are skipped) and the versions of
        its rows without a current row deleted. The full-text entries go through the indexer, from ``dp_rows``."""
        async with self._pool.connection() as conn, conn.transaction():
            cur = await conn.execute(
                "WITH q AS (DELETE FROM dp_expired WHERE (ok, row_id) IN (SELECT ok, row_id FROM dp_expired "
                "FOR UPDATE SKIP LOCKED) RETURNING ok, row_id) "
                "DELETE FROM dp_versions v USING q WHERE v.ok = q.ok AND v.row_id = q.row_id "
                "AND NOT EXISTS (SELECT 1 FROM dp_rows r WHERE r.ok = v.ok AND r.row_id = v.row_id)")
            return cur.rowcount

    async def expire_rows(self, org_id: str, ref: ObjectRef, before: float, limit: int) -> int:
        ok = await self._ok(org_id, ref)
        return 0 if ok is None else await self._remove_rows(ok, before, limit)

    async def _remove_rows(self, ok: int, before: float | None, limit: int) -> int:
        """One transaction: up to ``limit`` of the object's rows (with ``before``: created before it, oldest first),
        their versions, values and search entries."""
        oldest = "AND created < %s ORDER BY created " if before is not None else ""
        params = (ok, before, limit) if before is not None else (ok, limit)
        async with self._pool.connection() as conn, conn.transaction():
            cur = await conn.execute(
                f"DELETE FROM dp_rows WHERE seq = ANY(ARRAY(SELECT seq FROM dp_rows WHERE ok = %s {oldest}"
                "LIMIT %s)) RETURNING seq, row_id", params)
            gone = await cur.fetchall()
            if not gone:
                return 0
            seqs, ids = [seq for seq, _ in gone], [rid for _, rid in gone]
            await conn.execute("DELETE FROM dp_versions WHERE ok = %s AND row_id = ANY(%s)", (ok, ids))
            for table in ("dp_scores", "dp_metrics"):
                await conn.execute(f"DELETE FROM {table} WHERE ok = %s AND row_seq = ANY(%s)", (ok, seqs))
            # the index queue before dp_fts: an index round holding some of these rows finishes before this goes on,
            # so it cannot write entries after the dp_fts delete
            await conn.execute("DELETE FROM dp_fts_queue WHERE row_seq = ANY(%s)", (seqs,))
            await conn.execute("DELETE FROM dp_fts WHERE seq = ANY(%s)", (seqs,))
        return len(gone)

    # full text ----------------------------------------------------------
    async def index_round(self) -> int:
        async with self._pool.connection() as conn, conn.transaction():
            cur = await conn.execute(_INDEX_SQL, (INDEX_BATCH,))
            return int((await cur.fetchone())[0])  # type: ignore[index]

    async def wait_indexed(self) -> None:
        while await self.index_round():
            pass

    async def _index_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                n = await self.index_round()
            except Exception as err:  # noqa: BLE001 - the indexer must outlive a bad round
                logger.error("full-text indexing round failed (%s); will retry", describe(err))
                n = 0
            if n < INDEX_BATCH:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), INDEX_IDLE)
