"""The control plane's request metrics: counted by route template, never by raw path."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from .support import PASSWORD


def _requests(app: Any) -> dict[tuple[str, str, str], float]:
    text = app.state.metrics.render().decode()
    return {(s.labels["method"], s.labels["route"], s.labels["status"]): s.value
            for f in text_string_to_metric_families(text) if f.name == "twinplane_http_requests"
            for s in f.samples if s.name == "twinplane_http_requests_total"}


def test_requests_are_counted_by_route_template_and_status(app: Any, rt: Any) -> None:
    rt.accounts.create_local_user("m@example.com", PASSWORD)
    c = TestClient(app)
    assert c.post("/api/v1/auth/login", json={"email": "m@example.com", "password": "wrong-password"}).status_code == 401
    assert c.post("/api/v1/auth/login", json={"email": "m@example.com", "password": PASSWORD}).status_code == 200
    assert c.get("/api/v1/orgs/org-that-does-not-exist/projects").status_code in (403, 404)
    assert c.get("/healthz").status_code == 200
    got = _requests(app)
    assert got[("POST", "/api/v1/auth/login", "401")] == 1 and got[("POST", "/api/v1/auth/login", "200")] == 1
    assert got[("GET", "/healthz", "200")] == 1
    routes = {route for _, route, _ in got}
    assert not any("org-that-does-not-exist" in r or "m@example.com" in r for r in routes), routes
    assert app.state.metrics.port is None  # served only by `control-plane serve` with metrics_port set
