"""Every version is kept: dataset reads as of a transaction, row histories, object versions."""

from __future__ import annotations

import pytest

from twinplane.server.common.errors import BadRequest
from twinplane.server.data_plane.store.base import ObjectRef, RowQuery

from .conftest import ORG, all_rows, w

DS = ObjectRef("dataset", "ds-1")


async def test_dataset_as_of_each_version(store) -> None:
    v1 = (await store.write_rows([w(DS, "a", input=1, tags=["x"]), w(DS, "b", input=2), w(DS, "c", input=3)])).xact_id
    v2 = (await store.write_rows([w(DS, "b", _is_merge=True, metadata={"u": True}, tags=["y"])])).xact_id
    v3 = (await store.write_rows([w(DS, "c", _object_delete=True)])).xact_id
    v4 = (await store.write_rows([w(DS, "d", input=4), w(DS, "a", input=10)])).xact_id
    assert v1 < v2 < v3 < v4

    async def state(v: int | None) -> dict[str, dict]:
        return {r["id"]: r for r in await all_rows(store, DS, version=v)}

    s1 = await state(v1)
    assert sorted(s1) == ["a", "b", "c"] and "metadata" not in s1["b"]
    assert all(r["_xact_id"] == f"{v1:019d}" for r in s1.values())
    s2 = await state(v2)
    assert sorted(s2) == ["a", "b", "c"] and s2["b"]["metadata"] == {"u": True} and s2["b"]["tags"] == ["y"]
    assert s2["b"]["_xact_id"] == f"{v2:019d}"
    s3 = await state(v3)
    assert sorted(s3) == ["a", "b"]
    s4 = await state(v4)
    assert sorted(s4) == ["a", "b", "d"] and s4["a"]["input"] == 10
    assert await state(None) == s4
    assert await state(0) == {}
    assert (await store.get_row(ORG, DS, "c", version=v2))["input"] == 3
    assert await store.get_row(ORG, DS, "c", version=v3) is None
    assert (await store.get_row(ORG, DS, "a", version=v3))["input"] == 1


async def test_version_reads_page_stably(store) -> None:
    v = (await store.write_rows([w(DS, f"r{i:02d}", input=i) for i in range(25)])).xact_id
    await store.write_rows([w(DS, f"r{i:02d}", _object_delete=True) for i in range(5)])
    rows = await all_rows(store, DS, version=v, limit=7)
    assert sorted(r["id"] for r in rows) == [f"r{i:02d}" for i in range(25)]


async def test_version_read_refuses_filters(store) -> None:
    with pytest.raises(BadRequest):
        await store.fetch_rows(RowQuery(ORG, DS, version=1, search="x"))


async def test_row_versions_and_object_versions(store) -> None:
    x1 = (await store.write_rows([w(DS, "p", prompt={"v": 1})])).xact_id
    x2 = (await store.write_rows([w(DS, "p", _is_merge=True, prompt={"v": 2}), w(DS, "q", input=0)])).xact_id
    x3 = (await store.write_rows([w(DS, "p", _object_delete=True)])).xact_id
    hist = await store.row_versions(ORG, DS, "p")
    assert [h["_xact_id"] for h in hist] == [f"{x:019d}" for x in (x1, x2, x3)]
    assert hist[0]["prompt"] == {"v": 1} and hist[1]["prompt"] == {"v": 2} and hist[2]["_object_delete"] is True
    versions = await store.object_versions(ORG, DS)
    assert [v["xact_id"] for v in versions] == [x3, x2, x1]
    assert [v["rows_changed"] for v in versions] == [1, 2, 1]
    assert all(v["created"] for v in versions)
    assert await store.object_versions("other-org", DS) == []
