"""Local user accounts: argon2id password hashes, sign-in checks, email normalization."""

from __future__ import annotations

import logging
import re
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from twinplane.server.common.errors import BadRequest, Unauthorized
from twinplane.server.control_plane.store import ControlStore

__all__ = ["Accounts", "normalize_email", "MIN_PASSWORD_LENGTH"]

logger = logging.getLogger(__name__)
MIN_PASSWORD_LENGTH = 8
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}$")


def normalize_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not _EMAIL.match(email):
        raise BadRequest("enter a valid email address, like name@example.com")
    return email


class Accounts:
    def __init__(self, store: ControlStore) -> None:
        self.store = store
        self._hasher = PasswordHasher()  # argon2id with the library's current recommended cost
        # verified when the account does not exist, so a miss costs as much as a wrong password
        self._dummy_hash = self._hasher.hash("twinplane-no-such-user")

    def hash_password(self, password: str) -> str:
        if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
            raise BadRequest(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
        if len(password) > 1024:
            raise BadRequest("the password is too long (at most 1024 characters)")
        return self._hasher.hash(password)

    def create_local_user(self, email: str, password: str | None, name: str = "") -> dict[str, Any]:
        email = normalize_email(email)
        pw_hash = self.hash_password(password) if password is not None else None
        return self.store.create_user(email, name.strip()[:200], pw_hash)

    def authenticate(self, email: str, password: str) -> dict[str, Any]:
        """The user for these credentials; the same 401 whatever was wrong."""
        user = self.store.get_user_by_email((email or "").strip().lower())
        stored = user["password_hash"] if user and user["password_hash"] else self._dummy_hash
        try:
            self._hasher.verify(stored, password or "")
            ok = user is not None and user["password_hash"] is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        if not ok or user is None:
            raise Unauthorized("wrong email or password")
        if self._hasher.check_needs_rehash(stored):
            self.store.set_password_hash(user["id"], self._hasher.hash(password))
        return user
