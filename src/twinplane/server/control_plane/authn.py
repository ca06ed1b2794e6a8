"""Authentication is default-on: every route needs one of the guards below, or a place on the
explicit public list. ``check_route_table`` enforces it when the app is built, so a route
added without a guard stops the server from starting (and fails the route-table test).

Guards:
* ``require_user``: a browser session (cookie + CSRF token on writes) or an API key
  (``Authorization: Bearer tpk_...``), for the UI's JSON API;
* ``require_api_key``: an API key only (``/api/apikey/login``);
* ``require_data_plane``: a data plane's service token (``/internal/v1/*``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.routing import iter_route_contexts

from twinplane.server.common.errors import Forbidden, Unauthorized
from twinplane.server.control_plane.principal import DataPlaneCaller, Principal
from twinplane.server.control_plane.runtime import Runtime
from twinplane.server.control_plane.services.api_keys import ResolvedKey
from twinplane.server.control_plane.services.sessions import (
    CSRF_COOKIE,
    CSRF_HEADER,
    SESSION_COOKIE,
    Sessions,
)

__all__ = ["get_runtime", "require_user", "require_api_key", "require_data_plane", "PUBLIC_ROUTES",
           "GUARDS", "check_route_table", "client_address"]

_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

# (method, path) pairs anyone may call; everything else must carry a guard.
PUBLIC_ROUTES: frozenset[tuple[str, str]] = frozenset({
    ("GET", "/api/v1/auth/config"),
    ("POST", "/api/v1/auth/login"),
    ("GET", "/api/v1/auth/oidc/start"),
    ("GET", "/api/v1/auth/oidc/callback"),
    ("GET", "/.well-known/jwks.json"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/{path:path}"),  # the single-page app's files and its index.html fallback
})


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


def client_address(request: Request) -> str:
    """The client's address. Behind a trusted proxy (``forwarded_allow_ips``) uvicorn has already
    replaced the proxy's address with the one in ``X-Forwarded-For``; other peers cannot."""
    return request.client.host if request.client else "unknown"


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    return value.strip()


def require_user(request: Request, rt: Runtime = Depends(get_runtime)) -> Principal:
    token = _bearer(request)
    if token is not None:
        found = rt.api_keys.resolve(token)
        if found is None:
            raise Unauthorized("invalid API key")
        return Principal(user=found.user, via="api_key", key=found.key)
    info = rt.sessions.resolve(request.cookies.get(SESSION_COOKIE))
    if info is None:
        raise Unauthorized("sign in first")
    if request.method not in _SAFE_METHODS and not Sessions.csrf_ok(
            info.csrf_token, request.headers.get(CSRF_HEADER), request.cookies.get(CSRF_COOKIE)):
        raise Forbidden("missing or wrong CSRF token; reload the page and try again")
    request.state.session = info
    return Principal(user=info.user, via="session")


def require_api_key(request: Request, rt: Runtime = Depends(get_runtime)) -> ResolvedKey:
    # Not throttled per address: 256-bit keys cannot be guessed, and in data-plane-only mode
    # every SDK login arrives from the data plane's address, so one client's bad keys would
    # lock out the whole org.
    found = rt.api_keys.resolve(_bearer(request))
    if found is None:
        raise Unauthorized("invalid API key")
    return found


def require_data_plane(request: Request, rt: Runtime = Depends(get_runtime)) -> DataPlaneCaller:
    row = rt.data_planes.authenticate(_bearer(request))
    if row is None:
        raise Unauthorized("invalid service token")
    return DataPlaneCaller(data_plane=row)


GUARDS: frozenset[Callable[..., Any]] = frozenset({require_user, require_api_key, require_data_plane})


def _calls(dependant: Any) -> Iterable[Any]:
    for dep in dependant.dependencies:
        yield dep.call
        yield from _calls(dep)


def unguarded_routes(app: FastAPI) -> list[str]:
    """Routes that are neither guarded nor on the public list."""
    bad = []
    # included routers are flattened into the routes they serve, with their dependencies
    for route in iter_route_contexts(app.routes):
        methods = sorted(route.methods or {"*"})
        path = route.path or repr(route.original_route)
        dependant = getattr(route, "dependant", None)
        if dependant is not None and GUARDS & set(_calls(dependant)):
            continue
        for method in methods:
            if method == "HEAD":
                continue
            if (method, path) not in PUBLIC_ROUTES:
                bad.append(f"{method} {path}")
    return bad


def check_route_table(app: FastAPI) -> None:
    bad = unguarded_routes(app)
    if bad:
        raise RuntimeError("routes without authentication (add a guard or list them in PUBLIC_ROUTES): "
                           + ", ".join(bad))
