"""Store-level ingest and full-text lag, on both engines (local databases only).

For each engine: ``WRITERS`` concurrent tasks each send 100-row ``write_rows`` calls of
~2 KB spans (half new spans, half merges that end an earlier span, like the SDK sends)
for ``SECONDS``; we count acknowledged rows per second. Every 10th call carries a unique
word; a checker searches for it and records how long after the acknowledgement it became
searchable (the FTS lag). The PostgreSQL database is created and dropped here.

Writes ``bench/results/store_<engine>.json`` and ``store.md``.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.pg import create_database, drop_database
from bench.proc import named_cpu_seconds

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SECONDS = float(os.environ.get("BENCH_STORE_SECONDS", "15"))
WRITERS = int(os.environ.get("BENCH_STORE_WRITERS", "8"))
BATCH = 100

_WORDS = ("refund order customer shipping invoice delay account password reset billing upgrade plan "
          "support ticket priority answer question model latency token prompt").split()


_TEXTS = [" ".join(random.Random(i).choice(_WORDS) for _ in range(60)) for i in range(64)]


def _template(rng: random.Random) -> dict[str, Any]:
    """A ~2 KB span body; like an eval's, a quarter carry a score and half carry token counts."""
    kind = rng.randrange(4)
    out: dict[str, Any] = {
        "created": "2026-11-27T10:00:00+00:00",
        "input": {"messages": [{"role": "system", "content": "You are a helpful assistant."},
                               {"role": "user", "content": rng.choice(_TEXTS)}]},
        "output": {"role": "assistant", "content": rng.choice(_TEXTS) + " " + rng.choice(_TEXTS)[:200]},
        "expected": "the " + rng.choice(_TEXTS)[:150],
        "metadata": {"model": "gpt-4o-mini", "temperature": 0.2, "user": f"u{rng.randint(1, 500)}"},
        "metrics": {"start": 1764237600.0},
        "span_attributes": {"name": "llm", "type": "llm"},
    }
    if kind == 0:
        out["scores"] = {"Factuality": rng.random()}
        out["span_attributes"] = {"name": "Factuality", "type": "score"}
    elif kind in (1, 2):
        out["metrics"] = {"start": 1764237600.0, "prompt_tokens": 120, "completion_tokens": 80, "tokens": 200}
    return out


# Span bodies are built once and shallow-copied with fresh ids, so the figures measure the
# store rather than this benchmark's row generation (the store never mutates a row it gets).
_TEMPLATES = [_template(random.Random(i)) for i in range(256)]


def span(rng: random.Random, exp: str, root: str, row_id: str, marker: str | None) -> dict[str, Any]:
    out = dict(rng.choice(_TEMPLATES))
    out.update(id=row_id, experiment_id=exp, root_span_id=root, span_id=row_id[:16],
               span_parents=None if row_id == root else [root[:16]])
    if marker:
        out["input"] = {"messages": [{"role": "user", "content": f"find {marker}"}]}
    return out


