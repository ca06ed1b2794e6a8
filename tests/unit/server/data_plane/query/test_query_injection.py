"""Injection through values, field names, sort keys and BTQL idents: refused or bound, never spliced.

A recording dialect (test fixture) binds every value and path segment; the compiled SQL
must contain none of the hostile text, which must instead arrive as a parameter.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from twinplane.server.common.errors import BadRequest
from twinplane.server.data_plane.query.ast import Field
from twinplane.server.data_plane.query.btql import parse_btql, parse_btql_filter
from twinplane.server.data_plane.query.compile import compile_filter, compile_sort
from twinplane.server.data_plane.query.parse import parse_filter, parse_sort


class RecordingDialect:
    """TEST FIXTURE: spells every field and operator with bound parameters only."""

    name = "recording"

    def __init__(self) -> None:
        self.params: list[Any] = []

    def param(self, value: Any) -> str:
        self.params.append(value)
        return f":p{len(self.params) - 1}"

    def field(self, field: Field, as_type: str) -> str:
        return f"FIELD({', '.join(self.param(s) for s in field.path)} AS {as_type})"

    def full_text(self, field: Field | None, text_param: str) -> str:
        return f"FTS({self.field(field, 'json') if field else '*'}, {text_param})"

    def regex(self, expr: str, pattern_param: str) -> str:
        return f"{expr} REGEXP {pattern_param}"

    def like(self, expr: str, pattern_param: str, case_insensitive: bool) -> str:
        return f"{expr} {'ILIKE' if case_insensitive else 'LIKE'} {pattern_param}"

    def includes(self, field: Field, value_param: str) -> str:
        return f"INCLUDES({self.field(field, 'json')}, {value_param})"


HOSTILE = [
    "'; DROP TABLE rows; --",
    "x' OR '1'='1",
    "a') OR 1=1 --",
    "\" OR \"\"=\"",
    "1; SELECT pg_sleep(10)",
    "$$; DROP$$",
    "%(p0)s :p0 ? $1",
    "*/ OR /*",
]


def _compiled(node: Any) -> tuple[str, list[Any]]:
    d = RecordingDialect()
    return compile_filter(node, d), d.params


def _quote(s: str) -> str:
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


@pytest.mark.parametrize("evil", HOSTILE)
def test_hostile_values_are_bound_in_every_operator(evil: str) -> None:
    q = _quote(evil)
    texts = [f"metadata.model = {q}", f"id IN ({q}, 'b')", f"output LIKE {q}", f"output ILIKE {q}",
             f"tags INCLUDES {q}", f"{q} IN tags", f"output NOT LIKE {q}", f"id != {q}"]
    for text in texts:
        sql, params = _compiled(parse_filter(text))
        assert evil not in sql and evil in params, text


@pytest.mark.parametrize("evil", [h for h in HOSTILE if '"' not in h])
def test_hostile_path_segments_are_bound(evil: str) -> None:
    for root in ("metadata", "scores", "metrics", "span_attributes", "input"):
        sql, params = _compiled(parse_filter(f'{root}."{evil}" IS NULL'))
        assert evil not in sql and evil in params
    sql, params = _compiled(parse_btql_filter(
        {"op": "eq", "left": {"op": "ident", "name": ["metadata", evil]}, "right": {"op": "literal", "value": 1}}))
    assert evil not in sql and evil in params
    exprs = compile_sort(parse_sort([{"field": f'metadata."{evil}"', "dir": "asc"}]), d := RecordingDialect())
    assert all(evil not in e for e, _ in exprs) and evil in d.params


@pytest.mark.parametrize("text", [
    'metadata."a" OR 1=1 --" = 1',           # quote closes the segment: the rest is a syntax error
    'metadata."a\\" OR 1=1" = 1',            # no escapes inside segments
    "metadata.a; DROP TABLE rows",
    "id = 'a'; DROP TABLE rows",
    "id = 'a' -- comment",
    "id = 'a' /* c */",
    "rows.id = 'a'",
    "id = x'00'",
    "id = $1",
    "id = ?",
    'metadata."a\x01b" = 1',
    "1 = 1",
    "id = 'a' UNION SELECT * FROM rows",
])
def test_sql_fragments_outside_strings_are_syntax_errors(text: str) -> None:
    with pytest.raises(BadRequest) as info:
        parse_filter(text)
    assert "at position" in info.value.message or "field" in info.value.message


@pytest.mark.parametrize("spec", ["created; DROP", "created desc; DROP TABLE rows", "created DESC NULLS FIRST",
                                  "(SELECT 1)", "1", "created desc --", [{"field": "created; DROP", "dir": "asc"}],
                                  [{"field": "created", "dir": "asc; DROP"}]])
def test_sort_keys_cannot_carry_sql(spec: Any) -> None:
    with pytest.raises(BadRequest):
        parse_sort(spec)


@pytest.mark.parametrize("name", [["rows; DROP"], ["metadata", "a\"b"], ["metadata", "a\\b"], ["metadata", "a\nb"], ["metadata", "\ud800"],
                                  ["metadata", ""], ["metadata", "x" * 200], ["metadata"] + ["a"] * 9,
                                  ["scores", "a", "b"], ["id", "x"], [1]])
def test_btql_idents_outside_the_allow_list_are_refused(name: list[Any]) -> None:
    with pytest.raises(BadRequest):
        parse_btql({"query": {"from": {"op": "function", "name": {"op": "ident", "name": ["experiment"]},
                                       "args": [{"op": "literal", "value": "e"}]},
                              "filter": {"op": "isnull", "expr": {"op": "ident", "name": name}}}})


def test_random_strings_never_reach_the_sql_text() -> None:
    rng = random.Random(20240501)
    alphabet = "abc'\";-)(*/%_\\$:? \n\tORDROP=1é"
    for _ in range(300):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        segment = value.replace('"', "").replace("\\", "").replace("\n", "").replace("\t", "") or "k"
        node = parse_btql_filter({"op": rng.choice(["eq", "ne", "like", "ilike"]),
                                  "left": {"op": "ident", "name": ["metadata", segment]},
                                  "right": {"op": "literal", "value": value}})
        sql, params = _compiled(node)
        assert value in params and segment in params
        if len(value) > 3:
            assert value not in sql
        typed = parse_filter(f'metadata."{segment}" = {_quote(value)}')
        assert typed == parse_btql_filter({"op": "eq", "left": {"op": "ident", "name": ["metadata", segment]},
                                           "right": {"op": "literal", "value": value}})
