"""Full text: rows become searchable shortly after acknowledgement, scoped to org and object."""

from __future__ import annotations

import asyncio
import time

from support.fts import indexed_words
from twinplane.server.data_plane.query.parse import parse_filter
from twinplane.server.data_plane.store.base import ObjectRef, RowQuery

from .conftest import ORG, all_rows, eventually_found, w

LOGS = ObjectRef("project_logs", "proj-1")
OTHER = ObjectRef("project_logs", "proj-2")


async def test_rows_become_searchable_without_being_asked(store) -> None:
    t0 = time.monotonic()
    await store.write_rows([w(LOGS, "a", input={"q": "Where is my refund?"}, output="soon"),
                            w(LOGS, "b", input="unrelated", metadata={"note": "Refund requested"})])
    rows = await eventually_found(store, RowQuery(ORG, LOGS, search="refund"))
    assert time.monotonic() - t0 < 5.0
    assert {r["id"] for r in (await store.fetch_rows(RowQuery(ORG, LOGS, search="refund"))).rows} == {"a", "b"}
    assert rows


async def test_search_is_scoped_to_org_and_object(store) -> None:
    await store.write_rows([w(LOGS, "mine", input="giraffe")])
    await store.write_rows([w(OTHER, "other-object", input="giraffe")])
    await store.write_rows([w(LOGS, "other-org", org="org-2", input="giraffe")])
    await store.wait_indexed()
    assert [r["id"] for r in (await store.fetch_rows(RowQuery(ORG, LOGS, search="giraffe"))).rows] == ["mine"]
    assert [r["id"] for r in (await store.fetch_rows(RowQuery("org-2", LOGS, search="giraffe"))).rows] == ["other-org"]
    assert (await store.fetch_rows(RowQuery("org-3", LOGS, search="giraffe"))).rows == []


async def test_search_sees_updates_and_deletes(store) -> None:
    await store.write_rows([w(LOGS, "a", input="alpha"), w(LOGS, "b", input="alpha")])
    await store.wait_indexed()
    await store.write_rows([w(LOGS, "a", input="beta"), w(LOGS, "b", _object_delete=True)])
    await store.write_rows([w(LOGS, "c", _is_merge=True, output="alpha beta")])
    await store.wait_indexed()
    assert [r["id"] for r in (await store.fetch_rows(RowQuery(ORG, LOGS, search="alpha"))).rows] == ["c"]
    assert {r["id"] for r in (await store.fetch_rows(RowQuery(ORG, LOGS, search="beta"))).rows} == {"a", "c"}
    assert (await store.fetch_rows(RowQuery(ORG, LOGS, search="alpha beta"))).rows[0]["id"] == "c"
    assert (await store.fetch_rows(RowQuery(ORG, LOGS, search='alpha" OR "x'))).rows == []


async def test_search_pages_newest_first_without_repeats(store) -> None:
    for i in range(30):
        await store.write_rows([w(LOGS, f"r{i:02d}", input=f"common word {i}")])
    await store.wait_indexed()
    got: list[str] = []
    cursor = None
    while True:
        page = await store.fetch_rows(RowQuery(ORG, LOGS, search="common", limit=7, cursor=cursor))
        got += [r["id"] for r in page.rows]
        await store.write_rows([w(LOGS, f"late{len(got)}", input="common late")])
        cursor = page.cursor
        if not cursor:
            break
    assert got == [f"r{i:02d}" for i in range(29, -1, -1)]
    sorted_rows = await all_rows(store, LOGS, search="word", sort=[("created", "asc")], limit=8)
    assert [r["id"] for r in sorted_rows] == [f"r{i:02d}" for i in range(30)]


async def test_indexer_keeps_up_with_concurrent_writers(store) -> None:
    async def writer(k: int) -> None:
        for j in range(5):
            await store.write_rows([w(LOGS, f"w{k}-{j}-{i}", input=f"batch{k}x{j} text {i}") for i in range(40)])

    await asyncio.gather(*(writer(k) for k in range(4)))
    rows = await eventually_found(store, RowQuery(ORG, LOGS, search="batch3x4", limit=100))
    deadline = time.monotonic() + 5
    while len(rows) < 40 and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        rows = (await store.fetch_rows(RowQuery(ORG, LOGS, search="batch3x4", limit=100))).rows
    assert len(rows) == 40


