"""Security review of both planes and the CLI: one test per finding, named by its id.

``xfail(strict=True, reason="<id>")`` marks a vulnerability or contract breach that is not fixed
yet: the test states the safe behaviour, fails today, and flips to a pass (then an XPASS error
that says "remove the mark") once fixed. Unmarked tests pin behaviour that is already right and
that no other test covered. Apps and fixtures are the ones of ``data_plane/`` and
``control_plane/`` (the real planes, in process, wired through ``httpx.ASGITransport``).
"""

# Fixtures come from the planes' own conftests (imported below), so test arguments shadow them.
# ruff: noqa: F811

from __future__ import annotations

import gzip
import logging
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import orjson
import pytest
from control_plane.conftest import app, cheap_argon2, make_org, make_user, provider, rt, settings, sso_app  # noqa: F401
from control_plane.support import PASSWORD, bearer, sign_in, sso_sign_in
from data_plane.conftest import CONTROL, DATA, Plane, build_plane, control_app, data_overrides, dplane, plane  # noqa: F401
from data_plane.rows import body, fetch_all, logs3, span
from data_plane.test_jwks import AUD, ISS, _claims, _key
from data_plane.test_tenancy import _exp, _other_org
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from twinplane.server.common.errors import Unauthorized, Unavailable
from twinplane.server.data_plane.app import create_app as create_data_app
from twinplane.server.data_plane.auth.jwks import JwksVerifier
from twinplane.server.data_plane.control_client import ControlUnavailable
from twinplane.server.settings import DataPlaneSettings


def _no_raise(p: Plane, key: str | None = None) -> httpx.AsyncClient:
    """A client that sees a 500 as the HTTP answer a real server would send, not as a raised error."""
    headers = {"Authorization": f"Bearer {key or p.api_key}"} if key is not False else {}
    c = httpx.AsyncClient(transport=httpx.ASGITransport(app=p.app, raise_app_exceptions=False), base_url=DATA,
                          headers=headers, timeout=30)
    p.clients.append(c)
    return c


async def _attachment(c: httpx.AsyncClient, anon: httpx.AsyncClient, key: str, content: bytes,
                      filename: str = "a.txt") -> dict[str, Any]:
    slot = await c.post("/attachment", json={"key": key, "filename": filename, "content_type": "text/plain"})
    assert slot.status_code == 200, slot.text
    assert (await anon.put(slot.json()["signedUrl"], content=content)).status_code == 200
    done = await c.post("/attachment/status", json={"key": key, "status": {"upload_status": "done"}})
    assert done.status_code == 200, done.text
    return slot.json()


def _files_holding(root: str, needle: bytes) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file() and needle in p.read_bytes()]


@asynccontextmanager
async def _org_b_plane(p: Plane) -> AsyncIterator[tuple[httpx.AsyncClient, Any, str]]:
    """A second data plane, of another org, on the SAME database and blob directory."""
    org, dp, token_b, key_b, _ = _other_org(p)
    settings_b = DataPlaneSettings(**{**p.settings.model_dump(), "data_plane_id": dp["id"],
                                      "service_token": token_b, "public_url": "http://dp-b.test"})
    app_b = create_data_app(settings_b, store=p.store, control_transport=httpx.ASGITransport(app=p.control_app))
    async with app_b.router.lifespan_context(app_b):
        cb = httpx.AsyncClient(transport=httpx.ASGITransport(app=app_b), base_url="http://dp-b.test",
                               headers={"Authorization": f"Bearer {key_b}"})
        async with cb:
            yield cb, app_b, org["id"]


# ---------------------------------------------------------------------------------------------
# Data plane: findings not fixed yet
# ---------------------------------------------------------------------------------------------

async def test_dp1_a_project_scoped_key_cannot_reach_another_projects_attachment(plane) -> None:
    owner, anon = plane.client(), plane.anonymous()
    p1, _ = await _exp(owner, "one")
    p2, _ = await _exp(owner, "two")
    in_p2, in_p1 = plane.client(plane.new_key(project_id=p2)), plane.client(plane.new_key(project_id=p1))
    key = str(uuid.uuid4())
    await _attachment(in_p2, anon, key, b"only for project two")
    r = await in_p1.get("/attachment", params={"key": key})
    assert r.status_code == 404, "a key scoped to project one got a download URL for project two's attachment"
    r = await in_p1.post("/attachment/status", json={"key": key, "status": {"upload_status": "error"}})
    assert r.status_code == 404


