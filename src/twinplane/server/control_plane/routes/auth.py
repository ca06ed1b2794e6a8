"""Sign-in, sign-out and the current user: ``/api/v1/auth/*``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from twinplane.server.common.base_path import base_path
from twinplane.server.common.errors import NotFound, Unauthorized
from twinplane.server.control_plane.authn import client_address, get_runtime, require_user
from twinplane.server.control_plane.principal import Principal
from twinplane.server.control_plane.runtime import Runtime
from twinplane.server.control_plane.services.oidc import FLOW_COOKIE, FLOW_MAX_AGE
from twinplane.server.control_plane.services.sessions import CSRF_COOKIE, SESSION_COOKIE

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class LoginBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(..., min_length=1, max_length=320)
    password: str = Field(..., min_length=1, max_length=1024)


def _cookie_path(rt: Runtime) -> str:
    return base_path(rt.settings.public_url) or "/"


def _set_session_cookies(rt: Runtime, response: Response, cookie: str, csrf: str) -> None:
    common: dict[str, Any] = {"samesite": "lax", "secure": rt.secure_cookies, "path": _cookie_path(rt),
                              "max_age": rt.settings.session_ttl_seconds}
    response.set_cookie(SESSION_COOKIE, cookie, httponly=True, **common)
    response.set_cookie(CSRF_COOKIE, csrf, httponly=False, **common)  # read by the SPA, echoed in a header


def _me(rt: Runtime, principal: Principal, csrf: str | None) -> dict[str, Any]:
    orgs, _ = rt.orgs.list_for(principal, 1000, None)
    u = principal.user
    return {"user": {"id": u["id"], "email": u["email"], "name": u["name"]},
            "orgs": [{"id": o["id"], "name": o["name"], "role": o["role"]} for o in orgs], "csrf_token": csrf}


@router.get("/config")
def auth_config(rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    return {"oidc": {"enabled": rt.oidc is not None, "display_name": rt.settings.oidc_display_name}}


@router.post("/login")
def login(body: LoginBody, request: Request, response: Response, rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    address = client_address(request)
    rt.throttle.check(address, body.email)
    try:
        user = rt.accounts.authenticate(body.email, body.password)
    except Unauthorized:
        rt.throttle.failed(address, body.email)
        raise
    cookie, csrf = rt.sessions.start(user["id"])
    _set_session_cookies(rt, response, cookie, csrf)
    return _me(rt, Principal(user=user, via="session"), csrf)


@router.post("/logout")
def logout(request: Request, response: Response, principal: Principal = Depends(require_user),
           rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    rt.sessions.end(request.cookies.get(SESSION_COOKIE))
    for name in (SESSION_COOKIE, CSRF_COOKIE):
        response.delete_cookie(name, path=_cookie_path(rt), secure=rt.secure_cookies, samesite="lax")
    return {"ok": True}


@router.get("/me")
def me(request: Request, principal: Principal = Depends(require_user), rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    session = getattr(request.state, "session", None)
    return _me(rt, principal, session.csrf_token if session else None)


@router.get("/oidc/start")
async def oidc_start(next: str = Query("/", max_length=1000, description="Path to land on afterwards."),
                     rt: Runtime = Depends(get_runtime)) -> RedirectResponse:
    if rt.oidc is None:
        raise NotFound("single sign-on is not configured on this server")
    url, flow = await rt.oidc.start(next)
    response = RedirectResponse(url, status_code=302)
    response.set_cookie(FLOW_COOKIE, flow, max_age=FLOW_MAX_AGE, httponly=True, samesite="lax",
                        secure=rt.secure_cookies, path=_cookie_path(rt))
    return response


@router.get("/oidc/callback")
async def oidc_callback(request: Request, rt: Runtime = Depends(get_runtime)) -> RedirectResponse:
    if rt.oidc is None:
        raise NotFound("single sign-on is not configured on this server")
    q = request.query_params
    flow = request.cookies.get(FLOW_COOKIE)
    user = await rt.oidc.finish(q.get("code"), q.get("state"), flow, q.get("error"))
    cookie, csrf = rt.sessions.start(user["id"])
    # a full page load, so index.html's CSP is computed for the signed-in user
    response = RedirectResponse(rt.settings.public_url.rstrip("/") + rt.oidc.next_path(flow), status_code=302)
    _set_session_cookies(rt, response, cookie, csrf)
    response.delete_cookie(FLOW_COOKIE, path=_cookie_path(rt))
    return response
