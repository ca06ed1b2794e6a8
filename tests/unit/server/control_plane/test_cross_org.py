"""Tenant isolation: org A's credentials never read or change org B's objects (404, exactly as
for an id that does not exist); viewers and read-only keys cannot write; a project-scoped key
cannot touch a sibling project."""

from typing import Any

import pytest

from .support import bearer

MISSING = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def world(app: Any, make_org: Any, make_user: Any) -> dict[str, Any]:
    a, b = make_org("org-a"), make_org("org-b")
    w: dict[str, Any] = {"a": a, "b": b}
    for name, org in (("a", a), ("b", b)):
        dp = org.internal(app)
        p1 = org.owner.post(f"/api/v1/orgs/{org.id}/projects", {"name": "p1"}).json()
        p2 = org.owner.post(f"/api/v1/orgs/{org.id}/projects", {"name": "p2"}).json()
        obj = dp.post("/internal/v1/objects", json={"object_type": "experiment", "project_id": p1["id"],
                                                   "name": "e"}).json()
        secret = org.owner.post(f"/api/v1/orgs/{org.id}/secrets",
                                {"name": "openai", "provider": "openai", "value": f"sk-{name}-0123456789abcdef"}).json()
        key = org.owner.post(f"/api/v1/orgs/{org.id}/api-keys", {"name": "full"}).json()
        scoped = org.owner.post(f"/api/v1/orgs/{org.id}/api-keys", {"name": "scoped", "project_id": p1["id"]}).json()
        w[name + "_p1"], w[name + "_p2"], w[name + "_obj"], w[name + "_secret"] = p1, p2, obj, secret
        w[name + "_key"], w[name + "_scoped"] = key, scoped
    viewer = make_user("viewer@org-a.example")
    assert a.owner.post(f"/api/v1/orgs/{a.id}/members", {"email": viewer.email, "role": "viewer"}).status_code == 200
    w["viewer"] = viewer
    return w


def _ui_requests(w: dict[str, Any], org: str) -> list[tuple[str, str, Any]]:
    """Every UI call against org ``org``'s objects; ``{x}`` marks the id swapped for MISSING."""
    b = w[org]
    p, key, secret = w[org + "_p1"]["id"], w[org + "_key"]["id"], w[org + "_secret"]["id"]
    return [
        ("GET", f"/api/v1/orgs/{{{b.id}}}", None),
        ("GET", f"/api/v1/orgs/{{{b.id}}}/members", None),
        ("POST", f"/api/v1/orgs/{{{b.id}}}/members", {"email": "x@example.com", "role": "owner", "password": "p" * 9}),
        ("PATCH", f"/api/v1/orgs/{{{b.id}}}/members/{b.owner.id}", {"role": "viewer"}),
        ("DELETE", f"/api/v1/orgs/{{{b.id}}}/members/{b.owner.id}", None),
        ("GET", f"/api/v1/orgs/{{{b.id}}}/projects", None),
        ("POST", f"/api/v1/orgs/{{{b.id}}}/projects", {"name": "intruder"}),
        ("GET", f"/api/v1/projects/{{{p}}}", None),
        ("PATCH", f"/api/v1/projects/{{{p}}}", {"name": "pwned"}),
        ("DELETE", f"/api/v1/projects/{{{p}}}", None),
        ("GET", f"/api/v1/projects/{{{p}}}/objects", None),
        ("GET", f"/api/v1/orgs/{{{b.id}}}/api-keys", None),
        ("POST", f"/api/v1/orgs/{{{b.id}}}/api-keys", {"name": "intruder"}),
        ("DELETE", f"/api/v1/orgs/{b.id}/api-keys/{{{key}}}", None),
        ("GET", f"/api/v1/orgs/{{{b.id}}}/secrets", None),
        ("POST", f"/api/v1/orgs/{{{b.id}}}/secrets", {"name": "x", "provider": "openai", "value": "sk-x"}),
        ("DELETE", f"/api/v1/orgs/{b.id}/secrets/{{{secret}}}", None),
        ("GET", f"/api/v1/orgs/{{{b.id}}}/data-plane", None),
        ("PUT", f"/api/v1/orgs/{{{b.id}}}/data-plane", {"api_url": "https://evil.example"}),
        ("POST", f"/api/v1/orgs/{{{b.id}}}/data-plane/service-token", None),
        ("POST", f"/api/v1/orgs/{{{b.id}}}/data-plane-token", None),
    ]