async def test_dp2_an_uploaded_attachment_cannot_be_replaced(plane) -> None:
    writer, anon = plane.client(), plane.anonymous()
    key = str(uuid.uuid4())
    slot = await _attachment(writer, anon, key, b"the original evidence", filename="report.txt")
    # 1. the upload URL replayed after the upload finished
    await anon.put(slot["signedUrl"], content=b"forged by whoever saw the URL")
    # 2. another editor of the org asks for a fresh upload slot for the same key
    mallory = plane.client(plane.new_key(user_id=plane.add_user("mallory@acme.test", "editor")))
    again = await mallory.post("/attachment", json={"key": key, "filename": "report.html", "content_type": "text/html"})
    if again.status_code == 200:
        await anon.put(again.json()["signedUrl"], content=b"forged by another editor")
    dl = await anon.get((await writer.get("/attachment", params={"key": key})).json()["downloadUrl"])
    assert dl.content == b"the original evidence"
    assert "report.txt" in dl.headers["content-disposition"]


async def test_dp3_a_non_latin1_filename_downloads_and_the_signed_url_is_not_logged(plane, caplog) -> None:
    writer, anon = plane.client(), _no_raise(plane, key=False)  # type: ignore[arg-type]
    key = str(uuid.uuid4())
    await _attachment(writer, anon, key, b"%PDF-1.7", filename="отчёт.pdf")
    url = (await writer.get("/attachment", params={"key": key})).json()["downloadUrl"]
    token = url.rsplit("/", 1)[1]
    with caplog.at_level(logging.INFO):
        dl = await anon.get(url)
    # the test's own httpx client logs the URL it requests; the server's records are what count
    server_log = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore")))
    assert token not in server_log, "a signed URL (a bearer credential) was written to the log"
    assert dl.status_code == 200 and dl.content == b"%PDF-1.7"


async def test_dp4_attachment_content_type_must_be_a_media_type(plane) -> None:
    r = await plane.client().post("/attachment", json={
        "key": str(uuid.uuid4()), "filename": "a.txt", "content_type": "text/plain\r\nSet-Cookie: tp_session=x"})
    assert r.status_code == 400, f"a CR/LF content type was accepted and echoed back: {r.text}"


async def test_dp5_nul_characters_never_reach_postgresql(tmp_path, postgres_url, caplog) -> None:
    canary = "canary-" + uuid.uuid4().hex
    answers = []
    async for p in build_plane(tmp_path, postgres_url, {}):
        c = _no_raise(p)
        pid, eid = await _exp(p.client(), "nul")
        cases = [
            ("/logs3", {"rows": [span({"experiment_id": eid}, input=f"{canary}\u0000", output="ok")]}),
            ("/logs3", {"rows": [span({"experiment_id": eid}, id="row\u0000id")]}),
            ("/logs3", {"rows": [span({"prompt_session_id": "session\u0000"})]}),
            ("/logs3", {"rows": [span({"experiment_id": eid + "\u0000"})]}),
            ("/v1/dataset", {"project_id": pid, "name": "ds\u0000"}),
        ]
        with caplog.at_level(logging.INFO):
            for path, payload in cases:
                r = await c.post(path, content=orjson.dumps(payload))
                answers.append((path, r.status_code))
    # SQLite stores such rows; PostgreSQL must refuse them with a 400 (or store them), never fail
    assert all(status < 500 for _, status in answers), answers
    assert canary not in caplog.text, "row content reached the log through a database error"


async def test_dp6_search_text_and_aggregate_fields_are_validated(dplane) -> None:
    c = _no_raise(dplane)
    _, eid = await _exp(dplane.client(), "q")
    assert (await logs3(dplane.client(), [span({"experiment_id": eid}, input="x")])).status_code == 200
    obj = {"object_type": "experiment", "object_id": eid}
    for path, payload in [
        ("/v1/query", {**obj, "search": "a\u0000b"}),
        ("/v1/aggregate", {**obj, "measures": [{"fn": "max", "field": "metadata.a\u0000b"}]}),
        ("/v1/aggregate", {**obj, "measures": [{"fn": "count"}], "group_by": ["metadata.a\u0000"]}),
    ]:
        r = await c.post(path, content=orjson.dumps(payload))
        assert r.status_code == 400, (path, r.status_code, r.text)


