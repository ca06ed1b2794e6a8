"""Per-trace facts of an experiment, and its summary, in SQL both engines run the same way.

``assemble`` turns three grouped reads over the typed tables (roots with their case key,
mean score per trace and name, summed token metrics per trace) into one ``TraceScores``
per ``root_span_id`` (the side-by-side comparison lists them). ``summary_sql`` computes a
whole summary with comparison in one statement and returns one row per score and metric
name, so an experiment of 10,000 cases costs a few index scans, not 100,000 rows
through Python. ``services.summary.summarize`` defines the same maths over ``TraceScores``.
"""

# SQL here is assembled from fixed fragments and placeholders; every value is bound.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from twinplane.server.data_plane.store.base import SummaryStat, TraceScores
from twinplane.server.data_plane.store.row_dialect import RowDialect

_EPS = "1e-12"  # a smaller difference between two cases is no change
# metric names summed over a trace (row_dialect.is_summed_metric, case-sensitive like it; LIKE
# is not on SQLite)
_SUMMED = ("(name IN ('tokens', 'cost') OR substr(name, length(name) - 6) = '_tokens' "
           "OR substr(name, length(name) - 4) = '_cost')")


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
               f"AND root_span_id IS NOT NULL AND {_SUMMED} GROUP BY root_span_id, name")
    return roots, scores, metrics


def summary_sql(d: RowDialect, ok: int, base_ok: int | None) -> str:
    """One statement: rows (kind, name, ok, mean, higher, lower), ``higher``/``lower`` counting
    the cases of ``ok`` whose per-case mean is above / below the base's (NULL without a base)."""
    oks = [ok] if base_ok is None else [ok, base_ok]
    within = "ok IN (" + ", ".join(d.param(o) for o in oks) + ")"
    # the roots, once (the partial roots index): a trace's case and its duration
    roots = (f"SELECT ok, root_span_id, case_key, end_ts - start_ts AS dur FROM dp_rows "
             f"WHERE {within} AND is_root = {d.true}")
    per_trace = (
        # a trace's score: the mean over its spans that carry it
        f"SELECT 's' AS kind, ok, root_span_id, name, avg(value) AS v FROM dp_scores "
        f"WHERE {within} AND root_span_id IS NOT NULL GROUP BY ok, root_span_id, name "
        # a trace's token counts and costs: summed over its spans
        f"UNION ALL SELECT 'm', ok, root_span_id, name, sum(value) FROM dp_metrics "
        f"WHERE {within} AND root_span_id IS NOT NULL AND {_SUMMED} GROUP BY ok, root_span_id, name "
        # its duration: the root span's
        "UNION ALL SELECT 'm', ok, root_span_id, 'duration', dur FROM roots WHERE dur IS NOT NULL")
    means = "SELECT kind, name, ok, avg(v) AS mean FROM per_trace GROUP BY kind, name, ok"
    if base_ok is None:
        return (f"WITH roots AS MATERIALIZED ({roots}), per_trace AS ({per_trace}) "
                f"SELECT kind, name, ok, mean, NULL, NULL FROM ({means}) m")
    a, b = d.param(ok), d.param(base_ok)
    cases = (
        "SELECT t.kind, t.name, t.ok, r.case_key, avg(t.v) AS v FROM per_trace t "
        "JOIN roots r ON r.ok = t.ok AND r.root_span_id = t.root_span_id WHERE r.case_key IS NOT NULL "
        "GROUP BY t.kind, t.name, t.ok, r.case_key")
    compared = (
        f"SELECT x.kind, x.name, sum(CASE WHEN x.v - y.v > {_EPS} THEN 1 ELSE 0 END) AS higher, "
        f"sum(CASE WHEN x.v - y.v < -{_EPS} THEN 1 ELSE 0 END) AS lower FROM cases x JOIN cases y "
        f"ON y.kind = x.kind AND y.name = x.name AND y.case_key = x.case_key AND y.ok = {b} "
        f"WHERE x.ok = {a} GROUP BY x.kind, x.name")
    return (f"WITH roots AS MATERIALIZED ({roots}), per_trace AS MATERIALIZED ({per_trace}), "
            f"cases AS MATERIALIZED ({cases}), compared AS ({compared}) "
            "SELECT m.kind, m.name, m.ok, m.mean, c.higher, c.lower FROM "
            f"({means}) m LEFT JOIN compared c ON c.kind = m.kind AND c.name = m.name")


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
