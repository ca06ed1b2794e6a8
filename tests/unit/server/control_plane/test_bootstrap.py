"""The bootstrap API that ``twinplane up`` relies on."""

import stat
from pathlib import Path

from fastapi.testclient import TestClient

from twinplane.server.control_plane.app import create_app
from twinplane.server.control_plane.bootstrap import ensure_bootstrap, ensure_local_secrets
from twinplane.server.settings import ControlPlaneSettings

from .support import bearer


def _settings(data_dir: Path, database_url: str) -> ControlPlaneSettings:
    env = ensure_local_secrets(str(data_dir))
    return ControlPlaneSettings(database_url=database_url, public_url="http://testserver",
                                **{k.removeprefix("TWINPLANE_CONTROL_").lower(): v for k, v in env.items()})


def test_local_secrets_are_private_and_stable(tmp_path: Path) -> None:
    first = ensure_local_secrets(str(tmp_path / "data"))
    assert set(first) == {"TWINPLANE_CONTROL_KEK", "TWINPLANE_CONTROL_API_KEY_PEPPER",
                          "TWINPLANE_CONTROL_SESSION_SECRET", "TWINPLANE_CONTROL_JWT_PRIVATE_KEY_PATH"}
    assert first["TWINPLANE_CONTROL_KEK"].startswith("1:")
    for name in ("control-secrets.json", "control-jwt.pem"):
        assert stat.S_IMODE((tmp_path / "data" / name).stat().st_mode) == 0o600
    assert ensure_local_secrets(str(tmp_path / "data")) == first


def test_bootstrap_is_idempotent_and_returns_plaintexts_once(tmp_path: Path, database_url: str) -> None:
    settings = _settings(tmp_path, database_url)
    kw = {"admin_email": "admin@twinplane.local", "admin_password": "pw-0123456789", "org_name": "local",
          "data_plane_api_url": "http://127.0.0.1:8100", "data_plane_proxy_url": "http://127.0.0.1:8100"}
    first = ensure_bootstrap(settings, **kw)
    assert first.created and first.api_key and first.service_token and first.org_name == "local"
    again = ensure_bootstrap(settings, **kw)
    assert not again.created and again.api_key is None and again.service_token is None
    assert (again.org_id, again.user_id, again.data_plane_id) == (first.org_id, first.user_id, first.data_plane_id)
    moved = ensure_bootstrap(settings, **{**kw, "data_plane_api_url": "http://127.0.0.1:9100",
                                          "data_plane_proxy_url": None})
    assert moved.data_plane_id == first.data_plane_id

    app = create_app(settings)
    try:
        login = bearer(app, first.api_key).post("/api/apikey/login").json()["org_info"][0]
        assert login["api_url"] == "http://127.0.0.1:9100" and login["name"] == "local"
        dp = bearer(app, first.service_token).get("/internal/v1/data-plane").json()
        assert dp["id"] == first.data_plane_id
        r = TestClient(app).post("/api/v1/auth/login", json={"email": kw["admin_email"], "password": kw["admin_password"]})
        assert r.status_code == 200 and r.json()["orgs"] == [{"id": first.org_id, "name": "local", "role": "owner"}]
    finally:
        app.state.runtime.engine.dispose()
