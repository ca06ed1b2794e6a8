"""Sign-in throttling: tight per (client address, account), loose per address and per account,
so one attacker can neither guess a password nor lock everyone else out; and the client address
is the one a trusted proxy forwards."""

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from twinplane.server.control_plane.app import create_app
from twinplane.server.control_plane.migrations import upgrade_to_head

from .support import PASSWORD, make_settings

LOGIN = "/api/v1/auth/login"
WRONG = "x" * 9


@pytest.fixture
def tight_app(database_url: str, tmp_path: Any) -> Iterator[Any]:
    upgrade_to_head(database_url)
    app = create_app(make_settings(database_url, tmp_path, login_attempts_per_minute=3,
                                   login_attempts_per_address_per_minute=6))
    for email in ("g@example.com", "h@example.com"):
        app.state.runtime.accounts.create_local_user(email, PASSWORD)
    yield app
    app.state.runtime.engine.dispose()


def _from(app: Any, address: str) -> TestClient:
    return TestClient(app, client=(address, 50000))


def _login(client: Any, email: str, password: str) -> int:
    return client.post(LOGIN, json={"email": email, "password": password}).status_code


def test_one_address_is_throttled_on_one_account_without_locking_anyone_out(tight_app: Any) -> None:
    attacker, victim = _from(tight_app, "10.0.0.66"), _from(tight_app, "10.0.0.7")
    for _ in range(3):
        assert _login(attacker, "g@example.com", WRONG) == 401
    r = attacker.post(LOGIN, json={"email": "g@example.com", "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert r.json()["error"]["code"] == "rate_limited"
    # the account's owner, from their own address, still signs in
    assert _login(victim, "g@example.com", PASSWORD) == 200
    # and the attacker's address may still sign in to other accounts (up to the loose bound)
    assert _login(attacker, "h@example.com", PASSWORD) == 200


def test_the_loose_bounds_stop_spraying_and_distributed_guessing(tight_app: Any) -> None:
    sprayer = _from(tight_app, "10.0.0.66")
    for i in range(6):  # six accounts, one try each: under the tight bound every time
        assert _login(sprayer, f"user{i}@example.com", WRONG) == 401
    assert _login(sprayer, "g@example.com", PASSWORD) == 429
    for i in range(6):  # one account from six addresses
        assert _login(_from(tight_app, f"10.1.0.{i}"), "h@example.com", WRONG) == 401
    assert _login(_from(tight_app, "10.1.0.99"), "h@example.com", PASSWORD) == 429


def test_sdk_logins_are_not_throttled_by_address(tight_app: Any) -> None:
    # in data-plane-only mode a data plane forwards every SDK login from one address
    client = _from(tight_app, "10.0.0.66")
    for _ in range(8):
        assert client.post("/api/apikey/login", headers={"Authorization": "Bearer tpk_nope"}).status_code == 401


def test_the_server_trusts_forwarded_headers_only_from_the_configured_proxies(database_url: str, tmp_path: Any,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from twinplane.server.control_plane import server

    captured: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, *a, **k: captured.setdefault("config", self.config))
    settings = make_settings(database_url, tmp_path, forwarded_allow_ips="10.9.0.1,10.9.0.2",
                             login_attempts_per_minute=2, login_attempts_per_address_per_minute=100)
    upgrade_to_head(database_url)
    server.run(settings)
    config: uvicorn.Config = captured["config"]
    assert config.proxy_headers and config.forwarded_allow_ips == "10.9.0.1,10.9.0.2"
    config.load()  # the app as uvicorn serves it: wrapped in its proxy-headers middleware
    app = config.loaded_app
    runtime = config.app.state.runtime
    runtime.accounts.create_local_user("g@example.com", PASSWORD)

    async def alogin(peer: str, forwarded_for: str, password: str = WRONG) -> int:
        transport = httpx.ASGITransport(app=app, client=(peer, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            r = await c.post(LOGIN, json={"email": "g@example.com", "password": password},
                             headers={"X-Forwarded-For": forwarded_for})
            return r.status_code

    async def scenario() -> None:
        # behind a trusted proxy, each forwarded client counts on its own
        assert [await alogin("10.9.0.1", "203.0.113.5") for _ in range(3)] == [401, 401, 429]
        assert await alogin("10.9.0.1", "203.0.113.6", PASSWORD) == 200
        # a peer that is not a trusted proxy cannot choose its address with the header
        assert [await alogin("198.51.100.9", f"203.0.113.{i}") for i in (10, 11, 12)] == [401, 401, 429]

    try:
        asyncio.run(scenario())
    finally:
        runtime.engine.dispose()
