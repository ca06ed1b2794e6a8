"""Numeric difference: how close two numbers are, relative to their size."""

from __future__ import annotations

from typing import Any

from twinplane.scorers.heuristic import HeuristicScorer, require_expected
from twinplane.scorers.score import Score


def numeric_similarity(a: float, b: float) -> float:
    """1 - |a - b| / max(|a|, |b|); 1 when both are 0."""
    if a == b:
        return 1.0
    denom = max(abs(a), abs(b))
    return max(0.0, 1.0 - abs(a - b) / denom)


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"NumericDiff: {what} is not a number")
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"NumericDiff: {what} is not a number") from None


class NumericDiff(HeuristicScorer):
    """Relative closeness of output to expected (numbers or numeric strings)."""

    def _score(self, output: Any, expected: Any = None, **kwargs: Any) -> Score:
        require_expected(self._name(), expected)
        return Score(self._name(), numeric_similarity(_number(output, "output"), _number(expected, "expected")))
