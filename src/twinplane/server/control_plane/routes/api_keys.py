"""API keys for the web UI: create (shown once), list (masked), revoke."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from twinplane.server.control_plane.authn import get_runtime, require_user
from twinplane.server.control_plane.principal import Principal
from twinplane.server.control_plane.routes.paging import PageQuery, answer, page_query
from twinplane.server.control_plane.runtime import Runtime

router = APIRouter(prefix="/api/v1/orgs/{org_id}/api-keys", tags=["api-keys"])


class KeyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., min_length=1, max_length=200)
    project_id: str | None = Field(None, max_length=64)
    read_only: bool = False
    expires_at: datetime | None = None


@router.get("")
def list_keys(org_id: str = Path(..., min_length=1, max_length=64), p: Principal = Depends(require_user), page: PageQuery = Depends(page_query),
              rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    return answer(rt.api_keys.list_for(p, org_id, page.limit, page.cursor))


@router.post("")
def create_key(body: KeyBody, org_id: str = Path(..., min_length=1, max_length=64), p: Principal = Depends(require_user),
               rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    row, key = rt.api_keys.create(p, org_id, body.name, body.project_id, body.read_only, body.expires_at)
    return {**row, "key": key}


@router.delete("/{key_id}")
def revoke_key(org_id: str = Path(..., min_length=1, max_length=64), key_id: str = Path(..., min_length=1, max_length=64), p: Principal = Depends(require_user),
               rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    rt.api_keys.revoke(p, org_id, key_id)
    return {"id": key_id, "revoked": True}
