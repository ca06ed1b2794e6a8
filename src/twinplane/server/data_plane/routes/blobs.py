"""Public but signed: the upload and download URLs this data plane hands out.

The SDK sends no Authorization header on these, so the URL's HMAC signature is the
credential: it names one action on one server-generated key of one org, and expires.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from twinplane.server.common.errors import PayloadTooLarge
from twinplane.server.data_plane.routes.guard import runtime

router = APIRouter()


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
    await rt.blobs.write(grant.key, b"".join(chunks))
    return {"ok": True}


@router.get("/blobs/{token}")
async def download(token: str, request: Request) -> Response:
    rt = runtime(request)
    grant = rt.blobs.verify(token, "get")
    data = await rt.blobs.read(grant.key)
    meta = await rt.blobs.read_meta(grant.key) or {}
    filename = str(meta.get("filename") or "attachment").replace('"', "").replace("\r", "").replace("\n", "")
    return Response(data, media_type=str(meta.get("content_type") or "application/octet-stream"), headers={
        # Never render stored content as a page of this origin.
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
    })
