"""The data-plane ASGI app: ``create_app(settings, *, store=None, control_transport=None)``.

Middleware, outermost first: request metrics (``common.http_metrics``), request id, CORS (answers preflights before auth), body limit
(413 before anything parses), ``Cache-Control: no-store``. Every router but ``PUBLIC_ROUTERS`` carries the auth dependency.
The control-plane client's transport is injectable so tests can run the real control
plane in process; this package never imports it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import JSONResponse

from twinplane.server.common.allowed_hosts import AllowedHostsMiddleware, answered_hosts
from twinplane.server.common.base_path import BasePathMiddleware, base_path
from twinplane.server.common.body_limit import BodyLimitMiddleware
from twinplane.server.common.errors import install_error_handlers
from twinplane.server.common.http_metrics import MetricsMiddleware
from twinplane.server.data_plane.cache_control import NoStoreMiddleware
from twinplane.server.data_plane.cors import CorsMiddleware
from twinplane.server.data_plane.metrics import Metrics
from twinplane.server.data_plane.request_id import RequestIdMiddleware
from twinplane.server.data_plane.routes import (
    attachments,
    blobs,
    btql,
    datasets,
    erasure,
    experiments,
    health,
    login_proxy,
    logs3,
    otel,
    project_logs,
    projects,
    prompts,
    query,
)
from twinplane.server.data_plane.routes.payload import JsonResponse
from twinplane.server.data_plane.runtime import Runtime
from twinplane.server.data_plane.store.base import Store
from twinplane.server.settings import DataPlaneSettings

__all__ = ["create_app", "PUBLIC_ROUTERS"]

logger = logging.getLogger(__name__)

# answered whatever the Host header says: load balancers probe these by address
_ANY_HOST_PATHS = ("/healthz", "/readyz")

# Routers without the auth dependency, each for a stated reason (the route sweep test reads this).
PUBLIC_ROUTERS = {
    "health": health.router,  # liveness/readiness probes and the limits-only /version handshake
    "blobs": blobs.router,  # signed, expiring URLs: the signature is the credential
}
AUTHENTICATED_ROUTERS = (logs3.router, attachments.router, projects.router, experiments.router, datasets.router,
                         project_logs.router, prompts.router, btql.router, query.router, login_proxy.router,
                         otel.router, erasure.router)


def _route_template(request: Request) -> str:
    """The matched route's template (``/blobs/{token}``), never the raw path: paths can hold signed tokens."""
    route = request.scope.get("route")
    return str(getattr(route, "path", None) or "(no route)")


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Only the exception's type: a database error's text can quote row content (contracts §5).
    sqlstate = getattr(exc, "sqlstate", None) or getattr(getattr(exc, "orig", None), "sqlstate", None)
    logger.error("unhandled %s%s on %s %s", type(exc).__name__, f" (sqlstate {sqlstate})" if sqlstate else "",
                 request.method, _route_template(request))
    return JSONResponse({"error": {"code": "internal", "message": "internal error; the server log has details"}},
                        status_code=500)


def create_app(settings: DataPlaneSettings, *, store: Store | None = None,
               control_transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = store is None
        if store is None:
            from twinplane.server.data_plane.store.factory import open_store

            the_store = open_store(settings)
        else:
            the_store = store
        if owned:
            await the_store.start()
        rt = Runtime(settings, the_store, control_transport=control_transport, metrics=metrics)
        app.state.runtime = rt
        await rt.start()
        try:
            yield
        finally:
            await rt.close()
            if owned:
                await the_store.close()

    # redirect_slashes=False: the 307 for a trailing slash would answer before auth, with a Location
    # built from the Host header.
    app = FastAPI(title="Twinplane data plane", lifespan=lifespan, default_response_class=JsonResponse,
                  docs_url=None, redoc_url=None, openapi_url=None, redirect_slashes=False)
    install_error_handlers(app)
    app.add_exception_handler(Exception, _on_unexpected)  # replaces the common one, which logs the raw path
    for router in PUBLIC_ROUTERS.values():
        app.include_router(router)
    for router in AUTHENTICATED_ROUTERS:
        app.include_router(router)
    app.add_middleware(NoStoreMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(CorsMiddleware, origins=settings.cors_origins)
    app.add_middleware(AllowedHostsMiddleware, allowed=answered_hosts(settings.public_url, settings.allowed_hosts),
                       exempt_paths=_ANY_HOST_PATHS)
    app.add_middleware(RequestIdMiddleware)
    # under public_url's path, with or without the prefix on the request (a proxy may strip it)
    app.add_middleware(BasePathMiddleware, base=base_path(settings.public_url))
    app.add_middleware(MetricsMiddleware, metrics=metrics)  # outermost: times all of the above
    return app
