"""Orgs, members and roles; projects through the UI API."""

from typing import Any


def test_a_user_may_belong_to_many_orgs_with_different_roles(make_org: Any, make_user: Any) -> None:
    a, b = make_org("org-a"), make_org("org-b")
    u = make_user("multi@example.com")
    assert a.owner.post(f"/api/v1/orgs/{a.id}/members", {"email": u.email, "role": "editor"}).status_code == 200
    assert b.owner.post(f"/api/v1/orgs/{b.id}/members", {"email": u.email, "role": "viewer"}).status_code == 200
    orgs = {o["name"]: o["role"] for o in u.get("/api/v1/auth/me").json()["orgs"]}
    assert orgs == {"org-a": "editor", "org-b": "viewer"}
    assert u.get(f"/api/v1/orgs/{a.id}").json()["role"] == "editor"


def test_member_management_rules(app: Any, make_org: Any, make_user: Any) -> None:
    org = make_org("acme")
    admin = make_user("admin@example.com")
    url = f"/api/v1/orgs/{org.id}/members"
    assert org.owner.post(url, {"email": admin.email, "role": "admin"}).status_code == 200
    # an admin may add editors but not owners
    assert admin.post(url, {"email": "new@example.com", "role": "editor", "password": "pw-0123456789"}).status_code == 200
    assert admin.post(url, {"email": "boss@example.com", "role": "owner"}).status_code == 403
    assert admin.patch(f"{url}/{org.owner.id}", {"role": "viewer"}).status_code == 403
    assert admin.delete(f"{url}/{org.owner.id}").status_code == 403
    # the last owner stays
    r = org.owner.patch(f"{url}/{org.owner.id}", {"role": "admin"})
    assert r.status_code == 409 and "owner" in r.json()["error"]["message"]
    assert org.owner.post(url, {"email": admin.email, "role": "viewer"}).status_code == 409
    assert org.owner.post(url, {"email": "x@example.com", "role": "superuser"}).status_code == 422
    assert org.owner.patch(f"{url}/{admin.id}", {"role": "owner"}).status_code == 200
    assert admin.patch(f"{url}/{org.owner.id}", {"role": "viewer"}).status_code == 200
    members = {m["email"]: m["role"] for m in admin.get(url).json()["objects"]}
    assert members == {"owner@acme.example": "viewer", "admin@example.com": "owner", "new@example.com": "editor"}
    # the member added with a password can sign in
    from .support import sign_in

    assert sign_in(app, "new@example.com", "pw-0123456789").get("/api/v1/auth/me").status_code == 200


def test_org_names_are_unique_and_validated(make_user: Any) -> None:
    u = make_user("u@example.com")
    assert u.post("/api/v1/orgs", {"name": "dup"}).status_code == 200
    assert u.post("/api/v1/orgs", {"name": "dup"}).status_code == 409
    # another tenant learns only that the name is not available, not that an org holds it
    r = make_user("stranger@else.example").post("/api/v1/orgs", {"name": "Acme Secret Merger Co"})
    assert r.status_code == 200
    r = u.post("/api/v1/orgs", {"name": "Acme Secret Merger Co"})
    assert r.status_code == 409 and "Acme" not in r.json()["error"]["message"]
    assert "exists" not in r.json()["error"]["message"]
    assert u.post("/api/v1/orgs", {"name": "   "}).status_code == 400
    assert u.post("/api/v1/orgs", {"name": "x" * 201}).status_code == 422


