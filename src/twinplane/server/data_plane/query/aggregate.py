"""The aggregate spec for summaries and charts: group rows, compute measures.

Parsed from the ``POST /v1/aggregate`` body (contracts §4)::

    {"object_type": "experiment", "object_id": "<id>" | "object_ids": ["<id>", ...],
     "filter": "<typed filter>" | <BTQL expr>?,
     "group_by": ["object_id", "metadata.model", {"bucket": "created", "interval": "1h"}],
     "measures": [{"fn": "count"}, {"fn": "mean", "field": "scores.Factuality"},
                  {"fn": "p95", "field": "metrics.duration", "alias": "p95_latency"}]}

This is the ONE aggregate spec: the route checks the body here and the store executes
exactly this ``AggregateSpec`` (``Store.aggregate``; ``store/aggregate_spec.py`` only maps it
to SQL pieces). Each group key and measure carries the SQL type to read its field as, and the
``name`` under which its value appears in every result row. ``measures`` defaults to
``[{"fn": "count"}]``. Fields go through the query language's allow-list (``make_field``);
``scores.<name>`` / ``metrics.<name>`` also take the name unquoted, whatever it holds
(``scores.Exact Match``), as the UI sends it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from twinplane.server.common.errors import BadRequest
from twinplane.wire.objects import OBJECT_TYPES

from .ast import Field, Node, SqlType
from .btql import parse_btql_filter
from .fields import FieldError, dotted, kind_of, make_field, natural_type
from .parse import parse_field, parse_filter

MeasureFn = Literal["count", "sum", "mean", "min", "max", "percentile"]

MAX_GROUP_KEYS = 3
MAX_MEASURES = 32
MAX_OBJECTS = 20
MAX_BUCKETS_SECONDS = 366 * 86400

_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_INTERVAL = re.compile(r"(\d{1,6})([smhdw])\Z")
_PERCENTILE = re.compile(r"p(\d{1,2})\Z")
_ALIAS = re.compile(r"[A-Za-z_][A-Za-z0-9_.()\- ]{0,63}\Z")


@dataclass(frozen=True, slots=True)
class GroupField:
    """Group by the value of a field (rows lacking it form the ``null`` group)."""

    field: Field
    as_type: SqlType
    name: str


@dataclass(frozen=True, slots=True)
class TimeBucket:
    """Group by ``created`` floored to fixed-width buckets of ``seconds`` (UTC, aligned to the Unix
    epoch); the group's value is the ISO time the bucket starts."""

    field: Field
    seconds: int
    name: str


@dataclass(frozen=True, slots=True)
class GroupObject:
    """Group by the object (``"object_id"`` in ``group_by``): one group per experiment compared."""

    name: str = "object_id"


GroupKey = GroupField | TimeBucket | GroupObject


@dataclass(frozen=True, slots=True)
class Measure:
    """``count`` (rows, or rows having ``field``), ``sum``, ``mean``, ``min``, ``max``, or a percentile."""

    fn: MeasureFn
    field: Field | None
    as_type: SqlType | None
    name: str
    percentile: float | None = None  # 0 < p < 1, for fn == "percentile" (continuous, as PERCENTILE_CONT)


@dataclass(frozen=True, slots=True)
class AggregateSpec:
    object_type: str
    object_ids: tuple[str, ...]
    filter: Node | None
    group_by: tuple[GroupKey, ...]
    measures: tuple[Measure, ...]


def parse_aggregate(body: Any) -> AggregateSpec:
    """Check a ``/v1/aggregate`` body and return the spec, or raise ``BadRequest`` naming the part."""
    if not isinstance(body, dict):
        raise BadRequest("aggregate: expected a JSON object")
    allowed = {"object_type", "object_id", "object_ids", "filter", "group_by", "measures"}
    for k in body:
        if k not in allowed:
            raise BadRequest(f"aggregate: unknown key {str(k)[:60]!r}; expected one of {', '.join(sorted(allowed))}")
    object_type = body.get("object_type")
    if object_type not in OBJECT_TYPES:
        raise BadRequest(f"aggregate: object_type: expected one of {', '.join(OBJECT_TYPES)}")
    raw_groups = body.get("group_by")
    raw_measures = body.get("measures")
    group_by = tuple(_group_key(g, f"group_by[{i}]")
                     for i, g in enumerate(_list([] if raw_groups is None else raw_groups, "group_by")))
    measures = tuple(_measure(m, f"measures[{i}]")
                     for i, m in enumerate(_list([{"fn": "count"}] if raw_measures is None else raw_measures,
                                                 "measures")))
    if len(group_by) > MAX_GROUP_KEYS:
        raise BadRequest(f"aggregate: group_by: at most {MAX_GROUP_KEYS} keys")
    if not measures or len(measures) > MAX_MEASURES:
        raise BadRequest(f"aggregate: measures: expected 1 to {MAX_MEASURES} measures")
    names = [g.name for g in group_by] + [m.name for m in measures]
    dup = next((n for n in names if names.count(n) > 1), None)
    if dup is not None:
        raise BadRequest(f"aggregate: two outputs are named {dup!r}; give one an alias")
    return AggregateSpec(object_type, _object_ids(body), _filter(body.get("filter")), group_by, measures)


def _list(x: Any, what: str) -> list[Any]:
    if not isinstance(x, list):
        raise BadRequest(f"aggregate: {what}: expected a list")
    return x


