"""Per-trace facts of an experiment, and its summary, in SQL both engines run the same way.

``assemble`` turns three grouped reads over the typed tables (roots with their case key,
mean score per trace and name, summed token metrics per trace) into one ``TraceScores``
per ``root_span_id`` (the side-by-side comparison lists them). ``summary_sql`` computes a
whole summary with comparison in one statement over the per-case values the writes keep
up to date (``trace_rollup``) and returns one row per score and metric name, so an
experiment of 10,000 cases costs two ordered index ranges, not 100,000 values through
Python. The tests check it against the same maths over ``TraceScores`` in Python.
"""

# SQL here is assembled from fixed fragments and placeholders; every value is bound.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from twinplane.server.data_plane.store.base import SummaryStat, TraceScores
from twinplane.server.data_plane.store.row_dialect import SUMMED_METRIC_SQL, RowDialect

_EPS = "1e-12"  # a smaller difference between two cases is no change


def assemble(roots: Iterable[tuple[str, str, str | None, float | None, float | None]],
             scores: Iterable[tuple[str, str, float]],
             metrics: Iterable[tuple[str, str, float]]) -> list[TraceScores]:
    """roots: (root_span_id, row_id, case key, start, end);
    scores/metrics: (root_span_id, name, value) already averaged/summed per trace."""
    out: dict[str, TraceScores] = {}
    for root_span_id, row_id, case_key, start, end in roots:
        m: dict[str, float] = {}
        if start is not None and end is not None:
            m["duration"] = end - start
        out[root_span_id] = TraceScores(root_span_id, row_id, case_key, {}, m)
    for root_span_id, name, value in scores:
        t = out.get(root_span_id)
        if t is None:  # scores of a trace whose root has not arrived (yet)
            t = out[root_span_id] = TraceScores(root_span_id, None, None, {}, {})
        t.scores[name] = float(value)
    for root_span_id, name, value in metrics:
        t = out.get(root_span_id)
        if t is None:
            t = out[root_span_id] = TraceScores(root_span_id, None, None, {}, {})
        t.metrics[name] = float(value)
    return list(out.values())


def trace_scores_sql(d: RowDialect) -> tuple[str, str, str]:
    """(roots, per-trace scores, per-trace summed metrics) of the object ``d.ok``."""
    p = d.param(d.ok)
    roots = (f"SELECT root_span_id, row_id, case_key, start_ts, end_ts FROM dp_rows "
             f"WHERE ok = {p} AND is_root = {d.true} ORDER BY created, row_id")
    scores = (f"SELECT root_span_id, name, avg(value) FROM dp_scores WHERE ok = {p} "
              "AND root_span_id IS NOT NULL GROUP BY root_span_id, name")
    metrics = (f"SELECT root_span_id, name, sum(value) FROM dp_metrics WHERE ok = {p} "
               f"AND root_span_id IS NOT NULL AND {SUMMED_METRIC_SQL} GROUP BY root_span_id, name")
    return roots, scores, metrics


def summary_sql(d: RowDialect, ok: int, base_ok: int | None) -> str:
    """One statement over the experiments' rolled-up cases (``trace_rollup``): rows (kind, name,
    ok, mean, higher, lower), ``higher``/``lower`` counting the cases of ``ok`` whose per-case
    mean is above / below the base's (NULL on the base's rows). The mean is over traces: every
    trace counts, those without a case (``''``: no root yet, or a root without input or
    origin) too; a case's mean is its traces' total over their number."""
    a = d.param(ok)
    mean = "sum(x.total) / sum(x.traces)"
    if base_ok is None:
        return f"SELECT x.kind, x.name, x.ok, {mean}, NULL, NULL FROM dp_case_values x WHERE x.ok = {a} GROUP BY x.kind, x.name, x.ok"
    b = d.param(base_ok)
    diff = "x.total / x.traces - y.total / y.traces"
    # one pass over the experiment's cases in key order, each probing the base's case by key
    return (
        f"SELECT x.kind, x.name, x.ok, {mean}, sum(CASE WHEN {diff} > {_EPS} THEN 1 ELSE 0 END), "
        f"sum(CASE WHEN {diff} < -{_EPS} THEN 1 ELSE 0 END) FROM dp_case_values x LEFT JOIN dp_case_values y "
        f"ON y.ok = {b} AND y.kind = x.kind AND y.name = x.name AND y.case_key = x.case_key AND x.case_key <> '' "
        f"WHERE x.ok = {a} GROUP BY x.kind, x.name, x.ok "
        f"UNION ALL SELECT x.kind, x.name, x.ok, {mean}, NULL, NULL FROM dp_case_values x WHERE x.ok = {b} "
        "GROUP BY x.kind, x.name, x.ok")


def summary_stats(rows: Iterable[tuple[Any, ...]], ok: int) -> list[SummaryStat]:
    """The rows of ``summary_sql`` as one ``SummaryStat`` per (kind, name)."""
    out: dict[tuple[str, str], SummaryStat] = {}
    for kind, name, row_ok, mean, higher, lower in rows:
        key = ("score" if kind == "s" else "metric", str(name))
        stat = out.setdefault(key, SummaryStat(key[0], key[1], None, None, 0, 0))  # type: ignore[arg-type]
        if int(row_ok) == ok:
            stat.mean = float(mean)
            stat.higher, stat.lower = int(higher or 0), int(lower or 0)
        else:
            stat.base_mean = float(mean)
    return list(out.values())
