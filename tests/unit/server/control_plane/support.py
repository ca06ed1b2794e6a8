"""Helpers for the control-plane tests: settings with fresh secrets, signed-in clients."""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from fastapi.testclient import TestClient

from twinplane.server.common.envelope import generate_key_entry
from twinplane.server.control_plane.services.browser_tokens import generate_private_key_pem
from twinplane.server.settings import ControlPlaneSettings

PASSWORD = "correct horse battery"


def make_settings(database_url: str, tmp_path: Any, **overrides: Any) -> ControlPlaneSettings:
    pem = tmp_path / "jwt.pem"
    if not pem.exists():
        pem.write_bytes(generate_private_key_pem())
    values: dict[str, Any] = {
        "database_url": database_url,
        "public_url": "http://testserver",
        "kek": generate_key_entry("1"),
        "api_key_pepper": base64.b64encode(os.urandom(32)).decode(),
        "session_secret": "s" * 40,
        "jwt_private_key_path": str(pem),
        "login_attempts_per_minute": 1000,
    }
    values.update(overrides)
    return ControlPlaneSettings(**values)


@dataclass
class User:
    id: str
    email: str
    client: TestClient  # signed in, sends the CSRF header on every request

    def get(self, url: str, **kw: Any) -> Any:
        return self.client.get(url, **kw)

    def post(self, url: str, json: Any = None, **kw: Any) -> Any:
        return self.client.post(url, json=json, **kw)

    def patch(self, url: str, json: Any = None, **kw: Any) -> Any:
        return self.client.patch(url, json=json, **kw)

    def put(self, url: str, json: Any = None, **kw: Any) -> Any:
        return self.client.put(url, json=json, **kw)

    def delete(self, url: str, **kw: Any) -> Any:
        return self.client.delete(url, **kw)


def sign_in(app: Any, email: str, password: str = PASSWORD) -> TestClient:
    client = TestClient(app)
    r = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return client


@dataclass
class Org:
    id: str
    owner: User
    data_plane_id: str
    service_token: str

    def internal(self, app: Any) -> TestClient:
        c = TestClient(app)
        c.headers["Authorization"] = f"Bearer {self.service_token}"
        return c


def bearer(app: Any, token: str) -> TestClient:
    c = TestClient(app)
    c.headers["Authorization"] = f"Bearer {token}"
    return c


def sso_sign_in(app: Any, next_path: str | None = None) -> tuple[TestClient, httpx.Response]:
    """The whole SSO round trip through the provider the app is configured with: (client, callback answer)."""
    client = TestClient(app, follow_redirects=False)
    start = client.get("/api/v1/auth/oidc/start", params={"next": next_path} if next_path else None)
    assert start.status_code == 302, start.text
    location = start.headers["location"]
    q = parse_qs(urlsplit(location).query)
    assert q["code_challenge_method"] == ["S256"] and q["code_challenge"] and q["nonce"] and q["state"]
    assert q["redirect_uri"] == ["http://testserver/api/v1/auth/oidc/callback"]
    at_idp = httpx.get(location, follow_redirects=False)
    assert at_idp.status_code == 302, at_idp.text
    back = urlsplit(at_idp.headers["location"])
    done = client.get(f"{back.path}?{back.query}")
    return client, done
