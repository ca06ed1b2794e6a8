"""Embedding similarity through an OpenAI-compatible ``/embeddings`` endpoint."""

from __future__ import annotations

import math
from typing import Any

from twinplane.scorers.heuristic import require_expected
from twinplane.scorers.llm_client import LLMClient, LLMEndpoint
from twinplane.scorers.score import Score
from twinplane.scorers.scorer import Scorer
from twinplane.scorers.string import as_text


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    na, nb = math.sqrt(sum(x * x for x in a)), math.sqrt(sum(y * y for y in b))
    return dot / (na * nb) if na and nb else 0.0


class EmbeddingSimilarity(Scorer):
    """Cosine similarity of the embeddings of output and expected, rescaled so that
    ``expected_min`` (the similarity of unrelated texts) maps to 0."""

    def __init__(self, model: str = "text-embedding-3-small", expected_min: float = 0.7, prefix: str = "",
                 base_url: str | None = None, api_key: str | None = None, client: LLMClient | None = None) -> None:
        self.model = model
        self.expected_min = expected_min
        self.prefix = prefix
        self.client = client or LLMClient(LLMEndpoint.resolve(base_url, api_key))

    def _result(self, vectors: list[list[float]]) -> Score:
        sim = cosine(vectors[0], vectors[1])
        scaled = (sim - self.expected_min) / (1 - self.expected_min) if self.expected_min < 1 else float(sim >= 1)
        return Score(self._name(), min(1.0, max(0.0, scaled)), metadata={"cosine": sim})

    def _texts(self, output: Any, expected: Any) -> list[str]:
        require_expected(self._name(), expected)
        return [self.prefix + as_text(output if output is not None else ""), self.prefix + as_text(expected)]

    def _score(self, output: Any, expected: Any = None, **kwargs: Any) -> Score:
        return self._result(self.client.embed(self.model, self._texts(output, expected)))

    async def _score_async(self, output: Any, expected: Any = None, **kwargs: Any) -> Score:
        return self._result(await self.client.aembed(self.model, self._texts(output, expected)))
