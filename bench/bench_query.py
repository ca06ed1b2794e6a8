"""Query benchmark (issue 6): the read paths of the store at ~1 M spans, against the naive way.

For each engine: generate the corpus of ``query_corpus`` (seeded; ~1 M spans in traces,
Zipf-distributed text, metadata, scores, metrics), load it through ``Store.write_rows``
(1,000-row calls, ``CONCURRENCY`` in flight), poll a search for the last row's unique word
until the full-text index has caught up, then time, through the real store API (p50 / p95
over ``--runs`` runs after 2 warm-ups):

* newest 50 root spans of the main project's logs with a metadata filter;
* full-text term + the same filter, newest 50, for a rare, a 1 % and the most common term;
* mean of a score grouped by object over every object (all spans);
* the summary with comparison of the 10,000-case candidate against its baseline
  (``summary_stats`` + ``services.summary.summary_items``, what ``/summarize`` runs);
* one 100-span trace.

In the same run the naive baselines of ``query_naive`` answer the same questions on the
same database (results checked to agree); speed-up = naive p50 / our p50. After the timed
runs each query runs once more with its SQL recorded, and the plans (SQLite ``EXPLAIN QUERY
PLAN``, PostgreSQL ``EXPLAIN (ANALYZE, BUFFERS)``) go into the JSON (and, for a missed
target, into the markdown).

``python -m bench.bench_query [sqlite|postgresql ...] [--spans N] [--runs N] [--keep]``
writes ``bench/results/query_<engine>.json`` and renders ``bench/results/query.md`` from
every engine's JSON present. The SQLite file lives in ``bench/.data/`` (git-ignored);
PostgreSQL gets its own ``tp_bench_<random>`` database on 127.0.0.1, dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import platform
import signal
import sqlite3
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from queue import Empty
from typing import Any

import orjson

from bench import query_report
from bench.pg import create_database, drop_database
from bench.query_corpus import FILTER_MODEL, ORG, Corpus, produce
from bench.query_naive import PostgresNaive, SqliteNaive, sqlite_connect

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
DATA = HERE / ".data"
SPANS = int(os.environ.get("BENCH_QUERY_SPANS", "1000000"))
BATCH = 1000
CONCURRENCY = 4
WARMUPS = 2
OUR_BUDGET_S = 120.0  # per query: stop early (with >= 5 runs) if a path is pathological
NAIVE_RUNS, NAIVE_BUDGET_S = 20, 45.0  # naive paths take seconds: as many runs as fit, at least 3
CATCH_UP_LIMIT_S = 900.0
SCORE = "Factuality"
FILTER = f"metadata.model = '{FILTER_MODEL}'"
# (p50, p95) targets in ms on SQLite; PostgreSQL gets twice as much.
TARGETS: dict[str, tuple[float | None, float | None]] = {
    "filtered_newest_roots": (20, None), "search_rare": (50, 150), "search_one_percent": (50, 150),
    "search_common": (50, 150), "mean_score_by_object": (100, None), "summary_with_comparison": (100, None),
    "trace_100_spans": (30, None),
}


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def _ms(xs: list[float]) -> dict[str, Any]:
    s = sorted(xs)
    p95 = s[max(0, -(-95 * len(s) // 100) - 1)]  # nearest rank
    return {"runs": len(s), "p50": round(statistics.median(s) * 1000, 2), "p95": round(p95 * 1000, 2),
            "min": round(s[0] * 1000, 2), "max": round(s[-1] * 1000, 2)}


async def _timed(fn: Callable[[], Awaitable[Any]], runs: int, budget: float, min_runs: int,
                 warmups: int = WARMUPS) -> tuple[dict[str, Any], Any]:
    out = None
    for _ in range(warmups):
        out = await fn()
    times: list[float] = []
    start = time.monotonic()
    while len(times) < runs:
        t0 = time.perf_counter()
        out = await fn()
        times.append(time.perf_counter() - t0)
        if len(times) >= min_runs and time.monotonic() - start > budget:
            break
    return _ms(times), out


# --- databases ------------------------------------------------------------------------------

def _sqlite_files(path: Path) -> list[Path]:
    # the main file and the full-text side file, with their WAL and shared-memory files
    return [path.with_name(path.name + ext + suffix) for ext in ("", ".fts") for suffix in ("", "-wal", "-shm")]


# --- load -----------------------------------------------------------------------------------

async def _load(store: Any, corpus: Corpus) -> dict[str, Any]:
    """Load the corpus (generated in a child process) with ``CONCURRENCY`` write calls in flight."""
    from twinplane.server.data_plane.store.base import ObjectMeta, ObjectRef, RowWrite

    for e in corpus.experiments:
        await store.put_object(ObjectMeta(e.id, ORG, e.project_id, "experiment", e.name, "2026-11-01T00:00:00+00:00",
                                          {"base_exp_id": corpus.baseline.id} if e is corpus.candidate else {}))
    ctx = mp.get_context("spawn")  # the store's threads are running: never fork them
    queue = ctx.Queue(maxsize=16)
    child = ctx.Process(target=produce, args=(corpus.target, BATCH, queue), daemon=True)
    child.start()
    refs: dict[tuple[str, str], ObjectRef] = {}
    sem = asyncio.Semaphore(CONCURRENCY)
    tasks: set[asyncio.Task[Any]] = set()
    errors: list[BaseException] = []
    waited = 0.0
    done = 0
    t0 = time.perf_counter()
    next_report = 100_000

    def finished(task: asyncio.Task[Any]) -> None:
        sem.release()
        tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            errors.append(task.exception())  # type: ignore[arg-type]

    def next_chunk() -> Any:
        # short waits, so an interrupted run never leaves this thread blocked for long
        while True:
            try:
                return queue.get(True, 1.0)
            except Empty:
                if not child.is_alive():
                    raise RuntimeError("the corpus generator stopped early") from None

    finished_ok = False
    try:
        while not errors:
            w0 = time.perf_counter()
            chunk = await asyncio.to_thread(next_chunk)
            waited += time.perf_counter() - w0
            if chunk is None:
                break
            writes = []
            for typ, oid, pid, row in orjson.loads(chunk):
                ref = refs.get((typ, oid)) or refs.setdefault((typ, oid), ObjectRef(typ, oid))
                writes.append(RowWrite(ORG, pid, ref, row["id"], row))
            await sem.acquire()
            task = asyncio.create_task(store.write_rows(writes))
            tasks.add(task)
            task.add_done_callback(finished)
            done += len(writes)
            if done >= next_report:
                next_report += 100_000
                _log(f"  {done:,} rows handed over, {done / (time.perf_counter() - t0):,.0f} rows/s")
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if errors:
            raise errors[0]
        secs = time.perf_counter() - t0
        corpus.stats = await asyncio.to_thread(next_chunk)
        finished_ok = True
    finally:
        if finished_ok:
            await asyncio.to_thread(child.join, 10)
        if child.is_alive():
            child.kill()
    return {"rows": done, "seconds": round(secs, 1), "rows_per_second": round(done / secs),
            "waited_for_generator_seconds": round(waited, 1), "batch_rows": BATCH, "concurrent_calls": CONCURRENCY}


async def _catch_up(store: Any, ref: Any, marker: str) -> float:
    """Seconds until the last row's unique word is searchable (polled, bounded)."""
    from twinplane.server.data_plane.store.base import RowQuery

    t0 = time.monotonic()
    while time.monotonic() - t0 < CATCH_UP_LIMIT_S:
        if (await store.fetch_rows(RowQuery(ORG, ref, search=marker, limit=1))).rows:
            return round(time.monotonic() - t0, 1)
        await asyncio.sleep(0.5)
    raise TimeoutError(f"the full-text index did not catch up within {CATCH_UP_LIMIT_S:.0f} s")


