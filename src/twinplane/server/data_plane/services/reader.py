"""Reads of an object's rows: fetch (with version and cursor), UI queries, traces, versions, aggregates.

Every read first resolves the object in the caller's org and project scope, so another
org's or project's id is "not found". Rows leave with ``_xact_id`` as a 19-digit string.
"""

from __future__ import annotations

from typing import Any

from twinplane.server.common.errors import BadRequest
from twinplane.server.data_plane.auth.principal import Principal
from twinplane.server.data_plane.services.objects import ObjectResolver
from twinplane.server.data_plane.services.prompts import parse_version
from twinplane.server.data_plane.store.base import ObjectRef, Page, RowQuery, Store
from twinplane.wire.xact import format_xact

MAX_LIMIT = 1000
READABLE_TYPES = ("experiment", "dataset", "project_logs", "project_prompts", "playground_logs")


def wire_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for r in rows:
        x = r.get("_xact_id")
        if isinstance(x, int):
            r["_xact_id"] = format_xact(x)
    return rows


def parse_limit(limit: Any, default: int = MAX_LIMIT) -> int:
    if limit is None:
        return default
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise BadRequest("'limit' must be a positive integer")
    return min(limit, MAX_LIMIT)


def parse_cursor(cursor: Any) -> str | None:
    if cursor is None or cursor == "":
        return None
    if not isinstance(cursor, str) or len(cursor) > 4096:
        raise BadRequest("'cursor' must be the string a previous page returned")
    return cursor


def parse_sort(sort: Any) -> list[tuple[str, Any]]:
    if sort is None:
        return []
    from twinplane.server.data_plane.query.fields import FieldError, make_field

    if not isinstance(sort, list) or len(sort) > 4:
        raise BadRequest("'sort' must be a list of at most 4 {field, dir} objects")
    out: list[tuple[str, Any]] = []
    for i, s in enumerate(sort):
        if not isinstance(s, dict) or not isinstance(s.get("field"), str):
            raise BadRequest(f"sort[{i}]: expected {{\"field\": ..., \"dir\": \"asc\"|\"desc\"}}")
        direction = s.get("dir", "desc")
        if direction not in ("asc", "desc"):
            raise BadRequest(f"sort[{i}].dir must be 'asc' or 'desc'")
        try:
            make_field(s["field"].split("."))
        except FieldError as err:
            raise BadRequest(f"sort[{i}].field: {err}") from None
        out.append((s["field"], direction))
    return out


def parse_filter_text(text: Any) -> Any:
    if text is None or text == "":
        return None
    if not isinstance(text, str) or len(text) > 10_000:
        raise BadRequest("'filter' must be a string of at most 10000 characters")
    from twinplane.server.data_plane.query.parse import parse_filter

    try:
        return parse_filter(text)
    except ValueError as err:
        raise BadRequest(f"filter: {err}") from None


class RowReader:
    def __init__(self, store: Store, objects: ObjectResolver) -> None:
        self._store = store
        self._objects = objects

    async def ref(self, principal: Principal, object_type: str, object_id: str) -> ObjectRef:
        if object_type not in READABLE_TYPES:
            raise BadRequest(f"unknown object type '{object_type}'")
        await self._objects.project_id_of(principal, object_type, object_id)
        return ObjectRef(object_type, object_id)

    async def fetch(self, principal: Principal, object_type: str, object_id: str, *, limit: Any = None,
                    cursor: Any = None, version: Any = None, filter: Any = None, search: Any = None,
                    sort: Any = None, roots_only: Any = False) -> Page:
        ref = await self.ref(principal, object_type, object_id)
        if search is not None and (not isinstance(search, str) or len(search) > 1000):
            raise BadRequest("'search' must be a string of at most 1000 characters")
        if not isinstance(roots_only, bool):
            raise BadRequest("'roots_only' must be a boolean")
        q = RowQuery(org_id=principal.org_id, ref=ref, version=parse_version(version), limit=parse_limit(limit),
                     cursor=parse_cursor(cursor), filter=filter, search=search or None, sort=parse_sort(sort),
                     roots_only=roots_only)
        page = await self._store.fetch_rows(q)
        page.rows = wire_rows(page.rows)
        return page

    async def trace(self, principal: Principal, object_type: str, object_id: str, root_span_id: str, *,
                    limit: Any = None, cursor: Any = None) -> Page:
        ref = await self.ref(principal, object_type, object_id)
        page = await self._store.trace(principal.org_id, ref, root_span_id, limit=parse_limit(limit),
                                       cursor=parse_cursor(cursor))
        page.rows = wire_rows(page.rows)
        return page

    async def object_versions(self, principal: Principal, object_type: str, object_id: str) -> list[dict[str, Any]]:
        ref = await self.ref(principal, object_type, object_id)
        out = []
        for v in await self._store.object_versions(principal.org_id, ref):
            x = v.get("xact_id", v.get("_xact_id"))
            out.append({"_xact_id": format_xact(x) if isinstance(x, int) else x, "created": v.get("created"),
                        "rows_changed": v.get("rows_changed")})
        return out

    async def row_versions(self, principal: Principal, ref: ObjectRef, row_id: str) -> list[dict[str, Any]]:
        return wire_rows(await self._store.row_versions(principal.org_id, ref, row_id))

    async def aggregate(self, principal: Principal, object_type: str, object_ids: list[str], *, group_by: Any,
                        measures: Any, filter: Any = None) -> list[dict[str, Any]]:
        refs = [await self.ref(principal, object_type, oid) for oid in object_ids]
        return await self._store.aggregate(principal.org_id, refs, group_by, measures, filter=filter)
