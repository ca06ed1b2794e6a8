"""The typed facts a store extracts from a merged row, so reads never parse JSON to filter or sort.

A row's JSON stays the source of truth (kept whole in the versions table); ``RowShape`` is
what the current-rows table and the score and metric side tables hold beside it:
timestamps as epoch seconds (one representation in both engines, so cursors and bound
time values mean the same everywhere), span identity, numeric scores and metrics.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

# Text fields that full-text search covers, in the order of the index's columns.
FTS_FIELDS: tuple[str, ...] = ("input", "output", "expected", "metadata", "error")

# metrics.start / metrics.end live in typed columns; the side table keeps the rest.
_SPAN_TIME_METRICS = frozenset({"start", "end"})


@dataclass(slots=True)
class RowShape:
    created: float
    root_span_id: str | None
    span_id: str | None
    is_root: bool
    span_name: str | None
    span_type: str | None
    start: float | None
    end: float | None
    has_error: bool
    scores: dict[str, float]
    metrics: dict[str, float]
    # roots only: what matches this trace with the same case in another experiment
    case_key: str | None = None


def parse_time(value: Any) -> float | None:
    """ISO-8601 string or epoch number → epoch seconds (UTC); None when unreadable."""
    if type(value) is str:  # every span's ``created``: Python 3.11 reads a trailing Z itself
        try:
            return to_epoch(datetime.fromisoformat(value))
        except ValueError:
            pass  # surrounding spaces, or not a time at all: the path below decides
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, datetime):
        return to_epoch(value)
    if isinstance(value, str) and value:
        s = value.strip()
        if s.endswith("Z"):
            s = s[:-1] + "+00:00"
        try:
            return to_epoch(datetime.fromisoformat(s))
        except ValueError:
            return None
    return None


def to_epoch(dt: datetime) -> float:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def iso_from_epoch(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


def _number(v: Any) -> float | None:
    t = type(v)  # exact types first: rows come from JSON, and this runs for every score and metric
    if t is float:
        return v if math.isfinite(v) else None
    if t is not int and (t is bool or not isinstance(v, (int, float))):
        return None
    f = float(v)
    return f if math.isfinite(f) else None


def _numbers(obj: Any, skip: frozenset[str] = frozenset()) -> dict[str, float]:
    if not isinstance(obj, dict):
        return {}
    out: dict[str, float] = {}
    for k, v in obj.items():
        if k in skip:
            continue
        f = _number(v)
        if f is not None:
            out[str(k)] = f
    return out


def canonical_json(value: Any) -> bytes:
    """Sorted-key JSON: equal inputs give equal bytes whatever their key order."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def case_key_of(row: dict[str, Any]) -> str | None:
    """A root span's case: ``i:`` + a digest of its input (when it has an ``input`` key, even
    null), else ``o:`` + the dataset row id of its ``origin``; None when it has neither."""
    if "input" in row:
        return "i:" + hashlib.blake2b(canonical_json(row["input"]), digest_size=16).hexdigest()
    origin = row.get("origin")
    origin_id = origin.get("id") if isinstance(origin, dict) else None
    return "o:" + origin_id if isinstance(origin_id, str) else None


def shape_of(row: dict[str, Any], fallback_created: float, *, cases: bool) -> RowShape:
    """The row's typed facts. ``cases``: whether a root gets its ``case_key`` (experiments only,
    what their summaries match on; a digest of the input that no read of other objects uses)."""
    metrics = row.get("metrics")
    metrics = metrics if isinstance(metrics, dict) else {}
    attrs = row.get("span_attributes")
    attrs = attrs if isinstance(attrs, dict) else {}
    span_id = row.get("span_id")
    root = row.get("root_span_id")
    parents = row.get("span_parents")
    span_id = span_id if isinstance(span_id, str) else None
    root = root if isinstance(root, str) else None
    # A root has no parents; rows that are not spans at all (dataset records) are not roots.
    is_root = root is not None and not parents
    name = attrs.get("name")
    typ = attrs.get("type")
    err = row.get("error")
    created = parse_time(row.get("created"))
    return RowShape(
        created=created if created is not None else fallback_created,
        root_span_id=root,
        span_id=span_id,
        is_root=is_root,
        span_name=name if isinstance(name, str) else None,
        span_type=typ if isinstance(typ, str) else None,
        start=_number(metrics.get("start")),
        end=_number(metrics.get("end")),
        has_error=err is not None and err != "" and err is not False,
        scores=_numbers(row.get("scores")),
        metrics=_numbers(metrics, _SPAN_TIME_METRICS),
        case_key=case_key_of(row) if cases and is_root else None,
    )
