"""Password sign-in, session cookie flags, CSRF on cookie-authenticated writes, throttling."""

from typing import Any

from fastapi.testclient import TestClient

from twinplane.server.control_plane.app import create_app
from twinplane.server.control_plane.tables import users

from .support import PASSWORD, make_settings


def test_sign_in_sets_session_and_csrf_cookies(app: Any, rt: Any) -> None:
    rt.accounts.create_local_user("Ada@Example.com", PASSWORD, name="Ada")
    client = TestClient(app)
    r = client.post("/api/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["user"]["email"] == "ada@example.com" and body["orgs"] == []
    cookies = r.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("tp_session="))
    csrf = next(c for c in cookies if c.startswith("tp_csrf="))
    assert "HttpOnly" in session and "SameSite=lax" in session and "Secure" not in session
    assert "HttpOnly" not in csrf and body["csrf_token"] in csrf
    assert client.get("/api/v1/auth/me").json()["csrf_token"] == body["csrf_token"]


def test_password_is_stored_as_argon2id(rt: Any) -> None:
    user = rt.accounts.create_local_user("b@example.com", PASSWORD)
    with rt.engine.connect() as conn:
        stored = conn.execute(users.select().where(users.c.id == user["id"])).mappings().one()["password_hash"]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_wrong_password_and_unknown_user_get_the_same_answer(app: Any, rt: Any) -> None:
    rt.accounts.create_local_user("c@example.com", PASSWORD)
    client = TestClient(app)
    a = client.post("/api/v1/auth/login", json={"email": "c@example.com", "password": "wrong password"})
    b = client.post("/api/v1/auth/login", json={"email": "nobody@example.com", "password": "wrong password"})
    assert a.status_code == b.status_code == 401 and a.json() == b.json()
    assert "tp_session" not in a.headers.get("set-cookie", "")


def test_cookie_writes_need_the_csrf_token(app: Any, make_user: Any) -> None:
    user = make_user("d@example.com")
    token = user.client.headers.pop("X-CSRF-Token")
    r = user.post("/api/v1/orgs", {"name": "no-csrf"})
    assert r.status_code == 403 and "CSRF" in r.json()["error"]["message"]
    r = user.post("/api/v1/orgs", {"name": "bad-csrf"}, headers={"X-CSRF-Token": "0" * 64})
    assert r.status_code == 403
    assert user.get("/api/v1/orgs").status_code == 200  # reads need no token
    r = user.post("/api/v1/orgs", {"name": "with-csrf"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200, r.text


def test_logout_ends_the_session(app: Any, make_user: Any) -> None:
    user = make_user("e@example.com")
    cookie = user.client.cookies.get("tp_session")
    assert user.post("/api/v1/auth/logout").status_code == 200
    replay = TestClient(app, cookies={"tp_session": cookie})
    assert replay.get("/api/v1/auth/me").status_code == 401


def test_cookies_are_secure_under_https(database_url: str, tmp_path: Any) -> None:
    from twinplane.server.control_plane.migrations import upgrade_to_head

    settings = make_settings(database_url, tmp_path, public_url="https://cp.example")
    upgrade_to_head(database_url)
    app = create_app(settings)
    try:
        app.state.runtime.accounts.create_local_user("f@example.com", PASSWORD)
        r = TestClient(app, base_url="https://cp.example").post(
            "/api/v1/auth/login", json={"email": "f@example.com", "password": PASSWORD})
        assert all("Secure" in c for c in r.headers.get_list("set-cookie"))
    finally:
        app.state.runtime.engine.dispose()


def test_bodies_are_validated_with_the_error_shape(app: Any) -> None:
    client = TestClient(app)
    r = client.post("/api/v1/auth/login", json={"email": "x@example.com"})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "invalid_request" and "password" in err["message"]
    r = client.post("/api/v1/auth/login", json={"email": "x@example.com", "password": "p" * 9, "admin": True})
    assert r.status_code == 422