async def run_engine(name: str, url: str) -> dict[str, Any]:
    from twinplane.server.data_plane.query.aggregate import parse_aggregate
    from twinplane.server.data_plane.store.base import ObjectRef, RowQuery, RowWrite
    from twinplane.server.data_plane.store.factory import open_store
    from twinplane.server.settings import DataPlaneSettings

    store = open_store(DataPlaneSettings(database_url=url))
    await store.start()
    org, ref = "org-bench", ObjectRef("experiment", str(uuid.uuid4()))
    acked = 0
    latencies: list[float] = []
    pending: dict[str, float] = {}
    lags: list[float] = []
    stop_at = time.monotonic() + SECONDS
    calls = 0

    async def writer(i: int) -> None:
        nonlocal acked, calls
        rng = random.Random(i)
        open_spans: list[str] = []
        while time.monotonic() < stop_at:
            calls += 1
            marker = f"mark{uuid.uuid4().hex[:12]}" if calls % 10 == 0 else None
            rows = []
            for j in range(BATCH):
                if open_spans and j % 2 == 1:
                    rid = open_spans.pop()
                    rows.append(RowWrite(org, "p", ref, rid, {"id": rid, "experiment_id": ref.object_id,
                                                              "metrics": {"end": time.time()}, "_is_merge": True}))
                else:
                    rid = uuid.uuid4().hex
                    root = rid if j % 4 == 0 else uuid.uuid4().hex
                    rows.append(RowWrite(org, "p", ref, rid, span(rng, ref.object_id, root, rid,
                                                                  marker if j == 0 else None)))
                    open_spans.append(rid)
            t0 = time.monotonic()
            await store.write_rows(rows)
            t1 = time.monotonic()
            latencies.append(t1 - t0)
            acked += len(rows)
            if marker:
                pending[marker] = t1

    writers_done = False

    async def checker() -> None:
        while time.monotonic() < stop_at + 10 and not (writers_done and not pending):
            for marker, t_ack in list(pending.items()):
                page = await store.fetch_rows(RowQuery(org, ref, search=marker, limit=1))
                if page.rows:
                    lags.append(time.monotonic() - t_ack)
                    del pending[marker]
            await asyncio.sleep(0.05)

    t_start = time.monotonic()
    cpu_start = time.process_time()
    pg_cpu_start = named_cpu_seconds("postgres")
    check = asyncio.create_task(checker())
    await asyncio.gather(*(writer(i) for i in range(WRITERS)))
    elapsed = time.monotonic() - t_start
    cpu = time.process_time() - cpu_start
    pg_cpu = named_cpu_seconds("postgres") - pg_cpu_start
    writers_done = True
    await check
    q0 = time.monotonic()
    page = await store.fetch_rows(RowQuery(org, ref, search="refund", limit=50))
    common_ms = (time.monotonic() - q0) * 1000
    q0 = time.monotonic()
    await store.fetch_rows(RowQuery(org, ref, limit=50))
    newest_ms = (time.monotonic() - q0) * 1000
    q0 = time.monotonic()
    # the store takes the spec the /v1/aggregate route checks (query.aggregate.parse_aggregate)
    spec = parse_aggregate({"object_type": "experiment", "object_id": ref.object_id, "group_by": ["object_id"],
                            "measures": [{"fn": "mean", "field": "scores.Factuality"},
                                         {"fn": "p95", "field": "scores.Factuality"}]})
    agg = await store.aggregate(org, [ref], list(spec.group_by), list(spec.measures))
    agg_ms = (time.monotonic() - q0) * 1000
    total = await store.count_rows(org, ref)
    await store.close()
    lat = sorted(latencies)
    lg = sorted(lags)
    return {
        "engine": name, "seconds": round(elapsed, 2), "writers": WRITERS, "batch_rows": BATCH,
        "rows_acknowledged": acked, "rows_per_second": round(acked / elapsed),
        # CPU used while writing (all threads of this process: writer, indexer, event loop,
        # and the row generation of this benchmark): a figure the machine's load cannot shrink
        "process_cpu_seconds": round(cpu, 2), "rows_per_process_cpu_second": round(acked / cpu) if cpu else None,
        # every postgres process on the machine, including other users' work: an upper bound
        "postgres_cpu_seconds_all_processes": round(pg_cpu, 2) if name == "postgresql" else None,
        "call_latency_ms": {"p50": round(lat[len(lat) // 2] * 1000, 1), "p95": round(lat[int(len(lat) * 0.95)] * 1000, 1),
                            "p99": round(lat[int(len(lat) * 0.99)] * 1000, 1)},
        "fts_lag_s": {"samples": len(lg), "unfound": len(pending),
                      "p50": round(statistics.median(lg), 3) if lg else None,
                      "p95": round(lg[int(len(lg) * 0.95)], 3) if lg else None, "max": round(lg[-1], 3) if lg else None},
        "current_rows": total,
        "query_ms": {"search_common_word_newest_50": round(common_ms, 1), "newest_50": round(newest_ms, 1),
                     "mean_p95_score_all_rows": round(agg_ms, 1), "search_hits": len(page.rows), "agg": agg},
    }



def main(engines: list[str] | None = None) -> None:
    engines = engines or ["sqlite", "postgresql"]
    RESULTS.mkdir(parents=True, exist_ok=True)
    env = {"python": sys.version.split()[0], "machine": platform.machine(), "cpus": os.cpu_count()}
    for engine in engines:
        if engine == "sqlite":
            tmp = tempfile.mkdtemp(prefix="tp_bench_")
            try:
                res = asyncio.run(run_engine("sqlite", f"sqlite:///{tmp}/data.db"))
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        else:
            url = create_database()
            try:
                res = asyncio.run(run_engine("postgresql", url))
            finally:
                drop_database(url)
        res["env"] = {**env, "load_average_1m_after": round(os.getloadavg()[0], 2)}
        (RESULTS / f"store_{engine}.json").write_text(json.dumps(res, indent=2) + "\n")
        print(json.dumps(res, indent=2), flush=True)
    _write_md()


def _write_md() -> None:
    lines = ["# Store benchmark (bench/bench_store.py)", "",
             f"{WRITERS} concurrent tasks send {BATCH}-row `write_rows` calls of ~2 KB spans for {SECONDS:g} s "
             "(half new spans, half merges ending an earlier span; a quarter carry a score, half carry token "
             "counts). FTS lag: every 10th call carries a unique word; a checker polls a search for it.",
             "The store runs in the benchmark's own process (row generation shares its CPU), on a 2-vCPU "
             "machine shared with other work: read the load average beside each figure.", "",
             "| engine | rows/s acknowledged | rows per CPU-second of this process | call p50 / p95 ms | "
             "FTS lag p50 / p95 / max s | newest 50 ms | search common word, newest 50 ms | "
             "mean+p95 of a score over all rows ms | load avg |",
             "|---|---|---|---|---|---|---|---|---|"]
    for engine in ("sqlite", "postgresql"):
        f = RESULTS / f"store_{engine}.json"
        if not f.exists():
            continue
        r = json.loads(f.read_text())
        lat, lag, q = r["call_latency_ms"], r["fts_lag_s"], r["query_ms"]
        lines.append(f"| {engine} | {r['rows_per_second']:,} | {r['rows_per_process_cpu_second']:,} | "
                     f"{lat['p50']} / {lat['p95']} | "
                     f"{lag['p50']} / {lag['p95']} / {lag['max']} | {q['newest_50']} | "
                     f"{q['search_common_word_newest_50']} | {q['mean_p95_score_all_rows']} | "
                     f"{r['env'].get('load_average_1m_after')} |")
    (RESULTS / "store.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:] or None)
