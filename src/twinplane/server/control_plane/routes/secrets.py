"""LLM provider secrets for the web UI: write-only values, listed masked."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from twinplane.server.control_plane.authn import get_runtime, require_user
from twinplane.server.control_plane.principal import Principal
from twinplane.server.control_plane.routes.paging import PageQuery, answer, page_query
from twinplane.server.control_plane.runtime import Runtime

router = APIRouter(prefix="/api/v1/orgs/{org_id}/secrets", tags=["secrets"])


class SecretBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., min_length=1, max_length=200)
    provider: str = Field(..., min_length=1, max_length=100)
    value: str = Field(..., min_length=1, max_length=16384)
    metadata: dict[str, Any] | None = None


@router.get("")
def list_secrets(org_id: str = Path(..., min_length=1, max_length=64), p: Principal = Depends(require_user), page: PageQuery = Depends(page_query),
                 rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    return answer(rt.secrets.list_for(p, org_id, page.limit, page.cursor))


@router.post("")
def put_secret(body: SecretBody, org_id: str = Path(..., min_length=1, max_length=64), p: Principal = Depends(require_user),
               rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    return rt.secrets.put(p, org_id, body.name, body.provider, body.value, body.metadata)


@router.delete("/{secret_id}")
def delete_secret(org_id: str = Path(..., min_length=1, max_length=64), secret_id: str = Path(..., min_length=1, max_length=64), p: Principal = Depends(require_user),
                  rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    rt.secrets.delete(p, org_id, secret_id)
    return {"id": secret_id, "deleted": True}
