"""Experiments' per-trace and per-case values, kept up to date in the write transaction.

An experiment summary (``trace_summary.summary_sql``) reads them instead of every span's
scores: ``dp_trace_values`` holds, per trace of an experiment, its score means (over the
spans carrying the score), its summed token / cost metrics and its root's duration, with
the root's case key (``''`` while the root has not arrived or has no case);
``dp_case_values`` holds, per (experiment, kind, name, case key), the total and the number
of those trace values. Both are what ``summary_sql`` computed from the side tables before
(migration 0003 backfills them with the same statements).

A write group collects the experiment traces whose values may have changed (``touched``)
and calls ``refresh_sqlite`` / ``refresh_postgres`` once, after its rows and side rows are
written: the traces' values are recomputed in SQL from the side tables, then the cases
they left or joined from the trace values. Touched traces and cases travel as one JSON
parameter per statement. On PostgreSQL each trace, then each case, is locked first
(transaction-scoped advisory locks, in sorted order): two transactions touching one trace
would otherwise each recompute it from their own snapshot and lose the other's span; under
READ COMMITTED the statement after the lock sees what the other committed.
"""

# SQL here is assembled from fixed fragments and placeholders; every value is bound.
# ruff: noqa: S608

from __future__ import annotations

import sqlite3
from typing import Any

import orjson
import psycopg

from twinplane.server.data_plane.store.row_dialect import SUMMED_METRIC_SQL
from twinplane.server.data_plane.store.row_shape import RowShape

EXPERIMENT = "experiment"  # the one object type summaries are computed for


def _facts(sh: RowShape) -> tuple[Any, ...]:
    root = (sh.case_key, sh.start, sh.end) if sh.is_root else None
    return (sh.root_span_id, sh.scores, sh.metrics, sh.is_root, root)


def touched(old: RowShape | None, new: RowShape | None) -> set[str]:
    """The traces whose values a row's change from ``old`` to ``new`` (None: absent) may change."""
    if old is not None and new is not None and _facts(old) == _facts(new):
        return set()
    return {sh.root_span_id for sh in (old, new)
            if sh is not None and sh.root_span_id is not None and (sh.is_root or sh.scores or sh.metrics)}


def clear_traces(ok: str, ids: str) -> str:
    """Delete the values of the traces ``ids`` selects (root_span_id) of experiment ``ok``,
    returning the cases they were in."""
    return (f"DELETE FROM dp_trace_values WHERE ok = {ok} AND root_span_id IN ({ids}) "
            "RETURNING ok, kind, name, case_key")


def fill_traces(traces: str, *, returning: bool = True) -> str:
    """The values of the traces ``traces`` selects (ok, root_span_id), as ``summary_sql`` defined them;
    returning the cases they joined."""
    return (
        f"WITH t AS ({traces}), "
        # each trace's case and duration: its root's (the first written, should it have several)
        "tr AS (SELECT t.ok, t.root_span_id, coalesce(r.case_key, '') AS case_key, r.end_ts - r.start_ts AS dur "
        "FROM t LEFT JOIN dp_rows r ON r.seq = (SELECT r2.seq FROM dp_rows r2 WHERE r2.ok = t.ok "
        "AND r2.root_span_id = t.root_span_id AND r2.is_root = TRUE ORDER BY r2.seq LIMIT 1)) "
        "INSERT INTO dp_trace_values (ok, root_span_id, kind, name, case_key, value) "
        # a trace's score: the mean over its spans that carry it
        "SELECT tr.ok, tr.root_span_id, 's', s.name, tr.case_key, avg(s.value) FROM tr JOIN dp_scores s "
        "ON s.ok = tr.ok AND s.root_span_id = tr.root_span_id GROUP BY tr.ok, tr.root_span_id, tr.case_key, s.name "
        # its token counts and costs: summed over its spans
        "UNION ALL SELECT tr.ok, tr.root_span_id, 'm', m.name, tr.case_key, sum(m.value) FROM tr JOIN dp_metrics m "
        f"ON m.ok = tr.ok AND m.root_span_id = tr.root_span_id WHERE {SUMMED_METRIC_SQL} "
        "GROUP BY tr.ok, tr.root_span_id, tr.case_key, m.name "
        # its duration: the root span's
        "UNION ALL SELECT ok, root_span_id, 'm', 'duration', case_key, dur FROM tr WHERE dur IS NOT NULL"
        + (" RETURNING ok, kind, name, case_key" if returning else ""))


