"""The /v1/aggregate spec: group keys, time buckets, measures, and refusals."""

from __future__ import annotations

import pytest

from twinplane.server.common.errors import BadRequest
from twinplane.server.data_plane.query.aggregate import (
    AggregateSpec,
    GroupField,
    GroupObject,
    Measure,
    TimeBucket,
    parse_aggregate,
)
from twinplane.server.data_plane.query.ast import Compare, Field, Value


def body(**kw: object) -> dict:
    return {"object_type": "experiment", "object_id": "e1", "measures": [{"fn": "count"}], **kw}


def test_a_chart_spec() -> None:
    spec = parse_aggregate(body(
        filter="scores.Factuality < 0.5",
        group_by=["metadata.model", {"bucket": "created", "interval": "1h"}],
        measures=[{"fn": "count"}, {"fn": "mean", "field": "scores.Factuality"},
                  {"fn": "p95", "field": "metrics.duration", "alias": "p95_latency"},
                  {"fn": "max", "field": "created"}, {"fn": "count", "field": "error"}],
    ))
    assert spec == AggregateSpec(
        object_type="experiment", object_ids=("e1",),
        filter=Compare("<", Field(("scores", "Factuality")), Value(0.5)),
        group_by=(GroupField(Field(("metadata", "model")), "json", "metadata.model"),
                  TimeBucket(Field(("created",)), 3600, "created_bucket")),
        measures=(Measure("count", None, None, "count"),
                  Measure("mean", Field(("scores", "Factuality")), "number", "mean(scores.Factuality)"),
                  Measure("percentile", Field(("metrics", "duration")), "number", "p95_latency", 0.95),
                  Measure("max", Field(("created",)), "time", "max(created)"),
                  Measure("count", Field(("error",)), "json", "count(error)")),
    )


def test_several_objects_a_btql_filter_and_bucket_units() -> None:
    spec = parse_aggregate({"object_type": "experiment", "object_ids": ["a", "b", "a"],
                            "filter": {"op": "eq", "left": {"op": "ident", "name": ["id"]},
                                       "right": {"op": "literal", "value": "x"}},
                            "group_by": [{"bucket": "created", "interval": "15m", "alias": "t"}],
                            "measures": [{"fn": "p50", "field": "metadata.latency"}]})
    assert spec.object_ids == ("a", "b")
    assert parse_aggregate(body(group_by=["object_id"])).group_by == (GroupObject(),)
    assert spec.group_by == (TimeBucket(Field(("created",)), 900, "t"),)
    assert spec.measures[0].as_type == "number" and spec.measures[0].percentile == 0.5
    for interval, seconds in (("30s", 30), ("1d", 86400), ("2w", 1209600), (300, 300)):
        s = parse_aggregate(body(group_by=[{"bucket": "created", "interval": interval}]))
        assert s.group_by[0].seconds == seconds


@pytest.mark.parametrize(("b", "needle"), [
    ([], "expected a JSON object"),
    (body(object_type="users"), "object_type: expected one of"),
    ({**body(), "object_ids": ["x"]}, "exactly one of object_id or object_ids"),
    ({"object_type": "experiment", "measures": [{"fn": "count"}]}, "exactly one of object_id or object_ids"),
    (body(object_id=""), "expected id strings"),
    (body(extra=1), "unknown key 'extra'"),
    (body(measures=[]), "expected 1 to 32 measures"),
    (body(measures=[{"fn": "median", "field": "scores.x"}]), "measures[0].fn: expected count, sum, mean"),
    (body(measures=[{"fn": "p0", "field": "scores.x"}]), "percentiles run from p1 to p99"),
    (body(measures=[{"fn": "mean"}]), "measures[0].field: mean needs a field"),
    (body(measures=[{"fn": "mean", "field": "id"}]), "mean needs a numeric field"),
    (body(measures=[{"fn": "mean", "field": "metadata.x; DROP"}]), "measures[0].field: at position 11"),
    (body(measures=[{"fn": "max", "field": "metadata.a\u0000b"}]), "measures[0].field"),
    (body(measures=[{"fn": "max", "field": "scores.a\u0000b"}]), "measures[0].field: a field path segment"),
    (body(group_by=["metadata.a\u0000"]), "group_by[0]"),
    (body(measures=[{"fn": "count", "alias": "x'); DROP"}]), "measures[0].alias: expected a name"),
    (body(measures=[{"fn": "count"}, {"fn": "count"}]), "two outputs are named 'count'"),
    (body(group_by=["tags"]), "cannot group by tags"),
    (body(group_by=["nosuch"]), "unknown field 'nosuch'"),
    (body(group_by=[{"bucket": "metadata.t", "interval": "1h"}]), "only 'created' can be bucketed"),
    (body(group_by=[{"bucket": "created", "interval": "1 hour"}]), "group_by[0].interval: expected N followed by"),
    (body(group_by=[{"bucket": "created", "interval": "0s"}]), "group_by[0].interval"),
    (body(group_by=[{"bucket": "created", "interval": True}]), "group_by[0].interval"),
    (body(group_by=[{"bucket": "created", "interval": "1h"}, "object_id", "object_id"]), "two outputs are named"),
    (body(group_by=[{"bucket": "created", "interval": "400d"}]), "at most 366 days"),
    (body(group_by=["id", "span_id", "root_span_id", "metadata.a"]), "at most 3 keys"),
    (body(group_by="id"), "group_by: expected a list"),
    (body(filter="id = "), "aggregate: filter: at position 6"),
    (body(filter=5), "filter: expected a filter string or a BTQL expression"),
])
def test_refusals(b: object, needle: str) -> None:
    with pytest.raises(BadRequest) as info:
        parse_aggregate(b)
    assert needle in info.value.message, info.value.message


def test_score_and_metric_names_may_be_unquoted_as_the_ui_sends_them() -> None:
    spec = parse_aggregate(body(group_by=[{"bucket": "created", "interval": "1h"}],
                                measures=[{"fn": "mean", "field": "scores.Exact Match"},
                                          {"fn": "sum", "field": 'metrics."prompt tokens"'}]))
    assert spec.measures[0].field == Field(("scores", "Exact Match"))
    assert spec.measures[1].field == Field(("metrics", "prompt tokens"))
    assert spec.group_by[0].name == "created_bucket"  # the UI's VolumeChart reads this key
    assert parse_aggregate({"object_type": "experiment", "object_id": "e"}).measures == (
        Measure("count", None, None, "count"),)
