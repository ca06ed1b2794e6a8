"""PostgreSQL: several data-plane processes (here: independent stores, each with its own
pool, caches and indexer) writing the same rows at once lose nothing and agree on order."""

from __future__ import annotations

import asyncio

from twinplane.server.data_plane.store.base import ObjectRef, RowQuery
from twinplane.server.data_plane.store.postgres import PostgresStore

from .conftest import ORG, all_rows, w

EXP = ObjectRef("experiment", "exp-1")


async def test_concurrent_stores_merge_into_shared_rows_without_lost_updates(postgres_url) -> None:
    stores = [PostgresStore(postgres_url, min_size=1, max_size=4) for _ in range(3)]
    for s in stores:
        await s.start()
    try:
        async def writer(k: int, s: PostgresStore) -> list[int]:
            xs = []
            for j in range(10):
                # every call touches the same hot rows, in a different order per writer
                keys = [f"hot{i}" for i in range(5)]
                if k % 2:
                    keys.reverse()
                res = await s.write_rows([w(EXP, key, _is_merge=True, metadata={f"p{k}c{j}": 1}, tags=[f"t{k}"])
                                          for key in keys] + [w(EXP, f"own{k}-{j}", input=j)])
                xs.append(res.xact_id)
            return xs

        results = await asyncio.gather(*(writer(k, stores[k % 3]) for k in range(6)))
        xacts = [x for xs in results for x in xs]
        assert len(set(xacts)) == len(xacts) == 60
        for xs in results:
            assert xs == sorted(xs)
        rows = {r["id"]: r for r in await all_rows(stores[0], EXP)}
        assert len(rows) == 5 + 60
        for i in range(5):
            hot = rows[f"hot{i}"]
            assert hot["metadata"] == {f"p{k}c{j}": 1 for k in range(6) for j in range(10)}
            assert sorted(hot["tags"]) == [f"t{k}" for k in range(6)]
            versions = await stores[1].row_versions(ORG, EXP, f"hot{i}")
            assert [int(v["_xact_id"]) for v in versions] == sorted(int(v["_xact_id"]) for v in versions)
            assert len(versions) == 60
        # every process's indexer shares the work; each row is indexed once whoever takes it
        await stores[2].write_rows([w(EXP, "needle", input="haystack needle")])
        for s in stores:
            await s.wait_indexed()
        for s in stores:
            assert [r["id"] for r in (await s.fetch_rows(RowQuery(ORG, EXP, search="needle"))).rows] == ["needle"]
    finally:
        for s in stores:
            await s.close()


async def test_writes_wait_for_indexers_that_fell_behind_but_not_for_ever(postgres_url) -> None:
    """Past ``max_backlog`` rows queued for the full-text index a group waits for the indexers (here
    held back by a lock on the index), at most ``backlog_wait``, then writes on without waiting for
    ``BACKLOG_PAUSE_SECONDS``; indexers that catch up during a wait let it go through at once."""
    import threading
    import time

    import psycopg

    from twinplane.server.data_plane.store import postgres_writer

    store = PostgresStore(postgres_url, min_size=1, max_size=4)
    await store.start()
    logs = ObjectRef("project_logs", "proj-1")
    blocker = psycopg.connect(postgres_url)
    settle = postgres_writer.BACKLOG_CHECK_SECONDS + 0.05

    async def hold_the_index() -> None:
        # off the event loop: an indexing round of this store may hold the table until its commit,
        # which needs the loop; a blocking LOCK here would wait for it for ever
        await asyncio.to_thread(blocker.execute, "LOCK TABLE dp_fts IN EXCLUSIVE MODE")

    try:
        store._writer.max_backlog = 10
        store._writer.backlog_wait = 2.0
        await hold_the_index()  # no indexing round can finish
        await store.write_rows([w(logs, f"a{i}", input="x") for i in range(20)])  # counted before: 0 queued
        await asyncio.sleep(settle)
        started = time.monotonic()
        await store.write_rows([w(logs, "b", input="y")])  # 20 queued, nothing moves: written after the wait
        assert 2.0 <= time.monotonic() - started < 5.0
        started = time.monotonic()
        await store.write_rows([w(logs, "b2", input="y")])  # the indexer is stuck: no second wait for a while
        assert time.monotonic() - started < 1.0
        blocker.rollback()
        await store.wait_indexed()

        store._writer._paused_until = 0.0
        await hold_the_index()
        await store.write_rows([w(logs, f"c{i}", input="x") for i in range(20)])
        await asyncio.sleep(settle)
        # the indexers get going 0.3 s into the wait: the write goes through before its deadline
        threading.Timer(0.3, blocker.rollback).start()
        started = time.monotonic()
        await store.write_rows([w(logs, "d", input="z")])
        assert time.monotonic() - started < 1.9
        assert (await store.stats()).search_lag <= 10
    finally:
        blocker.rollback()
        blocker.close()
        await store.close()