async def test_dp7_trailing_slash_redirect_does_not_follow_the_host_header(plane) -> None:
    for path in ("/v1/experiment/", "/logs3/"):
        r = await plane.anonymous().request("GET" if path.startswith("/v1") else "POST", path,
                                            headers={"Host": "evil.test"})
        assert "evil.test" not in r.headers.get("location", ""), (path, r.status_code, r.headers.get("location"))


async def test_dp9_the_data_plane_answers_only_for_its_own_host_names(plane) -> None:
    """DNS rebinding: a page whose name points at the data plane's address gets nothing back."""
    for host in ("evil.test", "127.0.0.1.evil.test", ""):
        r = await plane.client(Host=host).post("/api/apikey/login")
        assert r.status_code == 400 and r.json()["error"]["code"] == "bad_host", host
        r = await plane.client(Host=host).post("/v1/project", json={"name": "x"})
        assert r.status_code == 400, host
    assert (await plane.anonymous().get("/healthz", headers={"Host": "10.0.0.7"})).status_code == 200
    assert (await plane.client(Host="localhost:8100").get("/v1/project")).status_code == 200
    assert (await plane.client().get("/v1/project")).status_code == 200  # public_url's host


async def test_dp8_a_jwks_outage_does_not_turn_every_token_into_an_upstream_call() -> None:
    calls = 0

    async def down() -> dict[str, Any]:
        nonlocal calls
        calls += 1
        raise ControlUnavailable()

    v = JwksVerifier(down, audience=AUD, issuer=ISS, ttl=3600, clock=lambda: 1000.0)  # time stands still
    token = jwt.encode(_claims(), _key(), algorithm="ES256", headers={"kid": "k1"})
    for _ in range(20):
        with pytest.raises((Unauthorized, Unavailable)):
            await v.verify(token)
    assert calls <= 1, f"{calls} JWKS fetches within one refresh interval"


async def test_dp9_an_ingested_overflow_payload_does_not_stay_in_the_blob_store(plane) -> None:
    c = plane.client()
    _, eid = await _exp(c, "overflow")
    canary = "canary-" + uuid.uuid4().hex
    payload = body([span({"experiment_id": eid}, input=canary)])
    slot = (await c.post("/logs3/overflow", json={"size_bytes": len(payload)})).json()
    assert (await plane.anonymous().put(slot["signedUrl"], content=payload)).status_code == 200
    r = await c.post("/logs3", content=orjson.dumps({"rows": {"type": "logs3_overflow", "key": slot["key"]}}))
    assert r.status_code == 200, r.text
    # the rows are committed in the row store now; a raw copy left beside it escapes purge and erasure
    left = _files_holding(plane.settings.blob_dir, canary.encode())
    assert left == [], left


# ---------------------------------------------------------------------------------------------
# Data plane: already right, pinned here
# ---------------------------------------------------------------------------------------------

def _leaf_routes(routes: list[Any]) -> list[Any]:
    out: list[Any] = []
    for r in routes:
        if hasattr(r, "original_router"):
            out += _leaf_routes(r.original_router.routes)
        else:
            out.append(r)
    return out


def test_neither_app_mounts_a_sub_app_outside_the_route_guards(plane, app) -> None:
    for application in (plane.app, app):
        others = [r for r in _leaf_routes(application.routes) if not isinstance(r, APIRoute)]
        assert others == [], f"mounted apps or raw routes bypass the auth sweep: {others}"


async def test_path_variants_and_methods_never_reach_data_without_credentials(plane) -> None:
    owner = plane.client()
    _, eid = await _exp(owner, "variants")
    anon = plane.anonymous()
    variants = ["/v1/experiment", "/v1/experiment/", "//v1/experiment", "/v1%2Fexperiment", "/V1/experiment",
                "/v1/experiment%2F", f"/v1/experiment/{eid}", f"/v1%2Fexperiment%2F{eid}", f"//v1/experiment/{eid}/fetch",
                f"/v1/experiment/{eid}/fetch/", "/v1/project_logs/x/fetch", "/btql", "/v1/query"]
    for path in variants:
        for method in ("GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"):
            r = await anon.request(method, path, content=b"{}")
            assert r.status_code in (307, 401, 404, 405), (method, path, r.status_code, r.text)
            assert eid.encode() not in r.content and b'"objects"' not in r.content and b'"events"' not in r.content
    # an encoded slash decodes to the real route, which is still behind the guard
    assert (await owner.get(f"/v1%2Fexperiment%2F{eid}")).status_code == 200
    assert (await anon.get(f"/v1%2Fexperiment%2F{eid}")).status_code == 401
    # tokens are never taken from the query string
    for q in ("token", "access_token", "api_key", "authorization"):
        r = await anon.get("/v1/experiment", params={q: plane.api_key})
        assert r.status_code == 401, q