# --- the queries ----------------------------------------------------------------------------

class Queries:
    """Our read paths and the naive ones, as zero-argument coroutines, plus agreement checks."""

    def __init__(self, store: Any, naive: Any, corpus: Corpus, oks: dict[str, int], terms: dict[str, Any]) -> None:
        from twinplane.server.data_plane.store.base import ObjectRef

        self.store, self.naive, self.corpus, self.oks, self.terms = store, naive, corpus, oks, terms
        self.main = ObjectRef("project_logs", corpus.projects["main"])
        self.cand = ObjectRef("experiment", corpus.candidate.id)
        self.base = ObjectRef("experiment", corpus.baseline.id)
        self.all_refs = [ObjectRef("project_logs", p) for p in corpus.projects.values()] + [
            ObjectRef("experiment", e.id) for e in corpus.experiments]
        self.trace_root = corpus.stats.long_traces[len(corpus.stats.long_traces) // 2]

    async def _naive(self, name: str, *args: Any) -> Any:
        out = getattr(self.naive, name)(*args)
        if asyncio.iscoroutine(out):
            return await out
        return out

    def ours(self) -> dict[str, Callable[[], Awaitable[Any]]]:
        from twinplane.server.data_plane.query.aggregate import parse_aggregate
        from twinplane.server.data_plane.query.parse import parse_filter
        from twinplane.server.data_plane.services.summary import summary_items
        from twinplane.server.data_plane.store.base import RowQuery

        s = self.store

        async def filtered() -> Any:
            return (await s.fetch_rows(RowQuery(ORG, self.main, filter=parse_filter(FILTER), roots_only=True,
                                                limit=50))).rows

        def search(term: str) -> Callable[[], Awaitable[Any]]:
            async def run() -> Any:
                return (await s.fetch_rows(RowQuery(ORG, self.main, search=term, filter=parse_filter(FILTER),
                                                    limit=50))).rows
            return run

        async def aggregate() -> Any:
            # group_by / measures as the /v1/aggregate route hands them to the store (parse_aggregate);
            # the route takes at most 20 objects, the store all 104 at once
            spec = parse_aggregate({"object_type": "experiment", "object_ids": [self.cand.object_id],
                                    "group_by": ["object_id"],
                                    "measures": [{"fn": "mean", "field": f"scores.{SCORE}", "alias": "mean_score"}]})
            return await s.aggregate(ORG, self.all_refs, list(spec.group_by), list(spec.measures))

        async def summary() -> Any:  # what /summarize runs
            return summary_items(await s.summary_stats(ORG, self.cand, self.base))

        async def trace() -> Any:
            return (await s.trace(ORG, self.main, self.trace_root, limit=1000)).rows

        out: dict[str, Callable[[], Awaitable[Any]]] = {"filtered_newest_roots": filtered}
        for k, v in self.terms.items():
            out[f"search_{k}"] = search(v["term"])
        out.update({"mean_score_by_object": aggregate, "summary_with_comparison": summary, "trace_100_spans": trace})
        return out

    def sorted_pages(self) -> dict[str, tuple[str, Callable[[], Awaitable[Any]]]]:
        """First pages of 50 sorted by a score, a metric or a JSON field, as the UI's list views ask
        for them (not an issue-6 query, so no target and no naive run): name -> (field, query)."""
        from twinplane.server.data_plane.query.parse import parse_filter
        from twinplane.server.data_plane.store.base import RowQuery

        def page(ref: Any, field: str, direction: str, roots: bool, flt: str | None = None) -> Any:
            async def run() -> Any:
                return (await self.store.fetch_rows(RowQuery(
                    ORG, ref, sort=[(field, direction)], roots_only=roots, limit=50,
                    filter=parse_filter(flt) if flt else None))).rows
            return field, run

        return {
            "logs_spans_by_score": page(self.main, f"scores.{SCORE}", "desc", False),
            "logs_spans_by_tokens": page(self.main, "metrics.tokens", "desc", False),
            "logs_roots_by_score": page(self.main, f"scores.{SCORE}", "desc", True),
            "logs_roots_by_score_filtered": page(self.main, f"scores.{SCORE}", "desc", True, FILTER),
            "logs_roots_by_tokens": page(self.main, "metrics.tokens", "desc", True),
            "logs_roots_by_model": page(self.main, "metadata.model", "asc", True),
            "logs_spans_by_name_filtered": page(self.main, "span_attributes.name", "asc", False, FILTER),
            "experiment_roots_by_score": page(self.cand, f"scores.{SCORE}", "desc", True),
            "experiment_spans_by_score_asc": page(self.cand, f"scores.{SCORE}", "asc", False),
        }

    @staticmethod
    def check_sorted(field: str, rows: list[dict[str, Any]], roots: bool) -> dict[str, Any]:
        """A page must come in its field's order (a trace list's scores and tokens are per trace:
        there the rows are only counted)."""
        out: dict[str, Any] = {"rows": len(rows)}
        if roots and field.startswith(("scores.", "metrics.")):
            return out
        vals: list[Any] = []
        for r in rows:
            v: Any = r
            for seg in field.split(".", 1) if field.startswith(("scores.", "metrics.")) else field.split("."):
                v = v.get(seg) if isinstance(v, dict) else None
            vals.append(v)
        if None not in vals and len({type(v) for v in vals}) == 1:
            out["ordered"] = vals == sorted(vals) or vals == sorted(vals, reverse=True)
        return out

    def naive_fns(self) -> dict[str, Callable[[], Awaitable[Any]]]:
        main = self.oks[f"project_logs:{self.main.object_id}"]
        oks = [self.oks[f"{r.object_type}:{r.object_id}"] for r in self.all_refs]
        cand, base = self.oks[f"experiment:{self.cand.object_id}"], self.oks[f"experiment:{self.base.object_id}"]
        out: dict[str, Callable[[], Awaitable[Any]]] = {
            "filtered_newest_roots": lambda: self._naive("filtered_roots", main, FILTER_MODEL)}
        for k, v in self.terms.items():
            out[f"search_{k}"] = (lambda term: lambda: self._naive("search", main, term, FILTER_MODEL))(v["term"])
        out.update({
            "mean_score_by_object": lambda: self._naive("mean_score", oks, SCORE),
            "summary_with_comparison": lambda: self._naive("summary", cand, base),
            "trace_100_spans": lambda: self._naive("trace", main, self.trace_root)})
        return out

    def check(self, name: str, ours: Any, naive: Any) -> dict[str, Any]:
        """Do both ways give the same answer? (row sets: newest-ingested vs newest-created may differ at the edge)"""
        if name == "mean_score_by_object":
            by_id = {self.oks[f"{r.object_type}:{r.object_id}"]: r for r in self.all_refs}
            mine = {r["object_id"]: r["mean_score"] for r in ours}
            theirs = {by_id[o].object_id: m for o, m in naive.items() if m is not None}
            same = mine.keys() == theirs.keys() and all(abs(mine[k] - theirs[k]) < 1e-9 for k in mine)
            return {"groups": len(mine), "agree": same}
        if name == "summary_with_comparison":
            same = orjson.dumps(_rounded(ours), option=orjson.OPT_SORT_KEYS) == orjson.dumps(
                _rounded(naive), option=orjson.OPT_SORT_KEYS)
            return {"scores": ours[0], "agree": same}
        a, b = {r["id"] for r in ours}, {r["id"] for r in naive}
        out: dict[str, Any] = {"rows": len(ours), "naive_rows": len(naive),
                               "overlap": round(len(a & b) / max(1, len(a | b)), 3)}
        if name.startswith(("search", "filtered")):
            out["all_match_filter"] = all((r.get("metadata") or {}).get("model") == FILTER_MODEL for r in ours)
        if name.startswith("search_"):
            term = self.terms[name[len("search_"):]]["term"]
            out["all_contain_term"] = all(term in orjson.dumps(r).decode() for r in ours)
        return out


def _rounded(x: Any) -> Any:
    if isinstance(x, float):
        return round(x, 9)
    if isinstance(x, dict):
        return {k: _rounded(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_rounded(v) for v in x]
    return x


# --- plans ----------------------------------------------------------------------------------

async def _capture_sql(store: Any, fn: Callable[[], Awaitable[Any]]) -> list[tuple[str, Any]]:
    """Run ``fn`` once with the store's statement hook recorded (bench instrument only)."""
    seen: list[tuple[str, Any]] = []
    orig = getattr(store, "_query", None)
    if orig is None:
        return seen

    async def recording(sql: str, params: Any = ()) -> Any:
        seen.append((sql, params))
        return await orig(sql, params)

    store._query = recording
    try:
        await fn()
    finally:
        del store._query  # back to the class's method
    return seen


def _sqlite_plan(path: str, sql: str, params: Any) -> list[str]:
    conn, _ = sqlite_connect(path)
    try:
        rows = conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    finally:
        conn.close()
    depth: dict[int, int] = {0: -1}
    out = []
    for id_, parent, _, detail in rows:
        depth[id_] = depth.get(parent, -1) + 1
        out.append("  " * depth[id_] + detail)
    return out


async def _pg_plan(conn: Any, sql: str, params: Any, analyze: bool = True) -> list[str]:
    cur = await conn.execute(("EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN ") + sql, params or None)
    return [r[0] for r in await cur.fetchall()]


# --- one engine -----------------------------------------------------------------------------

async def run_engine(engine: str, spans: int, runs: int, keep: bool) -> dict[str, Any]:
    from twinplane.server.data_plane.store.factory import open_store
    from twinplane.server.settings import DataPlaneSettings

    facts: dict[str, Any] = {"engine": engine, "spans_requested": spans, "loadavg": {"start": os.getloadavg()}}
    corpus = Corpus(spans)  # ids and vocabulary here; the rows themselves come from a child process
    pg_url = sqlite_file = None
    if engine == "sqlite":
        DATA.mkdir(parents=True, exist_ok=True)
        sqlite_file = DATA / "query_sqlite.db"
        for f in _sqlite_files(sqlite_file):
            f.unlink(missing_ok=True)
        url = f"sqlite:///{sqlite_file}"
    else:
        url = pg_url = create_database()
    store = open_store(DataPlaneSettings(database_url=url))
    await store.start()
    pg_conn = ours_conn = None
    try:
        _log(f"{engine}: loading")
        facts["load"] = await _load(store, corpus)
        facts["loadavg"]["after_load"] = os.getloadavg()
        _log(f"{engine}: loaded {facts['load']}; waiting for the full-text index")
        main_ref = Queries(store, None, corpus, {}, {}).main
        facts["load"]["fts_catch_up_seconds"] = await _catch_up(store, main_ref, corpus.marker)
        await store.wait_indexed()
        st = corpus.stats
        facts["corpus"] = {"spans": st.spans, "main_logs_spans": st.main_log_spans,
                           "mean_span_json_bytes": round(st.json_bytes_sampled / max(1, st.sampled)),
                           "experiments": len(corpus.experiments), "big_experiment_cases": corpus.big_cases,
                           "projects": len(corpus.projects), "filter": FILTER}
        if engine == "sqlite":
            assert sqlite_file is not None
            # after the load: the WAL files show whether checkpoints kept up with it
            facts["files_after_load"] = {f.name: f.stat().st_size for f in _sqlite_files(sqlite_file) if f.exists()}
            facts["db_bytes"] = sum(facts["files_after_load"].values())
            facts["sqlite_version"] = sqlite3.sqlite_version
            naive: Any = SqliteNaive(str(sqlite_file))
            rows = naive.conn.execute("SELECT id, object_type, object_id FROM dp_objkeys").fetchall()
        else:
            import psycopg

            assert pg_url is not None
            async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as c:
                t0 = time.monotonic()
                # a loaded database after autovacuum: statistics and visibility map current
                await c.execute("VACUUM (ANALYZE)")
                facts["vacuum_analyze_seconds"] = round(time.monotonic() - t0, 1)
            pg_conn = await psycopg.AsyncConnection.connect(pg_url, autocommit=True)
            cur = await pg_conn.execute("SELECT version(), pg_database_size(current_database()), "
                                        "current_setting('shared_buffers'), current_setting('work_mem'), "
                                        "current_setting('jit'), current_setting('max_parallel_workers_per_gather')")
            ver, size, sb, wm, jit, par = await cur.fetchone()  # type: ignore[misc]
            facts.update({"postgres_version": ver, "db_bytes": size, "postgres_settings": {
                "shared_buffers": sb, "work_mem": wm, "jit": jit, "max_parallel_workers_per_gather": par}})
            naive = PostgresNaive(pg_conn)
            rows = await (await pg_conn.execute("SELECT id, object_type, object_id FROM dp_objkeys")).fetchall()
        oks = {f"{t}:{o}": int(i) for i, t, o in rows}
        terms = corpus.pick_terms()
        facts["terms"] = terms
        q = Queries(store, naive, corpus, oks, terms)
        facts["loadavg"]["before_queries"] = os.getloadavg()
        results: dict[str, Any] = {}
        ours = q.ours()
        for name, fn in ours.items():
            _log(f"{engine}: ours {name}")
            stats, out = await _timed(fn, runs, OUR_BUDGET_S, 5)
            results[name] = {"ours": stats, "_out": out}
        sorted_pages: dict[str, Any] = {}
        for name, (field, fn) in q.sorted_pages().items():
            _log(f"{engine}: sorted page {name}")
            stats, out = await _timed(fn, runs, OUR_BUDGET_S, 5)
            sorted_pages[name] = {"ours": stats, "check": q.check_sorted(field, out, "roots" in name)}
        facts["sorted_pages"] = sorted_pages
        naive_sql: dict[str, tuple[str, Any]] = {}
        for name, fn in q.naive_fns().items():
            _log(f"{engine}: naive {name}")
            naive.sql.clear()
            stats, out = await _timed(fn, NAIVE_RUNS, NAIVE_BUDGET_S, 3, warmups=1)
            naive_sql[name] = naive.sql[0]  # the main statement, to EXPLAIN below without running it again
            res = results[name]
            res["naive"] = stats
            res["check"] = q.check(name, res.pop("_out"), out)
            res["speedup"] = round(stats["p50"] / max(res["ours"]["p50"], 1e-3), 1)
        facts["loadavg"]["after_queries"] = os.getloadavg()
        _log(f"{engine}: plans")
        if engine == "postgresql":  # our statements' plans in a session like the store's (its options)
            from twinplane.server.data_plane.store.postgres import SESSION_OPTIONS

            ours_conn = await psycopg.AsyncConnection.connect(pg_url, autocommit=True, options=SESSION_OPTIONS)
            facts["store_session_options"] = SESSION_OPTIONS
        for name, fn in ours.items():
            plans = []
            for sql, params in await _capture_sql(store, fn):
                if engine == "sqlite":
                    plan = _sqlite_plan(str(sqlite_file), sql, params)
                else:
                    plan = await _pg_plan(ours_conn, sql, params)
                plans.append({"sql": sql, "plan": plan})
            results[name]["plans"] = plans
            sql, params = naive_sql[name]
            results[name]["naive_plan"] = (_sqlite_plan(str(sqlite_file), sql, params) if engine == "sqlite"
                                           else await _pg_plan(pg_conn, sql, params, analyze=False))
        for name, res in results.items():
            p50, p95 = TARGETS[name]
            scale = 2.0 if engine == "postgresql" else 1.0
            res["target"] = {"p50": p50 and p50 * scale, "p95": p95 and p95 * scale}
            res["met"] = ((p50 is None or res["ours"]["p50"] <= p50 * scale)
                          and (p95 is None or res["ours"]["p95"] <= p95 * scale))
        facts["queries"] = results
        if engine == "sqlite":
            naive.close()
    finally:
        for conn in (pg_conn, ours_conn):
            if conn is not None:
                await conn.close()
        await store.close()
        if pg_url is not None and not keep:
            drop_database(pg_url)
        if sqlite_file is not None and not keep:
            for f in _sqlite_files(sqlite_file):
                f.unlink(missing_ok=True)
    if keep:
        facts["kept_database"] = pg_url or str(sqlite_file)
    return facts


def _git_facts() -> dict[str, Any]:
    """The commit measured, and store files that differed from it (the store is worked on in parallel)."""
    import subprocess

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=HERE.parent, capture_output=True, text=True, timeout=10).stdout
        except OSError:
            return ""

    dirty = [ln[3:] for ln in git("status", "--porcelain", "--", "src/twinplane/server/data_plane").splitlines()]
    return {"head": git("rev-parse", "--short", "HEAD").strip(), "uncommitted_data_plane_files": dirty}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_query", description=__doc__.split("\n")[0])
    ap.add_argument("engines", nargs="*", help="sqlite, postgresql (default: both)")
    ap.add_argument("--spans", type=int, default=SPANS)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--keep", action="store_true", help="keep the bench database (to EXPLAIN by hand)")
    args = ap.parse_args(argv or [])
    engines = args.engines or ["sqlite", "postgresql"]
    if not set(engines) <= {"sqlite", "postgresql"}:
        ap.error("engines are sqlite and postgresql")
    RESULTS.mkdir(parents=True, exist_ok=True)
    command = "python -m bench.bench_query " + " ".join(argv or [])
    # Stop cleanly on SIGTERM, and on SIGINT even when started in the background (where the
    # shell ignores it): the finally blocks close the store and drop the bench database.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for engine in engines:
        t0 = time.monotonic()
        git = _git_facts()
        res = asyncio.run(run_engine(engine, args.spans, args.runs, args.keep))
        res.update({"command": command.strip(), "git": git, "total_seconds": round(time.monotonic() - t0, 1),
                    "machine": {"nproc": os.cpu_count(), "python": sys.version.split()[0],
                                "platform": platform.platform(), "machine": platform.machine()},
                    "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
        (RESULTS / f"query_{engine}.json").write_text(orjson.dumps(res, option=orjson.OPT_INDENT_2).decode() + "\n")
        query_report.write(RESULTS)
        _log(f"{engine}: done in {res['total_seconds']} s")


if __name__ == "__main__":
    main(sys.argv[1:])
