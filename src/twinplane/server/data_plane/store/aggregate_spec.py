"""The grouping and measures ``Store.aggregate`` accepts, normalized once for both engines.

Two spellings are accepted: the checked objects of ``twinplane.server.data_plane.query.aggregate``
(``GroupField``, ``TimeBucket``, ``Measure``) and plain dicts:

* group keys: ``"object_id"``, a field name (``"metadata.model"``), or
  ``{"bucket": "created", "interval": "1h"}`` (``s``/``m``/``h``/``d``/``w`` units, or seconds);
* measures: ``{"fn": "count" | "sum" | "mean" | "min" | "max" | "p50" | "p95" | "p99" | "pNN",
  "field"?: "scores.<name>" | "metrics.<name>" | a JSON path, "alias"?}``.

Scores and metrics are read from the typed side tables, never from JSON. Each answer row
holds one key per group (``object_id``; a bucket as the ISO time it starts, under
``created_bucket`` unless named) and one per measure (its alias, else ``fn`` or
``fn(field)``). ``count`` without a field counts rows; with one, rows having it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from twinplane.server.common.errors import BadRequest
from twinplane.server.data_plane.query.ast import Field

_INTERVAL = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PCT = re.compile(r"^p(\d{1,2})$")
MAX_INTERVAL = 366 * 86400
_SIDE_SKIP = frozenset({"start", "end", "duration"})  # typed columns of the row, not side values


@dataclass(frozen=True, slots=True)
class GroupKey:
    kind: str  # "object" | "bucket" | "field"
    name: str
    seconds: int = 0
    field: Field | None = None
    as_type: str = "text"


@dataclass(frozen=True, slots=True)
class Measure:
    fn: str  # count | sum | mean | min | max | percentile
    field: Field | None
    as_type: str
    key: str
    percentile: float | None = None

    @property
    def side(self) -> tuple[str, str] | None:
        """(table kind, name) when the value lives in a side table."""
        f = self.field
        if f is not None and len(f.path) == 2 and f.path[0] in ("scores", "metrics") and f.path[1] not in _SIDE_SKIP:
            return f.path[0], f.path[1]
        return None


def _field(text: str) -> Field:
    if not isinstance(text, str) or not text:
        raise BadRequest("expected a field name")
    if text.startswith(("scores.", "metrics.")):
        root, name = text.split(".", 1)
        return Field((root, name))
    return Field(tuple(text.split(".")))


def _seconds(iv: Any) -> int:
    if isinstance(iv, (int, float)) and not isinstance(iv, bool) and math.isfinite(iv):
        seconds = int(iv)
    elif isinstance(iv, str) and (m := _INTERVAL.match(iv)):
        seconds = int(m.group(1)) * _UNIT[m.group(2)]
    else:
        raise BadRequest("interval must look like '15m', '1h', '1d' or be seconds")
    if not 1 <= seconds <= MAX_INTERVAL:
        raise BadRequest("interval must be between 1 second and 366 days")
    return seconds


def parse_group_by(items: Any) -> list[GroupKey]:
    out: list[GroupKey] = []
    for item in items or []:
        cls = type(item).__name__
        if item == "object_id":
            out.append(GroupKey("object", "object_id"))
        elif cls == "TimeBucket":
            out.append(GroupKey("bucket", item.name, seconds=int(item.seconds)))
        elif cls == "GroupField":
            out.append(GroupKey("field", item.name, field=item.field, as_type=item.as_type))
        elif isinstance(item, dict) and item.get("bucket") == "created":
            out.append(GroupKey("bucket", str(item.get("alias") or "created_bucket"),
                                seconds=_seconds(item.get("interval", "1h"))))
        elif isinstance(item, str):
            out.append(GroupKey("field", item, field=_field(item), as_type="text"))
        else:
            raise BadRequest("group_by items are 'object_id', a field, or {'bucket': 'created', 'interval': '1h'}")
    return out


def parse_measures(items: Any) -> list[Measure]:
    if not items:
        raise BadRequest("at least one measure is required")
    out: list[Measure] = []
    for item in items:
        if type(item).__name__ == "Measure" and hasattr(item, "as_type"):
            out.append(Measure(item.fn, item.field, item.as_type or "number", item.name, item.percentile))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("fn"), str):
            raise BadRequest("each measure needs fn")
        fn, pct = item["fn"], None
        if (m := _PCT.match(fn)) and 1 <= int(m.group(1)) <= 99:
            fn, pct = "percentile", int(m.group(1)) / 100
        elif fn not in ("count", "sum", "mean", "min", "max"):
            raise BadRequest("fn is one of count, sum, mean, min, max, p1..p99")
        text = item.get("field")
        f = _field(text) if text is not None else None
        if f is None and fn != "count":
            raise BadRequest(f"measure {item['fn']} needs a field")
        alias = item.get("alias")
        key = alias if isinstance(alias, str) and alias else (f"{item['fn']}({text})" if text else item["fn"])
        as_type = "time" if f is not None and f.path == ("created",) else "number"
        out.append(Measure(fn, f, as_type, key, pct))
    return out


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (PostgreSQL's percentile_cont)."""
    if not sorted_values:
        return None
    pos = p * (len(sorted_values) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (pos - lo) * (sorted_values[hi] - sorted_values[lo])
