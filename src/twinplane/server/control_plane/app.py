"""The control plane's ASGI app, from one settings object: ``create_app(settings)``."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from sqlalchemy import Engine
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response

from twinplane.server.common.allowed_hosts import AllowedHostsMiddleware, answered_hosts
from twinplane.server.common.base_path import BasePathMiddleware, base_path, route_path
from twinplane.server.common.body_limit import BodyLimitMiddleware
from twinplane.server.common.errors import install_error_handlers
from twinplane.server.common.http_metrics import HttpMetrics, MetricsMiddleware
from twinplane.server.control_plane.authn import check_route_table
from twinplane.server.control_plane.routes import (
    api_keys,
    apikey_login,
    auth,
    data_planes,
    internal,
    orgs,
    projects,
    secrets,
    spa,
    wellknown,
)
from twinplane.server.control_plane.runtime import build_runtime
from twinplane.server.settings import ControlPlaneSettings

__all__ = ["create_app"]

logger = logging.getLogger(__name__)
# load balancers probe these by IP address; they reveal nothing
_ANY_HOST_PATHS = ("/healthz", "/readyz")


async def _security_headers(request: Request, call_next: RequestResponseEndpoint) -> Response:
    response = await call_next(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if route_path(request.scope).startswith(("/api/", "/internal/")):  # under a base path too
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def create_app(settings: ControlPlaneSettings, *, engine: Engine | None = None) -> FastAPI:
    """Build the app. Raises ``ConfigurationError`` when a required secret setting is invalid.

    The database must already be at the newest schema (``server.run`` and ``bootstrap``
    upgrade it; tests call ``upgrade_to_head``).
    """
    runtime = build_runtime(settings, engine)
    # no interactive docs: every route must be guarded or deliberately public
    app = FastAPI(title="Twinplane control plane", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.runtime = runtime
    app.state.metrics = HttpMetrics()  # served by ``server.run`` when ``metrics_port`` is set
    install_error_handlers(app)
    # the last added runs first: the Host check, then the body limit, before any route reads anything
    app.add_middleware(BaseHTTPMiddleware, dispatch=_security_headers)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(AllowedHostsMiddleware, allowed=answered_hosts(settings.public_url, settings.allowed_hosts), exempt_paths=_ANY_HOST_PATHS)
    # under public_url's path, with or without the prefix on the request (a proxy may strip it)
    app.add_middleware(BasePathMiddleware, base=base_path(settings.public_url))
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)  # outermost: times all of the above
    for module in (wellknown, auth, apikey_login, orgs, projects, api_keys, secrets, data_planes, internal):
        app.include_router(module.router)
    app.include_router(spa.router)  # last: its catch-all must not shadow the API
    check_route_table(app)
    return app
