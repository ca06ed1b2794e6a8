"""Tenancy: org pinning, cross-org 404s, project-scoped and read-only keys, viewer tokens, outages."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import jwt

from twinplane.server.data_plane.app import create_app
from twinplane.server.settings import DataPlaneSettings

from .conftest import DATA
from .rows import fetch_all, logs3, span


async def _exp(c, project: str) -> tuple[str, str]:
    r = await c.post("/v1/project", json={"name": project})
    assert r.status_code == 200, r.text
    pid = r.json()["id"]
    r = await c.post("/v1/experiment", json={"project_id": pid, "name": "e"})
    assert r.status_code == 200, r.text
    return pid, r.json()["id"]


def _other_org(plane):
    crt = plane.control_rt
    user = crt.accounts.create_local_user(f"{uuid.uuid4().hex[:6]}@other.test", "correct horse battery")
    org = crt.store.create_org("other-" + uuid.uuid4().hex[:4], user["id"])
    dp, token = crt.data_planes.register(org["id"], "http://dp-b.test", None)
    _, key = crt.api_keys.create_for_user(org["id"], user["id"], "b")
    return org, dp, token, key, user


async def test_a_key_or_token_of_another_org_is_refused(plane) -> None:
    org, dp, _, key_b, user_b = _other_org(plane)
    r = await plane.client(key_b).post("/v1/project", json={"name": "x"})
    assert r.status_code == 401
    # a token for org B signed by the real control-plane key with this data plane's audience
    tokens = plane.control_rt.tokens
    now = int(time.time())
    tok = jwt.encode({"iss": tokens.issuer, "aud": plane.data_plane_id, "sub": user_b["id"], "org": org["id"],
                      "role": "owner", "iat": now, "exp": now + 60, "jti": "j"},
                     tokens._key, algorithm="ES256", headers={"kid": tokens.kid})
    assert (await plane.client(tok).get("/v1/experiment")).status_code == 401
    # and org B's real token for org B's data plane (wrong audience here)
    tok = tokens.mint(user_id=user_b["id"], org_id=org["id"], role="owner", data_plane=dp)["token"]
    assert (await plane.client(tok).get("/v1/experiment")).status_code == 401
    # while a real token of this org for this data plane works
    assert (await plane.client(plane.browser_token()).get("/v1/experiment")).status_code == 200


async def test_objects_of_another_org_are_not_found_on_a_shared_database(plane) -> None:
    org, dp, token_b, key_b, _ = _other_org(plane)
    settings_b = DataPlaneSettings(**{**plane.settings.model_dump(), "data_plane_id": dp["id"],
                                      "service_token": token_b, "public_url": "http://dp-b.test"})
    app_b = create_app(settings_b, store=plane.store,
                       control_transport=httpx.ASGITransport(app=plane.control_app))
    async with app_b.router.lifespan_context(app_b):
        cb = httpx.AsyncClient(transport=httpx.ASGITransport(app=app_b), base_url="http://dp-b.test",
                               headers={"Authorization": f"Bearer {key_b}"})
        async with cb:
            pid_b, eid_b = await _exp(cb, "secret-project")
            assert (await logs3(cb, [span({"experiment_id": eid_b}, input="b-data")])).status_code == 200
            ca = plane.client()
            pid_a, eid_a = await _exp(ca, "mine")
            missing = str(uuid.uuid4())
            for path in (f"/v1/experiment/{eid_b}", f"/v1/experiment/{eid_b}/summarize",
                         f"/v1/project/{pid_b}"):
                r, r0 = await ca.get(path), await ca.get(path.replace(eid_b, missing).replace(pid_b, missing))
                assert r.status_code == r0.status_code == 404 and r.json() == r0.json(), path
            assert (await ca.post(f"/v1/experiment/{eid_b}/fetch", json={})).status_code == 404
            assert (await ca.post(f"/v1/project_logs/{pid_b}/fetch", json={})).status_code == 404
            r = await logs3(ca, [span({"experiment_id": eid_a}), span({"experiment_id": eid_b})])
            assert r.status_code == 404
            assert await fetch_all(ca, f"/v1/experiment/{eid_a}/fetch") == []
            listed = await ca.get("/v1/experiment", params={"project_id": pid_b})
            assert listed.status_code == 200 and listed.json() == {"objects": []}
            assert [e["input"] for e in await fetch_all(cb, f"/v1/experiment/{eid_b}/fetch")] == ["b-data"]


async def test_project_scoped_key_sees_only_its_project(plane) -> None:
    owner = plane.client()
    p1, e1 = await _exp(owner, "one")
    p2, e2 = await _exp(owner, "two")
    scoped = plane.client(plane.new_key(project_id=p1))
    assert (await scoped.get(f"/v1/experiment/{e1}")).status_code == 200
    r = await scoped.get(f"/v1/experiment/{e2}")
    assert r.status_code == 404 and r.json()["error"]["message"] == "experiment not found"
    assert (await logs3(scoped, [span({"experiment_id": e1})])).status_code == 200
    assert (await logs3(scoped, [span({"experiment_id": e2})])).status_code == 404
    assert (await scoped.post("/v1/experiment", json={"project_id": p2})).status_code == 404
    assert (await scoped.post("/v1/project", json={"name": "brand-new"})).status_code == 403
    assert (await scoped.post("/v1/project", json={"name": "two"})).status_code == 404
    listed = (await scoped.get("/v1/experiment")).json()["objects"]
    assert {o["project_id"] for o in listed} == {p1}
    assert len(await fetch_all(owner, f"/v1/experiment/{e2}/fetch")) == 0


async def test_read_only_key_and_viewer_token_may_only_read(plane) -> None:
    owner = plane.client()
    pid, eid = await _exp(owner, "ro")
    ro = plane.client(plane.new_key(read_only=True))
    viewer = plane.client(plane.browser_token(user_id=plane.add_user("v@acme.test", "viewer"), role="viewer"))
    for c in (ro, viewer):
        assert (await c.get(f"/v1/experiment/{eid}")).status_code == 200
        assert (await c.post(f"/v1/experiment/{eid}/fetch", json={})).status_code == 200
        r = await logs3(c, [span({"experiment_id": eid})])
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
        assert (await c.post("/v1/experiment", json={"project_id": pid})).status_code == 403
        assert (await c.post(f"/v1/experiment/{eid}/insert", json={"events": [{"input": 1}]})).status_code == 403
    assert await fetch_all(owner, f"/v1/experiment/{eid}/fetch") == []
    editor = plane.client(plane.browser_token(role="owner"))
    assert (await logs3(editor, [span({"experiment_id": eid})])).status_code == 200


async def test_unreachable_control_plane_at_start_means_503_never_access(tmp_path) -> None:
    from twinplane.server.data_plane.store.factory import open_store

    class Down(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("down", request=request)

    settings = DataPlaneSettings(database_url=f"sqlite:///{tmp_path}/d.db", control_url="http://control.test", public_url=DATA,
                                 service_token="tps_x_y", data_plane_id="dp", blob_dir=str(tmp_path / "b"))
    store = open_store(settings)
    await store.start()
    try:
        app = create_app(settings, store=store, control_transport=Down())
        async with app.router.lifespan_context(app):
            c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=DATA,
                                  headers={"Authorization": "Bearer tpk_aaaaaaaaaaaa_" + "x" * 43})
            async with c:
                r = await c.post("/v1/project", json={"name": "x"})
                assert r.status_code == 503 and int(r.headers["Retry-After"]) >= 1
                assert (await c.get("/readyz")).status_code == 503
                assert (await c.get("/healthz")).status_code == 200
    finally:
        await store.close()


async def test_malformed_keys_cost_no_introspection_and_refusals_are_cached(plane) -> None:
    keys = plane.app.state.runtime.keys
    before = keys.upstream_calls
    for junk in ("tpk_short", "tpk_" + "A" * 12 + "_" + "x" * 43, "tpk_aaaaaaaaaaaa_" + "!" * 43):
        assert (await plane.client(junk).get("/v1/experiment")).status_code == 401
    assert keys.upstream_calls == before
    wrong = "tpk_aaaaaaaaaaaa_" + "x" * 43
    for _ in range(3):
        assert (await plane.client(wrong).get("/v1/experiment")).status_code == 401
    assert keys.upstream_calls == before + 1


async def test_revoked_key_stops_working_after_the_ttl(tmp_path, control_app) -> None:
    from .conftest import build_plane

    async for p in build_plane(tmp_path, f"sqlite:///{tmp_path}/d.db", {"auth_cache_ttl_seconds": 0.2},
                               control_app):
        key = p.new_key()
        c = p.client(key)
        assert (await c.get("/v1/experiment")).status_code == 200
        listed = p.control_rt.store.list_api_keys(p.org_id, 100, None)[0]
        key_id = next(k["id"] for k in listed if key.startswith("tpk_" + k["lookup"]))
        p.control_rt.store.revoke_api_key(p.org_id, key_id)
        assert (await c.get("/v1/experiment")).status_code == 200  # cached within the TTL
        await asyncio.sleep(0.3)
        assert (await c.get("/v1/experiment")).status_code == 401


async def test_forged_browser_tokens_are_refused_over_http(plane) -> None:
    import base64
    import hashlib
    import hmac
    import json

    def b64(b: bytes) -> str:
        return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

    tokens = plane.control_rt.tokens
    now = int(time.time())
    claims = {"iss": tokens.issuer, "aud": plane.data_plane_id, "sub": plane.user_id, "org": plane.org_id,
              "role": "owner", "iat": now, "exp": now + 60, "jti": "j"}
    none_alg = b64(json.dumps({"alg": "none", "kid": tokens.kid}).encode()) + "." + b64(json.dumps(claims).encode()) + "."
    jwk = tokens.jwks()["keys"][0]
    signing_input = b64(json.dumps({"alg": "HS256", "kid": tokens.kid}).encode()) + "." + b64(json.dumps(claims).encode())
    hs256 = signing_input + "." + b64(hmac.new(json.dumps(jwk).encode(), signing_input.encode(), hashlib.sha256).digest())
    expired = jwt.encode({**claims, "iat": now - 600, "exp": now - 300}, tokens._key, algorithm="ES256",
                         headers={"kid": tokens.kid})
    wrong_aud = jwt.encode({**claims, "aud": "another-plane"}, tokens._key, algorithm="ES256", headers={"kid": tokens.kid})
    for tok in (none_alg, hs256, expired, wrong_aud):
        r = await plane.client(tok).get("/v1/experiment")
        assert r.status_code == 401, tok
    good = jwt.encode(claims, tokens._key, algorithm="ES256", headers={"kid": tokens.kid})
    assert (await plane.client(good).get("/v1/experiment")).status_code == 200
