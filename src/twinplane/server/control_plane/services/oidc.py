"""OIDC sign-in: authorization code flow with PKCE (S256) and a nonce, for any compliant issuer.

The flow state (state, code verifier, nonce) travels in a short-lived signed cookie, so no
server-side storage is needed. The ID token is checked for signature (issuer's JWKS),
issuer, audience (and ``azp`` when there are several audiences), expiry and nonce.

Users are matched by (issuer, subject). A subject seen for the first time is tied to an
account by email, and only when the issuer says the email is verified. Without that, no
account is created or linked: an account holding an unverified address would receive every
later invitation sent to that address (``Orgs.add_member`` finds invitees by email), so
anyone who can type a victim's address at a lax identity provider could claim their
memberships.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client
from itsdangerous import BadSignature, URLSafeTimedSerializer

from twinplane.server.common.errors import BadRequest, Forbidden, Unauthorized, Unavailable
from twinplane.server.control_plane.services.accounts import normalize_email
from twinplane.server.control_plane.store import ControlStore

__all__ = ["OidcSignIn", "OidcConfig", "FLOW_COOKIE", "FLOW_MAX_AGE", "safe_next"]

logger = logging.getLogger(__name__)
FLOW_COOKIE = "tp_oidc"
FLOW_MAX_AGE = 600
_DISCOVERY_TTL = 3600.0
_ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    redirect_uri: str


def safe_next(path: Any) -> str:
    """A same-site path to land on after sign-in; anything else (``//evil``, URLs) becomes ``/``."""
    if not isinstance(path, str) or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    if len(path) > 1000 or any(ord(c) < 32 for c in path):
        return "/"
    return path


class OidcSignIn:
    def __init__(self, config: OidcConfig, store: ControlStore, session_secret: str,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.config = config
        self.store = store
        self._flow = URLSafeTimedSerializer(session_secret, salt="tp_oidc")
        self._transport = transport
        self._discovery: dict[str, Any] | None = None
        self._discovered_at = 0.0

    def _client(self) -> AsyncOAuth2Client:
        c = self.config
        return AsyncOAuth2Client(
            client_id=c.client_id, client_secret=c.client_secret or None, scope=c.scopes,
            redirect_uri=c.redirect_uri, code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_basic" if c.client_secret else "none",
            transport=self._transport, timeout=10.0,
        )

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            async with httpx.AsyncClient(transport=self._transport, timeout=10.0) as client:
                resp = await client.get(url)
                resp.raise_for_status()
                data = resp.json()
        except (httpx.HTTPError, ValueError) as err:
            logger.warning("OIDC issuer unreachable or answered badly: %s", type(err).__name__)
            raise Unavailable("the single sign-on provider is unreachable; try again shortly") from None
        if not isinstance(data, dict):
            raise Unavailable("the single sign-on provider answered with something unexpected")
        return data

    async def discovery(self) -> dict[str, Any]:
        if self._discovery is None or time.monotonic() - self._discovered_at > _DISCOVERY_TTL:
            doc = await self._get_json(self.config.issuer.rstrip("/") + "/.well-known/openid-configuration")
            if doc.get("issuer", "").rstrip("/") != self.config.issuer.rstrip("/"):
                raise Unavailable("the single sign-on provider's discovery document names another issuer")
            self._discovery, self._discovered_at = doc, time.monotonic()
        return self._discovery

    async def start(self, next_path: str = "/") -> tuple[str, str]:
        """(URL to send the browser to, value of the flow cookie)."""
        doc = await self.discovery()
        verifier, nonce = generate_token(64), generate_token(32)
        async with self._client() as client:
            url, state = client.create_authorization_url(doc["authorization_endpoint"], code_verifier=verifier,
                                                         nonce=nonce)
        flow = {"state": state, "verifier": verifier, "nonce": nonce, "next": safe_next(next_path)}
        return url, self._flow.dumps(flow)

    def next_path(self, flow_cookie: str | None) -> str:
        try:
            return safe_next(self._flow.loads(flow_cookie or "", max_age=FLOW_MAX_AGE).get("next"))
        except BadSignature:
            return "/"

    async def finish(self, code: str | None, state: str | None, flow_cookie: str | None,
                     error: str | None = None) -> dict[str, Any]:
        """Exchange the code, verify the ID token, return the signed-in user row."""
        if error:
            raise Unauthorized("the single sign-on provider refused the sign-in; try again")
        try:
            flow = self._flow.loads(flow_cookie or "", max_age=FLOW_MAX_AGE)
        except BadSignature:
            raise BadRequest("the sign-in attempt expired or came from another browser; start again") from None
        if not code or not state or state != flow.get("state"):
            raise BadRequest("the sign-in answer does not match this attempt; start again")
        doc = await self.discovery()
        try:
            async with self._client() as client:
                token = await client.fetch_token(doc["token_endpoint"], code=code, code_verifier=flow["verifier"],
                                                 redirect_uri=self.config.redirect_uri)
        except Exception as err:  # noqa: BLE001 - authlib raises many kinds; the reason is logged, not shown
            logger.warning("OIDC code exchange failed: %s", type(err).__name__)
            raise Unauthorized("the single sign-on provider did not accept the sign-in; start again") from None
        claims = await self._verify_id_token(token.get("id_token"), doc, flow["nonce"])
        return self._user_for(claims)

    async def _verify_id_token(self, id_token: str | None, doc: dict[str, Any], nonce: str) -> dict[str, Any]:
        if not id_token:
            raise Unauthorized("the single sign-on provider returned no ID token")
        jwks = jwt.PyJWKSet.from_dict(await self._get_json(doc["jwks_uri"]))
        try:
            kid = jwt.get_unverified_header(id_token).get("kid")
            keys = [k for k in jwks.keys if kid is None or k.key_id == kid]
            if not keys:
                raise jwt.InvalidTokenError("unknown kid")
            claims = jwt.decode(id_token, keys[0], algorithms=_ALGORITHMS, audience=self.config.client_id,
                                issuer=doc["issuer"], options={"require": ["exp", "iat", "sub", "iss", "aud"]})
        except jwt.PyJWTError as err:
            logger.warning("OIDC ID token rejected: %s", type(err).__name__)
            raise Unauthorized("the single sign-on provider's ID token is not valid") from None
        if claims.get("nonce") != nonce:
            raise Unauthorized("the single sign-on answer does not match this attempt; start again")
        self._check_authorized_party(claims)
        return claims

    def _check_authorized_party(self, claims: dict[str, Any]) -> None:
        """OIDC Core 3.1.3.7: a token for several audiences must name us as its authorized party."""
        aud = claims.get("aud")
        several = isinstance(aud, list) and len(aud) > 1
        azp = claims.get("azp")
        if (several and azp is None) or (azp is not None and azp != self.config.client_id):
            logger.warning("OIDC ID token rejected: it was issued to another client (azp)")
            raise Unauthorized("the single sign-on provider's ID token was issued to another application")

    def _user_for(self, claims: dict[str, Any]) -> dict[str, Any]:
        issuer, subject = str(claims["iss"]), str(claims["sub"])
        ident = self.store.get_identity(issuer, subject)
        if ident is not None:
            user = self.store.get_user(ident["user_id"])
            if user is not None:
                return user
        if not claims.get("email"):
            raise Forbidden("the single sign-on provider did not share an email address")
        if not _verified(claims.get("email_verified")):
            raise Forbidden("your single sign-on provider has not verified your email address; verify it there "
                            "(or ask your administrator), then sign in again")
        email = normalize_email(str(claims["email"]))
        user = self.store.get_user_by_email(email)
        if user is None:
            user = self.store.create_user(email, str(claims.get("name") or "")[:200], None)
        self.store.link_identity(user["id"], issuer, subject)
        return user


def _verified(flag: Any) -> bool:
    # a JSON boolean per the spec; some providers (Amazon Cognito) send the string "true"
    return flag is True or flag == "true"
