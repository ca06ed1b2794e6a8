"""``/internal/v1/*``: the data planes' API, authenticated by service token (contracts.md §2).

The org is always the one the calling data plane is registered for; nothing in a request can
change it, so another org's ids simply are not found.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from twinplane.server.common.errors import BadRequest, NotFound
from twinplane.server.control_plane.authn import get_runtime, require_data_plane
from twinplane.server.control_plane.principal import DataPlaneCaller
from twinplane.server.control_plane.routes.paging import PageQuery, answer, page_query
from twinplane.server.control_plane.runtime import Runtime
from twinplane.server.control_plane.services.data_planes import origin_of

router = APIRouter(prefix="/internal/v1", tags=["internal"])
ObjectType = Literal["experiment", "dataset", "prompt"]


class IntrospectBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(..., max_length=512)


class ProjectBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., min_length=1, max_length=300)


class ObjectBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    object_type: ObjectType
    project_id: str = Field(..., min_length=1, max_length=64)
    name: str = Field(..., min_length=1, max_length=300)
    slug: str | None = Field(None, max_length=300)
    ensure_new: bool = False


class SecretQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, max_length=200)
    provider: str | None = Field(None, max_length=100)


def _project(row: dict[str, Any], created_now: bool | None = None) -> dict[str, Any]:
    out = {k: row[k] for k in ("id", "org_id", "name", "created", "settings")}
    if created_now is not None:
        out["created_now"] = created_now
    return out


@router.post("/introspect")
def introspect(body: IntrospectBody, dp: DataPlaneCaller = Depends(require_data_plane),
               rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    return rt.api_keys.introspect(body.token, dp.org_id)


@router.get("/data-plane")
def data_plane(dp: DataPlaneCaller = Depends(require_data_plane), rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    row = dp.data_plane
    org = rt.store.get_org(row["org_id"]) or {}
    return {"id": row["id"], "org_id": row["org_id"], "org_name": org.get("name"), "api_url": row["api_url"],
            "proxy_url": row["proxy_url"], "allowed_origins": [origin_of(rt.settings.public_url)]}


@router.post("/projects")
def register_project(body: ProjectBody, dp: DataPlaneCaller = Depends(require_data_plane),
                     rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    row, created = rt.projects.get_or_create(dp.org_id, body.name)
    return _project(row, created)


@router.get("/projects")
def find_projects(name: str | None = Query(None, max_length=300), id: str | None = Query(None, max_length=64),
                  page: PageQuery = Depends(page_query), dp: DataPlaneCaller = Depends(require_data_plane),
                  rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    rows, nxt = rt.store.list_projects(dp.org_id, page.limit, page.cursor, name=name, project_id=id)
    return answer(([_project(r) for r in rows], nxt))


@router.get("/projects/{project_id}")
def get_project(project_id: str = Path(..., min_length=1, max_length=64), dp: DataPlaneCaller = Depends(require_data_plane),
                rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    return _project(rt.projects.get_in_org(dp.org_id, project_id))


@router.delete("/projects/{project_id}")
def delete_project(project_id: str = Path(..., min_length=1, max_length=64), dp: DataPlaneCaller = Depends(require_data_plane),
                   rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    """The data plane purged the project's data: drop its name and its objects' names."""
    if not rt.store.delete_project(dp.org_id, project_id):
        raise NotFound("project not found")
    return {"id": project_id, "deleted": True}


@router.post("/objects")
def register_object(body: ObjectBody, dp: DataPlaneCaller = Depends(require_data_plane),
                    rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    return rt.objects.register(dp.org_id, body.project_id, body.object_type, body.name, body.slug, body.ensure_new)


@router.get("/objects")
def find_objects(object_type: ObjectType | None = Query(None), project_id: str | None = Query(None, max_length=64),
                 name: str | None = Query(None, max_length=300), slug: str | None = Query(None, max_length=300),
                 id: str | None = Query(None, max_length=64), page: PageQuery = Depends(page_query),
                 dp: DataPlaneCaller = Depends(require_data_plane), rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    return answer(rt.objects.list(dp.org_id, page.limit, page.cursor, object_type=object_type,
                                  project_id=project_id, name=name, slug=slug, id=id))


@router.get("/objects/{object_id}")
def get_object(object_id: str = Path(..., min_length=1, max_length=64), dp: DataPlaneCaller = Depends(require_data_plane),
               rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    return rt.objects.get(dp.org_id, object_id)


@router.delete("/objects/{object_id}")
def delete_object(object_id: str = Path(..., min_length=1, max_length=64), dp: DataPlaneCaller = Depends(require_data_plane),
                  rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    rt.objects.delete(dp.org_id, object_id)
    return {"id": object_id, "deleted": True}


@router.post("/secrets/resolve")
def resolve_secret(body: SecretQuery, dp: DataPlaneCaller = Depends(require_data_plane),
                   rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    if not body.name and not body.provider:
        raise BadRequest("give the secret's name or provider")
    return rt.secrets.resolve(dp.org_id, name=body.name, provider=body.provider)
