"""Compiled filters and sorts EXECUTED on real SQLite and real PostgreSQL (the fixture table).

Each case lists the exact rows a filter must return on both engines; the cases pin the
language's semantics (typed JSON comparisons, NULL and NOT, full text, regex, LIKE).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from twinplane.server.data_plane.query.btql import parse_btql_filter
from twinplane.server.data_plane.query.parse import parse_filter, parse_sort

from .sql_table import ALL, Table

TYPED_CASES: list[tuple[str, set[str]]] = [
    ("metadata.model = 'gpt-4o'", {"r1"}),
    # != needs the field; NOT is the complement, so rows lacking the field match it
    ("metadata.model != 'gpt-4o'", {"r2", "r3", "r5"}),
    ("NOT (metadata.model = 'gpt-4o')", {"r2", "r3", "r4", "r5"}),
    ("NOT metadata.model = 'gpt-4o'", {"r2", "r3", "r4", "r5"}),
    # JSON comparisons are typed: 3 is not '3'
    ("metadata.n = 3", {"r1"}),
    ("metadata.n = '3'", {"r2"}),
    ("metadata.n > 2", {"r1"}),
    ("metadata.n >= 3.0", {"r1"}),
    ("metadata.flag = true", {"r1"}),
    ("metadata.flag = false", {"r2"}),
    ("metadata.flag", {"r1"}),
    ("metadata.nested.k = 'v'", {"r1"}),
    ("metadata.nested IS NOT NULL", {"r1"}),
    ("metadata.model IN ('gpt-4o', 'claude')", {"r1", "r3"}),
    ("metadata.model NOT IN ('gpt-4o', 'claude')", {"r2", "r5"}),
    ("scores.Factuality < 0.5", {"r1"}),
    ("scores.Factuality != 0.5", {"r1", "r2"}),
    ("NOT scores.Factuality = 0.5", {"r1", "r2", "r3"}),
    ("scores.Factuality IS NULL", {"r3"}),
    ("scores.\"my score\" = 1", {"r1"}),
    ("metrics.end - metrics.start > 5", {"r2"}),
    ("metrics.end - metrics.start + 1 = 4", {"r1"}),
    ("input MATCH 'refund'", {"r1", "r3", "r5"}),
    ("input MATCH 'REFUND please'", {"r3"}),
    ("input MATCH 'order'", {"r2"}),
    ("MATCH 'ships'", {"r2"}),
    ("NOT (input MATCH 'refund')", {"r2", "r4"}),
    ("output ~ '^Ref'", {"r1", "r3"}),
    ("output ~ 'ref(und|und)'", set()),
    ("output ~ '(?i)ref(und|und)'", {"r1", "r3"}),
    ("output REGEXP 'days$'", {"r1"}),
    ("output !~ '^Ref'", {"r2", "r5"}),
    ("output NOT REGEXP '^Ref'", {"r2", "r5"}),
    ("NOT (output ~ '^Ref')", {"r2", "r4", "r5"}),
    ("output LIKE 'Ref%'", {"r1", "r3"}),
    ("output LIKE 'ref%'", {"r5"}),
    ("output ILIKE 'ref%'", {"r1", "r3", "r5"}),
    ("output NOT LIKE 'Ref%'", {"r2", "r5"}),
    ("output LIKE '_t ships%'", {"r2"}),
    ("metadata.pct LIKE '100\\%'", {"r2"}),
    ("metadata.pct LIKE '100%'", {"r2", "r3"}),
    ("tags INCLUDES 'prod'", {"r1", "r2"}),
    ("'refund' IN tags", {"r1"}),
    ("tags INCLUDES 'Refund'", {"r5"}),
    ("NOT (tags INCLUDES 'prod')", {"r3", "r4", "r5"}),
    ("tags IS NULL", {"r4"}),
    ("id IN ('r1', 'r3')", {"r1", "r3"}),
    ("id NOT IN ('r1')", ALL - {"r1"}),
    ("id = 'r1' OR id = 'r2' AND is_root = false", {"r1"}),
    ("(id = 'r1' OR id = 'r2') AND metadata.model = 'gpt-4o-mini'", {"r2"}),
    ("NOT NOT id = 'r4'", {"r4"}),
    ("created > now() - interval 2 days", {"r1", "r3", "r5"}),
    ("created >= now() - interval 3 hour AND created <= now() + interval 1 minute", {"r3", "r5"}),
    ("created < '2000-01-01'", set()),
    ("created > '2000-01-01T00:00:00Z'", ALL),
    ("_xact_id >= 1003", {"r3", "r4", "r5"}),
    ("_xact_id = '1001'", {"r1"}),
    ("is_root", {"r1", "r2", "r5"}),
    ("NOT is_root", {"r3", "r4"}),
    ("span_parents IS NULL", {"r1", "r2", "r5"}),
    ("span_parents != null", {"r3", "r4"}),
    ("error IS NOT NULL", {"r3"}),
    ("input IS NULL", {"r4"}),
    ("span_attributes.purpose IS NULL OR span_attributes.purpose != 'scorer'", {"r1", "r3", "r4", "r5"}),
    ("root_span_id = 'root1' AND NOT (span_attributes.type IN ('llm'))", {"r4"}),
]

BTQL_CASES: list[tuple[dict, set[str]]] = [
    # the trace-aware scorer filter braintrust 0.48.1 sends (SpanFetcher._build_filter)
    ({"op": "and", "children": [
        {"op": "eq", "left": {"op": "ident", "name": ["root_span_id"]}, "right": {"op": "literal", "value": "root1"}},
        {"op": "or", "children": [
            {"op": "isnull", "expr": {"op": "ident", "name": ["span_attributes", "purpose"]}},
            {"op": "ne", "left": {"op": "ident", "name": ["span_attributes", "purpose"]},
             "right": {"op": "literal", "value": "scorer"}}]}]}, {"r3", "r4"}),
    # span filters: in on span_attributes.type, an empty alternative (literal false), has_error, metadata, duration
    ({"op": "in", "left": {"op": "ident", "name": ["span_attributes", "type"]},
      "right": {"op": "literal", "value": ["llm"]}}, {"r2", "r3"}),
    ({"op": "and", "children": [{"op": "literal", "value": False},
                                {"op": "isnull", "expr": {"op": "ident", "name": ["error"]}}]}, set()),
    ({"op": "isnotnull", "expr": {"op": "ident", "name": ["error"]}}, {"r3"}),
    ({"op": "eq", "left": {"op": "ident", "name": ["metadata", "nested", "k"]},
      "right": {"op": "literal", "value": "v"}}, {"r1"}),
    ({"op": "eq", "left": {"op": "ident", "name": ["metadata", "list"]},
      "right": {"op": "literal", "value": [1, 2]}}, {"r1"}),
    ({"op": "ge", "left": {"op": "sub", "left": {"op": "ident", "name": ["metrics", "end"]},
                           "right": {"op": "ident", "name": ["metrics", "start"]}},
      "right": {"op": "literal", "value": 5}}, {"r2"}),
    # the binary and/left/right form (btx span fetcher), ne null → IS NOT NULL
    ({"op": "and",
      "left": {"op": "eq", "left": {"op": "ident", "name": ["root_span_id"]}, "right": {"op": "literal", "value": "root1"}},
      "right": {"op": "ne", "left": {"op": "ident", "name": ["span_parents"]}, "right": {"op": "literal", "value": None}}},
     {"r3", "r4"}),
    ({"op": "not", "expr": {"op": "match", "left": {"op": "ident", "name": ["input"]},
                            "right": {"op": "literal", "value": "refund"}}}, {"r2", "r4"}),
    ({"op": "ilike", "left": {"op": "ident", "name": ["output"]}, "right": {"op": "literal", "value": "REF%"}},
     {"r1", "r3", "r5"}),
    ({"op": "lt", "left": {"op": "literal", "value": 0.5},
      "right": {"op": "ident", "name": ["scores", "Factuality"]}}, {"r2"}),
    ({"op": "in", "left": {"op": "literal", "value": "prod"}, "right": {"op": "ident", "name": ["tags"]}},
     {"r1", "r2"}),
    ({"op": "eq", "left": {"op": "ident", "name": ["id"]}, "right": {"op": "literal", "value": "r2"}}, {"r2"}),
]


@pytest.fixture
def table(database_url: str) -> Iterator[Table]:
    t = Table(database_url)
    try:
        yield t
    finally:
        t.close()


def _mismatches(table: Table, cases: list[tuple[object, set[str]]], parse) -> list[str]:
    bad = []
    for source, want in cases:
        got = set(table.ids(parse(source)))
        if got != want:
            bad.append(f"{source!r}: got {sorted(got)}, want {sorted(want)}")
    return bad


def test_typed_filters_return_exactly_the_expected_rows(table: Table) -> None:
    bad = _mismatches(table, TYPED_CASES, parse_filter)
    assert not bad, f"{table.engine}:\n" + "\n".join(bad)


def test_btql_filters_return_exactly_the_expected_rows(table: Table) -> None:
    bad = _mismatches(table, BTQL_CASES, parse_btql_filter)
    assert not bad, f"{table.engine}:\n" + "\n".join(bad)


def test_sorts_order_rows_on_both_engines(table: Table) -> None:
    assert table.ids(None, parse_sort("created desc")) == ["r5", "r3", "r1", "r2", "r4"]
    assert table.ids(None, parse_sort("created")) == ["r4", "r2", "r1", "r3", "r5"]
    # ties broken by the caller's tie-breaker (pk here), missing scores last
    assert table.ids(None, parse_sort("scores.Factuality desc")) == ["r2", "r4", "r5", "r1", "r3"]
    assert table.ids(None, parse_sort([{"field": "_xact_id", "dir": "desc"}])) == ["r5", "r4", "r3", "r2", "r1"]
    assert table.ids(parse_filter("is_root"), parse_sort("id desc")) == ["r5", "r2", "r1"]
    assert table.ids(None, parse_sort("metadata.model")) [:1] != []


def test_injection_through_values_and_paths_is_bound(table: Table) -> None:
    before = table.count()
    hostile = [
        "id = '''; DROP TABLE qrows; --'",
        "id = 'x'' OR 1=1 --'",
        "metadata.\"x') OR 1=1 --\" = 'a'",
        "metadata.\"'; DROP TABLE qrows; --\" IS NOT NULL",
        "scores.\"x' OR '1'='1\" > 0",
        "output LIKE '%'' OR 1=1 --'",
        "output ~ ''' OR 1=1 --'",
        "input MATCH 'x\" OR 1=1; DROP TABLE qrows --'",
        "tags INCLUDES ''') OR 1=1 --'",
    ]
    for text in hostile:
        assert table.ids(parse_filter(text)) == [], text
    # a path segment that looks like SQL addresses the key of that name, nothing else
    assert table.ids(parse_filter("metadata.\"a') OR 1=1 --\" = 'evil'")) == ["r1"]
    assert table.count() == before