async def test_login_proxy_sends_only_the_authorization_header_to_the_configured_control_plane(plane) -> None:
    from data_plane.test_login_proxy import Recording

    rec = Recording(httpx.ASGITransport(app=plane.control_app))
    plane.app.state.runtime.control._public._transport = rec
    tricks = {"X-Forwarded-Host": "evil.test", "X-Forwarded-Proto": "https",
              "X-Forwarded-For": "10.0.0.1", "Forwarded": "host=evil.test;proto=https", "X-Original-URL": "http://evil.test/",
              "X-Rewrite-URL": "http://evil.test/", "Origin": "http://evil.test", "Proxy-Authorization": "Basic eDp5"}
    c = plane.client(**tricks)
    r = await c.post("/api/apikey/login", params={"api_url": "http://evil.test"}, content=b'{"url": "http://evil.test"}')
    assert r.status_code == 200, r.text
    # a browser token is a credential too: it also goes nowhere but the control plane (which refuses it)
    r = await plane.client(plane.browser_token(), **tricks).post("/api/apikey/login")
    assert r.status_code == 401
    assert {q.url.host for q in rec.requests} == {CONTROL.removeprefix("http://")}
    logins = [q for q in rec.requests if q.url.path == "/api/apikey/login"]
    assert [str(q.url) for q in logins] == [CONTROL + "/api/apikey/login"] * 2
    assert all("authorization" not in q.headers for q in rec.requests if q not in logins)  # the JWKS fetch
    for sent in logins:
        assert set(sent.headers) <= {"host", "authorization", "accept", "accept-encoding", "connection", "user-agent",
                                     "content-length"}, dict(sent.headers)
        assert sent.headers["host"] == CONTROL.removeprefix("http://") and sent.content == b""


async def test_tenant_comes_only_from_the_credential_on_a_shared_database(plane) -> None:
    ca = plane.client(**{"X-Org-Id": "spoof", "X-Twinplane-Org": "spoof"})
    pid_a, eid_a = await _exp(ca, "a-project")
    async with _org_b_plane(plane) as (cb, app_b, org_b):
        pid_b, eid_b = await _exp(cb, "b-project")
        ds_b = (await cb.post("/v1/dataset", json={"project_id": pid_b, "name": "golden"})).json()["id"]
        session = "shared-session-" + uuid.uuid4().hex[:6]
        assert (await logs3(cb, [span({"prompt_session_id": session}, input="b-secret")])).status_code == 200
        # every way of naming B's objects from A's credential is refused, whatever the request claims
        for rows in ([span({"dataset_id": ds_b}, org_id=org_b)], [span({"project_id": pid_b, "log_id": "g"})],
                     [span({"experiment_id": eid_b}, org_id=org_b, project_id=pid_b)]):
            r = await ca.post("/logs3", params={"org_id": org_b}, content=body(rows))
            assert r.status_code == 404, r.text
        for path in (f"/v1/dataset/{ds_b}/insert", f"/v1/project_logs/{pid_b}/insert",
                     f"/v1/experiment/{eid_b}/insert"):
            r = await ca.post(path, json={"events": [{"input": "from-a", "org_id": org_b}]})
            assert r.status_code == 404, (path, r.text)
        assert (await ca.post("/v1/prompt", json={"project_id": pid_b, "slug": "x"})).status_code == 404
        assert (await ca.post("/v1/dataset", json={"project_id": pid_b, "name": "x"})).status_code == 404
        # A writes its own rows with B's org id in them: they land in A only
        assert (await logs3(ca, [span({"experiment_id": eid_a}, org_id=org_b, input="a-row")])).status_code == 200
        assert (await logs3(ca, [span({"prompt_session_id": session}, input="a-secret")])).status_code == 200
        seen_b = await cb.post("/v1/query", json={"object_type": "playground_logs", "object_id": session})
        assert [r["input"] for r in seen_b.json()["data"]] == ["b-secret"]
        seen_a = await ca.post("/v1/query", json={"object_type": "playground_logs", "object_id": session})
        assert [r["input"] for r in seen_a.json()["data"]] == ["a-secret"]
        for path in (f"/v1/dataset/{ds_b}/fetch", f"/v1/project_logs/{pid_b}/fetch", f"/v1/experiment/{eid_b}/fetch"):
            assert await fetch_all(cb, path) == [], path
        a_rows = await fetch_all(ca, f"/v1/experiment/{eid_a}/fetch")
        assert [r.get("org_id") for r in a_rows] in ([None], [plane.org_id])