async def test_sqlite_index_side_file_is_rebuilt_when_lost(tmp_path) -> None:
    from twinplane.server.data_plane.store.sqlite import SqliteStore

    path = str(tmp_path / "data.db")
    store = SqliteStore(path)
    await store.start()
    await store.write_rows([w(LOGS, "a", input="phoenix"), w(LOGS, "b", input="other")])
    await store.write_rows([w(LOGS, "b", _object_delete=True)])
    await store.wait_indexed()
    await store.close()
    for name in ("data.db.fts", "data.db.fts-wal", "data.db.fts-shm"):
        (tmp_path / name).unlink(missing_ok=True)  # noqa: ASYNC240 - a test's tiny local files
    store = SqliteStore(path)
    await store.start()
    try:
        await store.wait_indexed()
        assert [r["id"] for r in (await store.fetch_rows(RowQuery(ORG, LOGS, search="phoenix"))).rows] == ["a"]
        assert (await store.fetch_rows(RowQuery(ORG, LOGS, search="other"))).rows == []
    finally:
        await store.close()


async def test_sqlite_search_words_are_split_like_the_index_splits_them(tmp_path) -> None:
    # SQLite (PostgreSQL's parser keeps hyphenated words whole and accents as written): the
    # query's words are the index's tokens, each of which must occur somewhere in the field,
    # since the index keeps no positions; a word with punctuation inside is never an error
    from twinplane.server.data_plane.store.sqlite import SqliteStore

    store = SqliteStore(str(tmp_path / "data.db"))
    await store.start()
    try:
        await store.write_rows([w(LOGS, "a", input="order ORD-1234 shipped to the Café"),
                                w(LOGS, "b", input="ord shipped, ticket 1234"),
                                w(LOGS, "c", input="ord-999 shipped")])
        await store.wait_indexed()

        async def ids(text: str) -> set[str]:
            return {r["id"] for r in (await store.fetch_rows(RowQuery(ORG, LOGS, search=text))).rows}

        assert await ids("ord-1234") == {"a", "b"}
        assert await ids("cafe") == {"a"}
        assert await ids("CAFÉ shipped") == {"a"}
        assert await ids("ord.999") == {"c"}
        assert await ids("--- ...") == set()
    finally:
        await store.close()


async def test_sqlite_index_of_an_older_format_is_rebuilt(tmp_path) -> None:
    import sqlite3

    from twinplane.server.data_plane.store.sqlite import SqliteStore

    path = str(tmp_path / "data.db")
    store = SqliteStore(path)
    await store.start()
    await store.write_rows([w(LOGS, "a", input="phoenix rising"), w(LOGS, "b", input="other")])
    await store.wait_indexed()
    await store.close()
    # what an earlier release left: an index with positions and no format recorded
    side = sqlite3.connect(str(tmp_path / "data.db.fts"), isolation_level=None)
    side.execute("DROP TABLE dp_fts")
    side.execute("CREATE VIRTUAL TABLE dp_fts USING fts5(obj, input, output, expected, metadata, error, "
                 "columnsize=0, tokenize='unicode61 remove_diacritics 2')")
    side.execute("DELETE FROM fts_state WHERE k = 'format'")
    side.close()
    store = SqliteStore(path)
    await store.start()
    try:
        await store.wait_indexed()
        assert [r["id"] for r in (await store.fetch_rows(RowQuery(ORG, LOGS, search="phoenix"))).rows] == ["a"]
        check = sqlite3.connect(str(tmp_path / "data.db.fts"))
        sql = check.execute("SELECT sql FROM sqlite_master WHERE name = 'dp_fts'").fetchone()[0]
        check.close()
        assert "detail=column" in sql
    finally:
        await store.close()


async def test_sqlite_index_gathers_a_whole_round_in_memory(tmp_path) -> None:
    """FTS5's pending-entries budget (``hashsize``) is set on every open, also on an index made before it was."""
    import sqlite3

    from twinplane.server.data_plane.store.sqlite import SqliteStore
    from twinplane.server.data_plane.store.sqlite_indexer import HASH_BYTES

    path = str(tmp_path / "data.db")

    def hashsize() -> int | None:
        side = sqlite3.connect(path + ".fts", isolation_level=None)
        try:
            row = side.execute("SELECT v FROM dp_fts_config WHERE k = 'hashsize'").fetchone()
            return None if row is None else int(row[0])
        finally:
            side.close()

    for _ in range(2):
        store = SqliteStore(path)
        await store.start()
        await store.close()
        assert hashsize() == HASH_BYTES
        side = sqlite3.connect(path + ".fts", isolation_level=None)
        side.execute("DELETE FROM dp_fts_config WHERE k = 'hashsize'")  # as an index of an earlier release
        side.close()


