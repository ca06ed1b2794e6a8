"""The data plane's client of the control plane's internal API (contracts §2).

Every call carries the service token; the org is implied by it. Failures are split in
two on purpose: ``ControlUnavailable`` (transport error, timeout, 5xx: the control plane
could not answer) versus typed answers (``NotFound``, refusals), because the auth cache
must tell an outage from a refusal.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from twinplane.server.common.errors import BadRequest, NotFound, TwinplaneError, Unavailable

logger = logging.getLogger(__name__)

PROJECT_PAGE = 1000  # the control plane's largest page (contracts §2: GET /projects pages by cursor)
MAX_PROJECT_PAGES = 50


class ControlUnavailable(Unavailable):
    """The control plane did not answer (network error, timeout or 5xx)."""

    def __init__(self, message: str = "the control plane is unreachable; retry shortly") -> None:
        super().__init__(message, retry_after=5)


class ControlClient:
    """Internal API calls, over one pooled ``httpx.AsyncClient``."""

    def __init__(self, control_url: str, service_token: str, *,
                 transport: httpx.AsyncBaseTransport | None = None, timeout: float = 10.0) -> None:
        self._base = control_url.rstrip("/")
        self._http = httpx.AsyncClient(
            base_url=self._base + "/internal/v1",
            headers={"Authorization": f"Bearer {service_token}"},
            transport=transport,
            timeout=timeout,
        )
        # A second client without the service token: for JWKS and forwarded public calls.
        self._public = httpx.AsyncClient(base_url=self._base, transport=transport, timeout=timeout)

    @property
    def base_url(self) -> str:
        return self._base

    async def aclose(self) -> None:
        await self._http.aclose()
        await self._public.aclose()

    async def _call(self, method: str, path: str, *, json: Any = None,
                    params: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            resp = await self._http.request(method, path, json=json,
                                            params={k: v for k, v in (params or {}).items() if v is not None})
        except httpx.HTTPError as err:
            logger.warning("control plane call %s %s failed: %s", method, path, type(err).__name__)
            raise ControlUnavailable() from err
        if resp.status_code >= 500:
            logger.warning("control plane call %s %s answered %s", method, path, resp.status_code)
            raise ControlUnavailable()
        if resp.status_code == 404:
            raise NotFound("not found")
        if resp.status_code in (401, 403):
            # Our service token was refused: a deployment problem, not the caller's fault.
            logger.error("control plane refused this data plane's service token (%s)", resp.status_code)
            raise ControlUnavailable("this data plane is not authorized at its control plane")
        try:
            body = resp.json()
        except ValueError as err:
            raise ControlUnavailable("the control plane sent an unreadable answer") from err
        if resp.status_code >= 400:
            message = "request refused by the control plane"
            if isinstance(body, dict) and isinstance(body.get("error"), dict):
                message = str(body["error"].get("message") or message)
            err_cls: type[TwinplaneError] = BadRequest
            raise err_cls(message)
        if not isinstance(body, dict):
            raise ControlUnavailable("the control plane sent an unexpected answer")
        return body

    # auth -------------------------------------------------------------------
    async def introspect(self, token: str) -> dict[str, Any]:
        return await self._call("POST", "/introspect", json={"token": token})

    async def data_plane(self) -> dict[str, Any]:
        return await self._call("GET", "/data-plane")

    async def jwks(self) -> dict[str, Any]:
        try:
            resp = await self._public.get("/.well-known/jwks.json")
        except httpx.HTTPError as err:
            raise ControlUnavailable() from err
        if resp.status_code != 200:
            raise ControlUnavailable("the control plane's JWKS is not available")
        body = resp.json()
        if not isinstance(body, dict):
            raise ControlUnavailable("the control plane's JWKS is malformed")
        return body

    # names ------------------------------------------------------------------
    async def create_project(self, name: str) -> dict[str, Any]:
        return await self._call("POST", "/projects", json={"name": name})

    async def get_project(self, project_id: str) -> dict[str, Any]:
        return await self._call("GET", f"/projects/{_seg(project_id)}")

    async def find_projects(self, *, name: str | None = None, id: str | None = None) -> list[dict[str, Any]]:
        body = await self._call("GET", "/projects", params={"name": name, "id": id})
        return list(body.get("objects") or [])

    async def list_projects(self, *, name: str | None = None) -> list[dict[str, Any]]:
        """Every project of the org (or those named ``name``), through the control plane's cursor.

        Bounded at ``MAX_PROJECT_PAGES`` pages so a misbehaving peer cannot keep us paging forever."""
        out: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(MAX_PROJECT_PAGES):
            params: dict[str, Any] = {"name": name, "limit": PROJECT_PAGE, "cursor": cursor}
            body = await self._call("GET", "/projects", params=params)
            out.extend(body.get("objects") or [])
            nxt = body.get("cursor")
            if not isinstance(nxt, str) or not nxt or nxt == cursor:
                return out
            cursor = nxt
        logger.warning("project list truncated at %d pages", MAX_PROJECT_PAGES)
        return out

    async def create_object(self, object_type: str, project_id: str, name: str, *,
                            slug: str | None = None, ensure_new: bool = False) -> dict[str, Any]:
        payload: dict[str, Any] = {"object_type": object_type, "project_id": project_id, "name": name,
                                   "ensure_new": ensure_new}
        if slug is not None:
            payload["slug"] = slug
        return await self._call("POST", "/objects", json=payload)

    async def find_objects(self, **params: Any) -> list[dict[str, Any]]:
        body = await self._call("GET", "/objects", params=params)
        return list(body.get("objects") or [])

    async def get_object(self, object_id: str) -> dict[str, Any]:
        return await self._call("GET", f"/objects/{_seg(object_id)}")

    async def delete_project(self, project_id: str) -> None:
        """Drop a project's name and its objects' names (its data is this data plane's to purge)."""
        await self._call("DELETE", f"/projects/{_seg(project_id)}")

    async def delete_object(self, object_id: str) -> None:
        """Release an object's name (its data is this data plane's to purge)."""
        await self._call("DELETE", f"/objects/{_seg(object_id)}")

    # forwarding (data-plane-only mode) -----------------------------------------
    async def forward(self, method: str, path: str, *, authorization: str | None,
                      body: bytes | None = None) -> httpx.Response:
        """Send a public control-plane call with only the caller's Authorization header.

        ``path`` is always a fixed path chosen by our route, never one from the request.
        """
        headers = {"Authorization": authorization} if authorization else {}
        if body:
            headers["Content-Type"] = "application/json"
        try:
            return await self._public.request(method, path, headers=headers, content=body)
        except httpx.HTTPError as err:
            raise ControlUnavailable() from err


def _seg(value: str) -> str:
    """Percent-encode one path segment so an id can never change the path."""
    from urllib.parse import quote

    return quote(value, safe="")
