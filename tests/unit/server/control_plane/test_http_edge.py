"""What every request meets before a route: the Host allow-list, the body-size limit, and the
headers every API answer carries."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from twinplane.server.common.allowed_hosts import answered_hosts
from twinplane.server.control_plane.app import create_app
from twinplane.server.control_plane.migrations import upgrade_to_head
from twinplane.server.control_plane.runtime import ConfigurationError

from .support import PASSWORD, make_settings


@pytest.fixture
def public_app(database_url: str, tmp_path: Any) -> Iterator[Any]:
    upgrade_to_head(database_url)
    app = create_app(make_settings(database_url, tmp_path, public_url="https://cp.example.com/twinplane",
                                   allowed_hosts=["127.0.0.1", "localhost", "control-plane"],
                                   max_body_bytes=4096))
    app.state.runtime.accounts.create_local_user("a@example.com", PASSWORD)
    yield app
    app.state.runtime.engine.dispose()


def test_the_public_host_is_always_allowed_besides_the_setting(settings: Any) -> None:
    assert answered_hosts(settings.public_url, settings.allowed_hosts) == ["testserver", "127.0.0.1", "localhost", "::1"]


def test_only_configured_hosts_are_answered(public_app: Any) -> None:
    login = {"email": "a@example.com", "password": PASSWORD}
    for base in ("https://cp.example.com", "http://127.0.0.1:8000", "http://localhost:8000", "http://control-plane:8000"):
        r = TestClient(public_app, base_url=base).post("/api/v1/auth/login", json=login)
        assert r.status_code == 200, (base, r.text)
    # DNS rebinding: the attacker's name pointed at this server's address
    for base in ("http://rebind.evil.example:8000", "http://cp.example.com.evil.example", "http://[::1]:8000"):
        c = TestClient(public_app, base_url=base)
        r = c.post("/api/v1/auth/login", json=login)
        assert r.status_code == 400 and r.json()["error"]["code"] == "bad_host", base
        assert "set-cookie" not in r.headers and r.headers["cache-control"] == "no-store"
        for path in ("/", "/.well-known/jwks.json", "/internal/v1/data-plane"):
            assert c.get(path).status_code == 400, (base, path)
        # load balancers probe by IP address
        assert c.get("/healthz").json() == {"status": "ok"}
        assert c.get("/readyz").json() == {"status": "ready"}


def test_bodies_over_max_body_bytes_are_refused(public_app: Any) -> None:
    c = TestClient(public_app, base_url="https://cp.example.com")
    r = c.post("/api/v1/auth/login", content=b'{"email": "a@example.com", "password": "' + b"p" * 5000 + b'"}',
               headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"

    def chunked() -> Any:
        yield b'{"email": "a@example.com", "password": "'
        for _ in range(10):
            yield b"p" * 1000
        yield b'"}'

    r = c.post("/api/v1/auth/login", content=chunked(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and "set-cookie" not in r.headers
    # the internal API too, before the service token is even looked at
    r = c.post("/internal/v1/introspect", content=b"x" * 5000, headers={"Authorization": "Bearer tps_x"})
    assert r.status_code == 413


def test_the_body_limit_defaults_to_one_mebibyte(settings: Any) -> None:
    assert settings.max_body_bytes == 1024 * 1024


def test_a_tiny_body_limit_is_a_configuration_error(database_url: str, tmp_path: Any) -> None:
    with pytest.raises(ConfigurationError, match="MAX_BODY_BYTES"):
        create_app(make_settings(database_url, tmp_path, max_body_bytes=10))


def test_api_and_internal_answers_are_never_cached(app: Any, make_org: Any) -> None:
    org = make_org("acme")
    anon = TestClient(app)
    answers = [
        org.owner.get("/api/v1/auth/me"),  # 200
        anon.get("/api/v1/auth/me"),  # 401
        org.owner.get("/api/v1/orgs/00000000-0000-4000-8000-000000000000"),  # 404
        anon.post("/api/v1/auth/login", json={"email": "x@example.com"}),  # 422
        org.internal(app).get("/internal/v1/data-plane"),  # 200
        anon.get("/internal/v1/data-plane"),  # 401
        anon.post("/api/apikey/login"),  # 401
    ]
    for r in answers:
        assert r.headers.get("cache-control") == "no-store", (r.request.url, r.status_code)
    assert anon.get("/.well-known/jwks.json").headers["cache-control"] == "public, max-age=300"
