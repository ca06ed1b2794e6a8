"""Scorers: functions ``(output, expected=None, *, input=None, metadata=None, **kw) -> Score``.

Heuristic scorers run locally; LLM judges and embedding similarity call any
OpenAI-compatible endpoint. The call signature matches autoevals, so autoevals scorers
work in Twinplane's ``Eval`` and these work where autoevals' do.
"""

from twinplane.scorers.contains import Contains, ListContains, RegexMatch
from twinplane.scorers.embedding import EmbeddingSimilarity
from twinplane.scorers.json_diff import JSONDiff, ValidJSON
from twinplane.scorers.llm_classifier import LLMClassifier
from twinplane.scorers.llm_client import LLMClient, LLMEndpoint, LLMError
from twinplane.scorers.llm_judges import Battle, ClosedQA, Factuality, Summary
from twinplane.scorers.number import NumericDiff
from twinplane.scorers.score import Score
from twinplane.scorers.scorer import Scorer
from twinplane.scorers.string import ExactMatch, Levenshtein

__all__ = [
    "Battle", "ClosedQA", "Contains", "EmbeddingSimilarity", "ExactMatch", "Factuality", "JSONDiff",
    "LLMClassifier", "LLMClient", "LLMEndpoint", "LLMError", "Levenshtein", "ListContains", "NumericDiff",
    "RegexMatch", "Score", "Scorer", "Summary", "ValidJSON",
]
