"""JSON in and out at the HTTP edge: orjson both ways, request bodies read once with their facts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from twinplane.server.common.errors import BadRequest
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
    if not raw.strip():
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


def query_bool(value: str | None) -> bool:
    return value is not None and value.lower() in ("true", "1", "yes")
