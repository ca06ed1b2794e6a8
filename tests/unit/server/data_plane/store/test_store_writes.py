"""Replace, merge and delete semantics, idempotent re-sends, atomicity and transaction ids."""

from __future__ import annotations

import asyncio

import pytest

from twinplane.server.common.errors import BadRequest
from twinplane.server.data_plane.store.base import ObjectRef, RowQuery, RowWrite

from .conftest import ORG, PROJECT, all_rows, w

EXP = ObjectRef("experiment", "exp-1")
DS = ObjectRef("dataset", "ds-1")


async def test_replace_then_merge_deep_with_tags_union(store) -> None:
    await store.write_rows([w(EXP, "a", input={"q": 1, "ctx": {"x": 1, "y": 2}}, tags=["t1", "t2"],
                              metadata={"m": {"k": 1}})])
    await store.write_rows([w(EXP, "a", _is_merge=True, input={"ctx": {"y": 3, "z": 4}}, tags=["t2", "t3"],
                              output="done")])
    row = await store.get_row(ORG, EXP, "a")
    assert row["input"] == {"q": 1, "ctx": {"x": 1, "y": 3, "z": 4}}
    assert row["tags"] == ["t1", "t2", "t3"]
    assert row["output"] == "done"
    assert row["metadata"] == {"m": {"k": 1}}
    assert "_is_merge" not in row
    assert len(row["_xact_id"]) == 19 and row["_xact_id"].isdigit()


async def test_replace_drops_fields_not_sent(store) -> None:
    await store.write_rows([w(EXP, "a", input="x", output="y")])
    await store.write_rows([w(EXP, "a", input="z")])
    row = await store.get_row(ORG, EXP, "a")
    assert row["input"] == "z" and "output" not in row


async def test_a_replace_naming_no_created_keeps_the_rows_created(store) -> None:
    # the one thing a replace takes from the row it replaces (SQLite: the fallback of a prepared replace)
    await store.write_rows([w(EXP, "a", input="x", created="2026-01-02T03:04:05+00:00")])
    await store.write_rows([w(EXP, "a", input="y")])
    row = await store.get_row(ORG, EXP, "a")
    assert row["input"] == "y" and row["created"] == "2026-01-02T03:04:05+00:00"
    await store.write_rows([w(EXP, "a", input="z", created="2026-02-02T00:00:00+00:00"),
                            w(EXP, "a", _is_merge=True, output="o"), w(EXP, "a", input="q")])
    row = await store.get_row(ORG, EXP, "a")
    assert row == {**row, "input": "q", "created": "2026-02-02T00:00:00+00:00"} and "output" not in row
    assert [r["created"] for r in await all_rows(store, EXP)] == ["2026-02-02T00:00:00+00:00"]


async def test_merge_paths_stop_recursion(store) -> None:
    await store.write_rows([w(EXP, "a", metadata={"cfg": {"a": 1, "b": 2}, "keep": 1})])
    await store.write_rows([w(EXP, "a", _is_merge=True, _merge_paths=[["metadata", "cfg"]],
                              metadata={"cfg": {"c": 3}})])
    row = await store.get_row(ORG, EXP, "a")
    assert row["metadata"] == {"cfg": {"c": 3}, "keep": 1}
    assert "_merge_paths" not in row


async def test_merge_before_insert_acts_as_insert(store) -> None:
    await store.write_rows([w(EXP, "new", _is_merge=True, output="o", tags=["x"])])
    row = await store.get_row(ORG, EXP, "new")
    assert row["output"] == "o" and row["tags"] == ["x"] and row["id"] == "new"
    assert row["created"]


async def test_delete_excludes_row_and_reinsert_brings_it_back(store) -> None:
    await store.write_rows([w(DS, "a", input=1), w(DS, "b", input=2)])
    await store.write_rows([w(DS, "a", _object_delete=True)])
    assert [r["id"] for r in await all_rows(store, DS)] == ["b"]
    assert await store.get_row(ORG, DS, "a") is None
    assert await store.count_rows(ORG, DS) == 1
    await store.write_rows([w(DS, "a", input=3)])
    assert (await store.get_row(ORG, DS, "a"))["input"] == 3


async def test_rows_with_the_same_key_apply_in_order_within_a_call(store) -> None:
    res = await store.write_rows([
        w(EXP, "a", input=1, tags=["x"]),
        w(EXP, "a", _is_merge=True, output=2, tags=["y"]),
        w(EXP, "b", input=1),
        w(EXP, "b", _object_delete=True),
    ])
    row = await store.get_row(ORG, EXP, "a")
    assert row["input"] == 1 and row["output"] == 2 and row["tags"] == ["x", "y"]
    assert row["_xact_id"] == f"{res.xact_id:019d}"
    assert await store.get_row(ORG, EXP, "b") is None
    assert res.row_ids == ["a", "a", "b", "b"]