async def test_signed_urls_and_overflow_keys_do_not_cross_orgs(plane) -> None:
    anon = plane.anonymous()
    async with _org_b_plane(plane) as (cb, app_b, org_b):
        anon_b = httpx.AsyncClient(transport=httpx.ASGITransport(app=app_b), base_url="http://dp-b.test")
        async with anon_b:
            key = str(uuid.uuid4())
            await _attachment(cb, anon_b, key, b"org b's file")
            b_get = (await cb.get("/attachment", params={"key": key})).json()["downloadUrl"]
            token = b_get.rsplit("/", 1)[1]
            # B's signed URL presented to A's data plane (same blob directory): refused
            assert (await anon.get(f"/blobs/{token}")).status_code == 401
            assert (await anon.put(f"/blobs/{token}", content=b"x")).status_code == 401
            assert (await plane.client().get("/attachment", params={"key": key})).status_code == 404
            # B's overflow upload cannot be ingested by A
            slot = (await cb.post("/logs3/overflow", json={"size_bytes": 100})).json()
            r = await plane.client().post("/logs3", content=orjson.dumps(
                {"rows": {"type": "logs3_overflow", "key": slot["key"]}, "api_version": 2}))
            assert r.status_code == 404


async def test_read_only_credentials_are_refused_on_every_write_path(plane) -> None:
    owner = plane.client()
    pid, eid = await _exp(owner, "ro")
    ds = (await owner.post("/v1/dataset", json={"project_id": pid, "name": "d"})).json()["id"]
    viewer_id = plane.add_user("viewer@acme.test", "viewer")
    for c in (plane.client(plane.new_key(read_only=True)), plane.client(plane.browser_token(user_id=viewer_id,
                                                                                            role="viewer"))):
        for path, payload in [
            ("/logs3/overflow", {"size_bytes": 10}),
            (f"/v1/dataset/{ds}/insert", {"events": [{"input": 1}]}),
            (f"/v1/project_logs/{pid}/insert", {"events": [{"input": 1}]}),
            ("/v1/prompt", {"project_id": pid, "slug": "p", "prompt_data": {}}),
            ("/attachment", {"key": "k", "filename": "f", "content_type": "text/plain"}),
            ("/attachment/status", {"key": "k", "status": {"upload_status": "done"}}),
            ("/v1/dataset", {"project_id": pid, "name": "new-dataset"}),
            ("/v1/project", {"name": "new-project"}),
        ]:
            r = await c.post(path, json=payload)
            assert r.status_code == 403, (path, r.status_code, r.text)
    assert await fetch_all(owner, f"/v1/dataset/{ds}/fetch") == []
    assert await fetch_all(owner, f"/v1/project_logs/{pid}/fetch") == []
    assert (await owner.get("/v1/prompt", params={"project_id": pid})).json()["objects"] == []


