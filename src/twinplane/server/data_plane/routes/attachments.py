"""``/attachment``: upload slots, upload status and download URLs for row attachments (wire §2.7).

An attachment belongs to the project scope of the credential that created it (``None``: org-wide);
a key scoped to another project is told it does not exist. A finished attachment is final: a new
slot for its key is a 409, and its upload URL is single-use (``BlobStore.create``).
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Request

from twinplane.server.common.errors import BadRequest, Conflict, NotFound
from twinplane.server.data_plane.auth.principal import Principal
from twinplane.server.data_plane.blobs import PUT_TTL_SECONDS
from twinplane.server.data_plane.routes.guard import authenticated, runtime
from twinplane.server.data_plane.routes.payload import read_object

router = APIRouter(dependencies=[Depends(authenticated)])

STATUSES = ("uploading", "done", "error")
# RFC 9110 media type: type "/" subtype *( ";" parameter ), tokens only (no CR/LF can reach a header)
_TCHARS = r"[A-Za-z0-9!#$%&'*+.^_`|~-]+"
MEDIA_TYPE = re.compile(rf"{_TCHARS}/{_TCHARS}(?:[ \t]*;[ \t]*{_TCHARS}=(?:{_TCHARS}|\"[^\"\\\x00-\x1f\x7f]*\"))*")
MAX_MEDIA_TYPE = 255


def _str(body: dict[str, Any], key: str, default: str | None = None) -> str:
    v = body.get(key, default)
    if not isinstance(v, str) or not v or len(v) > 1024:
        raise BadRequest(f"field '{key}' must be a non-empty string")
    return v


def media_type(value: str) -> str:
    if len(value) > MAX_MEDIA_TYPE or not MEDIA_TYPE.fullmatch(value):
        raise BadRequest(f"field 'content_type' must be a media type such as 'text/plain' "
                         f"(at most {MAX_MEDIA_TYPE} characters)")
    return value


async def _meta_for(request: Request, p: Principal, client_key: Any) -> tuple[str, dict[str, Any] | None]:
    """The server key and metadata of an attachment; another project's attachment is 404."""
    rt = runtime(request)
    if not isinstance(client_key, str):
        raise BadRequest("field 'key' must be a non-empty string")
    key = rt.blobs.attachment_key(p.org_id, client_key)
    meta = await rt.blobs.read_meta(key)
    if meta is not None and not p.sees_project(meta.get("project_id")):
        raise NotFound("attachment not found")
    return key, meta


@router.post("/attachment")
async def request_upload(request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    rt = runtime(request)
    p.require_write()
    body = (await read_object(request, required=True)).value
    key, meta = await _meta_for(request, p, _str(body, "key"))
    content_type = media_type(_str(body, "content_type", "application/octet-stream"))
    filename = _str(body, "filename", "attachment")
    if (meta is not None and (meta.get("status") or {}).get("upload_status") == "done") or await rt.blobs.exists(key):
        raise Conflict("this attachment was already uploaded; attachments cannot be replaced")
    await rt.blobs.write_meta(key, {"filename": filename, "content_type": content_type,
                                    "project_id": p.project_id, "status": {"upload_status": "uploading"}})
    token = rt.blobs.grant("put", p.org_id, key, rt.settings.max_body_bytes, ttl=PUT_TTL_SECONDS)
    return {"signedUrl": f"{rt.settings.public_url.rstrip('/')}/blobs/{token}",
            "headers": {"Content-Type": content_type}}


@router.post("/attachment/status")
async def set_status(request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    rt = runtime(request)
    p.require_write()
    body = (await read_object(request, required=True)).value
    key, meta = await _meta_for(request, p, _str(body, "key"))
    status = body.get("status")
    if not isinstance(status, dict) or status.get("upload_status") not in STATUSES:
        raise BadRequest("field 'status.upload_status' must be one of " + ", ".join(STATUSES))
    if meta is None:
        raise NotFound("attachment not found")
    current = meta.get("status") or {}
    if current.get("upload_status") == "done":
        if status["upload_status"] == "done":
            return {"status": current}  # a re-sent "done" (SDK retry) is a no-op
        raise Conflict("this attachment is done; its status is final")
    clean: dict[str, Any] = {"upload_status": status["upload_status"]}
    if isinstance(status.get("error_message"), str):
        clean["error_message"] = status["error_message"][:2000]
    meta["status"] = clean
    await rt.blobs.write_meta(key, meta)
    return {"status": clean}


@router.get("/attachment")
async def download_url(request: Request, key: str, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    rt = runtime(request)
    server_key, meta = await _meta_for(request, p, key)
    if meta is None:
        raise NotFound("attachment not found")
    token = rt.blobs.grant("get", p.org_id, server_key, 0, ttl=600)
    return {"downloadUrl": f"{rt.settings.public_url.rstrip('/')}/blobs/{token}", "status": meta.get("status")}
