"""The ``?limit=&cursor=`` query of every list, and the ``{"objects", "cursor"}`` answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Query

from twinplane.server.control_plane.cursor import MAX_LIMIT

__all__ = ["PageQuery", "page_query", "answer"]


@dataclass(frozen=True)
class PageQuery:
    limit: int
    cursor: str | None


def page_query(limit: int = Query(100, ge=1, le=MAX_LIMIT, description="Rows per page."),
               cursor: str | None = Query(None, max_length=512, description="From a previous answer.")) -> PageQuery:
    return PageQuery(limit, cursor or None)


def answer(page: tuple[list[dict[str, Any]], str | None]) -> dict[str, Any]:
    rows, nxt = page
    return {"objects": rows, "cursor": nxt}
