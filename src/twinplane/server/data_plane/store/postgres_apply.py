"""Applying ``write_rows`` calls to PostgreSQL, a group of calls per transaction, safe
with many data-plane processes writing the same rows at once.

Order inside the transaction:

1. read the group's existing rows ``FOR UPDATE``, locking them in key order (no
   deadlocks between groups that share rows; row locks cost no shared memory, unlike
   thousands of advisory locks would);
2. keys that do not exist yet and are first written by a *merge* cannot be row-locked:
   take a transaction-scoped advisory lock on each (sorted), then read them again, so two
   merges-as-insert of one new row never overwrite each other (replaces need no lock:
   the upsert serializes them and the last one wins, as a replace should);
3. only then draw the calls' transaction ids from the sequence: for a row, a later
   committed version has the higher id, so as-of reads never go back in time;
4. merge in Python (``plan_changes``) and write with one statement per table.
"""

# SQL here is assembled from fixed fragments and placeholders; every value is bound.
# ruff: noqa: S608

from __future__ import annotations

import hashlib
import time
from typing import Any

import orjson
import psycopg

from twinplane.server.data_plane.store.base import RowWrite, WriteResult
from twinplane.server.data_plane.store.row_change import RowChange, plan_changes, row_key
from twinplane.server.data_plane.store.row_shape import RowShape, shape_of
from twinplane.server.data_plane.store.trace_rollup import EXPERIMENT, refresh_postgres, touched
from twinplane.wire.merge import is_merge


def lock_key(ok: int, row_id: str) -> int:
    """A signed 64-bit advisory lock id for a row key (collisions only serialize more)."""
    h = hashlib.blake2b(f"{ok}\x00{row_id}".encode(), digest_size=8).digest()
    return int.from_bytes(h, "big", signed=True)


# Batches travel as one JSON document per statement (orjson on our side, a C parser on
# the server's): far cheaper than dumping a dozen Python lists into SQL arrays.
# Locks on dp_rows alone: with a join, a row updated by a concurrent transaction while we
# wait for its lock would be re-checked against the old joined version and silently drop
# out of the result (PostgreSQL's EvalPlanQual), and the merge would start from nothing.
_LOCK_CURRENT = ("SELECT ok, row_id, version_seq FROM dp_rows WHERE (ok, row_id) IN "
                 "(SELECT ok, row_id FROM json_to_recordset(%s::json) AS t(ok bigint, row_id text)) "
                 "ORDER BY ok, row_id FOR UPDATE")
_VERSION_DATA = "SELECT seq, data::text FROM dp_versions WHERE seq IN ({ids})"
_UPSERT = (
    "INSERT INTO dp_rows (ok, row_id, project_id, xact_id, version_seq, created, root_span_id, span_id, is_root, "
    "span_name, span_type, start_ts, end_ts, has_error, case_key) "
    "SELECT ok, row_id, project_id, xact_id, version_seq, created, root_span_id, span_id, is_root, span_name, "
    "span_type, start_ts, end_ts, has_error, case_key FROM json_to_recordset(%s::json) AS t(ok bigint, "
    "row_id text, project_id text, xact_id bigint, version_seq bigint, created float8, root_span_id text, "
    "span_id text, is_root boolean, span_name text, span_type text, start_ts float8, end_ts float8, "
    "has_error boolean, case_key text) "
    "ON CONFLICT (ok, row_id) DO UPDATE SET project_id = excluded.project_id, xact_id = excluded.xact_id, "
    "version_seq = excluded.version_seq, created = excluded.created, root_span_id = excluded.root_span_id, "
    "span_id = excluded.span_id, is_root = excluded.is_root, span_name = excluded.span_name, "
    "span_type = excluded.span_type, start_ts = excluded.start_ts, end_ts = excluded.end_ts, "
    "has_error = excluded.has_error, case_key = excluded.case_key RETURNING seq, ok, row_id"
)
_SIDE_COPY = "COPY {table} (ok, name, row_seq, root_span_id, value) FROM STDIN"
# by full key: the side tables are keyed (ok, name, row_seq), and we know the old names
_SIDE_CLEAR = ("DELETE FROM {table} s USING json_to_recordset(%s::json) AS t(ok bigint, name text, row_seq bigint) "
               "WHERE s.ok = t.ok AND s.name = t.name AND s.row_seq = t.row_seq")
