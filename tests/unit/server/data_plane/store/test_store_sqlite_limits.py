"""SQLite: a read that runs too long is interrupted and reported as a user error."""

from __future__ import annotations

import pytest

from twinplane.server.common.errors import BadRequest
from twinplane.server.data_plane.store import sqlite as sqlite_store
from twinplane.server.data_plane.store.base import ObjectRef, RowQuery
from twinplane.server.data_plane.store.sqlite import SqliteStore

from .conftest import ORG, w

EXP = ObjectRef("experiment", "exp-1")


async def test_long_reads_are_interrupted(tmp_path, monkeypatch) -> None:
    store = SqliteStore(str(tmp_path / "data.db"))
    await store.start()
    try:
        await store.write_rows([w(EXP, f"r{i}", input=i, metadata={"k": i}) for i in range(3000)])
        monkeypatch.setattr(sqlite_store, "READ_TIMEOUT", -1.0)
        with pytest.raises(BadRequest, match="ran longer"):
            await store.fetch_rows(RowQuery(ORG, EXP, sort=[("scores.x", "desc")], limit=10))
        monkeypatch.setattr(sqlite_store, "READ_TIMEOUT", 30.0)
        assert len((await store.fetch_rows(RowQuery(ORG, EXP, limit=10))).rows) == 10
    finally:
        await store.close()
