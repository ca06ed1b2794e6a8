"""``/logs3``: the SDK's row ingest (raw body, no Content-Type), and its overflow upload slots.

An overflow payload is deleted once its rows are committed; slots never referenced are swept
by the runtime (``Runtime._sweep_overflow``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from twinplane.server.common.errors import BadRequest, PayloadTooLarge
from twinplane.server.data_plane.auth.principal import Principal
from twinplane.server.data_plane.blobs import PUT_TTL_SECONDS
from twinplane.server.data_plane.routes.guard import authenticated, runtime
from twinplane.server.data_plane.routes.payload import read_object
from twinplane.server.data_plane.services.row_check import parse_json
from twinplane.wire.xact import format_xact

router = APIRouter(dependencies=[Depends(authenticated)])


@router.post("/logs3")
async def logs3(request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    rt = runtime(request)
    p.require_write()
    body = await read_object(request, required=True, check=False)  # rows are checked one by one
    rows = body.value.get("rows")
    size, may_hold_nul = body.size, body.may_hold_nul
    if isinstance(rows, dict):
        # An overflow reference: the batch was uploaded to a URL this data plane handed out.
        if rows.get("type") != "logs3_overflow" or not isinstance(rows.get("key"), str):
            raise BadRequest("'rows' must be a list, or an overflow reference {type: 'logs3_overflow', key}")
        key = rt.blobs.check_key(p.org_id, rows["key"], "overflow")
        raw = await rt.blobs.read(key)
        payload = parse_json(raw, "overflow payload")
        if not isinstance(payload, dict) or not isinstance(payload.get("rows"), list):
            raise BadRequest("overflow payload must be {\"rows\": [...]}")
        rows, size, may_hold_nul = payload["rows"], len(raw), b"\\u0000" in raw
        result = await rt.ingest.write(p, rows, raw_size=size, may_hold_nul=may_hold_nul)
        # Committed now: a raw copy left in the blob store would escape purge and erasure.
        await rt.blobs.delete(key)
    else:
        result = await rt.ingest.write(p, rows, raw_size=size, may_hold_nul=may_hold_nul)
    return {"row_ids": result.row_ids, "xact_id": format_xact(result.xact_id)}


@router.post("/logs3/overflow")
async def logs3_overflow(request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    rt = runtime(request)
    p.require_write()
    body = (await read_object(request, required=True)).value
    size = body.get("size_bytes")
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise BadRequest("'size_bytes' must be a positive integer")
    if size > rt.settings.max_body_bytes:
        raise PayloadTooLarge(f"overflow payload larger than {rt.settings.max_body_bytes} bytes")
    key = rt.blobs.new_key(p.org_id, "overflow")
    token = rt.blobs.grant("put", p.org_id, key, size, ttl=PUT_TTL_SECONDS)
    return {
        "method": "PUT",
        "signedUrl": f"{rt.settings.public_url.rstrip('/')}/blobs/{token}",
        "key": key,
        "headers": {"Content-Type": "application/json"},
    }