_IDS = "SELECT (k)::bigint FROM json_array_elements_text(%s::json) AS k"


def _j(value: Any) -> str:
    return orjson.dumps(value).decode()


def _side_facts(sh: RowShape | None) -> tuple[Any, ...]:
    if sh is None:
        return ()
    return (sh.root_span_id, sh.scores, sh.metrics)


async def apply_group(conn: psycopg.AsyncConnection[Any], calls: list[list[RowWrite]],
                      objkeys: dict[tuple[str, str, str], int]) -> list[WriteResult | Exception]:
    """Apply several calls in one open transaction (the caller commits), each under its own
    transaction id, in order. A call whose rows are invalid fails alone; the others go on.

    Set-based: one statement per table for the whole group. Every version is inserted;
    the current-row table and side tables receive only each key's final state.
    """
    first: dict[Any, RowWrite] = {}
    for rows in calls:
        for w in rows:
            first.setdefault(row_key(w), w)
    keys = list(first)
    ok_of = {k: objkeys[(k[0], k[1], k[2])] for k in keys}
    key_of = {(ok_of[k], k[3]): k for k in keys}
    cur = conn.cursor()
    current: dict[Any, dict[str, Any]] = {}

    async def read(some: list[Any]) -> None:
        await cur.execute(_LOCK_CURRENT, (_j([{"ok": ok_of[k], "row_id": k[3]} for k in some]),))
        locked = {int(vseq): key_of[(ok, row_id)] for ok, row_id, vseq in await cur.fetchall()}
        if locked:
            await cur.execute(_VERSION_DATA.format(ids=_IDS), (_j(list(locked)),))
            for vseq, data in await cur.fetchall():
                current[locked[int(vseq)]] = orjson.loads(data)

    await read(keys)
    new_merged = [k for k in keys if k not in current and (row := first[k].row) is not None and is_merge(row)]
    if new_merged:
        await cur.execute(f"SELECT count(pg_advisory_xact_lock(k)) FROM ({_IDS}) AS l(k)",
                          (_j(sorted({lock_key(ok_of[k], k[3]) for k in new_merged})),))
        await read(new_merged)  # someone may have created them while we waited
    # drawn after the locks, in call order: later calls get higher ids
    await cur.execute("SELECT nextval('dp_xact_seq') FROM generate_series(1, %s) AS g ORDER BY g", (len(calls),))
    xacts = [int(r[0]) for r in await cur.fetchall()]
    now = time.time()

    state: dict[Any, dict[str, Any] | None] = dict(current)
    final: dict[Any, tuple[RowChange, int]] = {}
    versions: list[dict[str, Any]] = []
    per_object: dict[tuple[int, int], int] = {}
    results: list[WriteResult | Exception] = []
    for rows, xact in zip(calls, xacts, strict=True):
        try:
            changes = plan_changes(rows, {k: v for k, v in state.items() if v is not None}, now)
        except Exception as err:  # noqa: BLE001 - an invalid call fails alone
            results.append(err)
            continue
        for c in changes:
            ok = ok_of[c.key]
            state[c.key] = c.row
            final[c.key] = (c, xact)
            versions.append({"ok": ok, "row_id": c.row_id, "xact_id": xact, "deleted": c.shape is None,
                             "created": c.shape.created if c.shape else None, "raw": c.data})
            per_object[(ok, xact)] = per_object.get((ok, xact), 0) + 1
        results.append(WriteResult(xact_id=xact, row_ids=[w.row_id for w in rows]))
    if not versions:
        return results

    # Versions carry the JSON, the bulk of the bytes: COPY streams them without a second
    # parse of a batch document; their seqs are drawn first so rows can point at them.
    await cur.execute("SELECT nextval('dp_versions_seq_seq') FROM generate_series(1, %s) AS g ORDER BY g",
                      (len(versions),))
    seqs = [int(r[0]) for r in await cur.fetchall()]
    vseq = {}
    async with cur.copy("COPY dp_versions (seq, ok, row_id, xact_id, deleted, created, data) FROM STDIN") as copy:
        for seq, v in zip(seqs, versions, strict=True):
            vseq[(v["ok"], v["row_id"], v["xact_id"])] = seq
            await copy.write_row((seq, v["ok"], v["row_id"], v["xact_id"], v["deleted"], v["created"], v["raw"]))

    live = [(c, x) for c, x in final.values() if c.shape is not None]
    gone = [c for c, _x in final.values() if c.shape is None and c.key in current]
    row_seq: dict[tuple[int, str], int] = {}
    if live:
        upserts = []
        for c, x in live:
            sh = c.shape
            assert sh is not None
            ok = ok_of[c.key]
            upserts.append({"ok": ok, "row_id": c.row_id, "project_id": c.project_id, "xact_id": x,
                            "version_seq": vseq[(ok, c.row_id, x)], "created": sh.created,
                            "root_span_id": sh.root_span_id, "span_id": sh.span_id, "is_root": sh.is_root,
                            "span_name": sh.span_name, "span_type": sh.span_type, "start_ts": sh.start,
                            "end_ts": sh.end, "has_error": sh.has_error, "case_key": sh.case_key})
        await cur.execute(_UPSERT, (_j(upserts),))
        row_seq = {(ok, row_id): seq for seq, ok, row_id in await cur.fetchall()}
    queued = sorted(row_seq.values())
    side_clear: list[tuple[int, int, RowShape]] = []  # (ok, row seq, the values it had)
    side_rows: list[RowChange] = []
    traces: set[tuple[int, str]] = set()  # experiment traces to recompute
    for c, _x in live:
        old = current.get(c.key)
        old_shape = shape_of(old, 0.0, cases=c.ref.object_type == EXPERIMENT) if old is not None else None
        if c.ref.object_type == EXPERIMENT:
            traces.update((ok_of[c.key], t) for t in touched(old_shape, c.shape))
        if old_shape is not None and _side_facts(old_shape) == _side_facts(c.shape):
            continue
        if old_shape is not None:
            side_clear.append((ok_of[c.key], row_seq[(ok_of[c.key], c.row_id)], old_shape))
        side_rows.append(c)
    if gone:
        await cur.execute(
            "DELETE FROM dp_rows WHERE (ok, row_id) IN (SELECT ok, row_id FROM json_to_recordset(%s::json) "
            "AS t(ok bigint, row_id text)) RETURNING seq, ok, row_id",
            (_j([{"ok": ok_of[c.key], "row_id": c.row_id} for c in gone]),))
        gone_rows = await cur.fetchall()
        for seq, ok, row_id in gone_rows:
            key = key_of[(ok, row_id)]
            side_clear.append((ok, seq, old_shape := shape_of(current[key], 0.0, cases=key[1] == EXPERIMENT)))
            if key[1] == EXPERIMENT:
                traces.update((ok, t) for t in touched(old_shape, None))
        queued = sorted(queued + [r[0] for r in gone_rows])  # the indexer drops their full-text entries
    if queued:
        await cur.execute(f"INSERT INTO dp_fts_queue (row_seq) {_IDS} ON CONFLICT DO NOTHING", (_j(queued),))
    for table, attr in (("dp_scores", "scores"), ("dp_metrics", "metrics")):
        clear = [{"ok": ok, "name": n, "row_seq": seq} for ok, seq, old in side_clear for n in getattr(old, attr)]
        if clear:
            await cur.execute(_SIDE_CLEAR.format(table=table), (_j(clear),))
        side: list[tuple[Any, ...]] = []
        for c in side_rows:
            sh = c.shape
            assert sh is not None
            ok = ok_of[c.key]
            seq = row_seq[(ok, c.row_id)]
            side.extend((ok, name, seq, sh.root_span_id, value) for name, value in getattr(sh, attr).items())
        if side:
            # COPY: no batch document to build and parse again on the server
            async with cur.copy(_SIDE_COPY.format(table=table)) as copy:
                for item in side:
                    await copy.write_row(item)
    await refresh_postgres(cur, traces)
    await cur.execute(
        "INSERT INTO dp_xacts (ok, xact_id, created, rows_changed) SELECT ok, xact_id, %s, n FROM "
        "json_to_recordset(%s::json) AS t(ok bigint, xact_id bigint, n int)",
        (now, _j([{"ok": k[0], "xact_id": k[1], "n": n} for k, n in per_object.items()])))
    return results
