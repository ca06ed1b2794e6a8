"""The read side of ``Store``, written once over the two engines' dialects.

Every statement is built with a ``RowDialect`` (so placeholders and parameters fit the
engine); an engine supplies ``_query`` (run one statement), ``_run_sync`` (run several
on one connection, for aggregates) and the object-key lookup.
"""

# SQL here is assembled from fixed fragments and placeholders; every value is bound.
# ruff: noqa: S608

from __future__ import annotations

import abc
from typing import Any, ClassVar

import orjson

from twinplane.server.common.errors import BadRequest
from twinplane.server.data_plane.store.aggregate_query import run_aggregate
from twinplane.server.data_plane.store.aggregate_spec import parse_group_by, parse_measures
from twinplane.server.data_plane.store.base import (
    ObjectMeta,
    ObjectRef,
    Page,
    RowQuery,
    Store,
    SummaryStat,
    TraceScores,
)
from twinplane.server.data_plane.store.row_dialect import RowDialect
from twinplane.server.data_plane.store.row_select import (
    build_select,
    build_version_select,
    check_limit,
    compile_filter_sql,
    page_cursor,
    with_rest,
)
from twinplane.server.data_plane.store.row_shape import iso_from_epoch, parse_time
from twinplane.server.data_plane.store.trace_rollup import EXPERIMENT
from twinplane.server.data_plane.store.trace_summary import (
    assemble,
    summary_sql,
    summary_stats,
    trace_scores_sql,
)
from twinplane.wire.xact import format_xact


def row_out(xact_id: int, data: Any) -> dict[str, Any]:
    row = orjson.loads(data) if isinstance(data, (str, bytes)) else dict(data)
    row["_xact_id"] = format_xact(int(xact_id))
    return row


