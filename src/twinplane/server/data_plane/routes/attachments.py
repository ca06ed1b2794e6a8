"""``/attachment``: upload slots, upload status and download URLs for row attachments (wire §2.7)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from twinplane.server.common.errors import BadRequest, NotFound
from twinplane.server.data_plane.auth.principal import Principal
from twinplane.server.data_plane.routes.guard import authenticated, runtime
from twinplane.server.data_plane.routes.payload import read_object

router = APIRouter(dependencies=[Depends(authenticated)])

STATUSES = ("uploading", "done", "error")


def _str(body: dict[str, Any], key: str, default: str | None = None) -> str:
    v = body.get(key, default)
    if not isinstance(v, str) or not v or len(v) > 1024:
        raise BadRequest(f"field '{key}' must be a non-empty string")
    return v


@router.post("/attachment")
async def request_upload(request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    rt = runtime(request)
    p.require_write()
    body = (await read_object(request, required=True)).value
    key = rt.blobs.attachment_key(p.org_id, _str(body, "key"))
    content_type = _str(body, "content_type", "application/octet-stream")
    await rt.blobs.write_meta(key, {"filename": _str(body, "filename", "attachment"), "content_type": content_type,
                                    "status": {"upload_status": "uploading"}})
    token = rt.blobs.grant("put", p.org_id, key, rt.settings.max_body_bytes)
    return {"signedUrl": f"{rt.settings.public_url.rstrip('/')}/blobs/{token}",
            "headers": {"Content-Type": content_type}}


@router.post("/attachment/status")
async def set_status(request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    rt = runtime(request)
    p.require_write()
    body = (await read_object(request, required=True)).value
    key = rt.blobs.attachment_key(p.org_id, _str(body, "key"))
    status = body.get("status")
    if not isinstance(status, dict) or status.get("upload_status") not in STATUSES:
        raise BadRequest("field 'status.upload_status' must be one of " + ", ".join(STATUSES))
    meta = await rt.blobs.read_meta(key)
    if meta is None:
        raise NotFound("attachment not found")
    clean: dict[str, Any] = {"upload_status": status["upload_status"]}
    if isinstance(status.get("error_message"), str):
        clean["error_message"] = status["error_message"][:2000]
    meta["status"] = clean
    await rt.blobs.write_meta(key, meta)
    return {"status": clean}


@router.get("/attachment")
async def download_url(request: Request, key: str, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    rt = runtime(request)
    server_key = rt.blobs.attachment_key(p.org_id, key)
    meta = await rt.blobs.read_meta(server_key)
    if meta is None:
        raise NotFound("attachment not found")
    token = rt.blobs.grant("get", p.org_id, server_key, 0, ttl=600)
    return {"downloadUrl": f"{rt.settings.public_url.rstrip('/')}/blobs/{token}", "status": meta.get("status")}
