"""Query AST filters through each engine's dialect (hand-built nodes, compiled by query.compile)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from twinplane.server.data_plane.query.ast import (
    And,
    Arith,
    Compare,
    Field,
    In,
    Includes,
    IsNull,
    Like,
    Match,
    Not,
    Or,
    Regex,
    Value,
)
from twinplane.server.data_plane.store.base import ObjectRef, RowQuery

from .conftest import ORG, w

LOGS = ObjectRef("project_logs", "proj-1")


@pytest.fixture
async def loaded(store):
    await store.write_rows([
        w(LOGS, "a", created="2026-01-01T00:00:00+00:00", input="Hello Refund", output={"n": 3},
          metadata={"model": "gpt-4o", "temp": 0.5, "flag": True, "nested": {"k": "v"}}, tags=["vip", "x"],
          scores={"acc": 0.9}, metrics={"start": 1.0, "end": 3.5, "tokens": 12}, root_span_id="T1", span_id="a",
          span_attributes={"name": "chat", "type": "llm"}),
        w(LOGS, "b", created="2026-01-02T00:00:00+00:00", input="goodbye", output={"n": "3"},
          metadata={"model": "claude", "temp": 1}, tags=["x"], scores={"acc": 0.2},
          metrics={"start": 1.0, "end": 1.5}, root_span_id="T2", span_id="b"),
        w(LOGS, "c", created="2026-01-03T00:00:00+00:00", input=None, metadata={"model": "GPT-4o-mini"},
          root_span_id="T1", span_id="c", span_parents=["a"]),
    ])
    await store.wait_indexed()
    return store


def f(*path: str) -> Field:
    return Field(tuple(path))


CASES = [
    (Compare("=", f("metadata", "model"), Value("gpt-4o")), {"a"}),
    (Compare("!=", f("metadata", "model"), Value("gpt-4o")), {"b", "c"}),
    (Compare(">", f("metadata", "temp"), Value(0.7)), {"b"}),
    (Compare("=", f("metadata", "flag"), Value(True)), {"a"}),
    (Compare("=", f("output", "n"), Value(3)), {"a"}),
    (Compare("=", f("output", "n"), Value("3")), {"b"}),
    (Compare("=", f("metadata", "nested"), Value({"k": "v"})), {"a"}),
    (Compare("<", f("scores", "acc"), Value(0.5)), {"b"}),
    (Compare(">=", f("metrics", "tokens"), Value(10)), {"a"}),
    (Compare(">", Arith("-", f("metrics", "end"), f("metrics", "start")), Value(1)), {"a"}),
    (Compare(">", f("created"), Value(datetime(2026, 1, 1, 12, tzinfo=UTC))), {"b", "c"}),
    (Compare("=", f("is_root"), Value(True)), {"a", "b"}),
    (Compare("=", f("span_attributes", "type"), Value("llm")), {"a"}),
    (In(f("metadata", "model"), (Value("claude"), Value("gpt-4o"))), {"a", "b"}),
    (In(f("id"), (), negate=True), {"a", "b", "c"}),
    (IsNull(f("scores", "acc")), {"c"}),
    (IsNull(f("metadata", "temp"), negate=True), {"a", "b"}),
    (Like(f("metadata", "model"), Value("gpt%")), {"a"}),
    (Like(f("metadata", "model"), Value("gpt%"), case_insensitive=True), {"a", "c"}),
    (Regex(f("metadata", "model"), Value("^(gpt|GPT)-4o")), {"a", "c"}),
    (Regex(f("metadata", "model"), Value("(a+)+$")), set()),
    (Includes(f("tags"), Value("vip")), {"a"}),
    (Match(None, Value("refund")), {"a"}),
    (Match(f("input"), Value("hello")), {"a"}),
    (Match(f("output"), Value("hello")), set()),
    (And((Compare("=", f("root_span_id"), Value("T1")), Not(Compare("=", f("id"), Value("a"))))), {"c"}),
    (Or((Compare("=", f("id"), Value("b")), Compare("<", f("scores", "acc"), Value(0.0)))), {"b"}),
]


async def test_filters(loaded) -> None:
    # one store for every case: creating a database per case would dominate the run time
    wrong = []
    for node, expected in CASES:
        rows = (await loaded.fetch_rows(RowQuery(ORG, LOGS, filter=node))).rows
        if {r["id"] for r in rows} != expected:
            wrong.append((node, expected, {r["id"] for r in rows}))
    assert wrong == []


async def test_filter_with_roots_only_uses_trace_scores(loaded) -> None:
    await loaded.write_rows([w(LOGS, "d", root_span_id="T2", span_id="d", span_parents=["b"], scores={"acc": 1.0})])
    node = Compare(">", f("scores", "acc"), Value(0.5))
    rows = (await loaded.fetch_rows(RowQuery(ORG, LOGS, filter=node, roots_only=True))).rows
    assert {r["id"] for r in rows} == {"a", "b"}  # T2 averages 0.2 and 1.0


def agg(group_by: list, measures: list) -> tuple[list, list]:
    from twinplane.server.data_plane.query.aggregate import parse_aggregate

    spec = parse_aggregate({"object_type": "project_logs", "object_id": "x", "group_by": group_by, "measures": measures})
    return list(spec.group_by), list(spec.measures)


async def test_filtered_aggregate(loaded) -> None:
    node = Compare("=", f("metadata", "model"), Value("gpt-4o"))
    res = await loaded.aggregate(ORG, [LOGS], *agg([], [{"fn": "count"}, {"fn": "mean", "field": "scores.acc"}]),
                                filter=node)
    assert res == [{"count": 1, "mean(scores.acc)": pytest.approx(0.9)}]
    grouped = await loaded.aggregate(ORG, [LOGS], *agg(["metadata.model"], [{"fn": "count"},
                                                                           {"fn": "p50", "field": "metrics.duration"}]))
    by = {r["metadata.model"]: r for r in grouped}
    assert by["gpt-4o"]["count"] == 1 and by["gpt-4o"]["p50(metrics.duration)"] == pytest.approx(2.5)
    assert by["claude"]["p50(metrics.duration)"] == pytest.approx(0.5)
