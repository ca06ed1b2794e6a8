"""Experiment summaries and comparisons (wire reference §3.1), computed from per-trace facts.

Scores live on scorer child spans, so the store gathers them per trace (``trace_scores``);
here they become means, diffs against a comparison experiment, and improvement /
regression counts over cases matched by root input (or by the dataset row of ``origin``).

The score and metric items are splatted into SDK dataclasses: their keys are EXACTLY
``{name, score, improvements, regressions[, diff]}`` and
``{name, metric, unit, improvements, regressions[, diff]}``. ``tests`` pin this.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from twinplane.server.data_plane.store.base import TraceScores

# Metrics where a smaller value is the better one (an "improvement" is a decrease).
LOWER_IS_BETTER_DEFAULT = True


def metric_unit(name: str) -> str:
    if name == "duration" or name.endswith("_duration") or name.endswith("_time"):
        return "s"
    if "tokens" in name:
        return "tok"
    if "cost" in name:
        return "$"
    return ""


def case_key(t: TraceScores) -> str | None:
    if t.input_key is not None:
        return "input:" + t.input_key
    if t.origin_id is not None:
        return "origin:" + t.origin_id
    return None


@dataclass(slots=True)
class Aggregate:
    scores: dict[str, float]
    metrics: dict[str, float]
    cases_scores: dict[str, dict[str, float]]  # case key -> score name -> mean
    cases_metrics: dict[str, dict[str, float]]


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def aggregate(traces: list[TraceScores]) -> Aggregate:
    scores: dict[str, list[float]] = defaultdict(list)
    metrics: dict[str, list[float]] = defaultdict(list)
    case_s: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    case_m: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for t in traces:
        key = case_key(t)
        for name, v in t.scores.items():
            if v is None:
                continue
            scores[name].append(float(v))
            if key is not None:
                case_s[key][name].append(float(v))
        for name, v in t.metrics.items():
            if v is None:
                continue
            metrics[name].append(float(v))
            if key is not None:
                case_m[key][name].append(float(v))
    return Aggregate(
        scores={k: _mean(v) for k, v in scores.items()},
        metrics={k: _mean(v) for k, v in metrics.items()},
        cases_scores={c: {k: _mean(v) for k, v in d.items()} for c, d in case_s.items()},
        cases_metrics={c: {k: _mean(v) for k, v in d.items()} for c, d in case_m.items()},
    )


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
