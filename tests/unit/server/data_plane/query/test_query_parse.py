"""The typed filter and sort language: structure, precedence, values and error positions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from twinplane.server.common.errors import BadRequest
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
    Sort,
    Value,
)
from twinplane.server.data_plane.query.parse import parse_field, parse_filter, parse_sort

ID = Field(("id",))


def eq(path: str, value: object) -> Compare:
    return Compare("=", Field(tuple(path.split("."))), Value(value))


def err(text: str) -> BadRequest:
    with pytest.raises(BadRequest) as info:
        parse_filter(text)
    assert info.value.status == 400
    assert info.value.message.startswith("filter: ")
    return info.value


def test_the_issue_example_parses_to_one_flat_and() -> None:
    node = parse_filter("metadata.model = 'gpt-4o' AND scores.Factuality < 0.5 AND input MATCH 'refund' "
                        "AND created > now() - interval 7 day")
    assert isinstance(node, And) and len(node.children) == 4
    assert node.children[0] == eq("metadata.model", "gpt-4o")
    assert node.children[1] == Compare("<", Field(("scores", "Factuality")), Value(0.5))
    assert node.children[2] == Match(Field(("input",)), Value("refund"))
    created = node.children[3]
    assert isinstance(created, Compare) and created.op == ">"
    at = created.value.value
    assert isinstance(at, datetime) and at.tzinfo is not None
    assert abs((datetime.now(UTC) - timedelta(days=7) - at).total_seconds()) < 5


def test_and_binds_tighter_than_or_and_parentheses_override() -> None:
    a, b, c = eq("id", "a"), eq("id", "b"), eq("id", "c")
    assert parse_filter("id = 'a' OR id = 'b' AND id = 'c'") == Or((a, And((b, c))))
    assert parse_filter("id = 'a' AND id = 'b' OR id = 'c'") == Or((And((a, b)), c))
    assert parse_filter("(id = 'a' OR id = 'b') AND id = 'c'") == And((Or((a, b)), c))
    assert parse_filter("id = 'a' or (id = 'b' or id = 'c')") == Or((a, b, c))


def test_not_binds_tighter_than_and_and_double_not_cancels() -> None:
    a, b = eq("id", "a"), eq("id", "b")
    assert parse_filter("NOT id = 'a' AND id = 'b'") == And((Not(a), b))
    assert parse_filter("NOT (id = 'a' AND id = 'b')") == Not(And((a, b)))
    assert parse_filter("not not id = 'a'") == a


def test_every_operator() -> None:
    out = Field(("output",))
    cases = {
        "id != 'a'": Compare("!=", ID, Value("a")),
        "id <> 'a'": Compare("!=", ID, Value("a")),
        "id == 'a'": Compare("=", ID, Value("a")),
        "scores.x <= 1": Compare("<=", Field(("scores", "x")), Value(1)),
        "scores.x >= -1.5e2": Compare(">=", Field(("scores", "x")), Value(-150.0)),
        "id IN ('a', 'b')": In(ID, (Value("a"), Value("b"))),
        "id NOT IN ('a')": In(ID, (Value("a"),), negate=True),
        "error IS NULL": IsNull(Field(("error",))),
        "error IS NOT NULL": IsNull(Field(("error",)), negate=True),
        "metadata.x = null": IsNull(Field(("metadata", "x"))),
        "metadata.x != NULL": IsNull(Field(("metadata", "x")), negate=True),
        "output LIKE 'a%'": Like(out, Value("a%")),
        "output NOT ILIKE 'a%'": Like(out, Value("a%"), case_insensitive=True, negate=True),
        "output ~ 'ref(und|und)'": Regex(out, Value("ref(und|und)")),
        "output !~ 'x'": Regex(out, Value("x"), negate=True),
        "output REGEXP 'x'": Regex(out, Value("x")),
        "output NOT REGEXP 'x'": Regex(out, Value("x"), negate=True),
        "output MATCH 'Refund, please!'": Match(out, Value("refund please")),
        "MATCH 'refund'": Match(None, Value("refund")),
        "tags INCLUDES 'x'": Includes(Field(("tags",)), Value("x")),
        "'x' IN tags": Includes(Field(("tags",)), Value("x")),
        "is_root": Compare("=", Field(("is_root",)), Value(True)),
        "metrics.end - metrics.start > 2": Compare(
            ">", Arith("-", Field(("metrics", "end")), Field(("metrics", "start"))), Value(2)),
        "_xact_id > '1000'": Compare(">", Field(("_xact_id",)), Value(1000)),
    }
    for text, want in cases.items():
        assert parse_filter(text) == want, text


def test_keywords_are_case_insensitive_and_whitespace_is_free() -> None:
    assert parse_filter("id in ('a')\n\tand\terror is not null") == And(
        (In(ID, (Value("a"),)), IsNull(Field(("error",)), negate=True)))


def test_values_strings_numbers_booleans() -> None:
    assert parse_filter(r"metadata.s = 'it''s \'q\' \n \\ \u00e9 \d'") == eq("metadata.s", "it's 'q' \n \\ é \\d")
    assert parse_filter("metadata.n = 42") == eq("metadata.n", 42)
    assert isinstance(parse_filter("metadata.n = 42").value.value, int)
    assert parse_filter("metadata.n = .5") == eq("metadata.n", 0.5)
    assert parse_filter("metadata.b = TRUE") == eq("metadata.b", True)
    assert parse_filter("metadata.b = false") == eq("metadata.b", False)


def test_quoted_path_segments_and_field_spelling() -> None:
    assert parse_filter('scores."my score" = 1') == Compare("=", Field(("scores", "my score")), Value(1))
    assert parse_filter('metadata."a.b".c = 1') == Compare("=", Field(("metadata", "a.b", "c")), Value(1))
    assert parse_filter("metadata.and = 1") == Compare("=", Field(("metadata", "and")), Value(1))
    assert parse_field('span_attributes."x y"') == Field(("span_attributes", "x y"))


def test_created_accepts_iso_strings_and_intervals() -> None:
    node = parse_filter("created >= '2024-05-01'")
    assert node.value.value == datetime(2024, 5, 1, tzinfo=UTC)
    node = parse_filter("created < now() + interval 2 hours")
    assert node.value.value > datetime.now(UTC) + timedelta(minutes=119)
    for unit, seconds in (("second", 1), ("minutes", 60), ("week", 604800)):
        n = parse_filter(f"created > now() - interval 1 {unit}")
        delta = datetime.now(UTC) - n.value.value
        assert abs(delta.total_seconds() - seconds) < 5


def test_blank_filter_is_no_filter() -> None:
    assert parse_filter(None) is None
    assert parse_filter("   ") is None


@pytest.mark.parametrize(("text", "position", "needle"), [
    ("metadata.model = AND scores.x < 1", 18, "expected a value after '=', found 'AND'"),
    ("metadata.model = ", 18, "expected a value after '=', the input ended"),
    ("metadata.model = 'a' AND", 25, "after 'AND', the input ended"),
    ("(id = 'a'", 10, "expected ')'"),
    ("id = 'a')", 9, "found ')'"),
    ("id = 'a' id = 'b'", 10, "expected AND, OR or the end of the input"),
    ("created; DROP", 8, "expected an operator"),
    ("id IN ()", 8, "expected a value after '('"),
    ("id = 'unterminated", 6, "found \"'\""),
    ("nosuch = 1", 1, "unknown field 'nosuch'"),
    ("scores = 1", 1, "expected one name after 'scores.'"),
    ("created.x = 1", 1, "field 'created' has no sub-fields"),
    ("scores.x = 'high'", 12, "expected a number for scores.x"),
    ("created > 'last week'", 11, "expected an ISO-8601 time"),
    ("is_root = 1", 11, "expected true or false"),
    ("id = 1", 6, "expected a string for id"),
    ("is_root > true", 11, "> does not apply to boolean values"),
    ("output ~ '('", 10, "invalid regular expression"),
    ("output ~ '(?=a)b'", 10, "unsupported regular expression"),
    ("output !~ '(a)\\1'", 11, "unsupported regular expression"),
    ("input MATCH '!!'", 13, "expected at least one word"),
    ("scores.x LIKE 'a%'", 15, "LIKE applies to text and JSON fields"),
    ("id INCLUDES 'x'", 13, "INCLUDES applies to tags"),
    ("tags = 'x'", 8, "use tags INCLUDES 'x'"),
    ("created MATCH 'x'", 15, "MATCH does not apply to created"),
    ("span_attributes.name MATCH 'x'", 28, "MATCH does not apply to span_attributes.name"),
    ("metadata.x > null", 14, "null compares only with = and !="),
    ("created > now() - interval 2 fortnights", 30, "expected a unit"),
    ("metadata.x IN ('a', 1)", 16, "must all have the same type"),
    ("id", 1, "a bare field must be a boolean"),
    ("id = 'a\x00'", 6, "NUL"),
    ("id = 'a\\ud800'", 6, "unpaired UTF-16 surrogates"),
    ("metrics.end - 99999999999999999999 > 1", 13, "arithmetic applies to numbers only"),
    ("metrics.end - 1 > 99999999999999999999", 19, "expected a number"),
    ("scores.x > 99999999999999999999", 12, "64 bits"),
])
def test_errors_name_the_position_and_what_was_expected(text: str, position: int, needle: str) -> None:
    e = err(text)
    assert f"at position {position}:" in e.message, e.message
    assert needle in e.message, e.message
    assert e.details["position"] == position


def test_errors_on_later_lines_give_line_and_column() -> None:
    e = err("id = 'a' AND\n  scores.x >")
    assert "at position 26 (line 2, column 13)" in e.message
    assert e.details["line"] == 2 and e.details["column"] == 13


def test_limits_on_size_and_nesting() -> None:
    err("id = '" + "x" * 20_000 + "'")
    deep = "(" * 40 + "id = 'a'" + ")" * 40
    assert parse_filter(deep) == eq("id", "a")  # parentheses alone add no depth
    nested = "id = 'a'"
    for i in range(40):
        nested = f"NOT (id = 'b{i}' OR {nested})"
    assert "nested too deeply" in err(nested).message
    many = " OR ".join(f"id = 'x{i}'" for i in range(600))
    assert "too many conditions" in err(many).message


def test_parse_sort_text_and_lists() -> None:
    assert parse_sort("created desc, scores.Factuality") == [
        Sort(Field(("created",)), "desc"), Sort(Field(("scores", "Factuality")), "asc")]
    assert parse_sort([{"field": "metadata.model", "dir": "desc"}, "id ASC"]) == [
        Sort(Field(("metadata", "model")), "desc"), Sort(ID, "asc")]
    assert parse_sort(None) == [] and parse_sort("") == []


@pytest.mark.parametrize(("spec", "needle"), [
    ("created; DROP", "sort: at position 8: expected ',', ASC or DESC after 'created', found ';'"),
    ("created desc desc", "at position 14"),
    ("tags", "cannot sort by tags"),
    ("nosuch", "unknown field"),
    ([{"field": "created", "dir": "sideways"}], "sort[0].dir: expected 'asc' or 'desc'"),
    ([{"field": "created; DROP"}], "sort[0].field: at position 8"),
    ([{"field": "created", "extra": 1}], "unknown key"),
    (["a", "b", "c", "d", "e", "f"], "unknown field"),
    (["id", "id", "id", "id", "id", "id"], "at most 5 sort keys"),
    (42, "expected a string or a list"),
])
def test_parse_sort_errors(spec: object, needle: str) -> None:
    with pytest.raises(BadRequest) as info:
        parse_sort(spec)  # type: ignore[arg-type]
    assert needle in info.value.message, info.value.message


def test_random_token_soup_gives_a_node_or_a_bad_request_never_a_crash() -> None:
    import random

    rng = random.Random(7)
    tokens = ["id", "metadata.x", "scores.y", "tags", "created", "is_root", "input", "=", "!=", "<", ">=", "~",
              "!~", "AND", "OR", "NOT", "IN", "IS", "NULL", "LIKE", "ILIKE", "MATCH", "INCLUDES", "REGEXP", "(",
              ")", ",", "'a'", "'%b_'", "'('", "1", "-2.5", "1e999", "true", "now()", "-", "+", "interval", "3",
              "day", "'2024-01-01'", '"q"', ".", ";", "\n", "'\\u0000'", "'\\ud800'"]
    for _ in range(3000):
        text = " ".join(rng.choice(tokens) for _ in range(rng.randint(1, 9)))
        try:
            parse_filter(text)
        except BadRequest as e:
            assert e.message.startswith("filter: "), text
