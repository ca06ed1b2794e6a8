"""The control plane as a real process: `twinplane control-plane serve` on a free port,
on SQLite and PostgreSQL, answering health, readiness and the SDK login, with its metrics on a
port of their own; and refusing to start without its secrets."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from support.ports import free_port
from twinplane.server.common.db import normalize_database_url
from twinplane.server.control_plane.bootstrap import ensure_bootstrap, ensure_local_secrets
from twinplane.server.settings import ControlPlaneSettings

pytestmark = pytest.mark.slow


def _env(extra: dict[str, str]) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("TWINPLANE_CONTROL_")}
    return {**base, **extra}


def _serve(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "twinplane.cli.main", "control-plane", "serve"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {proc.stdout.read().decode() if proc.stdout else ''}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError("server did not become healthy")


def test_serves_health_and_sdk_login(tmp_path: Path, database_url: str) -> None:
    port = free_port()
    metrics_port = next(p for p in iter(free_port, None) if p != port)
    url = f"http://127.0.0.1:{port}"
    env = {**ensure_local_secrets(str(tmp_path)), "TWINPLANE_CONTROL_DATABASE_URL": normalize_database_url(database_url),
           "TWINPLANE_CONTROL_PORT": str(port), "TWINPLANE_CONTROL_PUBLIC_URL": url,
           "TWINPLANE_CONTROL_LOG_LEVEL": "warning", "TWINPLANE_CONTROL_METRICS_PORT": str(metrics_port)}
    settings = ControlPlaneSettings(**{k.removeprefix("TWINPLANE_CONTROL_").lower(): v for k, v in env.items()})
    boot = ensure_bootstrap(settings, admin_email="admin@example.com", admin_password="pw-0123456789",
                            org_name="acme", data_plane_api_url="http://127.0.0.1:1")
    assert boot.api_key
    proc = _serve(_env(env))
    try:
        _wait_healthy(url, proc)
        assert httpx.get(url + "/readyz").json() == {"status": "ready"}
        login = httpx.post(url + "/api/apikey/login", headers={"Authorization": f"Bearer {boot.api_key}"})
        assert login.status_code == 200 and login.json()["org_info"][0]["name"] == "acme"
        bad = httpx.post(url + "/api/apikey/login", headers={"Authorization": "Bearer tpk_wrong"})
        assert bad.status_code == 401 and bad.json()["error"]["code"] == "unauthorized"
        r = httpx.post(url + "/api/v1/auth/login", json={"email": "admin@example.com", "password": "pw-0123456789"})
        assert r.status_code == 200 and "tp_session" in r.cookies
        assert "server" not in r.headers
        metrics = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics").text
        assert 'twinplane_http_requests_total{method="POST",route="/api/apikey/login",status="401"} 1.0' in metrics
        assert 'twinplane_http_requests_total{method="POST",route="/api/v1/auth/login",status="200"} 1.0' in metrics
        assert "process_cpu_seconds_total" in metrics and "admin@example.com" not in metrics
    finally:
        proc.terminate()
        out = proc.communicate(timeout=15)[0].decode()
    assert boot.api_key not in out and "pw-0123456789" not in out


def test_refuses_to_start_without_a_valid_kek(tmp_path: Path) -> None:
    env = {**ensure_local_secrets(str(tmp_path)), "TWINPLANE_CONTROL_KEK": "1:not-a-key",
           "TWINPLANE_CONTROL_DATABASE_URL": f"sqlite:///{tmp_path}/cp.db",
           "TWINPLANE_CONTROL_PORT": str(free_port())}
    proc = _serve(_env(env))
    out = proc.communicate(timeout=30)[0].decode()
    assert proc.returncode == 2 and "TWINPLANE_CONTROL_KEK" in out
    assert not (tmp_path / "cp.db").exists()
