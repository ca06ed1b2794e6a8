"""The org's data-plane settings, its service token, and browser tokens for calling it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from twinplane.server.common.errors import NotFound
from twinplane.server.control_plane.authn import get_runtime, require_user
from twinplane.server.control_plane.principal import Principal
from twinplane.server.control_plane.runtime import Runtime

router = APIRouter(prefix="/api/v1/orgs/{org_id}", tags=["data-plane"])


class DataPlaneBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    api_url: str = Field(..., min_length=1, max_length=2000)
    proxy_url: str | None = Field(None, max_length=2000)


class TokenBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    data_plane_id: str | None = Field(None, max_length=64)


@router.get("/data-plane")
def get_data_plane(org_id: str = Path(..., min_length=1, max_length=64), p: Principal = Depends(require_user),
                   rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    return rt.data_planes.get_for(p, org_id)


@router.put("/data-plane")
def put_data_plane(body: DataPlaneBody, org_id: str = Path(..., min_length=1, max_length=64), p: Principal = Depends(require_user),
                   rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    row, token = rt.data_planes.put_for(p, org_id, body.api_url, body.proxy_url)
    return {**row, "service_token": token} if token else row


@router.post("/data-plane/service-token")
def rotate_service_token(org_id: str = Path(..., min_length=1, max_length=64), p: Principal = Depends(require_user),
                         rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    return {"service_token": rt.data_planes.rotate_for(p, org_id)}


@router.post("/data-plane-token")
def mint_data_plane_token(org_id: str = Path(..., min_length=1, max_length=64), body: TokenBody | None = Body(None),
                          p: Principal = Depends(require_user), rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    role = p.role_in(rt.store, org_id)
    p.require_session("a browser token")
    dp = rt.data_planes.of_org(org_id)
    if dp is None:
        raise NotFound("this organization has no data plane registered yet")
    if body is not None and body.data_plane_id and body.data_plane_id != dp["id"]:
        raise NotFound("data plane not found")
    return rt.tokens.mint(user_id=p.user_id, org_id=org_id, role=role, data_plane=dp)
