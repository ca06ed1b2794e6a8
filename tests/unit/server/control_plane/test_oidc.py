"""OIDC sign-in, the whole authorization-code flow with PKCE, against a provider the test starts."""

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from .oidc_provider import OidcProvider
from .support import PASSWORD, sso_sign_in


def test_config_advertises_sso(sso_app: Any) -> None:
    assert TestClient(sso_app).get("/api/v1/auth/config").json() == {
        "oidc": {"enabled": True, "display_name": "Acme SSO"}}


def test_full_code_flow_with_pkce_signs_the_user_in(sso_app: Any, provider: OidcProvider) -> None:
    client, done = sso_sign_in(sso_app)
    assert done.status_code == 302 and done.headers["location"] == "http://testserver/"
    (sent,) = provider.token_requests
    assert len(sent["code_verifier"]) >= 43
    me = client.get("/api/v1/auth/me").json()
    assert me["user"]["email"] == "sso@example.com" and me["user"]["name"] == "Sso User"
    # the same subject signs in to the same account
    client2, _ = sso_sign_in(sso_app)
    assert client2.get("/api/v1/auth/me").json()["user"]["id"] == me["user"]["id"]


def test_a_forged_state_or_missing_flow_cookie_is_refused(sso_app: Any, provider: OidcProvider) -> None:
    client = TestClient(sso_app, follow_redirects=False)
    location = client.get("/api/v1/auth/oidc/start").headers["location"]
    back = urlsplit(httpx.get(location, follow_redirects=False).headers["location"])
    code = parse_qs(back.query)["code"][0]
    r = client.get("/api/v1/auth/oidc/callback", params={"code": code, "state": "forged"})
    assert r.status_code == 400 and "start again" in r.json()["error"]["message"]
    stranger = TestClient(sso_app, follow_redirects=False)
    r = stranger.get(f"{back.path}?{back.query}")
    assert r.status_code == 400
    assert client.get("/api/v1/auth/me").status_code == 401


def test_an_unverified_email_does_not_take_over_a_local_account(sso_app: Any, provider: OidcProvider) -> None:
    sso_app.state.runtime.accounts.create_local_user("victim@example.com", PASSWORD)
    provider.user = {"sub": "attacker", "email": "victim@example.com", "email_verified": False}
    client, done = sso_sign_in(sso_app)
    assert done.status_code == 403
    assert client.get("/api/v1/auth/me").status_code == 401


def test_a_verified_email_links_the_existing_account(sso_app: Any, provider: OidcProvider) -> None:
    local = sso_app.state.runtime.accounts.create_local_user("ada@example.com", PASSWORD)
    provider.user = {"sub": "ada-at-idp", "email": "ada@example.com", "email_verified": True}
    client, done = sso_sign_in(sso_app)
    assert done.status_code == 302
    assert client.get("/api/v1/auth/me").json()["user"]["id"] == local["id"]


def test_sso_disabled_answers_404(app: Any) -> None:
    r = TestClient(app, follow_redirects=False).get("/api/v1/auth/oidc/start")
    assert r.status_code == 404 and "not configured" in r.json()["error"]["message"]


@pytest.mark.parametrize("next_path,landing", [("/projects/p1?tab=logs", "/projects/p1?tab=logs"),
                                               ("//evil.example/x", "/"), ("https://evil.example", "/")])
def test_sign_in_lands_on_a_same_site_path_only(sso_app: Any, next_path: str, landing: str) -> None:
    _, done = sso_sign_in(sso_app, next_path)
    assert done.headers["location"] == "http://testserver" + landing


@pytest.mark.parametrize("flag", [False, None, "false", "yes", 1])
def test_an_unverified_email_never_creates_an_account(sso_app: Any, provider: OidcProvider, flag: Any) -> None:
    store = sso_app.state.runtime.store
    provider.user = {"sub": "someone", "email": "victim@corp.example", "name": "V"}
    if flag is not None:
        provider.user["email_verified"] = flag
    client, done = sso_sign_in(sso_app)
    assert done.status_code == 403 and "not verified your email" in done.json()["error"]["message"]
    assert "tp_session" not in done.headers.get("set-cookie", "")
    assert store.get_user_by_email("victim@corp.example") is None
    assert store.get_identity(provider.issuer, "someone") is None
    assert client.get("/api/v1/auth/me").status_code == 401


def test_a_string_true_counts_as_verified(sso_app: Any, provider: OidcProvider) -> None:
    provider.user = {"sub": "cognito-user", "email": "c@example.com", "email_verified": "true"}
    client, done = sso_sign_in(sso_app)
    assert done.status_code == 302
    assert client.get("/api/v1/auth/me").json()["user"]["email"] == "c@example.com"


@pytest.mark.parametrize("claims,ok", [
    ({"aud": ["twinplane", "another-app"]}, False),  # several audiences and no azp
    ({"aud": ["twinplane", "another-app"], "azp": "another-app"}, False),
    ({"aud": "twinplane", "azp": "another-app"}, False),
    ({"aud": ["twinplane", "another-app"], "azp": "twinplane"}, True),
    ({"aud": ["twinplane"]}, True),
])
def test_a_token_for_several_audiences_must_name_us_as_azp(sso_app: Any, provider: OidcProvider,
                                                           claims: dict[str, Any], ok: bool) -> None:
    provider.overrides = claims
    client, done = sso_sign_in(sso_app)
    if ok:
        assert done.status_code == 302, done.text
        assert client.get("/api/v1/auth/me").status_code == 200
    else:
        assert done.status_code == 401 and "another application" in done.json()["error"]["message"]
        assert client.get("/api/v1/auth/me").status_code == 401
