"""The summary maths over per-trace facts, in Python: the naive summary of
``query_naive`` and the reference the store's SQL (``Store.summary_stats`` +
``services.summary.summary_items``) is tested against (``tests/unit``)."""

from __future__ import annotations

from typing import Any

from twinplane.server.data_plane.services.summary import LOWER_IS_BETTER_DEFAULT, aggregate, metric_unit
from twinplane.server.data_plane.store.base import TraceScores


def _counts(mine: dict[str, dict[str, float]], theirs: dict[str, dict[str, float]], name: str,
            higher_is_better: bool) -> tuple[int, int]:
    up = down = 0
    for case, values in mine.items():
        other = theirs.get(case)
        if other is None or name not in values or name not in other:
            continue
        delta = values[name] - other[name]
        if abs(delta) < 1e-12:
            continue
        better = delta > 0 if higher_is_better else delta < 0
        if better:
            up += 1
        else:
            down += 1
    return up, down


def summarize(traces: list[TraceScores], base: list[TraceScores] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return ``(scores, metrics)`` in the strict SDK shape."""
    mine = aggregate(traces)
    theirs = aggregate(base) if base is not None else None
    scores: dict[str, Any] = {}
    for name in sorted(mine.scores):
        item: dict[str, Any] = {"name": name, "score": mine.scores[name], "improvements": 0, "regressions": 0}
        if theirs is not None:
            item["improvements"], item["regressions"] = _counts(mine.cases_scores, theirs.cases_scores, name, True)
            if name in theirs.scores:
                item["diff"] = mine.scores[name] - theirs.scores[name]
        scores[name] = item
    metrics: dict[str, Any] = {}
    for name in sorted(mine.metrics):
        item = {"name": name, "metric": mine.metrics[name], "unit": metric_unit(name),
                "improvements": 0, "regressions": 0}
        if theirs is not None:
            item["improvements"], item["regressions"] = _counts(
                mine.cases_metrics, theirs.cases_metrics, name, not LOWER_IS_BETTER_DEFAULT)
            if name in theirs.metrics:
                item["diff"] = mine.metrics[name] - theirs.metrics[name]
        metrics[name] = item
    return scores, metrics
