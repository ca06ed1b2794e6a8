"""Row endpoints shared by experiments, datasets and project logs: ``/insert`` and ``/fetch``."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from twinplane.server.data_plane.auth.principal import Principal
from twinplane.server.data_plane.routes.guard import runtime
from twinplane.server.data_plane.routes.payload import read_object


async def insert(request: Request, p: Principal, object_type: str, object_id: str) -> dict[str, Any]:
    rt = runtime(request)
    p.require_write()
    body = await read_object(request, required=True)
    result = await rt.ingest.insert_events(p, object_type, object_id, body.value.get("events"),
                                           raw_size=body.size, may_hold_nul=body.may_hold_nul)
    return {"row_ids": result.row_ids}


async def fetch(request: Request, p: Principal, object_type: str, object_id: str) -> dict[str, Any]:
    """POST with a JSON body, or GET with the same fields as query parameters."""
    rt = runtime(request)
    if request.method == "GET":
        q = request.query_params
        params: dict[str, Any] = {"cursor": q.get("cursor"), "version": q.get("version")}
        if q.get("limit"):
            try:
                params["limit"] = int(q["limit"])
            except ValueError:
                params["limit"] = q["limit"]
    else:
        params = (await read_object(request)).value
    page = await rt.reader.fetch(p, object_type, object_id, limit=params.get("limit"),
                                 cursor=params.get("cursor"), version=params.get("version"))
    return {"events": page.rows, "cursor": page.cursor}
