"""``/v1/prompt``: save (new version), find by project and slug (exactly one), get by id, delete, versions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from twinplane.server.common.errors import NotFound
from twinplane.server.data_plane.auth.principal import Principal
from twinplane.server.data_plane.routes.guard import authenticated, runtime
from twinplane.server.data_plane.routes.payload import read_object

router = APIRouter(dependencies=[Depends(authenticated)])


@router.post("/v1/prompt")
async def save(request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    body = (await read_object(request, required=True)).value
    return await runtime(request).prompts.save(p, body)


@router.get("/v1/prompt")
async def find(request: Request, project_name: str | None = None, project_id: str | None = None,
               slug: str | None = None, version: str | None = None,
               p: Principal = Depends(authenticated)) -> dict[str, Any]:
    rt = runtime(request)
    try:
        pid = await rt.catalog.resolve_project(p, project_id, project_name)
    except NotFound:
        return {"objects": []}  # like any list: an unknown or invisible project holds nothing
    return {"objects": await rt.prompts.find(p, project_id=pid, slug=slug, version=version)}


@router.get("/v1/prompt/{prompt_id}")
async def get(prompt_id: str, request: Request, version: str | None = None,
              p: Principal = Depends(authenticated)) -> dict[str, Any]:
    return await runtime(request).prompts.get(p, prompt_id, version)


@router.delete("/v1/prompt/{prompt_id}")
async def delete(prompt_id: str, request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    """Delete the prompt and every version of it; its name and slug are free again."""
    return await runtime(request).prompts.delete(p, prompt_id)


@router.get("/v1/prompt/{prompt_id}/versions")
async def versions(prompt_id: str, request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    return {"versions": await runtime(request).prompts.versions(p, prompt_id)}
