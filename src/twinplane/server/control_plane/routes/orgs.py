"""Organizations and members for the web UI."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from twinplane.server.control_plane.authn import get_runtime, require_user
from twinplane.server.control_plane.principal import Principal
from twinplane.server.control_plane.routes.paging import PageQuery, answer, page_query
from twinplane.server.control_plane.runtime import Runtime

router = APIRouter(prefix="/api/v1/orgs", tags=["orgs"])
Role = Literal["owner", "admin", "editor", "viewer"]


class OrgBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., min_length=1, max_length=200)


class MemberBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(..., min_length=3, max_length=320)
    role: Role
    password: str | None = Field(None, min_length=8, max_length=1024)


class RoleBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Role


@router.get("")
def list_orgs(p: Principal = Depends(require_user), page: PageQuery = Depends(page_query),
              rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    return answer(rt.orgs.list_for(p, page.limit, page.cursor))


@router.post("")
def create_org(body: OrgBody, p: Principal = Depends(require_user), rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    return rt.orgs.create(p, body.name)


@router.get("/{org_id}")
def get_org(org_id: str = Path(..., min_length=1, max_length=64), p: Principal = Depends(require_user), rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    return rt.orgs.get(p, org_id)


@router.get("/{org_id}/members")
def list_members(org_id: str = Path(..., min_length=1, max_length=64), p: Principal = Depends(require_user), page: PageQuery = Depends(page_query),
                 rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    return answer(rt.orgs.list_members(p, org_id, page.limit, page.cursor))


@router.post("/{org_id}/members")
def add_member(body: MemberBody, org_id: str = Path(..., min_length=1, max_length=64), p: Principal = Depends(require_user),
               rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    return rt.orgs.add_member(p, org_id, body.email, body.role, body.password)


@router.patch("/{org_id}/members/{user_id}")
def set_member_role(body: RoleBody, org_id: str = Path(..., min_length=1, max_length=64), user_id: str = Path(..., max_length=64),
                    p: Principal = Depends(require_user), rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    return rt.orgs.set_role(p, org_id, user_id, body.role)


@router.delete("/{org_id}/members/{user_id}")
def remove_member(org_id: str = Path(..., min_length=1, max_length=64), user_id: str = Path(..., max_length=64), p: Principal = Depends(require_user),
                  rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    rt.orgs.remove_member(p, org_id, user_id)
    return {"id": user_id, "deleted": True}
