"""BTQL request bodies: the exact shapes braintrust 0.48.1 sends, and strict refusals."""

from __future__ import annotations

import copy

import pytest

from twinplane.server.common.errors import BadRequest
from twinplane.server.data_plane.query.ast import (
    And,
    Arith,
    Compare,
    Const,
    Field,
    In,
    IsNull,
    Or,
    Sort,
    Value,
)
from twinplane.server.data_plane.query.btql import MAX_LIMIT, parse_btql, parse_btql_filter


def ident(*name: str) -> dict:
    return {"op": "ident", "name": list(name)}


def lit(value: object) -> dict:
    return {"op": "literal", "value": value}


def source(object_type: str = "experiment", object_id: str = "e1") -> dict:
    return {"op": "function", "name": ident(object_type), "args": [lit(object_id)]}


# ObjectFetcher.fetch (logger.py): dataset / experiment read-back, one page
FETCHER_BODY = {
    "query": {"select": [{"op": "star"}], "from": source("dataset", "d1"), "cursor": None, "limit": 1000},
    "use_columnstore": False,
    "brainstore_realtime": True,
    "query_source": "py_sdk_object_fetcher_dataset",
    "version": "1000000000000000042",
}

# SpanFetcher (trace.get_spans) filter
TRACE_FILTER = {"op": "and", "children": [
    {"op": "eq", "left": ident("root_span_id"), "right": lit("abc")},
    {"op": "or", "children": [
        {"op": "isnull", "expr": ident("span_attributes", "purpose")},
        {"op": "ne", "left": ident("span_attributes", "purpose"), "right": lit("scorer")},
    ]},
]}
PURPOSE = Field(("span_attributes", "purpose"))


def bad(body: object) -> str:
    with pytest.raises(BadRequest) as info:
        parse_btql(body)
    assert info.value.status == 400
    return info.value.message


def test_object_fetcher_body() -> None:
    q = parse_btql(FETCHER_BODY)
    assert (q.object_type, q.object_id) == ("dataset", "d1")
    assert q.filter is None and q.sort == () and q.cursor is None
    assert q.limit == 1000 and q.version == 1000000000000000042 and q.audit_log is False
    assert q.query_source == "py_sdk_object_fetcher_dataset"


def test_trace_aware_scorer_filter_with_cursor() -> None:
    body = copy.deepcopy(FETCHER_BODY)
    body["query"].update({"from": source("project_logs", "p1"), "filter": TRACE_FILTER, "cursor": "opaque-1"})
    del body["version"]
    q = parse_btql(body)
    assert q.object_type == "project_logs" and q.cursor == "opaque-1" and q.version is None
    assert q.filter == And((
        Compare("=", Field(("root_span_id",)), Value("abc")),
        Or((IsNull(PURPOSE), Compare("!=", PURPOSE, Value("scorer")))),
    ))


def test_span_filter_clauses_of_trace_get_spans() -> None:
    node = parse_btql_filter({"op": "and", "children": [
        {"op": "in", "left": ident("span_attributes", "type"), "right": lit(["llm", "tool"])},
        {"op": "isnotnull", "expr": ident("error")},
        {"op": "eq", "left": ident("metadata", "a", "b"), "right": lit([1, "x"])},
        {"op": "ge", "left": {"op": "sub", "left": ident("metrics", "end"), "right": ident("metrics", "start")},
         "right": lit(1.5)},
    ]})
    assert node == And((
        In(Field(("span_attributes", "type")), (Value("llm"), Value("tool"))),
        IsNull(Field(("error",)), negate=True),
        Compare("=", Field(("metadata", "a", "b")), Value([1, "x"])),
        Compare(">=", Arith("-", Field(("metrics", "end")), Field(("metrics", "start"))), Value(1.5)),
    ))
    # "BTQL rejects IN []": the SDK sends a literal false instead; both are accepted
    assert parse_btql_filter({"op": "and", "children": [lit(False), TRACE_FILTER]}) == Const(False)
    assert parse_btql_filter({"op": "in", "left": ident("id"), "right": lit([])}) == In(Field(("id",)), ())


def test_btx_span_fetcher_body_with_binary_and_and_sort() -> None:
    q = parse_btql({
        "query": {
            "select": [{"op": "star"}], "from": source("project_logs", "p1"),
            "filter": {"op": "and",
                       "left": {"op": "eq", "left": ident("root_span_id"), "right": lit("r")},
                       "right": {"op": "ne", "left": ident("span_parents"), "right": lit(None)}},
            "sort": [{"expr": ident("created"), "dir": "asc"}], "limit": 1000,
        },
        "use_columnstore": True, "use_brainstore": True, "brainstore_realtime": True,
    })
    assert q.filter == And((Compare("=", Field(("root_span_id",)), Value("r")),
                            IsNull(Field(("span_parents",)), negate=True)))
    assert q.sort == (Sort(Field(("created",)), "asc"),)


def test_prompt_versions_audit_log_query() -> None:
    q = parse_btql({"query": {"from": source("project_prompts", "p1"), "select": [{"op": "star"}],
                              "filter": {"op": "eq", "left": ident("id"), "right": lit("prompt-1")}},
                    "audit_log": True, "use_columnstore": False, "brainstore_realtime": True})
    assert q.audit_log is True and q.object_type == "project_prompts"
    assert q.filter == Compare("=", Field(("id",)), Value("prompt-1"))


