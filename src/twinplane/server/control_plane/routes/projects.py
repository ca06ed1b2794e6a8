"""Projects and their object names for the web UI."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from twinplane.server.control_plane.authn import get_runtime, require_user
from twinplane.server.control_plane.principal import Principal
from twinplane.server.control_plane.routes.paging import PageQuery, answer, page_query
from twinplane.server.control_plane.runtime import Runtime

router = APIRouter(prefix="/api/v1", tags=["projects"])


class ProjectBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., min_length=1, max_length=300)
    settings: dict[str, Any] | None = None


class ProjectPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, min_length=1, max_length=300)
    settings: dict[str, Any] | None = None


@router.get("/orgs/{org_id}/projects")
def list_projects(org_id: str = Path(..., min_length=1, max_length=64), p: Principal = Depends(require_user), page: PageQuery = Depends(page_query),
                  rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    return answer(rt.projects.list_for(p, org_id, page.limit, page.cursor))


@router.post("/orgs/{org_id}/projects")
def create_project(body: ProjectBody, org_id: str = Path(..., min_length=1, max_length=64), p: Principal = Depends(require_user),
                   rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    return rt.projects.create(p, org_id, body.name, body.settings)


@router.get("/projects/{project_id}")
def get_project(project_id: str = Path(..., min_length=1, max_length=64), p: Principal = Depends(require_user),
                rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    return rt.projects.visible(p, project_id)


@router.patch("/projects/{project_id}")
def update_project(body: ProjectPatch, project_id: str = Path(..., min_length=1, max_length=64), p: Principal = Depends(require_user),
                   rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    return rt.projects.update(p, project_id, body.name, body.settings)


@router.delete("/projects/{project_id}")
def delete_project(project_id: str = Path(..., min_length=1, max_length=64), p: Principal = Depends(require_user),
                   rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    rt.projects.delete(p, project_id)
    return {"id": project_id, "deleted": True}


@router.get("/projects/{project_id}/objects")
def list_project_objects(project_id: str = Path(..., min_length=1, max_length=64),
                         object_type: Literal["experiment", "dataset", "prompt"] | None = Query(None),
                         p: Principal = Depends(require_user), page: PageQuery = Depends(page_query),
                         rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    project = rt.projects.visible(p, project_id)
    return answer(rt.objects.list(project["org_id"], page.limit, page.cursor, project_id=project_id,
                                  object_type=object_type))