def test_projects_and_object_names_in_the_ui(app: Any, make_org: Any, make_user: Any) -> None:
    org = make_org("acme")
    owner = org.owner
    p = owner.post(f"/api/v1/orgs/{org.id}/projects", {"name": "chatbot", "settings": {"baseline": "main"}}).json()
    assert p["settings"] == {"baseline": "main"}
    assert owner.post(f"/api/v1/orgs/{org.id}/projects", {"name": "chatbot"}).status_code == 409
    r = owner.patch(f"/api/v1/projects/{p['id']}", {"name": "assistant", "settings": {"x": 1}})
    assert r.json()["name"] == "assistant" and r.json()["settings"] == {"x": 1}
    for bad in (0, -3, 36_501, 1.5, "30", True):  # log retention: whole days, or null for never
        r = owner.patch(f"/api/v1/projects/{p['id']}", {"settings": {"retention_days": bad}})
        assert r.status_code == 400 and "retention_days" in r.json()["error"]["message"], bad
    for good in (30, None):
        r = owner.patch(f"/api/v1/projects/{p['id']}", {"settings": {"x": 1, "retention_days": good}})
        assert r.status_code == 200 and r.json()["settings"]["retention_days"] == good
    editor = make_user("ed@acme.example")  # changing the retention (it deletes logs) takes an admin
    assert owner.post(f"/api/v1/orgs/{org.id}/members", {"email": editor.email, "role": "editor"}).status_code == 200
    assert editor.patch(f"/api/v1/projects/{p['id']}", {"settings": {"x": 2, "retention_days": 7}}).status_code == 403
    assert editor.patch(f"/api/v1/projects/{p['id']}", {"settings": {"x": 2, "retention_days": None}}).status_code == 200
    dp = org.internal(app)
    for t, n in (("experiment", "e1"), ("dataset", "d1")):
        dp.post("/internal/v1/objects", json={"object_type": t, "project_id": p["id"], "name": n})
    objs = owner.get(f"/api/v1/projects/{p['id']}/objects", params={"object_type": "dataset"}).json()
    assert [o["name"] for o in objs["objects"]] == ["d1"]
    assert len(owner.get(f"/api/v1/projects/{p['id']}/objects").json()["objects"]) == 2
    pages = owner.get(f"/api/v1/orgs/{org.id}/projects", params={"limit": 1}).json()
    assert len(pages["objects"]) == 1 and pages["cursor"] is None
    assert owner.delete(f"/api/v1/projects/{p['id']}").json() == {"id": p["id"], "deleted": True}
    assert owner.get(f"/api/v1/projects/{p['id']}").status_code == 404
    assert dp.get("/internal/v1/objects", params={"project_id": p["id"]}).json()["objects"] == []


def test_data_plane_settings_validate_urls(make_org: Any) -> None:
    org = make_org("acme")
    url = f"/api/v1/orgs/{org.id}/data-plane"
    for bad in ("ftp://dp.example", "https://user:pw@dp.example", "https://dp.example/?x=1", "not a url", "/relative"):
        r = org.owner.put(url, {"api_url": bad})
        assert r.status_code == 400, bad
    r = org.owner.put(url, {"api_url": "https://dp2.acme.example", "proxy_url": "https://proxy.acme.example"})
    assert r.status_code == 200 and "service_token" not in r.json()
    got = org.owner.get(url).json()
    assert got["api_url"] == "https://dp2.acme.example" and got["id"] == org.data_plane_id


def test_an_unregistered_data_plane_reads_as_an_empty_form(make_user: Any) -> None:
    u = make_user("new@example.com")
    org_id = u.post("/api/v1/orgs", {"name": "fresh"}).json()["id"]
    assert u.get(f"/api/v1/orgs/{org_id}/data-plane").json()["api_url"] is None
    r = u.put(f"/api/v1/orgs/{org_id}/data-plane", {"api_url": "https://dp.fresh.example"})
    assert r.json()["service_token"].startswith("tps_") and r.json()["id"]
    members = u.get(f"/api/v1/orgs/{org_id}/members").json()["objects"]
    assert members[0]["user_id"] == members[0]["id"] == u.id


def test_adding_an_existing_user_never_changes_their_password(app: Any, make_org: Any, make_user: Any) -> None:
    from fastapi.testclient import TestClient

    from .support import PASSWORD

    victim = make_user("victim@example.com")
    org = make_org("acme")
    r = org.owner.post(f"/api/v1/orgs/{org.id}/members",
                       {"email": victim.email, "role": "viewer", "password": "attacker-chosen"})
    assert r.status_code == 200
    client = TestClient(app)
    assert client.post("/api/v1/auth/login", json={"email": victim.email, "password": "attacker-chosen"}).status_code == 401
    assert client.post("/api/v1/auth/login", json={"email": victim.email, "password": PASSWORD}).status_code == 200


def test_an_api_key_lists_only_its_own_org(app: Any, make_org: Any) -> None:
    from .support import bearer

    a = make_org("org-a")
    make_org("org-b", owner=a.owner)
    key = a.owner.post(f"/api/v1/orgs/{a.id}/api-keys", {"name": "k", "read_only": True}).json()["key"]
    listed = bearer(app, key).get("/api/v1/orgs").json()["objects"]
    assert [(o["name"], o["role"]) for o in listed] == [("org-a", "viewer")]
    assert len(a.owner.get("/api/v1/orgs").json()["objects"]) == 2
