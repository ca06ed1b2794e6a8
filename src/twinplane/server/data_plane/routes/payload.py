"""JSON in and out at the HTTP edge: orjson both ways, request bodies read once with their facts.

``read_decoded`` is for routes that accept ``Content-Encoding: gzip`` (``/otel/v1/traces``): the
body middleware bounds the compressed bytes, ``inflate_gzip`` bounds what they inflate to.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from twinplane.server.common.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType
from twinplane.server.data_plane.services.row_check import check_value, parse_json


class JsonResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


@dataclass(slots=True)
class Body:
    value: Any
    size: int
    may_hold_nul: bool  # only the \u0000 escape can put a NUL in a key; skip the scan without it


async def read_json(request: Request, *, required: bool = True) -> Body:
    """Parse the body as JSON whatever Content-Type says (the SDK's /logs3 sends none)."""
    raw = await request.body()
    if not raw or raw.isspace():  # strip() would copy the whole body
        if required:
            raise BadRequest("request body must be a JSON object")
        return Body({}, 0, False)
    return Body(parse_json(raw), len(raw), b"\\u0000" in raw)


async def read_object(request: Request, *, required: bool = False, check: bool = True) -> Body:
    """The body as a JSON object. With ``check`` (every body but ``/logs3``, whose rows are checked one by
    one), nesting deeper than ``max_json_depth`` (plus the two levels of an ``{"events": [...]}``
    wrapper) and NUL characters in keys are refused."""
    body = await read_json(request, required=required)
    if not isinstance(body.value, dict):
        raise BadRequest("request body must be a JSON object")
    if check:
        problem = check_value(body.value, request.app.state.runtime.settings.max_json_depth + 2, body.may_hold_nul)
        if problem:
            raise BadRequest(f"request body: {problem}")
    return body


def inflate_gzip(raw: bytes, limit: int) -> bytes:
    """Decompress a gzip body (one or more members) to at most ``limit`` bytes, else 413: a small body that
    inflates without bound (a zip bomb) is stopped after ``limit + 1`` bytes of output, never held whole."""
    out = bytearray()
    data = raw
    while data:
        d = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            out += d.decompress(data, limit + 1 - len(out))
        except zlib.error:
            raise BadRequest("request body is not valid gzip") from None
        if len(out) > limit or d.unconsumed_tail:
            raise PayloadTooLarge(f"the request body inflates past the limit of {limit} bytes")
        if not d.eof:
            raise BadRequest("request body is truncated gzip")
        data = d.unused_data
    return bytes(out)


async def read_decoded(request: Request, limit: int) -> bytes:
    """The body with its ``Content-Encoding`` (none, ``identity`` or ``gzip``) undone."""
    raw = await request.body()
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding in ("gzip", "x-gzip"):
        return inflate_gzip(raw, limit)
    raise UnsupportedMediaType(f"Content-Encoding '{encoding[:40]}' is not supported (use gzip or none)")


def query_bool(value: str | None) -> bool:
    return value is not None and value.lower() in ("true", "1", "yes")
