"""Public but signed: the upload and download URLs this data plane hands out.

The SDK sends no Authorization header on these, so the URL's HMAC signature is the
credential: it names one action on one server-generated key of one org, and expires.
An upload URL works once: a PUT to a key that already holds bytes is a 409.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import Response

from twinplane.server.common.errors import PayloadTooLarge
from twinplane.server.data_plane.routes.attachments import MAX_MEDIA_TYPE, MEDIA_TYPE
from twinplane.server.data_plane.routes.guard import runtime

router = APIRouter()

_UNSAFE_ASCII = re.compile(r'[^\x20-\x7e]|["\\;%]')


@router.put("/blobs/{token}")
async def upload(token: str, request: Request) -> dict[str, bool]:
    rt = runtime(request)
    grant = rt.blobs.verify(token, "put")
    chunks: list[bytes] = []
    seen = 0
    async for chunk in request.stream():
        seen += len(chunk)
        if seen > grant.max_bytes:
            raise PayloadTooLarge(f"upload larger than the {grant.max_bytes} bytes this URL allows")
        chunks.append(chunk)
    await rt.blobs.create(grant.key, b"".join(chunks))
    return {"ok": True}


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the exact name as RFC 5987 ``filename*`` (UTF-8)."""
    name = "".join(ch for ch in filename if ch >= " " and ch != "\x7f")[:255] or "attachment"
    fallback = _UNSAFE_ASCII.sub("_", name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@router.get("/blobs/{token}")
async def download(token: str, request: Request) -> Response:
    rt = runtime(request)
    grant = rt.blobs.verify(token, "get")
    data = await rt.blobs.read(grant.key)
    meta = await rt.blobs.read_meta(grant.key) or {}
    content_type = str(meta.get("content_type") or "")
    if len(content_type) > MAX_MEDIA_TYPE or not MEDIA_TYPE.fullmatch(content_type):
        content_type = "application/octet-stream"
    return Response(data, media_type=content_type, headers={
        # Never render stored content as a page of this origin.
        "Content-Disposition": content_disposition(str(meta.get("filename") or "attachment")),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
    })