def test_literal_on_the_left_flips_the_comparison() -> None:
    assert parse_btql_filter({"op": "lt", "left": lit(0.5), "right": ident("scores", "x")}) == \
        Compare(">", Field(("scores", "x")), Value(0.5))


def test_a_string_filter_is_the_typed_language() -> None:
    body = {"query": {"from": source(), "filter": "scores.x > 0.5 AND tags INCLUDES 'a'"}}
    assert isinstance(parse_btql(body).filter, And)
    assert "btql: query.filter: at position 6: expected a value after '='" in bad({"query": {"from": source(), "filter": "id = AND"}})


def test_limit_defaults_and_is_capped() -> None:
    assert parse_btql({"query": {"from": source()}}).limit == 1000
    assert parse_btql({"query": {"from": source(), "limit": 50_000}}).limit == MAX_LIMIT


@pytest.mark.parametrize(("body", "needle"), [
    ([], "btql: expected an object"),
    ({}, "query: expected an object"),
    ({"query": "select: * | from: experiment('x')"}, "query: BTQL text queries are not supported"),
    ({"query": {"from": source()}, "surprise": 1}, "surprise: unknown key"),
    ({"query": {"from": source(), "dimensions": []}}, "query.dimensions: not supported"),
    ({"query": {"from": source(), "where": {}}}, "query.where: unknown key"),
    ({"query": {"from": source("users")}}, "query.from.name: expected one of experiment"),
    ({"query": {"from": {"op": "ident", "name": ["x"]}}}, "query.from.op: expected 'function'"),
    ({"query": {"from": {**source(), "args": []}}}, "query.from.args: expected exactly one argument"),
    ({"query": {"from": {**source(), "args": [lit(5)]}}}, "query.from.args[0].value: expected an object id"),
    ({"query": {"from": source(), "select": [{"op": "ident", "name": ["id"]}]}}, "only 'star' is supported"),
    ({"query": {"from": source(), "limit": -1}}, "query.limit: expected a positive integer"),
    ({"query": {"from": source(), "limit": 0}}, "query.limit: expected a positive integer"),
    ({"query": {"from": source(), "limit": "10"}}, "query.limit"),
    ({"query": {"from": source(), "limit": True}}, "query.limit"),
    ({"query": {"from": source(), "cursor": 5}}, "query.cursor"),
    ({"query": {"from": source()}, "version": "12a"}, "version: expected a transaction id"),
    ({"query": {"from": source()}, "audit_log": "yes"}, "audit_log: expected true or false"),
    ({"query": {"from": source(), "filter": {"op": "eq", "left": ident("nosuch"), "right": lit(1)}}},
     "query.filter.left.name: unknown field 'nosuch'"),
    ({"query": {"from": source(), "filter": {"op": "and", "children": [{"op": "xor"}]}}},
     "query.filter.children[0].op: unsupported operator 'xor'"),
    ({"query": {"from": source(), "filter": {"op": "eq", "left": ident("id"), "right": ident("span_id")}}},
     "query.filter.right.op: expected 'literal'"),
    ({"query": {"from": source(), "filter": {"op": "eq", "left": ident("id"), "right": lit("a"), "x": 1}}},
     "query.filter.x: unknown key"),
    ({"query": {"from": source(), "filter": {"op": "eq", "left": ident("id")}}}, "query.filter.right: missing"),
    ({"query": {"from": source(), "filter": {"op": "eq", "left": ident("scores", "x"), "right": lit("hi")}}},
     "query.filter: expected a number for scores.x"),
    ({"query": {"from": source(), "filter": {"op": "in", "left": ident("id"), "right": lit("a")}}},
     "query.filter.right.value: expected a list of values"),
    ({"query": {"from": source(), "filter": lit(1)}}, "a literal used as a condition must be true or false"),
    ({"query": {"from": source(), "filter": {"op": "isnull", "expr": ident()}}},
     "query.filter.expr.name: expected a non-empty list of strings"),
    ({"query": {"from": source(), "sort": [{"expr": ident("created"), "dir": "up"}]}},
     "query.sort[0].dir: expected 'asc' or 'desc'"),
    ({"query": {"from": source(), "sort": [{"expr": ident("created; DROP")}]}},
     "query.sort[0].expr.name: unknown field"),
    ({"query": {"from": source(), "sort": [{"expr": ident("tags")}]}}, "cannot sort by tags"),
])
def test_refusals_name_the_offending_part(body: object, needle: str) -> None:
    message = bad(body)
    assert message.startswith("btql: ")
    assert needle in message, message


def test_deep_nesting_is_refused_without_recursion_errors() -> None:
    expr: dict = {"op": "eq", "left": ident("id"), "right": lit("a")}
    for _ in range(200):
        expr = {"op": "not", "expr": {"op": "or", "children": [expr]}}
    with pytest.raises(BadRequest) as info:
        parse_btql_filter(expr)
    assert "nested too deeply" in info.value.message
