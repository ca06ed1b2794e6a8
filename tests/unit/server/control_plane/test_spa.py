"""The built web UI: hashed assets cached forever, index.html fallback with a strict CSP."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from twinplane.server.control_plane.app import create_app
from twinplane.server.control_plane.migrations import upgrade_to_head

from .support import PASSWORD, make_settings, sign_in


@pytest.fixture
def ui(tmp_path: Any) -> Iterator[Any]:
    static = tmp_path / "static"
    (static / "assets").mkdir(parents=True)
    (static / "index.html").write_text("<!doctype html><div id=root></div><script src=/assets/app-1a2b.js></script>")
    (static / "assets" / "app-1a2b.js").write_text("console.log('ui')")
    (static / "favicon.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text("outside the root")
    url = f"sqlite:///{tmp_path}/cp.db"
    upgrade_to_head(url)
    app = create_app(make_settings(url, tmp_path, static_dir=str(static)))
    yield app
    app.state.runtime.engine.dispose()


def test_assets_are_immutable_and_index_is_not_cached(ui: Any) -> None:
    client = TestClient(ui)
    r = client.get("/assets/app-1a2b.js")
    assert r.status_code == 200 and r.headers["cache-control"] == "public, max-age=31536000, immutable"
    r = client.get("/")
    assert r.status_code == 200 and "id=root" in r.text and r.headers["cache-control"] == "no-cache"
    assert client.get("/favicon.svg").headers["cache-control"] == "no-cache"
    assert client.get("/assets/missing.js").status_code == 404


def test_client_side_routes_fall_back_to_index(ui: Any) -> None:
    client = TestClient(ui)
    for path in ("/projects/abc/experiments", "/settings/api-keys", "/login"):
        r = client.get(path)
        assert r.status_code == 200 and "id=root" in r.text
    for path in ("/api/v1/nope", "/internal/v1/nope", "/.well-known/nope"):
        r = client.get(path)
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_csp_forbids_inline_scripts_and_allows_only_my_data_planes(ui: Any) -> None:
    rt = ui.state.runtime
    client = TestClient(ui)
    csp = client.get("/").headers["content-security-policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "connect-src 'self' https: http:;" in csp and "frame-ancestors 'none'" in csp  # signed out
    mine = rt.accounts.create_local_user("me@example.com", PASSWORD)
    other = rt.accounts.create_local_user("other@example.com", PASSWORD)
    org = rt.store.create_org("mine", mine["id"])
    rt.data_planes.register(org["id"], "https://dp.mine.example:8443/base", None)
    org2 = rt.store.create_org("theirs", other["id"])
    rt.data_planes.register(org2["id"], "https://dp.theirs.example", None)
    csp = sign_in(ui, "me@example.com").get("/").headers["content-security-policy"]
    assert "connect-src 'self' https://dp.mine.example:8443;" in csp and "theirs" not in csp
    rt.accounts.create_local_user("orgless@example.com", PASSWORD)
    csp = sign_in(ui, "orgless@example.com").get("/").headers["content-security-policy"]
    assert "connect-src 'self';" in csp


def test_paths_outside_the_static_root_are_never_served(ui: Any) -> None:
    client = TestClient(ui)
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt", "/..%5csecret.txt"):
        r = client.get(path)
        assert "outside the root" not in r.text, path


def test_a_missing_build_answers_a_helpful_page(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path}/cp.db"
    upgrade_to_head(url)
    app = create_app(make_settings(url, tmp_path, static_dir=str(tmp_path / "nothing-here")))
    try:
        r = TestClient(app).get("/")
        assert r.status_code == 200 and "not built" in r.text and "content-security-policy" in r.headers
    finally:
        app.state.runtime.engine.dispose()


def test_index_carries_the_base_of_the_public_url(tmp_path: Any) -> None:
    """The build's asset URLs are relative: ``<base href>`` (public_url's path) is what they resolve against."""
    from twinplane.server.control_plane.routes.spa import with_base

    page = "<!doctype html><html><head><script src=./assets/app.js></script></head></html>"
    assert '<head><base href="/" /><script' in with_base(page, "http://localhost:8000")
    assert '<head><base href="/twinplane/" />' in with_base(page, "https://example.com/twinplane/")
    assert '<base href="/a&quot;b/" />' in with_base(page, 'https://example.com/a"b')  # quoted, never raw


def test_under_a_path_the_app_answers_with_and_without_the_prefix(tmp_path: Any) -> None:
    """Behind a proxy at https://cp.example.com/twinplane/, which may keep or strip the prefix."""
    static = tmp_path / "static"
    (static / "assets").mkdir(parents=True)
    (static / "index.html").write_text("<!doctype html><html><head></head><body><div id=root></div></body></html>")
    (static / "assets" / "app-1a2b.js").write_text("console.log('ui')")
    url = f"sqlite:///{tmp_path}/cp.db"
    upgrade_to_head(url)
    app = create_app(make_settings(url, tmp_path, static_dir=str(static),
                                   public_url="https://cp.example.com/twinplane", allowed_hosts=["testserver"]))
    try:
        client = TestClient(app)
        for prefix in ("/twinplane", ""):
            assert client.get(f"{prefix}/healthz").json() == {"status": "ok"}
            r = client.get(f"{prefix}/api/v1/auth/config")
            assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
            r = client.get(f"{prefix}/assets/app-1a2b.js")
            assert r.status_code == 200 and r.text == "console.log('ui')"
            r = client.get(f"{prefix}/o/some-org/p/some-project")
            assert r.status_code == 200 and '<base href="/twinplane/" />' in r.text
        assert client.get("/twinplane/api/v1/nope").status_code == 404
        bare = client.get("/twinplane", follow_redirects=False)  # relative: never built from Host and scheme
        assert bare.status_code == 307 and bare.headers["location"] == "/twinplane/"
        # request metrics still name routes by their template
        metrics = app.state.metrics.render().decode()
        assert 'route="/api/v1/auth/config",status="200"} 2.0' in metrics
    finally:
        app.state.runtime.engine.dispose()


def test_a_percent_encoded_base_path_is_matched_decoded(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path}/cp.db"
    upgrade_to_head(url)
    app = create_app(make_settings(url, tmp_path, public_url="https://cp.example.com/my%20app",
                                   allowed_hosts=["testserver"]))
    try:
        client = TestClient(app)
        for path in ("/my%20app/api/v1/auth/config", "/api/v1/auth/config"):
            assert client.get(path).status_code == 200, path
        assert '<base href="/my%20app/" />' in client.get("/my%20app/login").text
    finally:
        app.state.runtime.engine.dispose()
