"""``/btql``: the SDK's structured query (wire §7.1): star select from one object, filter, cursor, version.

Also prompt version listing: ``audit_log: true`` against ``project_prompts`` filtered by id
returns each version with ``audit_data.action``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from twinplane.server.common.errors import BadRequest
from twinplane.server.data_plane.auth.principal import Principal
from twinplane.server.data_plane.query.ast import And, Compare, Field, In, Or
from twinplane.server.data_plane.routes.guard import authenticated, runtime
from twinplane.server.data_plane.routes.payload import read_object
from twinplane.server.data_plane.store.base import ObjectRef

router = APIRouter(dependencies=[Depends(authenticated)])


@router.post("/btql")
async def btql(request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    from twinplane.server.data_plane.query.btql import parse_btql

    rt = runtime(request)
    body = (await read_object(request, required=True)).value
    q = parse_btql(body)
    if q.audit_log:
        return await _audit_log(rt, p, q)
    page = await rt.reader.fetch(p, q.object_type, q.object_id, limit=q.limit, cursor=q.cursor, version=q.version,
                                 filter=q.filter, sort=[{"field": ".".join(s.field.path), "dir": s.dir} for s in q.sort]
                                 or None)
    return {"data": page.rows, "cursor": page.cursor}


def _ids_in(node: Any) -> list[str]:
    """Row ids an audit-log filter names: ``id = X``, ``id IN (...)``, or an AND/OR of them."""
    if isinstance(node, Compare) and node.op == "=" and isinstance(node.field, Field) and node.field.path == ("id",):
        return [str(node.value.value)]
    if isinstance(node, In) and not node.negate and node.field.path == ("id",):
        return [str(v.value) for v in node.values]
    if isinstance(node, (And, Or)):
        return [i for c in node.children for i in _ids_in(c)]
    return []


async def _audit_log(rt: Any, p: Principal, q: Any) -> dict[str, Any]:
    row_ids = list(dict.fromkeys(_ids_in(q.filter)))
    if not row_ids:
        raise BadRequest("an audit_log query needs a filter on id")
    ref = await rt.reader.ref(p, q.object_type, q.object_id)
    data: list[dict[str, Any]] = []
    for rid in row_ids[:100]:
        versions = await rt.reader.row_versions(p, ObjectRef(ref.object_type, ref.object_id), rid)
        for v in versions:
            data.append({"id": rid, "_xact_id": v.get("_xact_id"),
                         "audit_data": {"action": "merge" if v.get("_is_merge") else "upsert"}})
    data.sort(key=lambda r: str(r["_xact_id"]), reverse=True)
    return {"data": data, "cursor": None}
