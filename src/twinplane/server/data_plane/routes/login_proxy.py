"""Data-plane-only mode: the control-plane calls an SDK makes, answered here.

``POST /api/apikey/login`` is forwarded to the CONFIGURED control plane (never to a URL
taken from the request) with the caller's Authorization header and nothing else, and the
answer's ``api_url``/``proxy_url`` are rewritten to this data plane's public URL, so an
SDK that knows only this URL keeps talking to it. ``POST /api/base_experiment/get_id`` is
answered locally: this plane keeps each experiment's base.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from twinplane.server.common.errors import BadRequest, Unavailable
from twinplane.server.data_plane.auth.principal import Principal
from twinplane.server.data_plane.routes.guard import authenticated, runtime
from twinplane.server.data_plane.routes.payload import JsonResponse, read_object

logger = logging.getLogger(__name__)
router = APIRouter(dependencies=[Depends(authenticated)])

LOGIN_PATH = "/api/apikey/login"


def rewrite_login(body: Any, public_url: str) -> Any:
    if isinstance(body, dict) and isinstance(body.get("org_info"), list):
        for org in body["org_info"]:
            if isinstance(org, dict):
                org["api_url"] = public_url
                org["proxy_url"] = public_url
    return body


@router.post(LOGIN_PATH)
async def login(request: Request, p: Principal = Depends(authenticated)) -> Response:
    rt = runtime(request)
    resp = await rt.control.forward("POST", LOGIN_PATH, authorization=request.headers.get("authorization"))
    if resp.status_code >= 500:
        raise Unavailable("the control plane could not answer the login")
    try:
        body = resp.json()
    except ValueError:
        raise Unavailable("the control plane sent an unreadable login answer") from None
    if resp.status_code == 200:
        body = rewrite_login(body, rt.settings.public_url.rstrip("/"))
    return Response(orjson.dumps(body), status_code=resp.status_code, media_type="application/json")


@router.post("/api/base_experiment/get_id")
async def base_experiment(request: Request, p: Principal = Depends(authenticated)) -> JsonResponse:
    rt = runtime(request)
    body = (await read_object(request, required=True)).value
    exp_id = body.get("id")
    if not isinstance(exp_id, str) or not exp_id:
        raise BadRequest("field 'id' must be an experiment id")
    exp = await rt.objects.meta(p, "experiment", exp_id)
    base_id = exp.data.get("base_exp_id")
    if not isinstance(base_id, str) or not base_id:
        raise BadRequest("this experiment has no base experiment")
    base = await rt.objects.meta(p, "experiment", base_id)
    return JsonResponse({"base_exp_id": base.id, "base_exp_name": base.name})
