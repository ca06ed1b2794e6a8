"""``Store.expire_rows``: retention removes old rows with every version, value and search entry of theirs."""

from __future__ import annotations

import sqlite3

from support.fts import indexed_words
from twinplane.server.data_plane.store.base import ObjectRef, RowQuery

from .conftest import ORG, all_rows, w

LOGS = ObjectRef("project_logs", "proj-1")
OTHER = ObjectRef("project_logs", "proj-2")
OLD, NEW, CUTOFF = "2026-01-01T00:00:00+00:00", "2026-11-01T00:00:00+00:00", 1_770_000_000.0  # Feb 2026


def _span(ref: ObjectRef, rid: str, created: str, word: str, **extra):
    return w(ref, rid, created=created, input=f"{word} question", span_id=rid, root_span_id=rid,
             scores={"Helpful": 0.5}, metrics={"tokens": 10}, **extra)


async def _ids(store, ref: ObjectRef, **kw) -> set[str]:
    return {r["id"] for r in await all_rows(store, ref, **kw)}


async def test_expire_rows_removes_old_rows_versions_values_and_search_entries(store, dialect,
                                                                               database_url) -> None:
    await store.write_rows([_span(LOGS, f"old-{i}", OLD, "ancient") for i in range(5)]
                           + [_span(LOGS, f"new-{i}", NEW, "recent") for i in range(3)]
                           + [_span(OTHER, "other-old", OLD, "ancient")])
    await store.write_rows([w(LOGS, "old-0", _is_merge=True, output="edited")])  # a second version
    await store.wait_indexed()

    assert await store.expire_rows(ORG, LOGS, CUTOFF, limit=3) == 3  # oldest first, in batches
    assert await store.expire_rows(ORG, LOGS, CUTOFF, limit=3) == 2
    assert await store.expire_rows(ORG, LOGS, CUTOFF, limit=3) == 0
    await store.wait_indexed()

    assert await _ids(store, LOGS) == {"new-0", "new-1", "new-2"}
    assert await _ids(store, OTHER) == {"other-old"}  # another object keeps its rows
    assert (await store.fetch_rows(RowQuery(ORG, LOGS, search="ancient"))).rows == []
    assert len((await store.fetch_rows(RowQuery(ORG, OTHER, search="ancient"))).rows) == 1
    assert await store.row_versions(ORG, LOGS, "old-0") == []
    assert await store.get_row(ORG, LOGS, "old-0") is None
    # nothing of theirs is left in any table: the three new rows' one version, score and metric each
    if dialect == "sqlite":
        db = database_url.removeprefix("sqlite:///")
        main = sqlite3.connect(db)
        try:
            ok = main.execute("SELECT id FROM dp_objkeys WHERE object_id = 'proj-1'").fetchone()[0]
            for table in ("dp_rows", "dp_versions", "dp_scores", "dp_metrics"):
                (n,) = main.execute(f"SELECT count(*) FROM {table} WHERE ok = ?", (ok,)).fetchone()  # noqa: S608
                assert n == 3, table
            assert main.execute("SELECT count(*) FROM dp_expired").fetchone()[0] == 0
        finally:
            main.close()
        words = indexed_words(db)
        assert words.get("ancient") == 1 and words.get("edited") is None  # only proj-2's row holds it
    else:  # PostgreSQL keeps a tsvector per row: only the three new rows' are left
        import psycopg

        with psycopg.connect(database_url) as conn:
            ok = conn.execute("SELECT id FROM dp_objkeys WHERE object_id = 'proj-1'").fetchone()[0]
            assert conn.execute("SELECT count(*) FROM dp_fts WHERE ok = %s", (ok,)).fetchone() == (3,)
            for table in ("dp_rows", "dp_versions", "dp_scores", "dp_metrics"):
                assert conn.execute(f"SELECT count(*) FROM {table} WHERE ok = %s", (ok,)).fetchone() == (3,), table