def _call(client: Any, method: str, template: str, body: Any, real: bool) -> Any:
    import re

    url = re.sub(r"\{([^}]+)\}", (lambda m: m.group(1)) if real else MISSING, template)
    return client.request(method, url, json=body)


def _same_as_missing(client: Any, w: dict[str, Any], org: str) -> None:
    for method, template, body in _ui_requests(w, org):
        real = _call(client, method, template, body, real=True)
        missing = _call(client, method, template, body, real=False)
        assert real.status_code == 404, (method, template, real.text)
        assert (real.status_code, real.json()) == (missing.status_code, missing.json()), (method, template)


def test_a_session_of_org_a_sees_nothing_of_org_b(app: Any, world: dict[str, Any]) -> None:
    _same_as_missing(world["a"].owner.client, world, "b")
    assert [o["name"] for o in world["a"].owner.get("/api/v1/orgs").json()["objects"]] == ["org-a"]


def test_an_api_key_of_org_a_sees_nothing_of_org_b(app: Any, world: dict[str, Any]) -> None:
    _same_as_missing(bearer(app, world["a_key"]["key"]), world, "b")


def test_org_b_is_untouched(app: Any, world: dict[str, Any]) -> None:
    _same_as_missing(world["a"].owner.client, world, "b")
    b = world["b"]
    assert b.owner.get(f"/api/v1/projects/{world['b_p1']['id']}").json()["name"] == "p1"
    assert len(b.owner.get(f"/api/v1/orgs/{b.id}/members").json()["objects"]) == 1
    assert b.owner.get(f"/api/v1/orgs/{b.id}/data-plane").json()["api_url"] == "https://dp.org-b.example"
    assert b.internal(app).get("/internal/v1/data-plane").status_code == 200


def test_a_data_plane_of_org_a_sees_nothing_of_org_b(app: Any, world: dict[str, Any]) -> None:
    dp = world["a"].internal(app)
    pb, ob = world["b_p1"]["id"], world["b_obj"]["id"]
    for method, url, body in [
        ("GET", f"/internal/v1/projects/{pb}", None),
        ("GET", f"/internal/v1/objects/{ob}", None),
        ("DELETE", f"/internal/v1/objects/{ob}", None),
        ("POST", "/internal/v1/objects", {"object_type": "dataset", "project_id": pb, "name": "x"}),
    ]:
        assert dp.request(method, url, json=body).status_code == 404, url
    assert dp.get("/internal/v1/objects", params={"project_id": pb}).json()["objects"] == []
    assert dp.get("/internal/v1/projects", params={"id": pb}).json()["objects"] == []
    assert dp.post("/internal/v1/introspect", json={"token": world["b_key"]["key"]}).json() == {"active": False}
    b_keys = world["b"].owner.get(f"/api/v1/orgs/{world['b'].id}/api-keys").json()["objects"]
    assert next(k for k in b_keys if k["id"] == world["b_key"]["id"])["last_used"] is None
    got = dp.post("/internal/v1/secrets/resolve", json={"provider": "openai"}).json()
    assert got["value"] == "sk-a-0123456789abcdef"  # its own org's secret, never org B's
    assert dp.post("/internal/v1/secrets/resolve", json={"name": "openai"}).json()["id"] == world["a_secret"]["id"]
    assert world["b"].internal(app).get(f"/internal/v1/objects/{ob}").status_code == 200


