"""Public endpoints: the JWKS that data planes verify browser tokens against, health, readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response

from twinplane.server.common.errors import Unavailable
from twinplane.server.control_plane.authn import get_runtime
from twinplane.server.control_plane.runtime import Runtime

router = APIRouter(tags=["public"])


@router.get("/.well-known/jwks.json")
def jwks(response: Response, rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    response.headers["Cache-Control"] = "public, max-age=300"
    return rt.tokens.jwks()


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(rt: Runtime = Depends(get_runtime)) -> dict[str, str]:
    try:
        rt.store.ping()
    except Exception:  # noqa: BLE001 - any database failure means not ready
        raise Unavailable("the database is not reachable") from None
    return {"status": "ready"}
