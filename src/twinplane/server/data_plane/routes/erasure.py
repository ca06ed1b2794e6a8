"""``/v1/erasure``: erase a data subject's rows from every store of this data plane, with a receipt
(``services/erasure.py``); list and read the receipts. Org admins only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from twinplane.server.data_plane.auth.principal import Principal
from twinplane.server.data_plane.routes.guard import authenticated, runtime
from twinplane.server.data_plane.routes.payload import read_object

router = APIRouter(dependencies=[Depends(authenticated)])


@router.post("/v1/erasure")
async def erase(request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    body = (await read_object(request, required=True)).value
    return await runtime(request).erasure.erase(p, body)


@router.get("/v1/erasure")
async def receipts(request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    return {"objects": await runtime(request).erasure.receipts(p)}


@router.get("/v1/erasure/{receipt_id}")
async def receipt(receipt_id: str, request: Request, p: Principal = Depends(authenticated)) -> dict[str, Any]:
    return await runtime(request).erasure.receipt(p, receipt_id)
