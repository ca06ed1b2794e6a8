"""Every route is authenticated unless it is on the explicit public list (security-notes §1)."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute

from twinplane.server.data_plane.app import PUBLIC_ROUTERS

# (method, path) of every route that answers without an Authorization header, and why.
PUBLIC = {
    ("GET", "/healthz"),  # liveness probe
    ("GET", "/readyz"),  # readiness probe
    ("GET", "/version"),  # advertises limits only
    ("PUT", "/blobs/{token}"),  # signed, expiring upload URL
    ("GET", "/blobs/{token}"),  # signed, expiring download URL
}


def _routes(app) -> list[APIRoute]:
    out: list[APIRoute] = []

    def walk(routes) -> None:
        for r in routes:
            if isinstance(r, APIRoute):
                out.append(r)
            elif hasattr(r, "original_router"):
                walk(r.original_router.routes)
            elif hasattr(r, "routes"):
                walk(r.routes)

    walk(app.routes)
    return out


def test_public_routers_hold_exactly_the_public_list() -> None:
    declared = set()
    for router in PUBLIC_ROUTERS.values():
        for r in router.routes:
            declared |= {(m, r.path) for m in r.methods}
    assert declared == PUBLIC


async def test_every_other_route_refuses_a_request_without_credentials(plane) -> None:
    routes = _routes(plane.app)
    assert len(routes) > 30
    anon = plane.anonymous()
    checked = 0
    for route in routes:
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            if (method, route.path) in PUBLIC:
                continue
            path = re.sub(r"\{[^}]+\}", "x", route.path)
            r = await anon.request(method, path, content=b"{}")
            assert r.status_code == 401, f"{method} {route.path} answered {r.status_code} without credentials"
            assert r.json()["error"]["code"] == "unauthorized"
            r = await anon.request(method, path, content=b"{}", headers={"Authorization": "Bearer junk"})
            assert r.status_code == 401, f"{method} {route.path} accepted a junk credential"
            checked += 1
    assert checked > 30


async def test_data_responses_are_not_stored_by_caches_and_slashes_are_not_redirected(plane) -> None:
    r = await plane.client().get("/v1/project")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    r = await plane.client().get("/v1/project/")
    assert r.status_code == 404 and "location" not in r.headers


def test_redis_url_is_accepted_by_its_field_name_too() -> None:
    from twinplane.server.settings import DataPlaneSettings

    assert DataPlaneSettings(redis_url="redis://127.0.0.1:6379/0").redis_url == "redis://127.0.0.1:6379/0"


def test_serve_installs_the_redaction_filter_on_the_log_handlers(monkeypatch, tmp_path) -> None:
    import logging

    import uvicorn

    from twinplane.server.common.redaction import RedactingFilter
    from twinplane.server.data_plane import server

    monkeypatch.setattr(uvicorn.Server, "run", lambda self, *a, **k: None)
    monkeypatch.setenv("TWINPLANE_DATA_DATABASE_URL", f"sqlite:///{tmp_path}/d.db")
    monkeypatch.setenv("TWINPLANE_DATA_BLOB_DIR", str(tmp_path / "blobs"))
    server.run()  # uvicorn's Config sets up its own handlers; the filter goes on each of them
    handlers = logging.getLogger("uvicorn").handlers + logging.getLogger("uvicorn.access").handlers
    assert handlers and all(any(isinstance(f, RedactingFilter) for f in h.filters) for h in handlers)


async def test_a_nul_in_a_url_is_a_400_on_both_engines(dplane) -> None:
    c = dplane.client()
    for method, url in [("GET", "/v1/experiment/x%00"), ("POST", "/v1/experiment/x%00/fetch"),
                        ("GET", "/v1/experiment?project_id=a%00b"), ("GET", "/attachment?key=a%00")]:
        r = await c.request(method, url, json={} if method == "POST" else None)
        assert r.status_code == 400, (url, r.text)
