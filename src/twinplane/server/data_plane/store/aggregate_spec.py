"""The grouping and measures ``Store.aggregate`` accepts, checked once for both engines.

``group_by`` items: ``"object_id"`` or ``{"bucket": "created", "interval": "1h"}``
(``s``/``m``/``h``/``d`` units, or seconds as a number). ``measures`` items:
``{"fn": "count" | "mean" | "min" | "max" | "sum" | "p50" | "p95" | "p99", "field"?:
"scores.<name>" | "metrics.<name>", "alias"?}``. Values come from the typed side tables,
never from JSON. Each answer row holds the group keys (``object_id``; ``created`` as the
ISO time a bucket starts) and one key per measure: its alias, else ``fn`` or
``fn(field)``. ``count`` without a field counts rows; with one, rows carrying it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from twinplane.server.common.errors import BadRequest

FNS = ("count", "mean", "min", "max", "sum", "p50", "p95", "p99")
PERCENTILES = {"p50": 0.5, "p95": 0.95, "p99": 0.99}
_INTERVAL = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_BUCKETS_INTERVAL = 366 * 86400


@dataclass(frozen=True, slots=True)
class Measure:
    fn: str
    kind: str | None  # "scores" | "metrics" | None (row count)
    name: str | None
    key: str


@dataclass(frozen=True, slots=True)
class Grouping:
    by_object: bool
    bucket_seconds: int | None


def parse_group_by(items: list[Any]) -> Grouping:
    by_object = False
    bucket: int | None = None
    for item in items or []:
        if item == "object_id":
            by_object = True
        elif isinstance(item, dict) and item.get("bucket") == "created":
            iv = item.get("interval", "1h")
            if isinstance(iv, (int, float)) and not isinstance(iv, bool) and math.isfinite(iv):
                seconds = int(iv)
            elif isinstance(iv, str) and (m := _INTERVAL.match(iv)):
                seconds = int(m.group(1)) * _UNIT[m.group(2)]
            else:
                raise BadRequest("interval must look like '15m', '1h', '1d' or be seconds")
            if not 1 <= seconds <= MAX_BUCKETS_INTERVAL:
                raise BadRequest("interval must be between 1 second and 366 days")
            bucket = seconds
        else:
            raise BadRequest("group_by items are 'object_id' or {'bucket': 'created', 'interval': '1h'}")
    return Grouping(by_object, bucket)


def parse_measures(items: list[Any]) -> list[Measure]:
    if not items:
        raise BadRequest("at least one measure is required")
    out: list[Measure] = []
    for item in items:
        if not isinstance(item, dict) or item.get("fn") not in FNS:
            raise BadRequest(f"each measure needs fn, one of {', '.join(FNS)}")
        fn = item["fn"]
        f = item.get("field")
        kind = name = None
        if f is not None:
            if not isinstance(f, str) or not f.startswith(("scores.", "metrics.")) or len(f.split(".", 1)[1]) == 0:
                raise BadRequest("a measure's field is scores.<name> or metrics.<name>")
            kind, name = f.split(".", 1)
        elif fn != "count":
            raise BadRequest(f"measure {fn} needs a field")
        alias = item.get("alias")
        key = alias if isinstance(alias, str) and alias else (f"{fn}({f})" if f else fn)
        out.append(Measure(fn, kind, name, key))
    return out


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (PostgreSQL's percentile_cont)."""
    if not sorted_values:
        return None
    pos = p * (len(sorted_values) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (pos - lo) * (sorted_values[hi] - sorted_values[lo])
