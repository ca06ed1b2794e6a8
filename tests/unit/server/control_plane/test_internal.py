"""The data planes' internal API: names, get-or-create, ensure_new, pagination, secrets."""

from typing import Any

from .support import bearer


def _obj(client: Any, **body: Any) -> dict[str, Any]:
    r = client.post("/internal/v1/objects", json={"ensure_new": False, **body})
    assert r.status_code == 200, r.text
    return r.json()


def test_projects_get_or_create(app: Any, make_org: Any) -> None:
    org = make_org("acme")
    dp = org.internal(app)
    first = dp.post("/internal/v1/projects", json={"name": "proj"}).json()
    again = dp.post("/internal/v1/projects", json={"name": "proj"}).json()
    assert first["id"] == again["id"] and first["created_now"] and not again["created_now"]
    assert set(first) == {"id", "org_id", "name", "created", "settings", "created_now"}
    assert dp.get("/internal/v1/projects", params={"name": "proj"}).json()["objects"][0]["id"] == first["id"]
    assert dp.get(f"/internal/v1/projects/{first['id']}").json()["name"] == "proj"
    assert dp.get("/internal/v1/projects", params={"name": "nope"}).json() == {"objects": [], "cursor": None}


def test_object_name_semantics(app: Any, make_org: Any) -> None:
    dp = make_org("acme").internal(app)
    pid = dp.post("/internal/v1/projects", json={"name": "proj"}).json()["id"]
    d1 = _obj(dp, object_type="dataset", project_id=pid, name="golden")
    d2 = _obj(dp, object_type="dataset", project_id=pid, name="golden", ensure_new=True)
    assert d1["id"] == d2["id"] and d1["created_now"] and not d2["created_now"]

    e = [_obj(dp, object_type="experiment", project_id=pid, name="run", ensure_new=True) for _ in range(3)]
    assert [x["name"] for x in e] == ["run", "run-1", "run-2"] and len({x["id"] for x in e}) == 3
    same = _obj(dp, object_type="experiment", project_id=pid, name="run-1")
    assert same["id"] == e[1]["id"] and not same["created_now"]
    fresh = _obj(dp, object_type="experiment", project_id=pid, name="other")
    assert fresh["created_now"] and fresh["name"] == "other"

    p1 = _obj(dp, object_type="prompt", project_id=pid, name="Greeter", slug="greeter")
    p2 = _obj(dp, object_type="prompt", project_id=pid, name="Renamed", slug="greeter")
    assert p1["id"] == p2["id"] and p1["slug"] == "greeter"
    r = dp.post("/internal/v1/objects", json={"object_type": "prompt", "project_id": pid, "name": "x"})
    assert r.status_code == 400 and "slug" in r.json()["error"]["message"]
    r = dp.post("/internal/v1/objects", json={"object_type": "table", "project_id": pid, "name": "x"})
    assert r.status_code == 422


def test_listing_is_newest_first_with_a_cursor(app: Any, make_org: Any) -> None:
    dp = make_org("acme").internal(app)
    pid = dp.post("/internal/v1/projects", json={"name": "proj"}).json()["id"]
    made = [_obj(dp, object_type="dataset", project_id=pid, name=f"d{i}")["id"] for i in range(5)]
    seen, cursor = [], None
    while True:
        params = {"project_id": pid, "object_type": "dataset", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = dp.get("/internal/v1/objects", params=params).json()
        seen += [o["id"] for o in page["objects"]]
        cursor = page["cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(made))
    assert dp.get("/internal/v1/objects", params={"cursor": "garbage"}).status_code == 400
    assert dp.get("/internal/v1/objects", params={"limit": 0}).status_code == 422
    by_name = dp.get("/internal/v1/objects", params={"name": "d3"}).json()["objects"]
    assert [o["id"] for o in by_name] == [made[3]]


def test_get_and_delete_object(app: Any, make_org: Any) -> None:
    dp = make_org("acme").internal(app)
    pid = dp.post("/internal/v1/projects", json={"name": "proj"}).json()["id"]
    obj = _obj(dp, object_type="experiment", project_id=pid, name="e")
    assert dp.get(f"/internal/v1/objects/{obj['id']}").json()["name"] == "e"
    assert dp.delete(f"/internal/v1/objects/{obj['id']}").json() == {"id": obj["id"], "deleted": True}
    assert dp.get(f"/internal/v1/objects/{obj['id']}").status_code == 404
    assert dp.delete(f"/internal/v1/objects/{obj['id']}").status_code == 404


def test_data_plane_self_description(app: Any, make_org: Any) -> None:
    org = make_org("acme")
    r = org.internal(app).get("/internal/v1/data-plane").json()
    assert r == {"id": org.data_plane_id, "org_id": org.id, "org_name": "acme", "api_url": "https://dp.acme.example",
                 "proxy_url": None, "allowed_origins": ["http://testserver"]}


def test_secret_resolution_is_the_only_plaintext(app: Any, make_org: Any) -> None:
    org = make_org("acme")
    value = "sk-proj-0123456789abcdefXYZ"
    r = org.owner.post(f"/api/v1/orgs/{org.id}/secrets", {"name": "openai", "provider": "openai", "value": value})
    assert r.status_code == 200 and value not in r.text and r.json()["masked"] == "sk-…fXYZ"
    listed = org.owner.get(f"/api/v1/orgs/{org.id}/secrets")
    assert value not in listed.text
    dp = org.internal(app)
    got = dp.post("/internal/v1/secrets/resolve", json={"name": "openai"}).json()
    assert got["value"] == value and got["provider"] == "openai"
    assert dp.post("/internal/v1/secrets/resolve", json={"provider": "openai"}).json()["value"] == value
    assert dp.post("/internal/v1/secrets/resolve", json={"name": "nope"}).status_code == 404
    assert dp.post("/internal/v1/secrets/resolve", json={}).status_code == 400


def test_rotated_service_token_replaces_the_old_one(app: Any, make_org: Any) -> None:
    org = make_org("acme")
    r = org.owner.post(f"/api/v1/orgs/{org.id}/data-plane/service-token")
    new = r.json()["service_token"]
    assert new.startswith("tps_") and new != org.service_token
    assert org.internal(app).get("/internal/v1/data-plane").status_code == 401
    assert bearer(app, new).get("/internal/v1/data-plane").status_code == 200
    # an API key is not a service token, even the owner's
    key = org.owner.post(f"/api/v1/orgs/{org.id}/api-keys", {"name": "k"}).json()["key"]
    assert bearer(app, key).get("/internal/v1/data-plane").status_code == 401
