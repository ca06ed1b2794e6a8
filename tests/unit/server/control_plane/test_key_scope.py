"""What an API key may do with other keys and with the org's settings: a key creates keys no
broader than itself, a project-scoped key manages only its project's keys, and org settings
(member emails, secrets, data plane) are not for project-scoped or read-only keys."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from .support import bearer


def _when(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


@pytest.fixture
def keys(app: Any, make_org: Any) -> dict[str, Any]:
    org = make_org("acme")
    p1 = org.owner.post(f"/api/v1/orgs/{org.id}/projects", {"name": "p1"}).json()
    p2 = org.owner.post(f"/api/v1/orgs/{org.id}/projects", {"name": "p2"}).json()

    def create(**body: Any) -> dict[str, Any]:
        r = org.owner.post(f"/api/v1/orgs/{org.id}/api-keys", {"name": "k", **body})
        assert r.status_code == 200, r.text
        return r.json()

    return {"org": org, "p1": p1["id"], "p2": p2["id"], "full": create(name="full"),
            "read_only": create(name="ro", read_only=True), "p1_key": create(name="p1", project_id=p1["id"]),
            "p2_key": create(name="p2", project_id=p2["id"])}


def test_a_child_key_expires_no_later_than_its_parent(app: Any, make_org: Any) -> None:
    org = make_org("acme")
    limit = datetime.now(UTC) + timedelta(hours=1)
    parent = org.owner.post(f"/api/v1/orgs/{org.id}/api-keys",
                            {"name": "hour", "expires_at": limit.isoformat()}).json()
    as_parent = bearer(app, parent["key"])
    # no expiry asked: the parent's
    child = as_parent.post(f"/api/v1/orgs/{org.id}/api-keys", json={"name": "child"}).json()
    assert abs(_when(child["expires_at"]) - limit) < timedelta(seconds=1)
    # a later one: refused, saying why
    later = (limit + timedelta(days=365)).isoformat()
    r = as_parent.post(f"/api/v1/orgs/{org.id}/api-keys", json={"name": "later", "expires_at": later})
    assert r.status_code == 400 and "outlive" in r.json()["error"]["message"]
    # an earlier one: kept
    sooner = limit - timedelta(minutes=30)
    r = as_parent.post(f"/api/v1/orgs/{org.id}/api-keys", json={"name": "sooner", "expires_at": sooner.isoformat()})
    assert r.status_code == 200 and abs(_when(r.json()["expires_at"]) - sooner) < timedelta(seconds=1)
    # a browser session is not bound by any key
    r = org.owner.post(f"/api/v1/orgs/{org.id}/api-keys", {"name": "session", "expires_at": later})
    assert r.status_code == 200


def test_a_scoped_key_mints_only_scoped_keys_and_a_read_only_key_mints_none(app: Any, keys: dict[str, Any]) -> None:
    org = keys["org"]
    scoped = bearer(app, keys["p1_key"]["key"])
    child = scoped.post(f"/api/v1/orgs/{org.id}/api-keys", json={"name": "child", "project_id": None}).json()
    assert child["project_id"] == keys["p1"] and child["expires_at"] is None
    r = scoped.post(f"/api/v1/orgs/{org.id}/api-keys", json={"name": "wider", "project_id": keys["p2"]})
    assert r.status_code == 404
    r = bearer(app, keys["read_only"]["key"]).post(f"/api/v1/orgs/{org.id}/api-keys", json={"name": "rw"})
    assert r.status_code == 403


def test_a_project_scoped_key_lists_and_revokes_only_its_projects_keys(app: Any, keys: dict[str, Any]) -> None:
    org = keys["org"]
    scoped = bearer(app, keys["p1_key"]["key"])
    listed = scoped.get(f"/api/v1/orgs/{org.id}/api-keys").json()["objects"]
    assert [k["id"] for k in listed] == [keys["p1_key"]["id"]]
    for other in ("full", "read_only", "p2_key"):
        r = scoped.delete(f"/api/v1/orgs/{org.id}/api-keys/{keys[other]['id']}")
        assert r.status_code == 404, (other, r.text)
        assert bearer(app, keys[other]["key"]).get(f"/api/v1/orgs/{org.id}").status_code == 200, other
    # its own project's keys it may still manage (here: a key it minted)
    child = scoped.post(f"/api/v1/orgs/{org.id}/api-keys", json={"name": "child"}).json()
    assert scoped.delete(f"/api/v1/orgs/{org.id}/api-keys/{child['id']}").status_code == 200
    assert bearer(app, child["key"]).get(f"/api/v1/orgs/{org.id}").status_code == 401
    # the owner's session and org-wide key still see every key
    assert len(org.owner.get(f"/api/v1/orgs/{org.id}/api-keys").json()["objects"]) == 5
    assert len(bearer(app, keys["full"]["key"]).get(f"/api/v1/orgs/{org.id}/api-keys").json()["objects"]) == 5


@pytest.mark.parametrize("which", ["p1_key", "read_only"])
def test_org_settings_are_not_readable_with_a_scoped_or_read_only_key(app: Any, keys: dict[str, Any],
                                                                       which: str) -> None:
    org = keys["org"]
    weak = bearer(app, keys[which]["key"])
    for path in ("members", "secrets", "data-plane"):
        r = weak.get(f"/api/v1/orgs/{org.id}/{path}")
        assert r.status_code == 403, (which, path, r.text)
        assert "organization settings" in r.json()["error"]["message"]
        assert org.owner.email not in r.text
    # what such a key is for still works
    assert weak.get(f"/api/v1/orgs/{org.id}/projects").status_code == 200
    full = bearer(app, keys["full"]["key"])
    for path in ("members", "secrets", "data-plane"):
        assert full.get(f"/api/v1/orgs/{org.id}/{path}").status_code == 200, path
        assert org.owner.get(f"/api/v1/orgs/{org.id}/{path}").status_code == 200, path


def test_another_orgs_settings_stay_404_for_a_scoped_key(app: Any, keys: dict[str, Any], make_org: Any) -> None:
    other = make_org("other")
    scoped = bearer(app, keys["p1_key"]["key"])
    for path in ("members", "secrets", "data-plane"):
        assert scoped.get(f"/api/v1/orgs/{other.id}/{path}").status_code == 404, path
