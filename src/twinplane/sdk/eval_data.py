"""Eval data: lists, generators, callables, async iterators and datasets, as one stream of cases."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class EvalCase:
    input: Any
    expected: Any = None
    metadata: dict[str, Any] = field(default_factory=dict)
    tags: list[str] | None = None
    id: str | None = None
    origin: dict[str, Any] | None = None


def to_case(item: Any, dataset: Any = None) -> EvalCase:
    """One data item as a case; dicts need ``input``, anything else is the input itself."""
    if isinstance(item, EvalCase):
        return item
    if isinstance(item, dict) and "input" in item:
        origin = None
        if dataset is not None and isinstance(item.get("id"), str) and isinstance(item.get("_xact_id"), str):
            origin = {"object_type": "dataset", "object_id": dataset.id, "id": item["id"], "_xact_id": item["_xact_id"]}
            if item.get("created"):
                origin["created"] = item["created"]
        metadata = item.get("metadata")
        return EvalCase(input=item["input"], expected=item.get("expected"),
                        metadata=dict(metadata) if isinstance(metadata, dict) else {}, tags=item.get("tags"),
                        id=item.get("id") if isinstance(item.get("id"), str) else None, origin=origin)
    return EvalCase(input=item)


async def iterate_cases(data: Any) -> AsyncIterator[EvalCase]:
    """Yield cases from any supported data source (callables are called first)."""
    from twinplane.sdk.dataset import Dataset

    if callable(data) and not isinstance(data, Dataset) and not hasattr(data, "__iter__") \
            and not hasattr(data, "__aiter__"):
        data = data()
        if inspect.isawaitable(data):
            data = await data
    if isinstance(data, Dataset):
        for row in data.fetch():
            yield to_case(row, data)
        return
    if hasattr(data, "__aiter__"):
        async for item in data:
            yield to_case(item)
        return
    if isinstance(data, Iterable):
        for item in data:
            yield to_case(item)
        return
    raise TypeError("Eval data must be a list, an iterator, a callable returning one, or a Dataset")
