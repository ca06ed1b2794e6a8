"""Base class of Twinplane scorers: callable like autoevals scorers.

``scorer(output, expected=None, input=..., metadata=...) -> Score``; ``eval`` and
``eval_async`` are aliases kept for autoevals compatibility. Subclasses implement
``_score`` (and ``_score_async`` when they call the network).
"""

from __future__ import annotations

import asyncio
from typing import Any

from twinplane.scorers.score import Score


class Scorer:
    """A named scorer. ``name`` defaults to the class name."""

    name: str | None = None

    def _name(self) -> str:
        return self.name or type(self).__name__

    def _score(self, output: Any, expected: Any = None, **kwargs: Any) -> Score:
        raise NotImplementedError

    async def _score_async(self, output: Any, expected: Any = None, **kwargs: Any) -> Score:
        return await asyncio.to_thread(self._score, output, expected, **kwargs)

    def __call__(self, output: Any, expected: Any = None, **kwargs: Any) -> Score:
        return self._score(output, expected, **kwargs)

    def eval(self, output: Any, expected: Any = None, **kwargs: Any) -> Score:
        return self._score(output, expected, **kwargs)

    async def eval_async(self, output: Any, expected: Any = None, **kwargs: Any) -> Score:
        return await self._score_async(output, expected, **kwargs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
