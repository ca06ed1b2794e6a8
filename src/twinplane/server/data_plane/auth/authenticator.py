"""Turn an ``Authorization`` header into a ``Principal``, or refuse.

Credential kinds are told apart by shape (contracts §1): ``tpk_`` → API key, three
dot-separated segments → browser JWT, anything else → 401. The org of every credential
must be the org this data plane serves (learnt from the control plane at start); until
that is known, every request gets 503.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from twinplane.server.common import credential
from twinplane.server.common.errors import Unauthorized, Unavailable
from twinplane.server.data_plane.auth.api_keys import ApiKeyCache
from twinplane.server.data_plane.auth.jwks import JwksVerifier
from twinplane.server.data_plane.auth.principal import Principal

logger = logging.getLogger(__name__)

ROLES = ("owner", "admin", "editor", "viewer")


class Authenticator:
    def __init__(self, keys: ApiKeyCache, jwks: JwksVerifier) -> None:
        self.keys = keys
        self.jwks = jwks
        self.org_id: str | None = None
        self.org_name: str = ""

    def pin(self, org_id: str, org_name: str) -> None:
        self.org_id = org_id
        self.org_name = org_name

    async def authenticate(self, authorization: str | None, *, client: str | None = None) -> Principal:
        """``client``: the caller's address, for the budget of refused never-seen API keys."""
        token = _bearer(authorization)
        if self.org_id is None:
            raise Unavailable("this data plane has not yet reached its control plane", retry_after=5)
        if token.startswith("tpk_"):
            if credential.parse(token, "tpk") is None:  # malformed keys never cost an upstream call
                raise Unauthorized("invalid API key")
            return await self._api_key(token, client)
        if token.count(".") == 2:
            return await self._browser(token)
        raise Unauthorized("unrecognized credential")

    async def _api_key(self, token: str, client: str | None) -> Principal:
        answer = await self.keys.lookup(token, client=client)
        f = answer.fields
        org_id = self.org_id
        if org_id is None or not answer.active or f.get("org_id") != org_id or _expired(f.get("expires_at")):
            raise Unauthorized("invalid API key")
        role = str(f["role"]) if f.get("role") in ROLES else "viewer"
        return Principal(
            kind="api_key", org_id=org_id, org_name=str(f.get("org_name") or self.org_name),
            user_id=_opt_str(f.get("user_id")), role=role, key_id=_opt_str(f.get("key_id")),
            project_id=_opt_str(f.get("project_id")), read_only=bool(f.get("read_only")),
        )

    async def _browser(self, token: str) -> Principal:
        claims = await self.jwks.verify(token)
        org_id = self.org_id
        if org_id is None or claims.get("org") != org_id:
            raise Unauthorized("this token is for another organization")
        role = claims.get("role")
        if not isinstance(role, str) or role not in ROLES:
            raise Unauthorized("browser token carries no valid role")
        return Principal(kind="browser", org_id=org_id, org_name=self.org_name,
                         user_id=_opt_str(claims.get("sub")), role=role)


def _bearer(authorization: str | None) -> str:
    if not authorization:
        raise Unauthorized("missing Authorization header", headers={"WWW-Authenticate": "Bearer"})
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("expected 'Authorization: Bearer <token>'", headers={"WWW-Authenticate": "Bearer"})
    return token


def _expired(expires_at: Any) -> bool:
    # A cached answer must not outlive the key itself.
    if not isinstance(expires_at, str) or not expires_at:
        return False
    try:
        when = datetime.fromisoformat(expires_at.replace("Z", "+00:00"))
    except ValueError:
        return True
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when <= datetime.now(UTC)


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
