"""Base of scorers that compute locally (no network): their async form runs inline."""

from __future__ import annotations

from typing import Any

from twinplane.scorers.score import Score
from twinplane.scorers.scorer import Scorer


class HeuristicScorer(Scorer):
    async def _score_async(self, output: Any, expected: Any = None, **kwargs: Any) -> Score:
        return self._score(output, expected, **kwargs)


def require_expected(name: str, expected: Any) -> None:
    if expected is None:
        raise ValueError(f"{name} needs an expected value")