async def test_resending_a_batch_three_times_leaves_one_row_per_id(store) -> None:
    batch = [w(EXP, f"r{i}", input=i, tags=["t"]) for i in range(20)]
    batch += [w(EXP, f"r{i}", _is_merge=True, output=i * 2, tags=["u"]) for i in range(10)]
    for _ in range(3):
        await store.write_rows([RowWrite(b.org_id, b.project_id, b.ref, b.row_id, dict(b.row)) for b in batch])
    rows = await all_rows(store, EXP)
    assert sorted(r["id"] for r in rows) == sorted(f"r{i}" for i in range(20))
    by_id = {r["id"]: r for r in rows}
    assert by_id["r3"]["output"] == 6 and by_id["r3"]["tags"] == ["t", "u"]
    assert await store.count_rows(ORG, EXP) == 20


async def test_two_concurrent_writers_of_the_same_batch_leave_one_row_per_id(store) -> None:
    def batch() -> list[RowWrite]:
        return [w(EXP, f"r{i}", input=i) for i in range(50)] + [w(EXP, f"r{i}", _is_merge=True, output=i)
                                                               for i in range(50)]

    await asyncio.gather(*(store.write_rows(batch()) for _ in range(6)))
    rows = await all_rows(store, EXP)
    assert len(rows) == 50 and len({r["id"] for r in rows}) == 50
    assert all(r["output"] == r["input"] for r in rows)


async def test_concurrent_merges_into_one_row_lose_no_update(store) -> None:
    await store.write_rows([w(EXP, "hot", metadata={})])
    await asyncio.gather(*(store.write_rows([w(EXP, "hot", _is_merge=True, metadata={f"k{i}": i}, tags=[f"t{i}"])])
                           for i in range(30)))
    row = await store.get_row(ORG, EXP, "hot")
    assert row["metadata"] == {f"k{i}": i for i in range(30)}
    assert sorted(row["tags"]) == sorted(f"t{i}" for i in range(30))


async def test_a_failing_batch_writes_nothing(store) -> None:
    await store.write_rows([w(EXP, "keep", input=1)])
    bad = [w(EXP, "x1", input=1), w(EXP, "keep", input=2), RowWrite(ORG, PROJECT, EXP, "", {"input": 3})]
    with pytest.raises(BadRequest):
        await store.write_rows(bad)
    not_json = [w(EXP, "x2", input=1), w(EXP, "keep", _is_merge=True, input={1: object()})]
    with pytest.raises(BadRequest):
        await store.write_rows(not_json)
    rows = await all_rows(store, EXP)
    assert [(r["id"], r["input"]) for r in rows] == [("keep", 1)]
    assert len(await store.row_versions(ORG, EXP, "keep")) == 1


async def test_a_failing_call_does_not_fail_calls_committed_with_it(store) -> None:
    good = [store.write_rows([w(EXP, f"g{i}", input=i)]) for i in range(10)]
    bad = store.write_rows([w(EXP, "b", _is_merge=True, input={1: object()})])
    results = await asyncio.gather(*good, bad, return_exceptions=True)
    assert all(not isinstance(r, Exception) for r in results[:10])
    assert isinstance(results[10], BadRequest)
    assert await store.count_rows(ORG, EXP) == 10


async def test_xact_ids_strictly_increase_across_concurrent_calls(store) -> None:
    results = await asyncio.gather(*(store.write_rows([w(EXP, f"c{i}", input=i)]) for i in range(40)))
    ids = [r.xact_id for r in results]
    assert len(set(ids)) == 40
    later = await store.write_rows([w(EXP, "last", input=0)])
    assert later.xact_id > max(ids)
    for r in results:
        row = await store.get_row(ORG, EXP, r.row_ids[0])
        assert int(row["_xact_id"]) == r.xact_id
    assert await store.max_xact(ORG, EXP) == later.xact_id


async def test_org_isolation_on_rows(store) -> None:
    await store.write_rows([w(EXP, "a", input="mine")])
    await store.write_rows([w(EXP, "a", org="org-2", input="theirs")])
    assert (await store.get_row(ORG, EXP, "a"))["input"] == "mine"
    assert (await store.get_row("org-2", EXP, "a"))["input"] == "theirs"
    assert [r["input"] for r in await all_rows(store, EXP, org="org-3")] == []
    assert (await store.fetch_rows(RowQuery("org-3", EXP))).rows == []
