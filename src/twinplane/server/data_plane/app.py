"""The data-plane ASGI app: ``create_app(settings, *, store=None, control_transport=None)``.

Middleware, outermost first: request id, CORS (answers preflights before auth), body
limit (413 before anything parses). Every router but ``PUBLIC_ROUTERS`` carries the auth dependency.
The control-plane client's transport is injectable so tests can run the real control
plane in process; this package never imports it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from twinplane.server.common.errors import install_error_handlers
from twinplane.server.data_plane.body_limit import BodyLimitMiddleware
from twinplane.server.data_plane.cors import CorsMiddleware
from twinplane.server.data_plane.request_id import RequestIdMiddleware
from twinplane.server.data_plane.routes import (
    attachments,
    blobs,
    btql,
    datasets,
    experiments,
    health,
    login_proxy,
    logs3,
    project_logs,
    projects,
    prompts,
    query,
)
from twinplane.server.data_plane.routes.payload import JsonResponse
from twinplane.server.data_plane.runtime import Runtime
from twinplane.server.data_plane.store.base import Store
from twinplane.server.settings import DataPlaneSettings

logger = logging.getLogger(__name__)

# Routers without the auth dependency, each for a stated reason (the route sweep test reads this).
PUBLIC_ROUTERS = {
    "health": health.router,  # liveness/readiness probes and the limits-only /version handshake
    "blobs": blobs.router,  # signed, expiring URLs: the signature is the credential
}
AUTHENTICATED_ROUTERS = (logs3.router, attachments.router, projects.router, experiments.router, datasets.router,
                         project_logs.router, prompts.router, btql.router, query.router, login_proxy.router)


def create_app(settings: DataPlaneSettings, *, store: Store | None = None,
               control_transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
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
        rt = Runtime(settings, the_store, control_transport=control_transport)
        app.state.runtime = rt
        await rt.start()
        try:
            yield
        finally:
            await rt.close()
            if owned:
                await the_store.close()

    app = FastAPI(title="Twinplane data plane", lifespan=lifespan, default_response_class=JsonResponse,
                  docs_url=None, redoc_url=None, openapi_url=None)
    install_error_handlers(app)
    for router in PUBLIC_ROUTERS.values():
        app.include_router(router)
    for router in AUTHENTICATED_ROUTERS:
        app.include_router(router)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(CorsMiddleware, origins=settings.cors_origins)
    app.add_middleware(RequestIdMiddleware)
    return app
