"""Reads of an object's rows: fetch (with version and cursor), UI queries, traces, versions, aggregates.

Every read first resolves the object in the caller's org and project scope, so another
org's or project's id is "not found". Rows leave with ``_xact_id`` as a 19-digit string.
"""

from __future__ import annotations

from typing import Any, cast

from twinplane.server.common.errors import BadRequest
from twinplane.server.data_plane.auth.principal import Principal
from twinplane.server.data_plane.query.aggregate import AggregateSpec
from twinplane.server.data_plane.query.ast import Field, SortDir
from twinplane.server.data_plane.query.fields import FieldError, check_string, dotted, make_field
from twinplane.server.data_plane.query.parse import parse_sort as query_parse_sort
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


def parse_sort(sort: Any) -> list[tuple[Field, Any]]:
    """``[{"field", "dir"}]`` (or the typed language's ``"created desc, scores.x"``) through the query
    parser: quoted segments, the allow-list and its limits. A ``{"field"}`` without ``dir`` sorts
    descending (this API's default since the start)."""
    if sort is None:
        return []
    items: Any = sort
    if isinstance(sort, list):
        items = []
        for s in sort:
            if isinstance(s, dict) and isinstance(s.get("field"), str):
                s = {**s, "field": side_field_text(s["field"])}
                s.setdefault("dir", "desc")
            items.append(s)
    return [(s.field, s.dir) for s in query_parse_sort(items)]


def side_field_text(text: str) -> str:
    """``scores.Exact Match`` (as the UI spells a score) → ``scores."Exact Match"``; other text as is.

    Score and metric names are one segment whatever they hold, so the unquoted spelling is
    unambiguous; ``make_field`` checks the name before it is quoted."""
    root, dot, name = text.partition(".")
    if dot and root in ("scores", "metrics") and name and not name.startswith('"'):
        try:
            return dotted(make_field([root, name]))
        except FieldError as err:
            raise BadRequest(f"sort field: {err}") from None
    return text


def parse_search(search: Any) -> str | None:
    if search is None or search == "":
        return None
    if not isinstance(search, str) or len(search) > 1000:
        raise BadRequest("'search' must be a string of at most 1000 characters")
    try:
        check_string(search)
    except FieldError as err:
        raise BadRequest(f"search: {err}") from None
    return search


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
        if not isinstance(roots_only, bool):
            raise BadRequest("'roots_only' must be a boolean")
        q = RowQuery(org_id=principal.org_id, ref=ref, version=parse_version(version), limit=parse_limit(limit),
                     cursor=parse_cursor(cursor), filter=filter, search=parse_search(search),
                     # RowQuery.sort is annotated str, but the store takes the parsed Field (row_select._sort_field)
                     sort=cast("list[tuple[str, SortDir]]", parse_sort(sort)),
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

    async def aggregate(self, principal: Principal, spec: AggregateSpec) -> list[dict[str, Any]]:
        """Run a checked ``AggregateSpec`` over the objects the caller can see (another's is 404)."""
        refs = [await self.ref(principal, spec.object_type, oid) for oid in spec.object_ids]
        return await self._store.aggregate(principal.org_id, refs, list(spec.group_by), list(spec.measures),
                                           filter=spec.filter)
