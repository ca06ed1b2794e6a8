"""SQLite: a call planned ahead of the writer (``plan_new``) stores exactly what the writer's own
plan stores, and a plan made for rows that exist by the time the call is applied is not used."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from twinplane.server.data_plane.migrations import upgrade_to_head
from twinplane.server.data_plane.store.base import ObjectRef, RowWrite
from twinplane.server.data_plane.store.sqlite_apply import SqliteApplier, plan_new
from twinplane.server.data_plane.store.sqlite_connection import open_connection

from .conftest import ORG

REF = ObjectRef("project_logs", "p1")
_TABLES = {
    "dp_versions": "seq, ok, row_id, xact_id, deleted, created, data",
    "dp_rows": "seq, ok, row_id, project_id, xact_id, version_seq, created, root_span_id, span_id, is_root, "
               "span_name, span_type, start_ts, end_ts, has_error, change_seq",
    "dp_scores": "ok, name, row_seq, root_span_id, value",
    "dp_metrics": "ok, name, row_seq, root_span_id, value",
}


def _rows(n: int, tag: str) -> list[RowWrite]:
    out = []
    for i in range(n):
        row: dict[str, Any] = {"id": f"r{i}", "input": {"q": f"{tag} question {i}"}, "output": tag,
                               "span_id": f"r{i}", "root_span_id": "r0", "span_parents": [] if i == 0 else ["r0"],
                               "metrics": {"start": 10.0 + i, "end": 11.5 + i, "tokens": i},
                               "scores": {"acc": i / 7}, "span_attributes": {"name": "llm", "type": "llm"}}
        if i % 3 == 0:
            row["created"] = f"2026-01-0{1 + i % 9}T00:00:00+00:00"
        out.append(RowWrite(ORG, "proj", REF, f"r{i}", row))
    return out


def _apply(conn: sqlite3.Connection, applier: SqliteApplier, rows: list[RowWrite], planned: Any) -> list[Any]:
    applier.ensure_objects(rows)
    conn.execute("BEGIN IMMEDIATE")
    applier.begin_group()
    applier.apply_call(rows, planned)
    applier.end_group()
    conn.execute("COMMIT")
    return list(applier.search)


def _dump(conn: sqlite3.Connection) -> dict[str, list[Any]]:
    return {t: conn.execute(f"SELECT {cols} FROM {t} ORDER BY 1, 2, 3").fetchall()  # noqa: S608
            for t, cols in _TABLES.items()}


def test_planned_call_stores_what_the_writer_would(tmp_path, monkeypatch) -> None:
    # one instant for every call of both stores: rows without 'created' get the call's time
    monkeypatch.setattr(time, "time", lambda: 1_790_000_000.25)
    results = []
    for use_plan in (False, True):
        path = str(tmp_path / f"{use_plan}.db")
        upgrade_to_head(f"sqlite:///{path}")
        conn = open_connection(path, "NORMAL")
        applier = SqliteApplier(conn)
        first = _rows(40, "first")
        planned = plan_new(first)
        assert planned is not None
        search = _apply(conn, applier, first, planned if use_plan else None)
        # every row exists now: a plan made for them as new rows must be set aside
        second = _rows(40, "second")
        planned = plan_new(second)
        assert planned is not None
        search += _apply(conn, applier, second, planned if use_plan else None)
        results.append((_dump(conn), search))
        conn.close()
    assert results[0] == results[1]
    dump, search = results[1]
    assert len(dump["dp_versions"]) == 80 and len(dump["dp_rows"]) == 40
    assert [text[1] for _change, text in search[40:]] == ["second"] * 40  # the second call's own texts


def test_merges_and_deletes_are_not_planned_ahead() -> None:
    rows = _rows(3, "x")
    rows[1].row["_is_merge"] = True
    assert plan_new(rows) is None
    rows = _rows(3, "x")
    rows[2].row["_object_delete"] = True
    assert plan_new(rows) is None