class RowReads(Store, abc.ABC):
    dialect_class: ClassVar[type[RowDialect]]

    def __init__(self) -> None:
        self._oks: dict[tuple[str, str, str], int] = {}

    # engine hooks -------------------------------------------------------
    @abc.abstractmethod
    async def _query(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]: ...

    @abc.abstractmethod
    async def _lookup_ok(self, org_id: str, ref: ObjectRef) -> int | None: ...

    async def _ok(self, org_id: str, ref: ObjectRef) -> int | None:
        key = (org_id, ref.object_type, ref.object_id)
        ok = self._oks.get(key)
        if ok is None:
            ok = await self._lookup_ok(org_id, ref)
            if ok is not None:  # keys are never reused or removed, so a hit stays true
                self._oks[key] = ok
        return ok

    # rows ---------------------------------------------------------------
    async def fetch_rows(self, q: RowQuery) -> Page:
        # Build once against a placeholder object first, so a bad query fails the same
        # whether or not the object has rows yet.
        build = build_version_select if q.version is not None else build_select
        rolled_up = q.ref.object_type == EXPERIMENT
        build(q, self.dialect_class(0, roots_only=q.roots_only, rolled_up=rolled_up))
        ok = await self._ok(q.org_id, q.ref)
        if ok is None:
            return Page([], None)
        sel = build(q, self.dialect_class(ok, roots_only=q.roots_only, rolled_up=rolled_up))
        rows = await self._query(sel.sql, sel.params)
        if sel.then is not None and len(rows) <= sel.limit:  # the first part ran out: its rest follows
            rows = with_rest(sel, rows, await self._query(sel.then.sql, sel.then.params))
        out = [row_out(r[0], r[1]) for r in rows[:sel.limit]]
        if q.roots_only and q.version is None:
            for row, r in zip(out, rows, strict=False):
                row["span_count"] = int(r[2 + sel.nkeys])
        return Page(out, page_cursor(sel, rows))

    async def get_row(self, org_id: str, ref: ObjectRef, row_id: str, version: int | None = None) -> dict[str, Any] | None:
        ok = await self._ok(org_id, ref)
        if ok is None:
            return None
        d = self.dialect_class(ok)
        if version is None:
            rows = await self._query(
                f"SELECT r.xact_id, {d.data_text} FROM dp_rows r JOIN dp_versions v ON v.seq = r.version_seq "
                f"WHERE r.ok = {d.param(ok)} AND r.row_id = {d.param(row_id)}", d.params)
            return row_out(rows[0][0], rows[0][1]) if rows else None
        rows = await self._query(
            f"SELECT v.xact_id, {d.data_text}, v.deleted FROM dp_versions v WHERE v.ok = {d.param(ok)} "
            f"AND v.row_id = {d.param(row_id)} AND v.xact_id <= {d.param(int(version))} "
            "ORDER BY v.seq DESC LIMIT 1", d.params)
        if not rows or rows[0][2]:
            return None
        return row_out(rows[0][0], rows[0][1])

    async def row_objects(self, org_id: str) -> list[tuple[ObjectRef, str | None]]:
        """Every object of the org that has held rows (logs, experiments, datasets, playground logs; deleted
        ones too), with its project."""
        d = self.dialect_class(0)
        rows = await self._query(
            "SELECT k.object_type, k.object_id, o.project_id FROM dp_objkeys k LEFT JOIN dp_objects o "
            f"ON o.id = k.object_id AND o.org_id = k.org_id WHERE k.org_id = {d.param(org_id)} AND k.object_type IN "
            "('project_logs', 'experiment', 'dataset', 'playground_logs') ORDER BY k.object_type, k.object_id",
            d.params)
        return [(ObjectRef(t, i), i if t == "project_logs" else p) for t, i, p in rows]

    async def row_versions(self, org_id: str, ref: ObjectRef, row_id: str) -> list[dict[str, Any]]:
        ok = await self._ok(org_id, ref)
        if ok is None:
            return []
        d = self.dialect_class(ok)
        rows = await self._query(
            f"SELECT v.xact_id, {d.data_text}, v.deleted FROM dp_versions v WHERE v.ok = {d.param(ok)} "
            f"AND v.row_id = {d.param(row_id)} ORDER BY v.seq", d.params)
        out = []
        for xact, data, deleted in rows:
            if deleted:
                out.append({"id": row_id, "_xact_id": format_xact(int(xact)), "_object_delete": True})
            else:
                out.append(row_out(xact, data))
        return out

    async def object_versions(self, org_id: str, ref: ObjectRef, limit: int = 100) -> list[dict[str, Any]]:
        ok = await self._ok(org_id, ref)
        if ok is None:
            return []
        d = self.dialect_class(ok)
        rows = await self._query(
            f"SELECT xact_id, created, rows_changed FROM dp_xacts WHERE ok = {d.param(ok)} "
            f"ORDER BY xact_id DESC LIMIT {check_limit(limit)}", d.params)
        return [{"xact_id": int(x), "created": iso_from_epoch(c), "rows_changed": int(n)} for x, c, n in rows]

    async def trace(self, org_id: str, ref: ObjectRef, root_span_id: str, limit: int = 1000,
                    cursor: str | None = None) -> Page:
        ok = await self._ok(org_id, ref)
        if ok is None:
            return Page([], None)
        d = self.dialect_class(ok)
        q = RowQuery(org_id=org_id, ref=ref, limit=limit, cursor=cursor)
        sel = build_select(q, d, where=[f"r.root_span_id = {d.param(root_span_id)}"], sort=[("start", "asc")])
        rows = await self._query(sel.sql, sel.params)
        return Page([row_out(r[0], r[1]) for r in rows[:sel.limit]], page_cursor(sel, rows))

    async def trace_scores(self, org_id: str, ref: ObjectRef) -> list[TraceScores]:
        ok = await self._ok(org_id, ref)
        if ok is None:
            return []
        d = self.dialect_class(ok)
        roots, scores, metrics = trace_scores_sql(d)
        return assemble(await self._query(roots, d.params), await self._query(scores, d.params),
                        await self._query(metrics, d.params))

    async def summary_stats(self, org_id: str, ref: ObjectRef, base: ObjectRef | None) -> list[SummaryStat]:
        ok = await self._ok(org_id, ref)
        if ok is None:
            return []
        base_ok = await self._ok(org_id, base) if base is not None else None
        d = self.dialect_class(ok)
        return summary_stats(await self._query(summary_sql(d, ok, base_ok), d.params), ok)

    async def count_rows(self, org_id: str, ref: ObjectRef) -> int:
        ok = await self._ok(org_id, ref)
        if ok is None:
            return 0
        d = self.dialect_class(ok)
        rows = await self._query(f"SELECT count(*) FROM dp_rows WHERE ok = {d.param(ok)}", d.params)
        return int(rows[0][0])

    async def max_xact(self, org_id: str, ref: ObjectRef) -> int | None:
        ok = await self._ok(org_id, ref)
        if ok is None:
            return None
        d = self.dialect_class(ok)
        rows = await self._query(f"SELECT max(xact_id) FROM dp_rows WHERE ok = {d.param(ok)}", d.params)
        return None if rows[0][0] is None else int(rows[0][0])

    async def aggregate(self, org_id: str, refs: list[ObjectRef], group_by: list[Any], measures: list[Any],
                        filter: Any = None) -> list[dict[str, Any]]:
        groups = parse_group_by(group_by)
        ms = parse_measures(measures)
        oks: dict[int, str] = {}
        for ref in refs:
            ok = await self._ok(org_id, ref)
            if ok is not None:
                oks[ok] = ref.object_id
        if not oks:
            return []
        fsql = (lambda d: compile_filter_sql(filter, d)) if filter is not None else None
        return await run_aggregate(groups, ms, list(oks), oks, lambda: self.dialect_class(list(oks)), self._query,
                                   fsql, sql_percentiles=self.dialect_class.name == "postgresql")

    # object metadata ----------------------------------------------------
    @staticmethod
    def _object_args(meta: ObjectMeta) -> tuple[Any, ...]:
        ts = parse_time(meta.created)
        return (meta.id, meta.org_id, meta.project_id, meta.object_type, meta.name, meta.created,
                ts if ts is not None else 0.0, orjson.dumps(meta.data).decode(), bool(meta.deleted))

    @staticmethod
    def _object_out(row: tuple[Any, ...]) -> ObjectMeta:
        id_, org, project, typ, name, created, data, deleted = row
        data = orjson.loads(data) if isinstance(data, (str, bytes)) else data
        return ObjectMeta(id=id_, org_id=org, project_id=project, object_type=typ, name=name, created=created,
                          data=data, deleted=bool(deleted))

    async def get_object(self, org_id: str, object_id: str) -> ObjectMeta | None:
        d = self.dialect_class(0)
        rows = await self._query(
            f"SELECT id, org_id, project_id, object_type, name, created, {_text(d, 'data')}, deleted FROM dp_objects "
            f"WHERE id = {d.param(object_id)} AND org_id = {d.param(org_id)}", d.params)
        return self._object_out(rows[0]) if rows else None

    async def list_objects(self, org_id: str, object_type: str, project_id: str | None = None,
                           name: str | None = None, limit: int = 1000, offset: int = 0,
                           include_deleted: bool = False) -> list[ObjectMeta]:
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise BadRequest("offset must be a non-negative integer")
        d = self.dialect_class(0)
        conds = [f"org_id = {d.param(org_id)}", f"object_type = {d.param(object_type)}"]
        if not include_deleted:
            conds.append("NOT deleted")
        if project_id is not None:
            conds.append(f"project_id = {d.param(project_id)}")
        if name is not None:
            conds.append(f"name = {d.param(name)}")
        rows = await self._query(
            f"SELECT id, org_id, project_id, object_type, name, created, {_text(d, 'data')}, deleted FROM dp_objects "
            f"WHERE {' AND '.join(conds)} ORDER BY created_ts DESC, id DESC LIMIT {check_limit(limit)} "
            f"OFFSET {d.param(offset)}", d.params)
        return [self._object_out(r) for r in rows]


def _text(d: RowDialect, col: str) -> str:
    return f"{col}::text" if d.name == "postgresql" else col