def test_a_viewer_cannot_write(app: Any, world: dict[str, Any]) -> None:
    v, a = world["viewer"], world["a"]
    p = world["a_p1"]["id"]
    assert v.get(f"/api/v1/projects/{p}").status_code == 200
    assert v.get(f"/api/v1/orgs/{a.id}/projects").status_code == 200
    for method, url, body in [
        ("POST", f"/api/v1/orgs/{a.id}/projects", {"name": "new"}),
        ("PATCH", f"/api/v1/projects/{p}", {"name": "renamed"}),
        ("DELETE", f"/api/v1/projects/{p}", None),
        ("POST", f"/api/v1/orgs/{a.id}/api-keys", {"name": "k"}),
        ("POST", f"/api/v1/orgs/{a.id}/secrets", {"name": "x", "provider": "p", "value": "v"}),
        ("DELETE", f"/api/v1/orgs/{a.id}/secrets/{world['a_secret']['id']}", None),
        ("PUT", f"/api/v1/orgs/{a.id}/data-plane", {"api_url": "https://x.example"}),
        ("POST", f"/api/v1/orgs/{a.id}/data-plane/service-token", None),
        ("POST", f"/api/v1/orgs/{a.id}/members", {"email": "n@example.com", "role": "viewer"}),
        ("PATCH", f"/api/v1/orgs/{a.id}/members/{a.owner.id}", {"role": "viewer"}),
    ]:
        r = v.client.request(method, url, json=body)
        assert r.status_code == 403, (method, url, r.text)
    assert v.get(f"/api/v1/projects/{p}").json()["name"] == "p1"


def test_a_read_only_key_cannot_write(app: Any, world: dict[str, Any]) -> None:
    a = world["a"]
    key = a.owner.post(f"/api/v1/orgs/{a.id}/api-keys", {"name": "ro", "read_only": True}).json()["key"]
    ro = bearer(app, key)
    assert ro.get(f"/api/v1/orgs/{a.id}/projects").status_code == 200
    assert ro.post(f"/api/v1/orgs/{a.id}/projects", json={"name": "new"}).status_code == 403
    assert ro.patch(f"/api/v1/projects/{world['a_p1']['id']}", json={"name": "x"}).status_code == 403
    assert ro.post(f"/api/v1/orgs/{a.id}/api-keys", json={"name": "escalate"}).status_code == 403
    intro = a.internal(app).post("/internal/v1/introspect", json={"token": key}).json()
    assert intro["read_only"] is True


def test_a_project_scoped_key_cannot_touch_a_sibling_project(app: Any, world: dict[str, Any]) -> None:
    a = world["a"]
    p1, p2 = world["a_p1"]["id"], world["a_p2"]["id"]
    scoped = bearer(app, world["a_scoped"]["key"])
    intro = a.internal(app).post("/internal/v1/introspect", json={"token": world["a_scoped"]["key"]}).json()
    assert intro["active"] and intro["project_id"] == p1
    assert scoped.get(f"/api/v1/projects/{p1}").status_code == 200
    assert [p["id"] for p in scoped.get(f"/api/v1/orgs/{a.id}/projects").json()["objects"]] == [p1]
    for method, url, body in [
        ("GET", f"/api/v1/projects/{p2}", None),
        ("PATCH", f"/api/v1/projects/{p2}", {"name": "x"}),
        ("DELETE", f"/api/v1/projects/{p2}", None),
        ("GET", f"/api/v1/projects/{p2}/objects", None),
        ("POST", f"/api/v1/orgs/{a.id}/api-keys", {"name": "wider", "project_id": p2}),
    ]:
        assert scoped.request(method, url, json=body).status_code == 404, (method, url)
    # nor manage the org around it
    assert scoped.post(f"/api/v1/orgs/{a.id}/projects", json={"name": "new"}).status_code == 403
    assert scoped.post(f"/api/v1/orgs/{a.id}/secrets", json={"name": "s", "provider": "p", "value": "v"}).status_code == 403
    # a key it mints is no wider than itself
    child = scoped.post(f"/api/v1/orgs/{a.id}/api-keys", json={"name": "child"}).json()
    assert child["project_id"] == p1
    assert a.owner.get(f"/api/v1/projects/{p2}").status_code == 200