def fill_cases(cases: str, *, returning: bool = True) -> str:
    """Total and count of the trace values of each case ``cases`` selects (ok, kind, name,
    case_key) that has any; returning those cases."""
    return ("INSERT INTO dp_case_values (ok, kind, name, case_key, total, traces) "
            "SELECT v.ok, v.kind, v.name, v.case_key, sum(v.value), count(*) "
            f"FROM ({cases}) c JOIN dp_trace_values v ON v.ok = c.ok AND v.kind = c.kind AND v.name = c.name "
            "AND v.case_key = c.case_key WHERE TRUE GROUP BY v.ok, v.kind, v.name, v.case_key "
            "ON CONFLICT (ok, kind, name, case_key) DO UPDATE SET total = excluded.total, traces = excluded.traces"
            + (" RETURNING ok, kind, name, case_key" if returning else ""))


# what a write group binds: the root span ids of one experiment, the cases as [[ok, kind, name, case_key], ...]
_SQLITE_OK, _SQLITE_IDS = ":ok", "SELECT value FROM json_each(:ids)"
_SQLITE_TRACES = "SELECT DISTINCT :ok AS ok, value AS root_span_id FROM json_each(:ids)"
_SQLITE_CASES = ("SELECT DISTINCT value ->> 0 AS ok, value ->> 1 AS kind, value ->> 2 AS name, "
                 "value ->> 3 AS case_key FROM json_each(:cases)")
_PG_OK, _PG_IDS = "%(ok)s", "SELECT json_array_elements_text(%(ids)s::json)"
_PG_TRACES = "SELECT DISTINCT %(ok)s::bigint AS ok, e AS root_span_id FROM json_array_elements_text(%(ids)s::json) AS e"
_PG_CASES = ("SELECT DISTINCT (e ->> 0)::bigint AS ok, e ->> 1 AS kind, e ->> 2 AS name, e ->> 3 AS case_key "
             "FROM json_array_elements(%(cases)s::json) AS e")
# transaction-scoped, in key order (no deadlocks); a hash collision only serializes more
_PG_LOCK = "SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT DISTINCT hashtextextended({key}, 6) AS k " \
           "FROM ({src}) s ORDER BY k) l"
_PG_LOCK_TRACES = _PG_LOCK.format(key="'t' || ok || ':' || root_span_id", src=_PG_TRACES)
_PG_LOCK_CASES = _PG_LOCK.format(key="'c' || ok || ':' || kind || ':' || name || ':' || case_key", src=_PG_CASES)
# cases left with no trace (by full key: rare, a trace moved to another case or lost its values)
_CLEAR_CASE = {"sqlite": "DELETE FROM dp_case_values WHERE ok = ? AND kind = ? AND name = ? AND case_key = ?",
               "postgresql": "DELETE FROM dp_case_values WHERE ok = %s AND kind = %s AND name = %s AND case_key = %s"}


def _by_experiment(traces: set[tuple[int, str]]) -> dict[int, bytes]:
    ids: dict[int, list[str]] = {}
    for ok, root_span_id in traces:
        ids.setdefault(ok, []).append(root_span_id)
    return {ok: orjson.dumps(sorted(some)) for ok, some in ids.items()}


def refresh_sqlite(conn: sqlite3.Connection, traces: set[tuple[int, str]]) -> None:
    """Recompute ``traces`` (ok, root_span_id) and the cases they left or joined."""
    left: set[tuple[Any, ...]] = set()
    joined: set[tuple[Any, ...]] = set()
    for ok, ids in _by_experiment(traces).items():
        p = {"ok": ok, "ids": ids}
        left.update(conn.execute(clear_traces(_SQLITE_OK, _SQLITE_IDS), p).fetchall())
        joined.update(conn.execute(fill_traces(_SQLITE_TRACES), p).fetchall())
    cases = left | joined
    if cases:
        filled = set(conn.execute(fill_cases(_SQLITE_CASES), {"cases": orjson.dumps(sorted(cases))}).fetchall())
        conn.executemany(_CLEAR_CASE["sqlite"], sorted(cases - filled))


async def refresh_postgres(cur: psycopg.AsyncCursor[Any], traces: set[tuple[int, str]]) -> None:
    """As ``refresh_sqlite``, each trace and then each case locked first."""
    left: set[tuple[Any, ...]] = set()
    joined: set[tuple[Any, ...]] = set()
    for ok, ids in sorted(_by_experiment(traces).items()):
        p = {"ok": ok, "ids": ids.decode()}
        await cur.execute(_PG_LOCK_TRACES, p)
        await cur.execute(clear_traces(_PG_OK, _PG_IDS), p)
        left.update(tuple(r) for r in await cur.fetchall())
        await cur.execute(fill_traces(_PG_TRACES), p)
        joined.update(tuple(r) for r in await cur.fetchall())
    cases = left | joined
    if cases:
        c = {"cases": orjson.dumps(sorted(cases)).decode()}
        await cur.execute(_PG_LOCK_CASES, c)
        await cur.execute(fill_cases(_PG_CASES), c)
        filled = {tuple(r) for r in await cur.fetchall()}
        if cases - filled:
            await cur.executemany(_CLEAR_CASE["postgresql"], sorted(cases - filled))
