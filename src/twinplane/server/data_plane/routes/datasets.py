"""``/v1/dataset``: get-or-create by (project, name), list, get, delete, insert, fetch (with version), summarize, versions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from twinplane.server.data_plane.auth.principal import Principal
from twinplane.server.data_plane.routes import rows
from twinplane.server.data_plane.routes.guard import authenticated, runtime
from twinplane.server.data_plane.routes.payload import query_bool, read_object

router = APIRouter(dependencies=[Depends(authenticated)])


@router.post("/v1/dataset")
async def create(request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    body = (await read_object(request, required=True)).value
    return await runtime(request).catalog.dataset_get_or_create(p, body)


@router.get("/v1/dataset")
async def list_datasets(request: Request, dataset_name: str | None = None, project_id: str | None = None,
                        project_name: str | None = None, limit: int = Query(1000, ge=1, le=10_000),
                        p: Principal = Depends(authenticated)) -> dict[str, Any]:
    objects = await runtime(request).catalog.list_views(p, "dataset", project_id=project_id,
                                                        project_name=project_name, name=dataset_name, limit=limit)
    return {"objects": objects}


@router.get("/v1/dataset/{dataset_id}")
async def get(dataset_id: str, request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    return await runtime(request).catalog.dataset_get(p, dataset_id)


@router.delete("/v1/dataset/{dataset_id}")
async def delete(dataset_id: str, request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    """Purge the dataset: its rows, versions and search entries, and its name at the control plane."""
    return await runtime(request).catalog.object_delete(p, "dataset", dataset_id)


@router.post("/v1/dataset/{dataset_id}/insert")
async def insert(dataset_id: str, request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    return await rows.insert(request, p, "dataset", dataset_id)


@router.api_route("/v1/dataset/{dataset_id}/fetch", methods=["GET", "POST"])
async def fetch(dataset_id: str, request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    return await rows.fetch(request, p, "dataset", dataset_id)


@router.get("/v1/dataset/{dataset_id}/summarize")
async def summarize(dataset_id: str, request: Request, summarize_data: str | None = None,
                    p: Principal = Depends(authenticated)) -> dict[str, Any]:
    return await runtime(request).reports.dataset_summary(
        p, dataset_id, summarize_data=summarize_data is None or query_bool(summarize_data))


@router.get("/v1/dataset/{dataset_id}/versions")
async def versions(dataset_id: str, request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    return {"versions": await runtime(request).reader.object_versions(p, "dataset", dataset_id)}
