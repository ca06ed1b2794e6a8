"""``/v1/project``: get-or-create by name (registered at the control plane), get by id, list, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from twinplane.server.data_plane.auth.principal import Principal
from twinplane.server.data_plane.routes.guard import authenticated, runtime
from twinplane.server.data_plane.routes.payload import read_object

router = APIRouter(dependencies=[Depends(authenticated)])


@router.post("/v1/project")
async def create(request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    body = (await read_object(request, required=True)).value
    return await runtime(request).catalog.project_get_or_create(p, body)


@router.get("/v1/project")
async def list_projects(request: Request, project_name: str | None = None, name: str | None = None,
                        p: Principal = Depends(authenticated)) -> dict[str, Any]:
    return {"objects": await runtime(request).catalog.project_list(p, project_name or name)}


@router.get("/v1/project/{project_id}")
async def get(project_id: str, request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    return await runtime(request).catalog.project_get(p, project_id)


@router.delete("/v1/project/{project_id}")
async def delete(project_id: str, request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    """Purge the project's logs, experiments, datasets and prompts, then drop its names at the control plane."""
    return await runtime(request).catalog.project_delete(p, project_id)
