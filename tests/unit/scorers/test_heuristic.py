"""Heuristic scorers: values, edge cases, autoevals-compatible call shapes."""

from __future__ import annotations

import asyncio

import pytest

from twinplane.scorers import (
    Contains,
    ExactMatch,
    JSONDiff,
    Levenshtein,
    ListContains,
    NumericDiff,
    RegexMatch,
    Score,
    ValidJSON,
)


def test_exact_match_compares_json_canonically() -> None:
    assert ExactMatch()("a", "a").score == 1
    assert ExactMatch()({"a": 1, "b": [1, 2]}, {"b": [1, 2], "a": 1}).score == 1
    assert ExactMatch()("1", 1).score == 0
    assert ExactMatch()(output="x", expected="y", input="q", metadata={}).name == "ExactMatch"


def test_levenshtein() -> None:
    assert Levenshtein()("hello", "hallo").score == pytest.approx(0.8)
    assert Levenshtein()("", "").score == 1
    assert Levenshtein()(None, "abc").score == 0
    with pytest.raises(ValueError):
        Levenshtein()("x", None)


def test_numeric_diff() -> None:
    assert NumericDiff()(9, 10).score == pytest.approx(0.9)
    assert NumericDiff()(0, 0).score == 1
    assert NumericDiff()("5", 5).score == 1
    assert NumericDiff()(-10, 10).score == 0
    with pytest.raises(ValueError):
        NumericDiff()("abc", 1)


def test_json_diff_and_valid_json() -> None:
    assert JSONDiff()({"a": 1, "b": "x"}, {"a": 1, "b": "x"}).score == 1
    assert JSONDiff()('{"a": 1, "b": "x"}', {"a": 1, "b": "y"}).score == pytest.approx(0.5)
    assert JSONDiff()({"a": 1}, {"a": 1, "c": 2}).score == pytest.approx(0.5)
    assert JSONDiff()([1, 2, 3], [1, 2]).score == pytest.approx(2 / 3)
    assert JSONDiff()(True, 1).score == 0
    assert ValidJSON()('{"a": [1]}').score == 1 and ValidJSON()("{nope").score == 0 and ValidJSON()([1]).score == 1


def test_list_contains_contains_regex() -> None:
    s = ListContains()(["apple", "banana"], ["apple", "banan", "cherry"])
    assert s.score == pytest.approx((1 + 10 / 12) / 3) and len(s.metadata["matches"]) == 2
    assert ListContains(allow_extra_entities=False)(["a", "b", "c"], ["a"]).score == pytest.approx(1 / 3)
    assert Contains()("The capital is Paris.", "Paris").score == 1
    assert Contains(case_sensitive=False)("PARIS and Rome", ["paris", "rome"]).score == 1
    assert Contains(require_all=False)("Paris", ["Rome", "Paris"]).score == 1
    assert Contains()("Paris", ["Rome", "Paris"]).score == 0
    assert RegexMatch(r"\d{3}-\d{4}")("call 555-1234").score == 1
    assert RegexMatch(full_match=True)("abc", "a.c").score == 1 and RegexMatch()("xyz", "^a").score == 0


def test_scores_validate_range_and_async_form_runs_inline() -> None:
    with pytest.raises(ValueError):
        Score("x", 1.5)
    assert asyncio.run(Levenshtein().eval_async("a", "a")).score == 1
