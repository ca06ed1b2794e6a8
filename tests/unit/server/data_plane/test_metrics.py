"""Prometheus metrics: a listener of their own (off unless ``metrics_port``), route templates, no ids."""

from __future__ import annotations

import socket
import uuid
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from .conftest import one_plane
from .rows import logs3, span


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def data_overrides() -> dict[str, Any]:
    return {"metrics_port": _free_port(), "rate_limit_key": "5/minute"}


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


async def _scrape(plane) -> str:
    port = plane.app.state.runtime.metrics.port
    async with httpx.AsyncClient() as c:
        r = await c.get(f"http://127.0.0.1:{port}/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    return r.text


async def test_metrics_count_requests_by_route_template_and_rows_by_object(plane) -> None:
    c = plane.client()
    pid = (await c.post("/v1/project", json={"name": "m-" + uuid.uuid4().hex[:6]})).json()["id"]
    rows = [span({"project_id": pid, "log_id": "g"}, input=f"secret-input-{i}") for i in range(3)]
    assert (await logs3(c, rows)).status_code == 200
    assert (await c.post(f"/v1/project_logs/{pid}/fetch", json={"limit": 10})).status_code == 200
    assert (await plane.anonymous().get("/v1/project")).status_code == 401
    assert (await c.get("/no/such/" + uuid.uuid4().hex)).status_code == 404
    await plane.app.state.runtime.metrics.refresh_store()
    text = await _scrape(plane)
    got = _samples(text)

    assert got[("twinplane_http_requests_total", (("method", "POST"), ("route", "/logs3"), ("status", "200")))] == 1
    fetches = [k for k in got if k[0] == "twinplane_http_requests_total" and ("status", "200") in k[1]
               and dict(k[1])["route"].endswith("/fetch")]
    assert [dict(k[1])["route"] for k in fetches] == ["/v1/project_logs/{project_id}/fetch"]
    assert got[("twinplane_http_requests_total", (("method", "GET"), ("route", "/v1/project"), ("status", "401")))] == 1
    assert got[("twinplane_http_requests_total", (("method", "GET"), ("route", "(no route)"), ("status", "404")))] == 1
    assert got[("twinplane_http_request_duration_seconds_count", (("method", "POST"), ("route", "/logs3")))] == 1
    assert got[("twinplane_ingested_rows_total", (("object_type", "project_logs"),))] == 3
    assert got[("twinplane_auth_introspections_total", ())] >= 1
    assert got[("twinplane_store_info", (("engine", "sqlite"),))] == 1
    assert ("twinplane_search_lag_rows", ()) in got and ("twinplane_store_pending_writes", ()) in got
    assert ("twinplane_sqlite_wal_bytes_waiting", ()) in got
    assert any(name == "process_cpu_seconds_total" for name, _ in got)
    # nothing of the data, the ids or the credentials is in the figures
    for secret in (pid, rows[0]["id"], "secret-input", plane.api_key, plane.org_id):
        assert secret not in text


async def test_an_unknown_method_is_counted_as_other(plane) -> None:
    """Label values come from fixed sets: a client cannot add series with made-up methods."""
    await plane.client().request("BREW", "/v1/project")
    got = _samples(plane.app.state.runtime.metrics.render().decode())
    assert [dict(k[1])["method"] for k in got if k[0] == "twinplane_http_requests_total"] == ["OTHER"]


async def test_metrics_count_rate_limited_requests(plane) -> None:
    c = plane.client()
    statuses = [(await c.get("/v1/project")).status_code for _ in range(7)]
    assert statuses.count(429) == 2
    got = _samples(plane.app.state.runtime.metrics.render().decode())
    assert got[("twinplane_rate_limited_requests_total", (("limit", "key"),))] == 2
    assert got[("twinplane_http_requests_total", (("method", "GET"), ("route", "/v1/project"), ("status", "429")))] == 2


async def test_metrics_listener_answers_only_metrics_and_stops_with_the_app(tmp_path, control_app) -> None:
    port = _free_port()
    async with one_plane(tmp_path, control_app, {"metrics_port": port}) as plane:
        assert plane.app.state.runtime.metrics.port == port
        async with httpx.AsyncClient() as c:
            url = f"http://127.0.0.1:{port}/metrics"
            assert (await c.get(url)).status_code == 200
            # the listener is not the API: it takes no writes
            assert (await c.post(f"http://127.0.0.1:{port}/logs3", content=b"{}")).status_code == 405
            # any address, and the plane's allowed names, but not a foreign name (DNS rebinding)
            for host, status in (("10.1.2.3:9108", 200), ("[::1]:9108", 200), ("localhost:9108", 200),
                                 ("dp.test", 200), ("rebind.evil.example:9108", 400)):
                assert (await c.get(url, headers={"Host": host})).status_code == status, host
    async with httpx.AsyncClient() as c:  # the listener closed with the app
        with pytest.raises(httpx.ConnectError):
            await c.get(f"http://127.0.0.1:{port}/metrics")


async def test_metrics_listener_is_off_unless_configured(tmp_path, control_app) -> None:
    async with one_plane(tmp_path, control_app, {}) as plane:
        assert plane.settings.metrics_port == 0
        assert plane.app.state.runtime.metrics.port is None
        assert b"# TYPE twinplane_http_requests_total counter" in plane.app.state.runtime.metrics.render()
