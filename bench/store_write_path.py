"""The store's write path alone, in CPU per row: what the ingest targets need from it.

``python -m bench.store_write_path [sqlite|postgresql ...]`` applies ``bench_ingest``'s rows
(100 distinct ~2 KB spans per call, 2 scores and 3 token metrics each) in groups of 8 calls,
with no event loop and no HTTP, and reports CPU microseconds per row:

* SQLite: the writer (``SqliteApplier`` + group commit, this thread's CPU), then the
  full-text indexer catching up on everything (its thread's CPU), with the writer's
  hand-over of row texts as in the server;
* PostgreSQL: ``apply_group`` on one connection (this process's CPU, and the backend's
  CPU read from ``/proc/<pg_backend_pid>/stat``), then the tsvector indexer's rounds.

CPU figures stay meaningful on a machine shared with other work, where rows/s do not.
Writes ``bench/results/store_write_path.json``. The rows go to project logs; with
``BENCH_WRITE_PATH_OBJECT=experiment`` to an experiment instead, whose writes also keep its
summary's per-trace and per-case values (``store/trace_rollup.py``; results under
``<engine>_experiment``).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import orjson

from bench.bench_ingest import _batch, _row_parts
from bench.pg import create_database, drop_database
from bench.proc import cpu_seconds

HERE = Path(__file__).resolve().parent
GROUPS = int(os.environ.get("BENCH_WRITE_PATH_GROUPS", "40"))
CALLS_PER_GROUP = 8
OBJECT_TYPE = os.environ.get("BENCH_WRITE_PATH_OBJECT", "project_logs")


def _calls(n_groups: int) -> list[list[list[Any]]]:
    from twinplane.server.data_plane.store.base import ObjectRef, RowWrite

    parts = _row_parts("p", 257)
    ref = ObjectRef(OBJECT_TYPE, "p")
    prefix = uuid.uuid4().hex[:12]
    groups, seq = [], 0
    for _ in range(n_groups):
        group = []
        for _ in range(CALLS_PER_GROUP):
            seq += 1
            rows = orjson.loads(_batch(parts, prefix, seq, None)[0])["rows"]
            group.append([RowWrite("org-bench", "p", ref, r["id"], r) for r in rows])
        groups.append(group)
    return groups


def _rows(groups: list[list[list[Any]]]) -> int:
    return sum(len(call) for group in groups for call in group)


def sqlite_write_path() -> dict[str, Any]:
    from twinplane.server.data_plane.migrations import upgrade_to_head
    from twinplane.server.data_plane.store.sqlite_apply import SqliteApplier
    from twinplane.server.data_plane.store.sqlite_connection import open_connection
    from twinplane.server.data_plane.store.sqlite_indexer import SqliteIndexer

    tmp = tempfile.mkdtemp(prefix="tp_write_path_")
    try:
        path = f"{tmp}/data.db"
        upgrade_to_head(f"sqlite:///{path}")
        indexer = SqliteIndexer(path)  # not started yet: takes the writer's hand-over meanwhile
        conn = open_connection(path, "NORMAL")
        applier = SqliteApplier(conn)

        def run(groups: list[list[list[Any]]]) -> None:
            for group in groups:
                applier.ensure_objects([w for call in group for w in call])
                conn.execute("BEGIN IMMEDIATE")
                applier.begin_group()
                for call in group:  # as SqliteWriter does: a savepoint per call
                    conn.execute("SAVEPOINT call")
                    applier.apply_call(call)
                    conn.execute("RELEASE call")
                applier.end_group()
                conn.execute("COMMIT")
                indexer.offer(applier.search)

        warm = _calls(10)
        run(warm)
        groups = _calls(GROUPS)
        t0, c0 = time.perf_counter(), time.thread_time()
        run(groups)
        c1, t1 = time.thread_time(), time.perf_counter()
        target = conn.execute("SELECT value FROM dp_counters WHERE name = 'change'").fetchone()[0]
        conn.close()
        # only the indexer's thread works now (this one waits): the process's CPU is its CPU
        p0 = time.process_time()
        indexer.start()
        indexer.wait_caught_up(target, timeout=600)
        p1 = time.process_time()
        indexer.stop()
        n = _rows(groups)
        return {"engine": "sqlite", "rows": n, "writer_rows_per_second_wall": round(n / (t1 - t0)),
                "writer_cpu_us_per_row": round((c1 - c0) / n * 1e6, 1),
                "indexer_cpu_us_per_row": round((p1 - p0) / (n + _rows(warm)) * 1e6, 1)}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


async def _postgres(url: str) -> dict[str, Any]:
    import psycopg

    from twinplane.server.data_plane.migrations import upgrade_to_head
    from twinplane.server.data_plane.store.postgres import (  # the indexer's one statement
        _INDEX_SQL,
        INDEX_BATCH,
    )
    from twinplane.server.data_plane.store.postgres_apply import apply_group

    upgrade_to_head(url)
    warm, groups = _calls(10), _calls(GROUPS)
    async with await psycopg.AsyncConnection.connect(url) as conn:
        cur = await conn.execute("INSERT INTO dp_objkeys (org_id, object_type, object_id) "
                                 "VALUES ('org-bench', %s, 'p') RETURNING id", (OBJECT_TYPE,))
        objkeys = {("org-bench", OBJECT_TYPE, "p"): int((await cur.fetchone())[0])}  # type: ignore[index]
        await conn.commit()
        pid = int((await (await conn.execute("SELECT pg_backend_pid()")).fetchone())[0])  # type: ignore[index]

        async def run(gs: list[list[list[Any]]]) -> None:
            for group in gs:
                async with conn.transaction():
                    await apply_group(conn, group, objkeys)

        await run(warm)
        b0, c0, t0 = cpu_seconds(pid), time.process_time(), time.perf_counter()
        await run(groups)
        t1, c1, b1 = time.perf_counter(), time.process_time(), cpu_seconds(pid)
        indexed = 0
        i0 = cpu_seconds(pid)
        while True:
            async with conn.transaction():
                n = int((await (await conn.execute(_INDEX_SQL, (INDEX_BATCH,))).fetchone())[0])  # type: ignore[index]
            if not n:
                break
            indexed += n
        i1 = cpu_seconds(pid)
    n = _rows(groups)
    return {"engine": "postgresql", "rows": n, "write_rows_per_second_wall": round(n / (t1 - t0)),
            "client_cpu_us_per_row": round((c1 - c0) / n * 1e6, 1),
            "backend_cpu_us_per_row": round((b1 - b0) / n * 1e6, 1),
            "indexer_backend_cpu_us_per_row": round((i1 - i0) / max(indexed, 1) * 1e6, 1)}


def postgres_write_path() -> dict[str, Any]:
    url = create_database()
    try:
        return asyncio.run(_postgres(url))
    finally:
        drop_database(url)


def main(engines: list[str]) -> None:
    out = {}
    for engine in engines or ["sqlite", "postgresql"]:
        res = sqlite_write_path() if engine == "sqlite" else postgres_write_path()
        res["load_average_1m_after"] = round(os.getloadavg()[0], 2)
        out[engine if OBJECT_TYPE == "project_logs" else f"{engine}_{OBJECT_TYPE}"] = res
        print(json.dumps(res), flush=True)
    target = HERE / "results" / "store_write_path.json"
    previous = json.loads(target.read_text()) if target.exists() else {}
    target.write_text(json.dumps({**previous, **out}, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
