"""``POST /otel/v1/traces``: OTLP/HTTP trace export (protobuf or JSON, optionally gzip) into span rows.

Any OTLP exporter can point here (docs/otel.md); the parent object comes from ``x-bt-parent``
(``project_name:``, ``project_id:``, ``experiment_id:``) or a ``braintrust.parent`` attribute.
Success is what OTLP expects, an empty ``ExportTraceServiceResponse`` in the request's encoding;
failures are the usual JSON error body.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from twinplane.server.common.errors import UnsupportedMediaType
from twinplane.server.data_plane.auth.principal import Principal
from twinplane.server.data_plane.routes.guard import authenticated, runtime
from twinplane.server.data_plane.routes.payload import read_decoded
from twinplane.server.data_plane.services.otlp import EMPTY_RESPONSE, decode_json, decode_protobuf
from twinplane.server.data_plane.services.row_check import parse_json

router = APIRouter(dependencies=[Depends(authenticated)])

PROTOBUF_TYPES = ("application/x-protobuf", "application/protobuf")
JSON_TYPE = "application/json"


@router.post("/otel/v1/traces")
async def traces(request: Request, p: Principal = Depends(authenticated)) -> Response:
    rt = runtime(request)
    p.require_write()  # before the body is read: a read-only key learns nothing about its payload
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in PROTOBUF_TYPES and content_type != JSON_TYPE:
        raise UnsupportedMediaType("Content-Type must be application/x-protobuf or application/json (OTLP/HTTP)")
    raw = await read_decoded(request, rt.settings.max_body_bytes)
    if content_type == JSON_TYPE:
        spans = decode_json(parse_json(raw) if raw.strip() else {})
        may_hold_nul = b"\\u0000" in raw
    else:
        spans = decode_protobuf(raw)
        may_hold_nul = b"\x00" in raw  # protobuf strings are raw bytes: any NUL may sit in one
    await rt.traces.export(p, spans, parent=request.headers.get("x-bt-parent") or None,
                           may_hold_nul=may_hold_nul)
    if content_type == JSON_TYPE:
        return Response(b"{}", media_type=JSON_TYPE)
    return Response(EMPTY_RESPONSE, media_type="application/x-protobuf")