async def test_a_project_scoped_key_writes_nowhere_else(plane) -> None:
    owner = plane.client()
    p1, e1 = await _exp(owner, "one")
    p2, e2 = await _exp(owner, "two")
    ds2 = (await owner.post("/v1/dataset", json={"project_id": p2, "name": "d"})).json()["id"]
    scoped = plane.client(plane.new_key(project_id=p1))
    for path, payload in [
        (f"/v1/dataset/{ds2}/insert", {"events": [{"input": 1}]}),
        (f"/v1/project_logs/{p2}/insert", {"events": [{"input": 1}]}),
        (f"/v1/project_logs/{p1}/insert", {"events": [{"input": 1, "project_id": p2}]}),
        ("/v1/prompt", {"project_id": p2, "slug": "p", "prompt_data": {}}),
        ("/v1/dataset", {"project_id": p2, "name": "mine-now"}),
        ("/v1/experiment", {"project_id": p2}),
    ]:
        r = await scoped.post(path, json=payload)
        assert r.status_code in (400, 404), (path, r.status_code, r.text)
    for rows in ([span({"dataset_id": ds2})], [span({"project_id": p2, "log_id": "g"})],
                 [span({"project_id": p2, "log_id": "p"}, slug="p")], [span({"prompt_session_id": "s"})]):
        assert (await logs3(scoped, rows)).status_code == 404, rows
    # the same refusal through an overflow upload
    rows = body([span({"experiment_id": e2})])
    slot = (await scoped.post("/logs3/overflow", json={"size_bytes": len(rows)})).json()
    assert (await plane.anonymous().put(slot["signedUrl"], content=rows)).status_code == 200
    r = await scoped.post("/logs3", content=orjson.dumps({"rows": {"type": "logs3_overflow", "key": slot["key"]}}))
    assert r.status_code == 404
    # duplicate keys: one parser, last one wins, for the check and the write alike
    dup = b'{"rows": [{"id": "d1", "experiment_id": "%s", "experiment_id": "%s"}]}' % (e2.encode(), e1.encode())
    assert (await scoped.post("/logs3", content=dup)).status_code == 200
    dup = b'{"rows": [{"id": "d2", "experiment_id": "%s", "experiment_id": "%s"}]}' % (e1.encode(), e2.encode())
    assert (await scoped.post("/logs3", content=dup)).status_code == 404
    assert [r["id"] for r in await fetch_all(owner, f"/v1/experiment/{e1}/fetch")] == ["d1"]
    for path in (f"/v1/experiment/{e2}/fetch", f"/v1/dataset/{ds2}/fetch", f"/v1/project_logs/{p2}/fetch"):
        assert await fetch_all(owner, path) == [], path


