"""Checks over lists and text: list containment, substring containment, regular expressions."""

from __future__ import annotations

import re
from typing import Any

from rapidfuzz.distance import Levenshtein as _Lev

from twinplane.scorers.heuristic import HeuristicScorer, require_expected
from twinplane.scorers.score import Score
from twinplane.scorers.string import as_text


class ListContains(HeuristicScorer):
    """How many expected items appear in the output list. Items are paired greedily by Levenshtein
    similarity; a pair counts its similarity when at least ``threshold``. With
    ``allow_extra_entities=False`` extra output items lower the score too."""

    def __init__(self, threshold: float = 0.8, allow_extra_entities: bool = True) -> None:
        self.threshold = threshold
        self.allow_extra_entities = allow_extra_entities

    def _score(self, output: Any, expected: Any = None, **kwargs: Any) -> Score:
        require_expected(self._name(), expected)
        out = [as_text(x) for x in (output or [])] if isinstance(output, (list, tuple)) else [as_text(output)]
        exp = [as_text(x) for x in expected] if isinstance(expected, (list, tuple)) else [as_text(expected)]
        if not exp:
            return Score(self._name(), 1.0 if not out or self.allow_extra_entities else 0.0)
        pairs = sorted(((float(_Lev.normalized_similarity(e, o)), i, j) for i, e in enumerate(exp)
                        for j, o in enumerate(out)), reverse=True)
        used_e: set[int] = set()
        used_o: set[int] = set()
        total = 0.0
        matches = []
        for sim, i, j in pairs:
            if sim < self.threshold or i in used_e or j in used_o:
                continue
            used_e.add(i)
            used_o.add(j)
            total += sim
            matches.append({"expected": exp[i], "output": out[j], "similarity": sim})
        denom = len(exp) if self.allow_extra_entities else max(len(exp), len(out))
        return Score(self._name(), total / denom, metadata={"matches": matches})


class Contains(HeuristicScorer):
    """1 when the output text contains the expected text (or every one of a list of texts)."""

    def __init__(self, case_sensitive: bool = True, require_all: bool = True) -> None:
        self.case_sensitive = case_sensitive
        self.require_all = require_all

    def _score(self, output: Any, expected: Any = None, **kwargs: Any) -> Score:
        require_expected(self._name(), expected)
        text = as_text(output) if output is not None else ""
        needles = [as_text(x) for x in expected] if isinstance(expected, (list, tuple)) else [as_text(expected)]
        if not self.case_sensitive:
            text, needles = text.lower(), [n.lower() for n in needles]
        found = [n in text for n in needles]
        hit = all(found) if self.require_all else any(found)
        return Score(self._name(), 1.0 if hit else 0.0, metadata={"found": sum(found), "of": len(needles)})


class RegexMatch(HeuristicScorer):
    """1 when the output matches ``pattern`` (or, without one, the expected value as a pattern)."""

    def __init__(self, pattern: str | None = None, flags: int = 0, full_match: bool = False) -> None:
        self.pattern = re.compile(pattern, flags) if pattern is not None else None
        self.flags = flags
        self.full_match = full_match

    def _score(self, output: Any, expected: Any = None, **kwargs: Any) -> Score:
        pattern = self.pattern
        if pattern is None:
            require_expected(self._name(), expected)
            pattern = re.compile(str(expected), self.flags)
        text = as_text(output) if output is not None else ""
        m = pattern.fullmatch(text) if self.full_match else pattern.search(text)
        return Score(self._name(), 1.0 if m else 0.0)
