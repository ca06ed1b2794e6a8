"""``/v1/project_logs/{project_id}``: insert and fetch a project's logs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from twinplane.server.data_plane.auth.principal import Principal
from twinplane.server.data_plane.routes import rows
from twinplane.server.data_plane.routes.guard import authenticated

router = APIRouter(dependencies=[Depends(authenticated)])


@router.post("/v1/project_logs/{project_id}/insert")
async def insert(project_id: str, request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    return await rows.insert(request, p, "project_logs", project_id)


@router.api_route("/v1/project_logs/{project_id}/fetch", methods=["GET", "POST"])
async def fetch(project_id: str, request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    return await rows.fetch(request, p, "project_logs", project_id)