@pytest.mark.parametrize("data_overrides", [{"max_body_bytes": 100_000}])
async def test_compressed_bodies_are_never_inflated(plane) -> None:
    c = plane.client()
    _, eid = await _exp(c, "gz")
    bomb = gzip.compress(b'{"rows": [' + b" " * 5_000_000 + b"]}")  # ~5 KB on the wire, 5 MB inflated
    r = await c.post("/logs3", content=bomb, headers={"Content-Encoding": "gzip"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_request"
    plain = gzip.compress(body([span({"experiment_id": eid})]))
    assert (await c.post("/logs3", content=plain, headers={"Content-Encoding": "gzip"})).status_code == 400
    assert await fetch_all(c, f"/v1/experiment/{eid}/fetch") == []


@pytest.mark.parametrize("data_overrides", [{"max_row_bytes": 2_000}])
async def test_a_prompt_obeys_the_row_size_limit_like_any_row(plane) -> None:
    c = plane.client()
    pid, eid = await _exp(c, "limits")
    big = {"prompt": {"type": "chat", "messages": [{"role": "system", "content": "x" * 20_000}]}}
    assert (await logs3(c, [span({"experiment_id": eid}, input=big)])).status_code == 413  # rows are limited
    r = await c.post("/v1/prompt", json={"project_id": pid, "slug": "huge", "prompt_data": big})
    assert r.status_code == 413, f"a {len(orjson.dumps(big))}-byte prompt row was stored: {r.status_code}"


async def test_error_bodies_carry_no_trace_sql_or_credential(plane) -> None:
    c = plane.client()
    _, eid = await _exp(c, "errors")
    probes = [
        ("/logs3", b"{not json"),
        ("/logs3", b'{"rows": [{"id": "x", "experiment_id": "nope"}]}'),
        ("/v1/query", orjson.dumps({"object_type": "experiment", "object_id": eid, "filter": "input = 'x' OR 1=1; --"})),
        ("/v1/query", orjson.dumps({"object_type": "experiment", "object_id": eid, "filter": "metadata.\"a\" = "})),
        ("/v1/query", orjson.dumps({"object_type": "experiment", "object_id": eid, "cursor": "' OR 1=1 --"})),
        ("/v1/aggregate", orjson.dumps({"object_type": "experiment", "object_id": eid,
                                        "measures": [{"fn": "max); DROP TABLE dp_rows; --", "field": "x"}]})),
        ("/btql", orjson.dumps({"query": {"from": {"op": "function", "name": {"op": "ident", "name": ["dp_rows"]},
                                                   "args": [{"op": "literal", "value": eid}]}}})),
    ]
    for path, raw in probes:
        r = await c.post(path, content=raw)
        assert 400 <= r.status_code < 500, (path, r.status_code, r.text)
        text = r.text.lower()
        for leak in ("traceback", "select ", "dp_rows\"", "sqlite3", "psycopg", plane.api_key.lower(), "file \""):
            assert leak not in text, (path, leak, r.text)
        assert set(r.json()["error"]) >= {"code", "message"}


# ---------------------------------------------------------------------------------------------
# Control plane
# ---------------------------------------------------------------------------------------------

def test_cp1_an_unverified_sso_email_cannot_claim_a_later_invitation(sso_app, provider) -> None:
    rt_ = sso_app.state.runtime
    # the attacker signs in first, with the victim's address that the IdP did not verify
    provider.user = {"sub": "attacker", "email": "victim@corp.example", "email_verified": False, "name": "A"}
    attacker, done = sso_sign_in(sso_app)
    owner = rt_.accounts.create_local_user("boss@corp.example", PASSWORD)
    org = rt_.store.create_org("corp", owner["id"])
    boss = sign_in(sso_app, "boss@corp.example")
    # later, the owner invites the real victim by email
    r = boss.post(f"/api/v1/orgs/{org['id']}/members", json={"email": "victim@corp.example", "role": "admin"})
    assert r.status_code == 200, r.text
    me = attacker.get("/api/v1/auth/me")
    orgs = me.json().get("orgs", []) if me.status_code == 200 else []
    assert org["id"] not in [o["id"] for o in orgs], "the invitation went to the attacker's SSO identity"


def test_cp2_a_key_cannot_mint_a_key_that_outlives_it(app, make_org) -> None:
    org = make_org("acme")
    expires = datetime.now(UTC) + timedelta(hours=1)
    parent = org.owner.post(f"/api/v1/orgs/{org.id}/api-keys",
                            {"name": "ci-for-an-hour", "expires_at": expires.isoformat()}).json()
    r = bearer(app, parent["key"]).post(f"/api/v1/orgs/{org.id}/api-keys", json={"name": "forever"})
    if r.status_code == 200:
        child_expiry = r.json()["expires_at"]
        assert child_expiry is not None, "a one-hour key minted a key that never expires"
        assert datetime.fromisoformat(child_expiry.replace("Z", "+00:00")) <= expires + timedelta(seconds=1)
    else:
        assert r.status_code == 403


def test_cp3_a_project_scoped_key_cannot_revoke_org_wide_keys(app, make_org) -> None:
    org = make_org("acme")
    full = org.owner.post(f"/api/v1/orgs/{org.id}/api-keys", {"name": "production"}).json()
    p1 = org.owner.post(f"/api/v1/orgs/{org.id}/projects", {"name": "p1"}).json()
    scoped = org.owner.post(f"/api/v1/orgs/{org.id}/api-keys", {"name": "p1 only", "project_id": p1["id"]}).json()
    r = bearer(app, scoped["key"]).delete(f"/api/v1/orgs/{org.id}/api-keys/{full['id']}")
    assert r.status_code in (403, 404), r.text
    assert bearer(app, full["key"]).get(f"/api/v1/orgs/{org.id}").status_code == 200


def test_cp4_control_plane_refuses_oversized_bodies_before_parsing(app) -> None:
    c = TestClient(app)
    big = b'{"email": "a@b.example", "password": "' + b"x" * 4_000_000 + b'"}'
    r = c.post("/api/v1/auth/login", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413, f"a 4 MB anonymous body was read and parsed: {r.status_code}"

    def chunked() -> Any:  # no Content-Length
        yield b'{"email": "a@b.example", "password": "'
        for _ in range(4):
            yield b"x" * 1_000_000
        yield b'"}'

    r = c.post("/api/v1/auth/login", content=chunked(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413


def test_cp5_log_redaction_covers_the_oidc_authorization_code() -> None:
    from twinplane.server.common.redaction import redact

    line = '127.0.0.1:50000 - "GET /api/v1/auth/oidc/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=af0ifjsldkj HTTP/1.1" 302'
    assert "SplxlOBeZQQYbYS6WxSbIA" not in redact(line)


def test_sign_in_replaces_a_planted_session_cookie_and_needs_json(app, make_user) -> None:
    victim = make_user("victim@acme.example")
    attacker = make_user("attacker@acme.example")
    planted = attacker.client.cookies.get("tp_session")
    r = TestClient(app).post("/api/v1/auth/login", json={"email": victim.email, "password": PASSWORD},
                             headers={"Cookie": f"tp_session={planted}"})
    assert r.status_code == 200
    issued = [c for c in r.headers.get_list("set-cookie") if c.startswith("tp_session=")]
    assert len(issued) == 1 and not issued[0].startswith(f"tp_session={planted};")
    # the planted session still belongs to the attacker: it was not upgraded to the victim
    assert attacker.get("/api/v1/auth/me").json()["user"]["email"] == attacker.email
    # a cross-site form or no-cors fetch can only send text/plain: no login CSRF
    r = TestClient(app).post("/api/v1/auth/login", content=orjson.dumps({"email": victim.email, "password": PASSWORD}),
                             headers={"Content-Type": "text/plain"})
    assert r.status_code == 422 and "set-cookie" not in r.headers


def test_control_plane_path_variants_never_answer_api_data_anonymously(app, make_org) -> None:
    org = make_org("acme")
    anon = TestClient(app, follow_redirects=False)
    for path in (f"/api/v1/orgs/{org.id}", f"//api/v1/orgs/{org.id}", f"/API/v1/orgs/{org.id}",
                 f"/api/v1/orgs/{org.id}/", f"/api%2Fv1%2Forgs%2F{org.id}", "/internal/v1/data-plane",
                 "//internal/v1/data-plane", "/internal/v1/data-plane/", f"/api/v1/orgs/{org.id}/secrets"):
        for method in ("GET", "HEAD", "OPTIONS", "POST"):
            r = anon.request(method, path)
            assert r.status_code != 200 or r.headers["content-type"].startswith("text/html"), (method, path)
            if r.content and r.headers.get("content-type", "").startswith("application/json"):
                assert set(r.json()) == {"error"}, (method, path, r.text)


def test_oidc_callback_refuses_an_id_token_with_another_nonce(sso_app, provider) -> None:
    from urllib.parse import parse_qs, urlsplit

    client = TestClient(sso_app, follow_redirects=False)
    location = client.get("/api/v1/auth/oidc/start").headers["location"]
    back = urlsplit(httpx.get(location, follow_redirects=False).headers["location"])
    code = parse_qs(back.query)["code"][0]
    provider.codes[code]["nonce"] = "replayed-from-another-attempt"
    r = client.get(f"{back.path}?{back.query}")
    assert r.status_code == 401 and "tp_session" not in r.headers.get("set-cookie", "")
    assert client.get("/api/v1/auth/me").status_code == 401


# ---------------------------------------------------------------------------------------------
# CLI: ``twinplane up``
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def umask_022() -> Any:
    old = os.umask(0o022)  # the common default; the files' modes must not depend on it
    yield
    os.umask(old)


def test_cli1_up_never_writes_credentials_to_a_readable_file(tmp_path: Path, monkeypatch, umask_022) -> None:
    from twinplane.cli import up

    exposed: list[str] = []
    real_chmod = os.chmod

    def chmod(path: Any, mode: int, *a: Any, **kw: Any) -> None:
        if Path(path).is_file() and os.stat(path).st_mode & 0o077:
            exposed.append(f"{Path(path).name} was {oct(os.stat(path).st_mode & 0o777)} before chmod")
        real_chmod(path, mode, *a, **kw)

    monkeypatch.setattr(os, "chmod", chmod)
    launch = up.prepare(tmp_path / "tp", control_port=18000, data_port=18100)
    assert launch.state["api_key"].startswith("tpk_") and launch.state_path.stat().st_mode & 0o077 == 0
    assert exposed == [], exposed


def test_cli2_up_keeps_its_data_directory_private(tmp_path: Path, umask_022) -> None:
    from twinplane.cli import up

    root = tmp_path / "tp"
    up.prepare(root, control_port=18000, data_port=18100)
    assert root.stat().st_mode & 0o077 == 0, f"{root} is {oct(root.stat().st_mode & 0o777)}: data.db, " \
                                             "control.db and blobs/ are readable by every local user"