def _index_is_consistent(db: str) -> list[tuple[int, int]]:
    """FTS5's own integrity check of the side file, and its (row, version) records."""
    import sqlite3

    side = sqlite3.connect(db + ".fts", isolation_level=None)
    try:
        side.execute("INSERT INTO dp_fts (dp_fts) VALUES ('integrity-check')")
        return side.execute("SELECT rowid, version_seq FROM fts_docs ORDER BY rowid").fetchall()
    finally:
        side.close()


async def test_sqlite_contentless_index_forgets_replaced_merged_deleted_and_purged_text(tmp_path) -> None:
    # the index keeps no copy of the text: a removal re-derives it from the version the
    # entry was built from, whether the writer handed the text over or it was parsed
    from twinplane.server.data_plane.store.sqlite import SqliteStore

    db = str(tmp_path / "data.db")
    other = ObjectRef("experiment", "exp-9")

    async def ids(store: SqliteStore, text: str, ref: ObjectRef = LOGS) -> set[str]:
        return {r["id"] for r in (await store.fetch_rows(RowQuery(ORG, ref, search=text))).rows}

    store = SqliteStore(db)
    await store.start()
    try:
        await store.write_rows([w(LOGS, "a", input="apple banana", metadata={"n": 7, "f": 2.5}),
                                w(LOGS, "b", input="cherry"), w(LOGS, "c", output="damson"),
                                w(other, "x", input="elder")])
        await store.wait_indexed()
        await store.write_rows([w(LOGS, "a", input="fig"), w(LOGS, "b", _is_merge=True, output="grape"),
                                w(LOGS, "c", _object_delete=True)])
        await store.wait_indexed()
        assert await ids(store, "apple") == set() and await ids(store, "2.5") == set()
        assert await ids(store, "fig") == {"a"}
        assert await ids(store, "cherry grape") == {"b"}
        assert await ids(store, "damson") == set()
        assert "elder" in indexed_words(db)
        assert await store.purge_object(ORG, other) == 1
        await store.wait_indexed()
        assert await ids(store, "elder", other) == set()
        assert "elder" not in indexed_words(db)  # the purged row's words left the side file
        docs = _index_is_consistent(db)
        assert len(docs) == 2  # a and b; c deleted, x purged
    finally:
        await store.close()
    for name in ("data.db.fts", "data.db.fts-wal", "data.db.fts-shm"):
        (tmp_path / name).unlink(missing_ok=True)  # noqa: ASYNC240 - a test's tiny local files
    store = SqliteStore(db)  # rebuilt from the stored JSON, then changed again
    await store.start()
    try:
        await store.wait_indexed()
        assert await ids(store, "cherry grape") == {"b"}
        await store.write_rows([w(LOGS, "b", input="kiwi")])
        await store.wait_indexed()
        assert await ids(store, "cherry") == set() and await ids(store, "grape") == set()
        assert await ids(store, "kiwi") == {"b"} and await ids(store, "fig") == {"a"}
        assert len(_index_is_consistent(db)) == 2
    finally:
        await store.close()


async def test_search_with_a_filter_on_trace_roots_pages_lazily_checked_rows(store) -> None:
    """Search + JSON filter + roots only: every page holds only matching roots, newest first,
    with each trace's span count, and the pages join up without repeats."""
    rows = []
    for i in range(40):
        model = "gpt" if i % 3 == 0 else "claude"
        rows.append(w(LOGS, f"t{i:02d}", root_span_id=f"T{i}", span_id=f"t{i:02d}", input=f"needle case {i}",
                      metadata={"model": model}))
        rows.append(w(LOGS, f"t{i:02d}-c", root_span_id=f"T{i}", span_id=f"t{i:02d}-c", span_parents=[f"t{i:02d}"],
                      input="needle child"))
    for row in rows:
        await store.write_rows([row])
    await store.wait_indexed()
    got, cursor = [], None
    while True:
        page = await store.fetch_rows(RowQuery(ORG, LOGS, search="needle", filter=parse_filter("metadata.model = 'gpt'"),
                                               roots_only=True, limit=4, cursor=cursor))
        got += page.rows
        cursor = page.cursor
        if not cursor:
            break
    assert [r["id"] for r in got] == [f"t{i:02d}" for i in range(39, -1, -1) if i % 3 == 0]
    assert all(r["span_count"] == 2 for r in got)