async def test_sqlite_expire_finishes_what_a_crash_left(tmp_path) -> None:
    """Rows deleted, versions not yet (the process died between the two steps): the next sweep finishes."""
    from twinplane.server.data_plane.store.sqlite import SqliteStore

    store = SqliteStore(str(tmp_path / "data.db"))
    await store.start()
    try:
        await store.write_rows([_span(LOGS, f"old-{i}", OLD, "ancient") for i in range(2)])
        await store.wait_indexed()
        ok = await store._ok(ORG, LOGS)  # noqa: SLF001
        assert await store._writer.run("expire", ok, CUTOFF, 10) == 2  # noqa: SLF001 - the first step alone
        assert await store._writer.run("pending_expired") == 2  # noqa: SLF001
        assert await store.expire_rows(ORG, LOGS, CUTOFF, limit=10) == 0
        assert await store._writer.run("pending_expired") == 0  # noqa: SLF001
        assert await store.row_versions(ORG, LOGS, "old-1") == []
    finally:
        await store.close()


async def test_sqlite_purge_works_in_batches(tmp_path, monkeypatch) -> None:
    from twinplane.server.data_plane.store import sqlite as sqlite_store

    monkeypatch.setattr(sqlite_store, "PURGE_BATCH", 2)
    db = str(tmp_path / "data.db")
    store = sqlite_store.SqliteStore(db)
    await store.start()
    try:
        await store.write_rows([_span(LOGS, f"r-{i}", NEW, "batched") for i in range(5)] + [_span(OTHER, "o", NEW, "x")])
        await store.write_rows([w(LOGS, "r-0", _is_merge=True, output="second version")])
        await store.wait_indexed()
        assert await store.purge_object(ORG, LOGS) == 5
        main = sqlite3.connect(db)
        try:
            ok = main.execute("SELECT id FROM dp_objkeys WHERE object_id = 'proj-1'").fetchone()[0]
            for table in ("dp_rows", "dp_versions", "dp_scores", "dp_metrics", "dp_xacts"):
                assert main.execute(f"SELECT count(*) FROM {table} WHERE ok = ?", (ok,)).fetchone() == (0,), table  # noqa: S608
            assert main.execute("SELECT count(*) FROM dp_rows").fetchone() == (1,)  # the other object's
        finally:
            main.close()
        words = indexed_words(db)
        assert "batched" not in words and "x" in words
    finally:
        await store.close()


async def test_purge_works_in_batches_on_both_engines(store, monkeypatch) -> None:
    from twinplane.server.data_plane.store import postgres, sqlite

    for module in (sqlite, postgres):
        monkeypatch.setattr(module, "PURGE_BATCH", 2)
    await store.write_rows([_span(LOGS, f"r-{i}", NEW, "batched") for i in range(5)] + [_span(OTHER, "o", NEW, "x")])
    await store.write_rows([w(LOGS, "r-0", _is_merge=True, output="second version"), w(LOGS, "r-1", _object_delete=True)])
    await store.wait_indexed()
    assert await store.purge_object(ORG, LOGS) == 4
    await store.wait_indexed()
    assert await _ids(store, LOGS) == set() and await _ids(store, OTHER) == {"o"}
    assert await store.row_versions(ORG, LOGS, "r-1") == [] and await store.row_versions(ORG, LOGS, "r-0") == []
    assert (await store.fetch_rows(RowQuery(ORG, LOGS, search="batched"))).rows == []
    assert len((await store.fetch_rows(RowQuery(ORG, OTHER, search="x"))).rows) == 1


async def test_a_row_written_while_a_purge_runs_keeps_its_versions(store, dialect, monkeypatch) -> None:
    """The purge's last step deletes the object's remaining versions, but not those of a row written after its
    rows went (the repeated purge takes that row whole); until then it reads as written."""
    await store.write_rows([_span(LOGS, f"r-{i}", NEW, "old") for i in range(3)])
    wrote: list[bool] = []

    async def write_late() -> None:
        if not wrote:
            wrote.append(True)
            await store.write_rows([_span(LOGS, "late", NEW, "late")])

    if dialect == "sqlite":
        run = store._writer.run  # noqa: SLF001 - the step between the rows and the versions

        async def run_then(op, *args):
            if op == "purge_versions":
                await write_late()
            return await run(op, *args)

        monkeypatch.setattr(store._writer, "run", run_then)  # noqa: SLF001
    else:
        remove = store._remove_rows  # noqa: SLF001

        async def remove_then(ok, before, limit):
            n = await remove(ok, before, limit)
            if n < limit:  # the last batch: the leftovers are next
                await write_late()
            return n

        monkeypatch.setattr(store, "_remove_rows", remove_then)
    assert await store.purge_object(ORG, LOGS) == 3
    assert wrote
    late = await store.get_row(ORG, LOGS, "late")
    assert late is not None and late["input"] == "late question"
