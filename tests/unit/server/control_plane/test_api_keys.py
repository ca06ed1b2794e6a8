"""API keys: shown once, listed masked, and every kind of bad key gets the same 401."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from twinplane.server.control_plane.tables import api_keys

from .support import bearer


def _create(org: Any, **body: Any) -> dict[str, Any]:
    r = org.owner.post(f"/api/v1/orgs/{org.id}/api-keys", {"name": "ci", **body})
    assert r.status_code == 200, r.text
    return r.json()


def test_key_is_shown_once_and_listed_masked(app: Any, make_org: Any) -> None:
    org = make_org("acme")
    created = _create(org)
    key = created["key"]
    assert re.fullmatch(r"tpk_[a-z0-9]{12}_[A-Za-z0-9_-]{43}", key)
    listed = org.owner.get(f"/api/v1/orgs/{org.id}/api-keys").json()
    assert listed["cursor"] is None
    (row,) = listed["objects"]
    assert set(row) == {"id", "name", "prefix", "last4", "created_by", "created", "last_used", "expires_at",
                        "project_id", "read_only", "revoked"}
    assert row["prefix"] == key[:16] and row["last4"] == key[-4:] and row["created_by"] == org.owner.email
    assert key not in listed.__repr__()


def test_sdk_login_answers_the_wire_shape(app: Any, make_org: Any) -> None:
    org = make_org("acme", api_url="https://dp.acme.example/")
    key = _create(org)["key"]
    r = bearer(app, key).post("/api/apikey/login")
    assert r.status_code == 200
    assert r.json() == {"org_info": [{
        "id": org.id, "name": "acme", "api_url": "https://dp.acme.example", "proxy_url": "https://dp.acme.example",
        "realtime_url": None, "is_universal_api": False, "git_metadata": None}]}


def test_project_scoped_key_can_log_in(app: Any, make_org: Any) -> None:
    org = make_org("acme")
    project = org.owner.post(f"/api/v1/orgs/{org.id}/projects", {"name": "p1"}).json()
    key = _create(org, project_id=project["id"], read_only=True)["key"]
    r = bearer(app, key).post("/api/apikey/login")
    assert r.status_code == 200 and r.json()["org_info"][0]["id"] == org.id


def test_wrong_malformed_revoked_and_expired_keys_look_the_same(app: Any, rt: Any, make_org: Any) -> None:
    org = make_org("acme")
    revoked = _create(org)
    r = org.owner.delete(f"/api/v1/orgs/{org.id}/api-keys/{revoked['id']}")
    assert r.status_code == 200, r.text
    expiring = _create(org, expires_at=(datetime.now(UTC) + timedelta(hours=1)).isoformat())
    with rt.engine.begin() as conn:
        conn.execute(update(api_keys).where(api_keys.c.id == expiring["id"])
                     .values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    good = _create(org)["key"]
    wrong_secret = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    answers = []
    for key in [revoked["key"], expiring["key"], wrong_secret, "tpk_short", "sk-not-ours", good.upper()]:
        r = bearer(app, key).post("/api/apikey/login")
        answers.append((r.status_code, r.json()))
        r = org.internal(app).post("/internal/v1/introspect", json={"token": key})
        assert r.json() == {"active": False}
    assert {a[0] for a in answers} == {401} and len({str(a[1]) for a in answers}) == 1
    listed = {k["id"]: k for k in org.owner.get(f"/api/v1/orgs/{org.id}/api-keys").json()["objects"]}
    assert listed[revoked["id"]]["revoked"] is True


def test_introspection_answers_and_records_use(app: Any, make_org: Any) -> None:
    org = make_org("acme")
    project = org.owner.post(f"/api/v1/orgs/{org.id}/projects", {"name": "p1"}).json()
    expires = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    created = _create(org, project_id=project["id"], read_only=True, expires_at=expires.isoformat())
    r = org.internal(app).post("/internal/v1/introspect", json={"token": created["key"]})
    assert r.json() == {"active": True, "org_id": org.id, "org_name": "acme", "user_id": org.owner.id,
                        "key_id": created["id"], "role": "owner", "project_id": project["id"], "read_only": True,
                        "expires_at": expires.isoformat()}
    listed = org.owner.get(f"/api/v1/orgs/{org.id}/api-keys").json()["objects"][0]
    assert listed["last_used"] is not None


def test_key_of_a_removed_member_stops_working(app: Any, make_org: Any, make_user: Any) -> None:
    org = make_org("acme")
    dev = make_user("dev@example.com")
    assert org.owner.post(f"/api/v1/orgs/{org.id}/members", {"email": dev.email, "role": "editor"}).status_code == 200
    key = dev.post(f"/api/v1/orgs/{org.id}/api-keys", {"name": "mine"}).json()["key"]
    assert bearer(app, key).post("/api/apikey/login").status_code == 200
    assert org.owner.delete(f"/api/v1/orgs/{org.id}/members/{dev.id}").status_code == 200
    assert bearer(app, key).post("/api/apikey/login").status_code == 401


def test_expiry_must_be_in_the_future(make_org: Any) -> None:
    org = make_org("acme")
    r = org.owner.post(f"/api/v1/orgs/{org.id}/api-keys",
                       {"name": "old", "expires_at": "2001-01-01T00:00:00Z"})
    assert r.status_code == 400 and "future" in r.json()["error"]["message"]


def test_org_without_data_plane_gets_an_actionable_login_error(app: Any, make_user: Any) -> None:
    user = make_user("solo@example.com")
    org_id = user.post("/api/v1/orgs", {"name": "solo"}).json()["id"]
    key = user.post(f"/api/v1/orgs/{org_id}/api-keys", {"name": "k"}).json()["key"]
    r = bearer(app, key).post("/api/apikey/login")
    assert r.status_code == 409 and "data plane" in r.json()["error"]["message"]
