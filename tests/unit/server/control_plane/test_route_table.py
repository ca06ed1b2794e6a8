"""Authentication is default-on: every route is guarded unless it is on the explicit public list."""

import re

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from twinplane.server.control_plane.authn import PUBLIC_ROUTES, check_route_table, unguarded_routes


def _routes(app: FastAPI) -> list[tuple[str, str]]:
    out = []
    for route in iter_route_contexts(app.routes):
        for method in sorted(route.methods or ()):
            if method != "HEAD":
                out.append((method, route.path))
    return out


def test_every_route_is_guarded_or_public(app: FastAPI) -> None:
    assert unguarded_routes(app) == []
    public = [r for r in _routes(app) if r in PUBLIC_ROUTES]
    assert sorted(public) == sorted(PUBLIC_ROUTES)  # the list holds nothing stale


def test_every_guarded_route_answers_401_without_credentials(app: FastAPI) -> None:
    client = TestClient(app)
    checked = 0
    for method, path in _routes(app):
        if (method, path) in PUBLIC_ROUTES:
            continue
        url = re.sub(r"\{[^}]+\}", "00000000-0000-0000-0000-000000000000", path)
        for headers in ({}, {"Authorization": "Bearer tpk_aaaaaaaaaaaa_" + "A" * 43},
                        {"Authorization": "Bearer nonsense"}, {"Cookie": "tp_session=forged"}):
            r = client.request(method, url, json={}, headers=headers)
            assert r.status_code == 401, (method, path, headers, r.text)
            assert set(r.json()["error"]) >= {"code", "message"}
        checked += 1
    assert checked >= 30


def test_a_new_route_without_a_guard_stops_the_app(app: FastAPI) -> None:
    @app.get("/api/v1/forgotten")
    def forgotten() -> dict[str, str]:
        return {"secret": "everyone can read me"}

    with pytest.raises(RuntimeError, match="GET /api/v1/forgotten"):
        check_route_table(app)


def test_a_new_router_without_a_guard_stops_the_app(app: FastAPI) -> None:
    router = APIRouter(prefix="/internal/v2")

    @router.post("/thing")
    def thing() -> dict[str, str]:
        return {}

    app.include_router(router)
    with pytest.raises(RuntimeError, match="POST /internal/v2/thing"):
        check_route_table(app)


def test_public_routes_answer_without_credentials(app: FastAPI) -> None:
    client = TestClient(app)
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}
    assert client.get("/.well-known/jwks.json").json()["keys"][0]["alg"] == "ES256"
    assert client.get("/api/v1/auth/config").json() == {"oidc": {"enabled": False, "display_name": "Single sign-on"}}
    assert client.get("/some/page").status_code == 200
