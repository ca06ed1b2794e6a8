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


async def test_a_replaced_signing_key_stays_verifiable_while_retired(tmp_path: Any) -> None:
    """Rotation: tokens signed with the old key still pass a data plane's verifier once the new key
    signs, as long as the old one is listed as retired; dropping it from the list ends them."""
    from cryptography.hazmat.primitives import serialization

    from twinplane.server.control_plane.runtime import ConfigurationError, build_runtime
    from twinplane.server.data_plane.auth.jwks import JwksVerifier

    from .support import make_settings

    old_pem, new_pem = browser_tokens.generate_private_key_pem(), browser_tokens.generate_private_key_pem()
    (tmp_path / "old.pem").write_bytes(old_pem)
    (tmp_path / "new.pem").write_bytes(new_pem)
    old_public = serialization.load_pem_private_key(old_pem, None).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    (tmp_path / "old.pub").write_bytes(old_public)
    dp = {"id": "dp-1", "org_id": "org-1", "api_url": "https://dp.example"}
    before = browser_tokens.BrowserTokens(browser_tokens.load_private_key(str(tmp_path / "old.pem")),
                                          "http://testserver", 300)
    old_token = before.mint(user_id="u", org_id="org-1", role="owner", data_plane=dp)["token"]

    url = f"sqlite:///{tmp_path}/cp.db"
    for retired in ([str(tmp_path / "old.pub")], [str(tmp_path / "old.pem"), str(tmp_path / "new.pem")]):
        rt = build_runtime(make_settings(url, tmp_path, jwt_private_key_path=str(tmp_path / "new.pem"),
                                         jwt_retired_key_paths=retired))
        jwks = rt.tokens.jwks()
        assert [k["kid"] for k in jwks["keys"]] == [rt.tokens.kid, before.kid]  # signing key first, no repeats
        new_token = rt.tokens.mint(user_id="u", org_id="org-1", role="owner", data_plane=dp)["token"]

        async def fetch(jwks: dict[str, Any] = jwks) -> dict[str, Any]:
            return jwks

        verifier = JwksVerifier(fetch, audience="dp-1", issuer="http://testserver", ttl=60)
        assert (await verifier.verify(old_token))["sub"] == "u"
        assert (await verifier.verify(new_token))["sub"] == "u"
        rt.engine.dispose()

    rt = build_runtime(make_settings(url, tmp_path, jwt_private_key_path=str(tmp_path / "new.pem")))
    assert [k["kid"] for k in rt.tokens.jwks()["keys"]] == [rt.tokens.kid]
    rt.engine.dispose()
    (tmp_path / "junk.pem").write_bytes(b"not a key")
    with pytest.raises(ConfigurationError, match="RETIRED_KEY_PATHS"):
        build_runtime(make_settings(url, tmp_path, jwt_retired_key_paths=[str(tmp_path / "junk.pem")]))
