"""Public: liveness, readiness and the SDK's version handshake (which only advertises limits)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request

from twinplane.server.common.errors import Unavailable
from twinplane.server.data_plane.routes.guard import runtime

logger = logging.getLogger(__name__)
router = APIRouter()


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> dict[str, str]:
    rt = runtime(request)
    if rt.auth.org_id is None:
        raise Unavailable("not ready: the control plane has not been reached yet")
    try:
        await rt.store.ping()
    except Exception as err:  # noqa: BLE001 - any failure means not ready
        logger.warning("readiness: store ping failed (%s)", type(err).__name__)
        raise Unavailable("not ready: the database does not answer") from None
    return {"status": "ready"}


@router.get("/version")
async def version(request: Request) -> dict[str, object]:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as pkg_version

    try:
        v = pkg_version("twinplane")
    except PackageNotFoundError:
        v = "dev"
    return {"version": v, "logs3_payload_max_bytes": runtime(request).settings.logs3_payload_max_bytes}
