"""Experiments' per-trace and per-case values, kept up to date in the write transaction.

An experiment summary (``trace_summary.summary_sql``) reads them instead of every span's
scores: ``dp_trace_values`` holds, per trace of an experiment, its score means (over the
spans carrying the score), its summed token / cost metrics and its root's duration, with
the root's case key (``''`` while the root has not arrived or has no case);
``dp_case_values`` holds, per (experiment, kind, name, case key), the total and the number
of those trace values. Both hold what ``summary_sql`` computed from the side tables before
(migration 0003 fills them in from the side tables).

A write group collects the experiment traces whose values may have changed (``touched``)
and calls ``refresh_sqlite`` / ``refresh_postgres`` once, after its rows and side rows are
written: per experiment, the traces' values are deleted and recomputed in SQL from the side
tables and roots, and the difference between the old and the new values is added to their
cases. Touched ids and case differences travel as one JSON parameter per statement. On
PostgreSQL the experiment is locked first (see ``_PG_LOCK``).
"""

# SQL here is assembled from fixed fragments and placeholders; every value is bound.
# ruff: noqa: S608

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

import orjson

from twinplane.server.data_plane.store.row_dialect import SUMMED_METRIC_SQL
from twinplane.server.data_plane.store.row_shape import RowShape

if TYPE_CHECKING:
    import psycopg

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
    """Delete the values of the traces ``ids`` selects (root_span_id) of experiment ``ok``."""
    return (f"DELETE FROM dp_trace_values WHERE ok = {ok} AND root_span_id IN ({ids}) "
            "RETURNING kind, name, case_key, value")


def fill_traces(traces: str, *, returning: bool = True) -> str:
    """The values of the traces ``traces`` selects (ok, root_span_id), as ``summary_sql`` defined them."""
    return (
        f"WITH t AS ({traces}), "
        # each trace's case and duration: its root's (the first written, should it have several)
        "tr AS (SELECT t.ok, t.root_span_id, coalesce(r.case_key, '') AS case_key, r.end_ts - r.start_ts AS dur "
        "FROM t LEFT JOIN dp_rows r ON r.seq = (SELECT min(r2.seq) FROM dp_rows r2 WHERE r2.ok = t.ok "
        "AND r2.root_span_id = t.root_span_id AND r2.is_root = TRUE)) "
        "INSERT INTO dp_trace_values (ok, root_span_id, kind, name, case_key, value) "
        # a trace's score: the mean over its spans that carry it. The spans come from the trace
        # index, then each span's values from (ok, row_seq); CROSS JOIN keeps SQLite to that order
        # (without statistics it would scan all the object's values for each trace).
        "SELECT tr.ok, tr.root_span_id, 's', s.name, tr.case_key, avg(s.value) FROM tr CROSS JOIN dp_rows sp "
        "CROSS JOIN dp_scores s WHERE sp.ok = tr.ok AND sp.root_span_id = tr.root_span_id AND s.ok = sp.ok "
        "AND s.row_seq = sp.seq GROUP BY tr.ok, tr.root_span_id, tr.case_key, s.name "
        # its token counts and costs: summed over its spans
        "UNION ALL SELECT tr.ok, tr.root_span_id, 'm', m.name, tr.case_key, sum(m.value) FROM tr CROSS JOIN dp_rows sp "
        "CROSS JOIN dp_metrics m WHERE sp.ok = tr.ok AND sp.root_span_id = tr.root_span_id AND m.ok = sp.ok "
        f"AND m.row_seq = sp.seq AND {SUMMED_METRIC_SQL} "  # name: only m has one
        "GROUP BY tr.ok, tr.root_span_id, tr.case_key, m.name "
        # its duration: the root span's
        "UNION ALL SELECT ok, root_span_id, 'm', 'duration', case_key, dur FROM tr WHERE dur IS NOT NULL"
        + (" RETURNING kind, name, case_key, value" if returning else ""))


def _deltas(gone: list[Any], came: list[Any]) -> list[list[Any]]:
    """What the traces' old and new values change in their cases: JSON [[kind, name, case_key,
    total, traces], ...], unchanged cases left out (a trace recomputed to the same values)."""
    d: dict[tuple[str, str, str], list[float]] = {}
    for sign, rows in ((-1, gone), (1, came)):
        for kind, name, case_key, value in rows:
            acc = d.setdefault((kind, name, case_key), [0.0, 0])
            acc[0] += sign * value
            acc[1] += sign
    return [[*k, v[0], v[1]] for k, v in d.items() if v[0] != 0.0 or v[1] != 0]


