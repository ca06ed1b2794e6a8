"""What ``Store.aggregate`` needs from the ONE aggregate spec (``query.aggregate.AggregateSpec``).

The HTTP route checks the request with ``query.aggregate.parse_aggregate``; the store receives
that spec's ``group_by`` and ``measures`` and only maps them to the pieces its SQL is built from
(``aggregate_query.py``). Anything else (plain dicts, strings) is refused: there is no second
spelling to keep in step with the documented one.

Scores and metrics (``scores.<name>``, ``metrics.<name>`` but ``metrics.start|end|duration``) are
read from the typed side tables. Each answer row holds one key per group (``object_id``; a bucket
as the ISO time it starts) and one per measure, under the names the spec gives them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from twinplane.server.common.errors import BadRequest
from twinplane.server.data_plane.query import aggregate as spec
from twinplane.server.data_plane.query.ast import Field

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


def _refuse(what: str) -> BadRequest:
    return BadRequest(f"aggregate: {what} must come from query.aggregate.parse_aggregate")


def parse_group_by(items: Iterable[Any]) -> list[GroupKey]:
    out: list[GroupKey] = []
    for item in items or ():
        if isinstance(item, spec.GroupObject):
            out.append(GroupKey("object", item.name))
        elif isinstance(item, spec.TimeBucket):
            out.append(GroupKey("bucket", item.name, seconds=item.seconds))
        elif isinstance(item, spec.GroupField):
            # a JSON path groups by its text value (the one grouping both engines spell alike)
            as_type = "text" if item.as_type == "json" else item.as_type
            out.append(GroupKey("field", item.name, field=item.field, as_type=as_type))
        else:
            raise _refuse("group_by")
    return out


def parse_measures(items: Iterable[Any]) -> list[Measure]:
    out: list[Measure] = []
    for item in items or ():
        if not isinstance(item, spec.Measure):
            raise _refuse("measures")
        out.append(Measure(item.fn, item.field, item.as_type or "number", item.name, item.percentile))
    if not out:
        raise BadRequest("aggregate: at least one measure is required")
    return out


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (PostgreSQL's percentile_cont)."""
    if not sorted_values:
        return None
    pos = p * (len(sorted_values) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (pos - lo) * (sorted_values[hi] - sorted_values[lo])
