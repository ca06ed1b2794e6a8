"""Applying one ``write_rows`` call to PostgreSQL in one transaction, safe with many
data-plane processes writing the same rows at once.

Order inside the transaction:

1. take a transaction-scoped advisory lock per row key, in sorted order (no deadlocks
   between calls that share keys; rows that do not exist yet are covered too, which
   ``SELECT ... FOR UPDATE`` could not do);
2. only then draw the transaction id from the sequence: for any one row, a later
   committed version always has the higher id, so as-of reads never go back in time;
3. read the current rows, merge in Python (``plan_changes``), write with set-based
   statements over arrays (``unnest``): versions, upserted rows, side tables.
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
from twinplane.server.data_plane.store.row_change import RowChange, merge_keys, plan_changes
from twinplane.server.data_plane.store.row_shape import shape_of


def lock_key(ok: int, row_id: str) -> int:
    """A signed 64-bit advisory lock id for a row key (collisions only serialize more)."""
    h = hashlib.blake2b(f"{ok}\x00{row_id}".encode(), digest_size=8).digest()
    return int.from_bytes(h, "big", signed=True)


_CURRENT = ("SELECT r.seq, r.ok, r.row_id, v.data::text FROM dp_rows r JOIN dp_versions v ON v.seq = r.version_seq "
            "WHERE (r.ok, r.row_id) IN (SELECT * FROM unnest(%b::bigint[], %b::text[]))")
_VERSIONS = ("INSERT INTO dp_versions (ok, row_id, xact_id, deleted, created, data) "
             "SELECT ok, row_id, %s, deleted, created, data::jsonb FROM "
             "unnest(%b::bigint[], %b::text[], %b::boolean[], %b::float8[], %b::text[]) "
             "AS t(ok, row_id, deleted, created, data) RETURNING seq, ok, row_id")
_UPSERT = (
    "INSERT INTO dp_rows (ok, row_id, project_id, xact_id, version_seq, created, root_span_id, span_id, is_root, "
    "span_name, span_type, start_ts, end_ts, has_error) "
    "SELECT ok, row_id, project_id, %s, version_seq, created, root_span_id, span_id, is_root, span_name, span_type, "
    "start_ts, end_ts, has_error FROM unnest(%b::bigint[], %b::text[], %b::text[], %b::bigint[], %b::float8[], "
    "%b::text[], %b::text[], %b::boolean[], %b::text[], %b::text[], %b::float8[], %b::float8[], %b::boolean[]) "
    "AS t(ok, row_id, project_id, version_seq, created, root_span_id, span_id, is_root, span_name, span_type, "
    "start_ts, end_ts, has_error) "
    "ON CONFLICT (ok, row_id) DO UPDATE SET project_id = excluded.project_id, xact_id = excluded.xact_id, "
    "version_seq = excluded.version_seq, created = excluded.created, root_span_id = excluded.root_span_id, "
    "span_id = excluded.span_id, is_root = excluded.is_root, span_name = excluded.span_name, "
    "span_type = excluded.span_type, start_ts = excluded.start_ts, end_ts = excluded.end_ts, "
    "has_error = excluded.has_error RETURNING seq, ok, row_id"
)
_SIDE = ("INSERT INTO {table} (row_seq, name, ok, root_span_id, value) "
         "SELECT * FROM unnest(%b::bigint[], %b::text[], %b::bigint[], %b::text[], %b::float8[])")


def _side_facts(row: dict[str, Any] | None) -> tuple[Any, ...]:
    if row is None:
        return ()
    sh = shape_of(row, 0.0)
    return (sh.root_span_id, sh.scores, sh.metrics)


async def apply_call(conn: psycopg.AsyncConnection[Any], rows: list[RowWrite],
                     objkeys: dict[tuple[str, str, str], int]) -> WriteResult:
    """Run inside an open transaction on ``conn``; the caller commits."""
    keys = merge_keys(rows)
    ok_of = {k: objkeys[(k[0], k[1], k[2])] for k in keys}
    locks = sorted({lock_key(ok_of[k], k[3]) for k in keys})
    cur = conn.cursor()
    await cur.execute("SELECT count(pg_advisory_xact_lock(k)) FROM unnest(%b::bigint[]) AS k", (locks,))
    await cur.execute("SELECT nextval('dp_xact_seq')")
    xact = (await cur.fetchone())[0]  # type: ignore[index]
    now = time.time()

    key_of = {(ok_of[k], k[3]): k for k in keys}
    await cur.execute(_CURRENT, ([ok_of[k] for k in keys], [k[3] for k in keys]))
    current: dict[Any, dict[str, Any]] = {}
    for _seq, ok, row_id, data in await cur.fetchall():
        current[key_of[(ok, row_id)]] = orjson.loads(data)
    changes = plan_changes(rows, current, now)

    live = [c for c in changes if c.shape is not None]
    gone = [c for c in changes if c.shape is None]
    vcols: list[list[Any]] = [[], [], [], [], []]
    for c in changes:
        for col, val in zip(vcols, (ok_of[c.key], c.row_id, c.shape is None,
                                    c.shape.created if c.shape else None, c.data), strict=True):
            col.append(val)
    await cur.execute(_VERSIONS, (xact, *vcols))
    vseq = {(ok, row_id): seq for seq, ok, row_id in await cur.fetchall()}

    side_clear: list[int] = []
    side_rows: list[RowChange] = []
    if live:
        cols: list[list[Any]] = [[] for _ in range(13)]
        for c in live:
            sh = c.shape
            assert sh is not None
            ok = ok_of[c.key]
            vals = (ok, c.row_id, c.project_id, vseq[(ok, c.row_id)], sh.created, sh.root_span_id, sh.span_id,
                    sh.is_root, sh.span_name, sh.span_type, sh.start, sh.end, sh.has_error)
            for col, val in zip(cols, vals, strict=True):
                col.append(val)
        await cur.execute(_UPSERT, (xact, *cols))
        row_seq = {(ok, row_id): seq for seq, ok, row_id in await cur.fetchall()}
        await cur.execute("INSERT INTO dp_fts_queue (row_seq) SELECT unnest(%b::bigint[]) ON CONFLICT DO NOTHING",
                          (sorted(row_seq.values()),))
        for c in live:
            old = current.get(c.key)
            if old is not None and _side_facts(old) == _side_facts(c.row):
                continue
            if old is not None:
                side_clear.append(row_seq[(ok_of[c.key], c.row_id)])
            side_rows.append(c)
    else:
        row_seq = {}
    if gone:
        await cur.execute(
            "DELETE FROM dp_rows WHERE (ok, row_id) IN (SELECT * FROM unnest(%b::bigint[], %b::text[])) RETURNING seq",
            ([ok_of[c.key] for c in gone], [c.row_id for c in gone]))
        gone_seqs = [r[0] for r in await cur.fetchall()]
        side_clear.extend(gone_seqs)
        if gone_seqs:  # the indexer drops their full-text entries
            await cur.execute("INSERT INTO dp_fts_queue (row_seq) SELECT unnest(%b::bigint[]) ON CONFLICT DO NOTHING",
                              (sorted(gone_seqs),))
    if side_clear:
        await cur.execute("DELETE FROM dp_scores WHERE row_seq = ANY(%s)", (side_clear,))
        await cur.execute("DELETE FROM dp_metrics WHERE row_seq = ANY(%s)", (side_clear,))
    for table, attr in (("dp_scores", "scores"), ("dp_metrics", "metrics")):
        scols: list[list[Any]] = [[], [], [], [], []]
        for c in side_rows:
            sh = c.shape
            assert sh is not None
            ok = ok_of[c.key]
            for name, value in getattr(sh, attr).items():
                for col, val in zip(scols, (row_seq[(ok, c.row_id)], name, ok, sh.root_span_id, value), strict=True):
                    col.append(val)
        if scols[0]:
            await cur.execute(_SIDE.format(table=table), scols)
    per_object: dict[int, int] = {}
    for c in changes:
        per_object[ok_of[c.key]] = per_object.get(ok_of[c.key], 0) + 1
    await cur.execute(
        "INSERT INTO dp_xacts (ok, xact_id, created, rows_changed) SELECT * FROM unnest(%b::bigint[], %b::bigint[], "
        "%b::float8[], %b::int[])",
        (list(per_object), [xact] * len(per_object), [now] * len(per_object), list(per_object.values())))
    return WriteResult(xact_id=int(xact), row_ids=[w.row_id for w in rows])
