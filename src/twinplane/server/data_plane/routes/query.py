"""The web UI's reads (contracts §4): ``/v1/query``, ``/v1/aggregate`` and trace pages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from twinplane.server.common.errors import BadRequest
from twinplane.server.data_plane.auth.principal import Principal
from twinplane.server.data_plane.query.aggregate import parse_aggregate
from twinplane.server.data_plane.routes.guard import authenticated, runtime
from twinplane.server.data_plane.routes.payload import read_object
from twinplane.server.data_plane.services.reader import parse_filter_text

router = APIRouter(dependencies=[Depends(authenticated)])

def _object(body: dict[str, Any]) -> tuple[str, str]:
    ot, oid = body.get("object_type"), body.get("object_id")
    if not isinstance(ot, str) or not isinstance(oid, str) or not oid:
        raise BadRequest("fields 'object_type' and 'object_id' are required strings")
    return ot, oid


@router.post("/v1/query")
async def run_query(request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    body = (await read_object(request, required=True)).value
    object_type, object_id = _object(body)
    page = await runtime(request).reader.fetch(
        p, object_type, object_id, limit=body.get("limit", 100), cursor=body.get("cursor"),
        version=body.get("version"), filter=_filter(body.get("filter")), search=body.get("search"),
        sort=body.get("sort"), roots_only=body.get("roots_only", False))
    return {"data": page.rows, "cursor": page.cursor}


@router.post("/v1/aggregate")
async def aggregate(request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    body = (await read_object(request, required=True)).value
    spec = parse_aggregate(body)  # the one spec; the store executes exactly this
    data = await runtime(request).reader.aggregate(p, spec)
    return {"data": data}


def _filter(value: Any) -> Any:
    if isinstance(value, dict):
        from twinplane.server.data_plane.query.btql import parse_btql_filter

        return parse_btql_filter(value)
    return parse_filter_text(value)


@router.get("/v1/{object_type}/{object_id}/trace/{root_span_id}")
async def trace(object_type: str, object_id: str, root_span_id: str, request: Request,
                limit: int = Query(1000, ge=1, le=1000), cursor: str | None = None,
                p: Principal = Depends(authenticated)) -> dict[str, Any]:
    page = await runtime(request).reader.trace(p, object_type, object_id, root_span_id, limit=limit, cursor=cursor)
    return {"data": page.rows, "cursor": page.cursor}
