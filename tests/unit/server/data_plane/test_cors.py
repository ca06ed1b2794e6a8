"""CORS: exactly the configured origins, Vary: Origin, correct preflights, nothing for foreign origins."""

from __future__ import annotations

from .conftest import CONTROL

PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type"}


async def test_preflight_from_the_control_plane_origin(plane) -> None:
    r = await plane.anonymous().options("/v1/query", headers={"Origin": CONTROL, **PREFLIGHT})
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == CONTROL
    assert "authorization" in r.headers["access-control-allow-headers"].lower()
    assert "POST" in r.headers["access-control-allow-methods"]
    assert "Origin" in r.headers["vary"]
    assert "access-control-allow-credentials" not in r.headers


async def test_preflight_from_a_foreign_origin_gets_no_cors_headers(plane) -> None:
    for origin in ("http://evil.test", CONTROL + ".evil.test", "null", CONTROL.replace("http", "https")):
        r = await plane.anonymous().options("/v1/query", headers={"Origin": origin, **PREFLIGHT})
        assert r.status_code == 403
        assert "access-control-allow-origin" not in r.headers
        assert "Origin" in r.headers["vary"]


async def test_actual_requests_echo_only_allowed_origins(plane) -> None:
    c = plane.client(plane.browser_token())
    ok = await c.get("/v1/experiment", headers={"Origin": CONTROL})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == CONTROL
    assert "Origin" in ok.headers["vary"]
    bad = await c.get("/v1/experiment", headers={"Origin": "http://evil.test"})
    assert "access-control-allow-origin" not in bad.headers and "Origin" in bad.headers["vary"]
    # errors carry the header too, so the UI can read them
    err = await plane.anonymous().get("/v1/experiment", headers={"Origin": CONTROL})
    assert err.status_code == 401 and err.headers["access-control-allow-origin"] == CONTROL


async def test_an_otlp_exporter_in_the_browser_may_send_its_parent_header(plane) -> None:
    r = await plane.anonymous().options("/otel/v1/traces", headers={
        "Origin": CONTROL, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,x-bt-parent"})
    assert r.status_code == 204 and r.headers["access-control-allow-origin"] == CONTROL
    assert "x-bt-parent" in r.headers["access-control-allow-headers"].lower()


async def test_preflight_asking_for_unexpected_headers_is_refused(plane) -> None:
    r = await plane.anonymous().options("/v1/query", headers={
        "Origin": CONTROL, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-org-id"})
    assert r.status_code == 403 and "access-control-allow-origin" not in r.headers


async def test_every_response_names_its_request(plane) -> None:
    a = plane.anonymous()
    r1, r2 = await a.get("/healthz"), await a.get("/v1/experiment")
    assert len(r1.headers["x-request-id"]) == 32 and r1.headers["x-request-id"] != r2.headers["x-request-id"]
    assert r2.status_code == 401 and r2.headers["x-request-id"]
    assert (await a.get("/healthz", headers={"X-Request-Id": "lb-123"})).headers["x-request-id"] == "lb-123"
    odd = await a.get("/healthz", headers={"X-Request-Id": "a b<script>"})
    assert odd.headers["x-request-id"] != "a b<script>"


async def test_under_a_path_the_data_plane_answers_with_and_without_the_prefix(tmp_path, control_app) -> None:
    """Behind a proxy at http://dp.test/dp/ that keeps or strips the prefix; signed URLs carry it."""
    from .conftest import one_plane

    async with one_plane(tmp_path, control_app, {"public_url": "http://dp.test/dp"}) as plane:
        c = plane.client()
        for prefix in ("/dp", ""):
            r = await c.post(f"{prefix}/v1/project", json={"name": "under-a-path"})
            assert r.status_code == 200, (prefix, r.text)
            assert (await plane.anonymous().get(f"{prefix}/healthz")).status_code == 200
        slot = (await c.post("/dp/attachment", json={"key": "k1", "filename": "a.txt", "content_type": "text/plain"})).json()
        assert slot["signedUrl"].startswith("http://dp.test/dp/blobs/")
        assert (await plane.anonymous().put(slot["signedUrl"].removeprefix("http://dp.test"), content=b"x")).status_code == 200
