"""API keys: ``tpk_<lookup>_<secret>``, stored as HMAC-SHA-256 under the pepper, shown once.

A key acts for the user who created it, with that user's current role in the key's org
(viewer when the key is read-only). Wrong, malformed, revoked, expired and orphaned keys are
indistinguishable to the caller.

A key that creates a key creates one no broader than itself: same project when it is
project-scoped, read-only when it is, and expiring no later than it does. A project-scoped key
lists and revokes only keys of its own project (its creator's), never org-wide ones.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from twinplane.server.common import credential
from twinplane.server.common.errors import BadRequest, NotFound
from twinplane.server.control_plane.principal import Principal
from twinplane.server.control_plane.services.names import clean_name
from twinplane.server.control_plane.store import ControlStore, Page, new_id, now

__all__ = ["ApiKeys", "ResolvedKey", "API_KEY_PREFIX"]

logger = logging.getLogger(__name__)
API_KEY_PREFIX = "tpk"
_TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class ResolvedKey:
    key: dict[str, Any]
    user: dict[str, Any]
    org: dict[str, Any]
    role: str  # the creator's role in the org


def listed(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"], "name": row["name"], "prefix": f"{API_KEY_PREFIX}_{row['lookup']}", "last4": row["last4"],
        "created_by": row.get("created_by_email") or row["user_id"], "created": row["created"],
        "last_used": row["last_used"], "expires_at": row["expires_at"], "project_id": row["project_id"],
        "read_only": bool(row["read_only"]), "revoked": row["revoked_at"] is not None,
    }


class ApiKeys:
    def __init__(self, store: ControlStore, pepper: bytes) -> None:
        self.store = store
        self._pepper = pepper

    def create(self, principal: Principal, org_id: str, name: str, project_id: str | None = None,
               read_only: bool = False, expires_at: datetime | None = None) -> tuple[dict[str, Any], str]:
        """A new key acting for the caller; returns (listed row, plaintext shown once)."""
        principal.require(self.store, org_id, "editor")
        if expires_at is not None:
            if expires_at.tzinfo is None:
                raise BadRequest("expires_at must carry a time zone, e.g. 2030-01-01T00:00:00Z")
            if expires_at <= now():
                raise BadRequest("expires_at must be in the future")
        if principal.key is not None:
            project_id, read_only, expires_at = _no_broader_than(principal.key, project_id, read_only, expires_at)
        if project_id is not None and self.store.get_project(org_id, project_id) is None:
            raise NotFound("project not found")
        return self.create_for_user(org_id, principal.user_id, clean_name(name, "API key"), project_id,
                                    read_only, expires_at)

    def create_for_user(self, org_id: str, user_id: str, name: str, project_id: str | None = None,
                        read_only: bool = False, expires_at: datetime | None = None) -> tuple[dict[str, Any], str]:
        cred = credential.generate(API_KEY_PREFIX)
        row = {"id": new_id(), "org_id": org_id, "user_id": user_id, "name": name, "lookup": cred.lookup,
               "digest": credential.digest(self._pepper, cred.value), "last4": cred.last4,
               "project_id": project_id, "read_only": read_only, "expires_at": expires_at, "created": now(),
               "last_used": None, "revoked_at": None}
        self.store.insert_api_key(row)
        logger.info("API key %s created in org %s", row["id"], org_id)
        return listed(row), cred.value

    def resolve(self, token: str | None, *, org_id: str | None = None) -> ResolvedKey | None:
        """The live key for ``token`` (of ``org_id`` when given), or None for any kind of failure."""
        lookup = credential.parse(token or "", API_KEY_PREFIX)
        if lookup is None:
            return None
        row = self.store.get_api_key_by_lookup(lookup)
        if row is None or not credential.matches(self._pepper, token or "", row["digest"]):
            return None
        t = now()
        if row["revoked_at"] is not None or (row["expires_at"] is not None and row["expires_at"] <= t):
            return None
        if org_id is not None and row["org_id"] != org_id:
            return None  # before recording use: another org's data plane learns nothing, changes nothing
        role = self.store.get_role(row["org_id"], row["user_id"])
        user = self.store.get_user(row["user_id"])
        org = self.store.get_org(row["org_id"])
        if role is None or user is None or org is None:  # the creator left the org
            return None
        if row["last_used"] is None or row["last_used"] < t - _TOUCH_EVERY:
            self.store.touch_api_key(row["id"], t, t - _TOUCH_EVERY)
        return ResolvedKey(key=row, user=user, org=org, role=role)

    def introspect(self, token: str | None, org_id: str) -> dict[str, Any]:
        """The internal answer for a data plane pinned to ``org_id``."""
        found = self.resolve(token, org_id=org_id)
        if found is None:
            return {"active": False}
        k = found.key
        return {"active": True, "org_id": k["org_id"], "org_name": found.org["name"], "user_id": k["user_id"],
                "key_id": k["id"], "role": found.role, "project_id": k["project_id"],
                "read_only": bool(k["read_only"]),
                "expires_at": k["expires_at"].isoformat() if k["expires_at"] else None}

    def list_for(self, principal: Principal, org_id: str, limit: int, cursor: str | None) -> Page:
        role = principal.role_in(self.store, org_id)
        # admins see every key of the org; others only their own; a project-scoped key only its project's
        mine = None if role in ("admin", "owner") and principal.project_scope is None else principal.user_id
        rows, nxt = self.store.list_api_keys(org_id, limit, cursor, user_id=mine, project_id=principal.project_scope)
        return [listed(r) for r in rows], nxt

    def revoke(self, principal: Principal, org_id: str, key_id: str) -> None:
        role = principal.role_in(self.store, org_id)
        row = self.store.get_api_key(org_id, key_id)
        is_admin = role in ("admin", "owner") and principal.project_scope is None
        if row is None or (row["user_id"] != principal.user_id and not is_admin):
            raise NotFound("API key not found")
        if principal.project_scope is not None and row["project_id"] != principal.project_scope:
            raise NotFound("API key not found")  # the same answer as for a key it cannot list
        if role == "viewer":
            principal.require(self.store, org_id, "editor")
        self.store.revoke_api_key(org_id, key_id)
        logger.info("API key %s revoked in org %s", key_id, org_id)


def _no_broader_than(parent: dict[str, Any], project_id: str | None, read_only: bool,
                     expires_at: datetime | None) -> tuple[str | None, bool, datetime | None]:
    """The (project, read-only, expiry) of a key created by the key ``parent``, or 400/404."""
    scope = parent["project_id"]
    if scope is not None:
        if project_id not in (None, scope):
            raise NotFound("project not found")  # a project-scoped key cannot see other projects
        project_id = scope
    read_only = read_only or bool(parent["read_only"])
    limit = parent["expires_at"]
    if limit is not None:
        if expires_at is None:
            expires_at = limit
        elif expires_at > limit:
            raise BadRequest("a key created with an API key cannot outlive it: expires_at must be at or before "
                             f"{limit.isoformat()}")
    return project_id, read_only, expires_at
