"""The Host allow-list (DNS-rebinding defence): names, wildcards, ports, exempt health checks."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from twinplane.server.common.allowed_hosts import AllowedHostsMiddleware, host_allowed, hostname_of


@pytest.mark.parametrize("header,name", [
    ("cp.example.com", "cp.example.com"), ("CP.Example.com.:8443", "cp.example.com"),
    ("127.0.0.1:8000", "127.0.0.1"), ("[::1]:8000", "::1"), ("[::1]", "::1"), ("", ""), ("[broken", ""),
])
def test_hostname_of_a_host_header(header: str, name: str) -> None:
    assert hostname_of(header) == name


@pytest.mark.parametrize("host,patterns,ok", [
    ("cp.example.com", ["cp.example.com"], True),
    ("evil.example", ["cp.example.com", "localhost"], False),
    ("a.example.com", ["*.example.com"], True),
    ("example.com", ["*.example.com"], True),
    ("badexample.com", ["*.example.com"], False),
    ("example.com.evil.test", ["*.example.com"], False),
    ("anything.test", ["*"], True),
    ("::1", ["[::1]"], True),
    ("localhost", ["LOCALHOST."], True),
    ("", ["*"], False),
])
def test_host_patterns(host: str, patterns: list[str], ok: bool) -> None:
    assert host_allowed(host, patterns) is ok


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()

    @app.get("/api/data")
    def data() -> dict[str, str]:
        return {"secret": "data"}

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.add_middleware(AllowedHostsMiddleware, allowed=["cp.example.com", "localhost"], exempt_paths=["/healthz"])
    return TestClient(app, base_url="http://cp.example.com")


def test_only_allowed_hosts_are_answered(client: TestClient) -> None:
    assert client.get("/api/data").json() == {"secret": "data"}
    assert client.get("http://localhost:8000/api/data").status_code == 200
    r = client.get("/api/data", headers={"Host": "rebound.evil.example:8000"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_host"
    assert "data" not in r.text and r.headers["cache-control"] == "no-store"


def test_health_checks_answer_any_host(client: TestClient) -> None:
    assert client.get("/healthz", headers={"Host": "10.0.0.5:8000"}).status_code == 200
    assert client.get("/healthz/", headers={"Host": "10.0.0.5"}).status_code == 400  # exact paths only


def test_two_host_headers_are_refused(client: TestClient) -> None:
    import httpx

    r = client.get("/api/data", headers=httpx.Headers([("Host", "cp.example.com"), ("Host", "evil.example")]))
    assert r.status_code == 400
