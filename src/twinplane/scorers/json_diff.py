"""JSON scorers: structural similarity of two JSON values, and JSON validity."""

from __future__ import annotations

from typing import Any

import orjson
from rapidfuzz.distance import Levenshtein as _Lev

from twinplane.scorers.heuristic import HeuristicScorer, require_expected
from twinplane.scorers.number import numeric_similarity
from twinplane.scorers.score import Score


def _maybe_parse(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


def json_similarity(a: Any, b: Any) -> float:
    """Objects: mean over the union of keys (a missing key scores 0); arrays: mean by position
    over the longer one; strings: Levenshtein; numbers: relative difference; else equality."""
    if isinstance(a, dict) and isinstance(b, dict):
        keys = set(a) | set(b)
        if not keys:
            return 1.0
        return sum(json_similarity(a[k], b[k]) if k in a and k in b else 0.0 for k in keys) / len(keys)
    if isinstance(a, list) and isinstance(b, list):
        n = max(len(a), len(b))
        if n == 0:
            return 1.0
        return sum(json_similarity(x, y) for x, y in zip(a, b, strict=False)) / n
    if isinstance(a, str) and isinstance(b, str):
        return 1.0 if a == b else float(_Lev.normalized_similarity(a, b))
    numeric = (int, float)
    if isinstance(a, numeric) and isinstance(b, numeric) and not isinstance(a, bool) and not isinstance(b, bool):
        return numeric_similarity(float(a), float(b))
    return 1.0 if a == b and type(a) is type(b) else 0.0


class JSONDiff(HeuristicScorer):
    """Structural similarity of output and expected; JSON strings are parsed first."""

    def __init__(self, parse_strings: bool = True) -> None:
        self.parse_strings = parse_strings

    def _score(self, output: Any, expected: Any = None, **kwargs: Any) -> Score:
        require_expected(self._name(), expected)
        if self.parse_strings:
            output, expected = _maybe_parse(output), _maybe_parse(expected)
        return Score(self._name(), json_similarity(output, expected))


class ValidJSON(HeuristicScorer):
    """1 when the output is JSON (a dict/list, or a string that parses), else 0."""

    def _score(self, output: Any, expected: Any = None, **kwargs: Any) -> Score:
        if isinstance(output, (dict, list)):
            return Score(self._name(), 1.0)
        if isinstance(output, str):
            try:
                orjson.loads(output)
                return Score(self._name(), 1.0)
            except orjson.JSONDecodeError:
                return Score(self._name(), 0.0)
        return Score(self._name(), 0.0)
