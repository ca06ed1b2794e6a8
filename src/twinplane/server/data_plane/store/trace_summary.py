"""Assembling ``TraceScores`` from what both engines read the same way.

The engines run three grouped reads over the typed tables (roots, mean score per trace
and name, summed token metrics per trace); this module turns them into one entry per
``root_span_id``. No score is read out of JSON: only the roots' ``input`` and ``origin``,
one small extraction per trace.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson

from twinplane.server.data_plane.store.base import TraceScores


def canonical_json(value: Any) -> str:
    """Sorted-key JSON: two roots with equal inputs get equal keys whatever their key order."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def assemble(roots: Iterable[tuple[str, str, str | None, str | None, float | None, float | None]],
             scores: Iterable[tuple[str, str, float]],
             metrics: Iterable[tuple[str, str, float]]) -> list[TraceScores]:
    """roots: (root_span_id, row_id, input JSON text, origin id, start, end);
    scores/metrics: (root_span_id, name, value) already averaged/summed per trace."""
    out: dict[str, TraceScores] = {}
    for root_span_id, row_id, input_json, origin_id, start, end in roots:
        input_key = None
        if input_json is not None:
            input_key = canonical_json(orjson.loads(input_json))
        m: dict[str, float] = {}
        if start is not None and end is not None:
            m["duration"] = end - start
        out[root_span_id] = TraceScores(root_span_id, row_id, input_key,
                                        origin_id if isinstance(origin_id, str) else None, {}, m)
    for root_span_id, name, value in scores:
        t = out.get(root_span_id)
        if t is None:  # scores of a trace whose root has not arrived (yet)
            t = out[root_span_id] = TraceScores(root_span_id, None, None, None, {}, {})
        t.scores[name] = float(value)
    for root_span_id, name, value in metrics:
        t = out.get(root_span_id)
        if t is None:
            t = out[root_span_id] = TraceScores(root_span_id, None, None, None, {}, {})
        t.metrics[name] = float(value)
    return list(out.values())
