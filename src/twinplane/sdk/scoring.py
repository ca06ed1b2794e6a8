"""Calling scorers of any kind and reading their results.

A scorer is a Twinplane or autoevals scorer (``eval_async``), an async function or a sync
function; it receives ``input, output, expected, metadata`` as keywords (only those its
signature accepts). It may return a Score-like object, a number, a bool, a dict with
``name``/``score``, a list of those, or None (not applicable).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from twinplane.scorers.score import Score

logger = logging.getLogger(__name__)


def scorer_name(scorer: Any) -> str:
    name = getattr(scorer, "_name", None)
    if callable(name):
        try:
            return str(name())
        except Exception:  # noqa: BLE001 - an odd scorer still gets a name
            logger.debug("scorer %r has a failing _name()", type(scorer).__name__)
    if isinstance(getattr(scorer, "name", None), str):
        return scorer.name
    if inspect.isfunction(scorer) or inspect.ismethod(scorer):
        return scorer.__name__
    return getattr(scorer, "__name__", None) or type(scorer).__name__


def _accepted(fn: Callable[..., Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return kwargs
    if any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values()):
        return kwargs
    return {k: v for k, v in kwargs.items() if k in sig.parameters}


async def run_scorer(scorer: Any, kwargs: dict[str, Any], executor: Executor | None) -> Any:
    """Call ``scorer`` the way it wants to be called; sync code runs on ``executor``."""
    eval_async = getattr(scorer, "eval_async", None)
    if callable(eval_async):
        return await eval_async(**kwargs)
    target = scorer
    if inspect.iscoroutinefunction(target) or inspect.iscoroutinefunction(target.__call__):
        return await target(**_accepted(target, kwargs))
    loop = asyncio.get_running_loop()
    result = await loop.run_in_executor(executor, lambda: target(**_accepted(target, kwargs)))
    if inspect.isawaitable(result):
        result = await result
    return result


def read_scores(default_name: str, result: Any) -> list[Score]:
    """Normalize a scorer's return value into Scores (empty when not applicable)."""
    if result is None:
        return []
    if isinstance(result, (list, tuple)):
        out: list[Score] = []
        for item in result:
            out.extend(read_scores(default_name, item))
        return out
    if isinstance(result, Score):
        return [result]
    if isinstance(result, bool) or isinstance(result, (int, float)):
        return [Score(default_name, float(result))]
    if isinstance(result, dict):
        if "score" not in result:
            raise ValueError(f"scorer {default_name!r} returned a dict without 'score'")
        return [Score(str(result.get("name") or default_name), result["score"], dict(result.get("metadata") or {}))]
    if hasattr(result, "score"):  # autoevals.Score and look-alikes
        metadata = getattr(result, "metadata", None) or {}
        return [Score(str(getattr(result, "name", None) or default_name), result.score, dict(metadata))]
    raise ValueError(f"scorer {default_name!r} returned {type(result).__name__}, not a score")