def add_to_cases(ok: str, deltas: str) -> str:
    """Add ``deltas`` (see ``_deltas``, one JSON array of experiment ``ok``) to its cases."""
    return ("INSERT INTO dp_case_values (ok, kind, name, case_key, total, traces) "
            f"SELECT {ok}, kind, name, case_key, total, traces FROM ({deltas}) d WHERE TRUE "
            "ON CONFLICT (ok, kind, name, case_key) DO UPDATE SET total = dp_case_values.total + excluded.total, "
            "traces = dp_case_values.traces + excluded.traces")


# What a write group binds, per experiment: its key, the touched root span ids and the cases'
# changes (JSON arrays).
_SQLITE_OK, _SQLITE_IDS = ":ok", "SELECT value FROM json_each(:ids)"
_SQLITE_TRACES = "SELECT :ok AS ok, value AS root_span_id FROM json_each(:ids)"
_SQLITE_DELTAS = ("SELECT value ->> 0 AS kind, value ->> 1 AS name, value ->> 2 AS case_key, value ->> 3 AS total, "
                  "value ->> 4 AS traces FROM json_each(:deltas)")
_PG_OK, _PG_IDS = "%(ok)s", "SELECT json_array_elements_text(%(ids)s::json)"
_PG_TRACES = "SELECT %(ok)s::bigint AS ok, e AS root_span_id FROM json_array_elements_text(%(ids)s::json) AS e"
_PG_DELTAS = ("SELECT e ->> 0 AS kind, e ->> 1 AS name, e ->> 2 AS case_key, (e ->> 3)::float8 AS total, "
              "(e ->> 4)::bigint AS traces FROM json_array_elements(%(deltas)s::json) AS e")
# One transaction-scoped lock per experiment, taken in key order (no deadlocks): per trace or
# per case, a group of 2,000 new traces would need ~14,000 advisory locks, more than the
# server's shared lock table holds (max_locks_per_transaction x connections).
_PG_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('dp_case_values:' || %(ok)s, 0))"
# cases whose last trace left (a trace moved to another case, or lost a value)
_CLEAR_CASES = "DELETE FROM dp_case_values WHERE ok = {ok} AND traces = 0 AND (kind, name, case_key) IN ({left})"
_SQLITE_LEFT = "SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(:left)"
_PG_LEFT = "SELECT e ->> 0, e ->> 1, e ->> 2 FROM json_array_elements(%(left)s::json) AS e"


def _by_experiment(traces: set[tuple[int, str]]) -> list[tuple[int, str]]:
    ids: dict[int, list[str]] = {}
    for ok, root_span_id in traces:
        ids.setdefault(ok, []).append(root_span_id)
    return [(ok, orjson.dumps(sorted(some)).decode()) for ok, some in sorted(ids.items())]


def refresh_sqlite(conn: sqlite3.Connection, traces: set[tuple[int, str]]) -> None:
    """Recompute ``traces`` (ok, root_span_id) and add what changed to their cases."""
    for ok, ids in _by_experiment(traces):
        p = {"ok": ok, "ids": ids}
        gone = conn.execute(clear_traces(_SQLITE_OK, _SQLITE_IDS), p).fetchall()
        came = conn.execute(fill_traces(_SQLITE_TRACES), p).fetchall()
        deltas = _deltas(gone, came)
        conn.execute(add_to_cases(_SQLITE_OK, _SQLITE_DELTAS), {"ok": ok, "deltas": orjson.dumps(deltas)})
        if left := [d[:3] for d in deltas if d[4] < 0]:
            conn.execute(_CLEAR_CASES.format(ok=_SQLITE_OK, left=_SQLITE_LEFT), {"ok": ok, "left": orjson.dumps(left)})


async def refresh_postgres(cur: psycopg.AsyncCursor[Any], traces: set[tuple[int, str]]) -> None:
    """As ``refresh_sqlite``, under the experiment's lock: two transactions touching one trace
    would otherwise each recompute it from their own snapshot and lose the other's span;
    under READ COMMITTED the statements after the lock see what the other committed."""
    for ok, ids in _by_experiment(traces):
        p = {"ok": ok, "ids": ids}
        await cur.execute(_PG_LOCK, p)
        await cur.execute(clear_traces(_PG_OK, _PG_IDS), p)
        gone = await cur.fetchall()
        await cur.execute(fill_traces(_PG_TRACES), p)
        deltas = _deltas(gone, await cur.fetchall())
        await cur.execute(add_to_cases(_PG_OK, _PG_DELTAS), {"ok": ok, "deltas": orjson.dumps(deltas).decode()})
        if left := [d[:3] for d in deltas if d[4] < 0]:
            await cur.execute(_CLEAR_CASES.format(ok=_PG_OK, left=_PG_LEFT), {"ok": ok, "left": orjson.dumps(left).decode()})
