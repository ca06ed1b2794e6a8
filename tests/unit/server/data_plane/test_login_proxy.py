"""Data-plane-only mode: login forwarded to the configured control plane only, URLs rewritten."""

from __future__ import annotations

import httpx
import orjson

from .conftest import CONTROL, DATA


class Recording(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self.inner.handle_async_request(request)


async def test_login_is_forwarded_and_rewritten(plane) -> None:
    rec = Recording(httpx.ASGITransport(app=plane.control_app))
    plane.app.state.runtime.control._public._transport = rec
    c = plane.client(**{"X-Forwarded-Host": "evil.test", "Cookie": "tp_session=stolen", "X-Api-Url": "http://evil.test"})
    r = await c.post("/api/apikey/login", content=orjson.dumps({"api_url": "http://evil.test"}))
    assert r.status_code == 200, r.text
    org = r.json()["org_info"][0]
    assert org["id"] == plane.org_id and org["name"] == plane.org_name
    assert org["api_url"] == DATA and org["proxy_url"] == DATA
    assert len(rec.requests) == 1
    sent = rec.requests[0]
    assert str(sent.url) == CONTROL + "/api/apikey/login"
    assert sent.headers["authorization"] == f"Bearer {plane.api_key}"
    for h in ("cookie", "x-forwarded-host", "x-api-url"):
        assert h not in sent.headers
    assert sent.content == b""


async def test_login_with_a_bad_key_is_refused_before_forwarding(plane) -> None:
    rec = Recording(httpx.ASGITransport(app=plane.control_app))
    plane.app.state.runtime.control._public._transport = rec
    r = await plane.client("tpk_aaaaaaaaaaaa_" + "x" * 43).post("/api/apikey/login")
    assert r.status_code == 401 and rec.requests == []
    r = await plane.anonymous().post("/api/apikey/login")
    assert r.status_code == 401 and rec.requests == []
    r = await plane.anonymous().post("/api/apikey/login", headers={"Host": "evil.test"})  # not a name of ours
    assert r.status_code == 400 and rec.requests == []
