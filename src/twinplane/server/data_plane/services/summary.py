"""Experiment summaries and comparisons (wire reference §3.1).

Scores live on scorer child spans, so they are gathered per trace; a trace's scores become
experiment means, diffs against a comparison experiment, and improvement / regression
counts over cases matched by root input (or by the dataset row of ``origin``): the case
key of ``store.row_shape.case_key_of``. ``/summarize`` gets those figures from the store in
one SQL statement (``Store.summary_stats``) and shapes them with ``summary_items``;
``aggregate`` gives the per-case means of ``TraceScores`` (the per-trace facts the
side-by-side comparison lists). The tests hold the same maths in Python
(``tests/unit/server/data_plane/summary_reference.py``) and check the SQL against it.

The score and metric items are splatted into SDK dataclasses: their keys are EXACTLY
``{name, score, improvements, regressions[, diff]}`` and
``{name, metric, unit, improvements, regressions[, diff]}``. ``tests`` pin this.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from twinplane.server.data_plane.store.base import SummaryStat, TraceScores

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
        key = t.case_key
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


def summary_items(stats: list[SummaryStat]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(scores, metrics)`` in the strict SDK shape from the store's ``summary_stats``
    (what ``/summarize`` serves)."""
    scores: dict[str, Any] = {}
    metrics: dict[str, Any] = {}
    for st in sorted(stats, key=lambda x: x.name):
        if st.mean is None:  # only the base experiment has it
            continue
        if st.kind == "score":
            item: dict[str, Any] = {"name": st.name, "score": st.mean, "improvements": st.higher,
                                    "regressions": st.lower}
            scores[st.name] = item
        else:
            better, worse = (st.higher, st.lower) if not LOWER_IS_BETTER_DEFAULT else (st.lower, st.higher)
            item = {"name": st.name, "metric": st.mean, "unit": metric_unit(st.name), "improvements": better,
                    "regressions": worse}
            metrics[st.name] = item
        if st.base_mean is not None:
            item["diff"] = st.mean - st.base_mean
    return scores, metrics
