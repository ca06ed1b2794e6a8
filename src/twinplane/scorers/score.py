"""The result of a scorer, shaped like autoevals' ``Score`` so either library's scorers mix."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Score:
    """``score`` is in [0, 1], or None when the scorer does not apply to the case."""

    name: str
    score: float | None
    metadata: dict[str, Any] = field(default_factory=dict)
    error: BaseException | None = None

    def __post_init__(self) -> None:
        if self.score is not None:
            if isinstance(self.score, bool):
                self.score = float(self.score)
            if not isinstance(self.score, (int, float)) or not 0 <= self.score <= 1:
                raise ValueError(f"score {self.name!r} must be a number in [0, 1] or None, got {self.score!r}")

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "score": self.score, "metadata": self.metadata}
