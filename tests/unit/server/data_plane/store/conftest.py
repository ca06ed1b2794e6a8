"""A started store of each engine (``dialect`` fixture of tests/conftest.py) per test."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from twinplane.server.data_plane.store.base import ObjectRef, RowQuery, RowWrite, Store
from twinplane.server.data_plane.store.factory import open_store
from twinplane.server.settings import DataPlaneSettings

ORG = "org-1"
PROJECT = "proj-1"


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    s = open_store(DataPlaneSettings(database_url=database_url))
    await s.start()
    try:
        yield s
    finally:
        await s.close()


def w(ref: ObjectRef, row_id: str, org: str = ORG, **row: Any) -> RowWrite:
    return RowWrite(org, PROJECT, ref, row_id, {"id": row_id, **row})


async def all_rows(store: Store, ref: ObjectRef, org: str = ORG, **kw: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = await store.fetch_rows(RowQuery(org, ref, cursor=cursor, **kw))
        out += page.rows
        cursor = page.cursor
        if not cursor:
            return out


async def eventually_found(store: Store, q: RowQuery, within: float = 5.0) -> list[dict[str, Any]]:
    """Poll a search until it finds something: the indexer runs on its own, within about a second."""
    deadline = time.monotonic() + within
    while True:
        rows = (await store.fetch_rows(q)).rows
        if rows or time.monotonic() > deadline:
            return rows
        await asyncio.sleep(0.05)
