"""``/v1/experiment``: create (``ensure_new``), list, get, delete, insert, fetch, summarize, compare."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from twinplane.server.data_plane.auth.principal import Principal
from twinplane.server.data_plane.routes import rows
from twinplane.server.data_plane.routes.guard import authenticated, runtime
from twinplane.server.data_plane.routes.payload import query_bool, read_object

router = APIRouter(dependencies=[Depends(authenticated)])


@router.post("/v1/experiment")
async def create(request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    body = (await read_object(request, required=True)).value
    return await runtime(request).catalog.experiment_create(p, body)


@router.get("/v1/experiment")
async def list_experiments(request: Request, experiment_name: str | None = None, project_id: str | None = None,
                           project_name: str | None = None, limit: int = Query(1000, ge=1, le=10_000),
                           p: Principal = Depends(authenticated)) -> dict[str, Any]:
    objects = await runtime(request).catalog.list_views(p, "experiment", project_id=project_id,
                                                        project_name=project_name, name=experiment_name, limit=limit)
    return {"objects": objects}


@router.get("/v1/experiment/{experiment_id}")
async def get(experiment_id: str, request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    return await runtime(request).catalog.experiment_get(p, experiment_id)


@router.delete("/v1/experiment/{experiment_id}")
async def delete(experiment_id: str, request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    """Purge the experiment: its rows, versions and search entries, and its name at the control plane."""
    return await runtime(request).catalog.object_delete(p, "experiment", experiment_id)


@router.post("/v1/experiment/{experiment_id}/insert")
async def insert(experiment_id: str, request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    return await rows.insert(request, p, "experiment", experiment_id)


@router.api_route("/v1/experiment/{experiment_id}/fetch", methods=["GET", "POST"])
async def fetch(experiment_id: str, request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    return await rows.fetch(request, p, "experiment", experiment_id)


@router.get("/v1/experiment/{experiment_id}/summarize")
async def summarize(experiment_id: str, request: Request, summarize_scores: str | None = None,
                    comparison_experiment_id: str | None = None,
                    p: Principal = Depends(authenticated)) -> dict[str, Any]:
    return await runtime(request).reports.experiment_summary(
        p, experiment_id, summarize_scores=summarize_scores is None or query_bool(summarize_scores),
        comparison_experiment_id=comparison_experiment_id or None)


@router.get("/v1/experiment/{experiment_id}/compare")
async def compare(experiment_id: str, request: Request, with_: list[str] = Query([], alias="with", max_length=8),
                  p: Principal = Depends(authenticated)) -> dict[str, Any]:
    return await runtime(request).reports.compare(p, experiment_id, with_)