def _object_ids(body: dict[str, Any]) -> tuple[str, ...]:
    if ("object_id" in body) == ("object_ids" in body):
        raise BadRequest("aggregate: give exactly one of object_id or object_ids")
    ids = [body["object_id"]] if "object_id" in body else body["object_ids"]
    if not isinstance(ids, list) or not 1 <= len(ids) <= MAX_OBJECTS:
        raise BadRequest(f"aggregate: object_ids: expected 1 to {MAX_OBJECTS} ids")
    for i in ids:
        if not isinstance(i, str) or not i or len(i) > 256 or not i.isprintable():
            raise BadRequest("aggregate: object_ids: expected id strings")
    return tuple(dict.fromkeys(ids))


def _filter(x: Any) -> Node | None:
    if x is None or isinstance(x, str):
        return parse_filter(x, what="aggregate: filter")
    if isinstance(x, dict):
        return parse_btql_filter(x, what="filter")
    raise BadRequest("aggregate: filter: expected a filter string or a BTQL expression")


def _field(text: str, what: str) -> Field:
    """A field of the typed language, through the allow-list; a score or metric name may be unquoted."""
    root, dot, name = text.partition(".")
    if dot and root in ("scores", "metrics") and name and not name.startswith('"'):
        try:
            return make_field([root, name])
        except FieldError as err:
            raise BadRequest(f"aggregate: {what}: {err}") from None
    return parse_field(text, what=f"aggregate: {what}")


def _group_key(g: Any, what: str) -> GroupKey:
    if g == "object_id":
        return GroupObject()
    if isinstance(g, str):
        f = _field(g, what)
        if kind_of(f) == "tags":
            raise BadRequest(f"aggregate: {what}: cannot group by tags")
        return GroupField(f, natural_type(f), dotted(f))
    if isinstance(g, dict) and set(g) <= {"bucket", "interval", "alias"} and "bucket" in g:
        bucket = parse_field(g["bucket"], what=f"aggregate: {what}.bucket") if isinstance(g["bucket"], str) else None
        if bucket is None or kind_of(bucket) != "time":
            raise BadRequest(f"aggregate: {what}.bucket: only 'created' can be bucketed")
        interval = g.get("interval")
        m = _INTERVAL.match(interval) if isinstance(interval, str) else None
        seconds = int(m.group(1)) * _UNIT_SECONDS[m.group(2)] if m else 0
        if isinstance(interval, int) and not isinstance(interval, bool):
            seconds = interval  # plain seconds
        if not 1 <= seconds <= MAX_BUCKETS_SECONDS:
            raise BadRequest(f"aggregate: {what}.interval: expected N followed by s, m, h, d or w "
                             "(like '15m', '1h', '1d') or a number of seconds, at most 366 days")
        return TimeBucket(bucket, seconds, _alias(g, what) or f"{dotted(bucket)}_bucket")
    raise BadRequest(f'aggregate: {what}: expected "object_id", a field name or '
                     f'{{"bucket": "created", "interval": "1h"}}')


def _measure(m: Any, what: str) -> Measure:
    if not isinstance(m, dict) or not set(m) <= {"fn", "field", "alias"} or not isinstance(m.get("fn"), str):
        raise BadRequest(f'aggregate: {what}: expected {{"fn": ..., "field"?: ..., "alias"?: ...}}')
    fn_text = m["fn"]
    pm = _PERCENTILE.match(fn_text)
    if pm:
        p = int(pm.group(1))
        if not 1 <= p <= 99:
            raise BadRequest(f"aggregate: {what}.fn: percentiles run from p1 to p99")
        fn: MeasureFn = "percentile"
        percentile: float | None = p / 100
    elif fn_text in ("count", "sum", "mean", "min", "max"):
        fn, percentile = fn_text, None  # type: ignore[assignment]
    else:
        raise BadRequest(f"aggregate: {what}.fn: expected count, sum, mean, min, max or p1..p99")
    field: Field | None = None
    as_type: SqlType | None = None
    if m.get("field") is not None:
        if not isinstance(m["field"], str):
            raise BadRequest(f"aggregate: {what}.field: expected a field name")
        field = _field(m["field"], f"{what}.field")
        kind = kind_of(field)
        if fn == "count":
            as_type = natural_type(field)
        elif kind in ("number", "json"):
            as_type = "number"  # JSON paths count only where they hold numbers
        elif kind == "time" and fn in ("min", "max"):
            as_type = "time"
        else:
            raise BadRequest(f"aggregate: {what}.field: {fn_text} needs a numeric field (scores.*, metrics.*, "
                             f"or a JSON path), not {dotted(field)}")
    elif fn != "count":
        raise BadRequest(f"aggregate: {what}.field: {fn_text} needs a field")
    name = _alias(m, what) or (fn_text if field is None else f"{fn_text}({dotted(field)})")
    return Measure(fn, field, as_type, name, percentile)


def _alias(obj: dict[str, Any], what: str) -> str | None:
    alias = obj.get("alias")
    if alias is None:
        return None
    if not isinstance(alias, str) or not _ALIAS.match(alias):
        raise BadRequest(f"aggregate: {what}.alias: expected a name of letters, digits, '_', '.', '(', ')', "
                         "'-' or spaces, starting with a letter, at most 64 characters")
    return alias
