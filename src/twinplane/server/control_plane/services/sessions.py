"""Browser sessions: a random id in a signed cookie, its HMAC in the database, a CSRF token.

The cookie carries 256 random bits signed with the session secret; the database holds only
an HMAC of the id, so a database dump gives no live session. The CSRF token is derived from
the session id (double-submit, bound to the session): a page on another origin can neither
read it nor compute it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

from twinplane.server.control_plane.store import ControlStore

__all__ = ["Sessions", "SessionInfo", "SESSION_COOKIE", "CSRF_COOKIE", "CSRF_HEADER"]

SESSION_COOKIE = "tp_session"
CSRF_COOKIE = "tp_csrf"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True)
class SessionInfo:
    user: dict[str, Any]
    id_hash: str
    csrf_token: str


class Sessions:
    def __init__(self, store: ControlStore, secret: str, ttl_seconds: int) -> None:
        if len(secret or "") < 32:
            raise ValueError("TWINPLANE_CONTROL_SESSION_SECRET must be at least 32 characters")
        self.store = store
        self._key = secret.encode()
        self._signer = URLSafeSerializer(secret, salt="tp_session")
        self.ttl = timedelta(seconds=ttl_seconds)

    def _hash(self, sid: str) -> str:
        return hmac.new(self._key, b"session:" + sid.encode(), hashlib.sha256).hexdigest()

    def _csrf(self, sid: str) -> str:
        return hmac.new(self._key, b"csrf:" + sid.encode(), hashlib.sha256).hexdigest()

    def start(self, user_id: str) -> tuple[str, str]:
        """A new session: (cookie value, CSRF token)."""
        sid = secrets.token_urlsafe(32)
        self.store.create_session(self._hash(sid), user_id, self.ttl)
        return self._signer.dumps(sid), self._csrf(sid)

    def _sid(self, cookie: str | None) -> str | None:
        if not cookie or len(cookie) > 512:
            return None
        try:
            sid = self._signer.loads(cookie)
        except BadSignature:
            return None
        return sid if isinstance(sid, str) else None

    def resolve(self, cookie: str | None) -> SessionInfo | None:
        sid = self._sid(cookie)
        if sid is None:
            return None
        user = self.store.get_session_user(self._hash(sid))
        if user is None:
            return None
        return SessionInfo(user=user, id_hash=self._hash(sid), csrf_token=self._csrf(sid))

    def end(self, cookie: str | None) -> None:
        sid = self._sid(cookie)
        if sid is not None:
            self.store.delete_session(self._hash(sid))

    @staticmethod
    def csrf_ok(expected: str, header: str | None, cookie: str | None) -> bool:
        if not header or not cookie:
            return False
        return hmac.compare_digest(expected, header) and hmac.compare_digest(expected, cookie)
