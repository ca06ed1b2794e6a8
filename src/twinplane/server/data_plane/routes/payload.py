"""JSON in and out at the HTTP edge: orjson both ways, request bodies read once with their facts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from twinplane.server.common.errors import BadRequest
from twinplane.server.data_plane.services.row_check import parse_json


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
    if not raw.strip():
        if required:
            raise BadRequest("request body must be a JSON object")
        return Body({}, 0, False)
    return Body(parse_json(raw), len(raw), b"\\u0000" in raw)


async def read_object(request: Request, *, required: bool = False) -> Body:
    body = await read_json(request, required=required)
    if not isinstance(body.value, dict):
        raise BadRequest("request body must be a JSON object")
    if body.may_hold_nul:
        _refuse_nul_keys(body.value)
    return body


def _refuse_nul_keys(value: Any, depth: int = 0) -> None:
    if depth > 64:
        raise BadRequest("request body nests too deeply")
    if isinstance(value, dict):
        for k, v in value.items():
            if "\x00" in k:
                raise BadRequest("a field name contains a NUL character")
            _refuse_nul_keys(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            _refuse_nul_keys(v, depth + 1)


def query_bool(value: str | None) -> bool:
    return value is not None and value.lower() in ("true", "1", "yes")
