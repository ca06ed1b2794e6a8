"""Browser tokens: ES256, audience = the org's data plane, short-lived, verifiable via JWKS."""

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient

from twinplane.server.common.errors import NotFound
from twinplane.server.control_plane.services import browser_tokens

from .support import bearer


def _verify(app: Any, token: str, audience: str) -> dict[str, Any]:
    jwks = TestClient(app).get("/.well-known/jwks.json").json()
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWKSet.from_dict(jwks)[kid]
    return jwt.decode(token, key, algorithms=["ES256"], audience=audience, issuer="http://testserver")


def test_minted_token_carries_the_right_claims(app: Any, make_org: Any) -> None:
    org = make_org("acme")
    r = org.owner.post(f"/api/v1/orgs/{org.id}/data-plane-token")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["data_plane_id"] == org.data_plane_id and body["data_plane_url"] == "https://dp.acme.example"
    assert jwt.get_unverified_header(body["token"])["alg"] == "ES256"
    claims = _verify(app, body["token"], org.data_plane_id)
    assert claims["sub"] == org.owner.id and claims["org"] == org.id and claims["role"] == "owner"
    assert 0 < claims["exp"] - claims["iat"] <= 300 and claims["jti"]
    assert datetime.fromisoformat(body["expires_at"]).timestamp() == claims["exp"]
    with pytest.raises(jwt.InvalidAudienceError):
        _verify(app, body["token"], "another-data-plane")


def test_minting_refuses_a_data_plane_of_another_org(app: Any, rt: Any, make_org: Any) -> None:
    a, b = make_org("org-a"), make_org("org-b")
    r = a.owner.post(f"/api/v1/orgs/{a.id}/data-plane-token", json={"data_plane_id": b.data_plane_id})
    assert r.status_code == 404
    assert a.owner.post(f"/api/v1/orgs/{b.id}/data-plane-token").status_code == 404
    dp_b = rt.data_planes.of_org(b.id)
    with pytest.raises(NotFound):
        rt.tokens.mint(user_id=a.owner.id, org_id=a.id, role="owner", data_plane=dp_b)


def test_api_keys_cannot_mint_browser_tokens(app: Any, make_org: Any) -> None:
    org = make_org("acme")
    key = org.owner.post(f"/api/v1/orgs/{org.id}/api-keys", {"name": "k"}).json()["key"]
    assert bearer(app, key).post(f"/api/v1/orgs/{org.id}/data-plane-token").status_code == 403


def test_tokens_expire(app: Any, rt: Any, make_org: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    org = make_org("acme")
    monkeypatch.setattr(browser_tokens, "now", lambda: datetime.now(UTC) - timedelta(minutes=10))
    token = org.owner.post(f"/api/v1/orgs/{org.id}/data-plane-token").json()["token"]
    with pytest.raises(jwt.ExpiredSignatureError):
        _verify(app, token, org.data_plane_id)


def test_jwks_publishes_only_the_public_key(app: Any) -> None:
    (key,) = TestClient(app).get("/.well-known/jwks.json").json()["keys"]
    assert key["kty"] == "EC" and key["crv"] == "P-256" and "d" not in key and key["kid"]
