"""String scorers: exact match and Levenshtein similarity (rapidfuzz)."""

from __future__ import annotations

from typing import Any

import orjson
from rapidfuzz.distance import Levenshtein as _Lev

from twinplane.scorers.heuristic import HeuristicScorer, require_expected
from twinplane.scorers.score import Score


def _canonical(value: Any) -> Any:
    """Strings as they are; other values as canonical JSON, so {"a":1,"b":2} == {"b":2,"a":1}."""
    if isinstance(value, str):
        return value
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS, default=str)


def as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS, default=str).decode()


class ExactMatch(HeuristicScorer):
    """1 when output equals expected (JSON-equal for non-strings), else 0."""

    def _score(self, output: Any, expected: Any = None, **kwargs: Any) -> Score:
        return Score(self._name(), 1.0 if _canonical(output) == _canonical(expected) else 0.0)


class Levenshtein(HeuristicScorer):
    """1 - normalized edit distance between output and expected, as text."""

    def _score(self, output: Any, expected: Any = None, **kwargs: Any) -> Score:
        require_expected(self._name(), expected)
        a, b = as_text(output) if output is not None else "", as_text(expected)
        if not a and not b:
            return Score(self._name(), 1.0)
        return Score(self._name(), float(_Lev.normalized_similarity(a, b)))


LevenshteinScorer = Levenshtein
