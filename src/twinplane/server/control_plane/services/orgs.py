"""Organizations and their members (owner > admin > editor > viewer)."""

from __future__ import annotations

from typing import Any

from twinplane.server.common.errors import BadRequest, Conflict, Forbidden, NotFound
from twinplane.server.control_plane.principal import ROLES, Principal
from twinplane.server.control_plane.services.accounts import Accounts, normalize_email
from twinplane.server.control_plane.services.names import clean_name
from twinplane.server.control_plane.store import ControlStore, Page

__all__ = ["Orgs"]


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise BadRequest(f"role must be one of {', '.join(ROLES)}")
    return role


class Orgs:
    def __init__(self, store: ControlStore, accounts: Accounts) -> None:
        self.store = store
        self.accounts = accounts

    def create(self, principal: Principal, name: str) -> dict[str, Any]:
        principal.require_session("creating an organization")
        org = self.store.create_org(clean_name(name, "organization"), principal.user_id)
        return {"id": org["id"], "name": org["name"], "created": org["created"], "role": "owner"}

    def list_for(self, principal: Principal, limit: int, cursor: str | None) -> Page:
        pinned = principal.key["org_id"] if principal.key is not None else None  # a key sees its own org only
        rows, nxt = self.store.list_user_orgs(principal.user_id, limit, cursor, org_id=pinned)
        if pinned is not None:
            rows = [{**r, "role": principal.role_in(self.store, r["id"])} for r in rows]
        return rows, nxt

    def get(self, principal: Principal, org_id: str) -> dict[str, Any]:
        role = principal.role_in(self.store, org_id)
        org = self.store.get_org(org_id)
        if org is None:
            raise NotFound("organization not found")
        return {**org, "role": role}

    # members ---------------------------------------------------------------------------

    def list_members(self, principal: Principal, org_id: str, limit: int, cursor: str | None) -> Page:
        principal.role_in(self.store, org_id)
        principal.require_org_wide()  # member emails are not for project-scoped or read-only keys
        rows, nxt = self.store.list_members(org_id, limit, cursor)
        return [{**r, "user_id": r["id"]} for r in rows], nxt

    def add_member(self, principal: Principal, org_id: str, email: str, role: str,
                   password: str | None) -> dict[str, Any]:
        principal.require_org_wide()
        my_role = principal.require(self.store, org_id, "admin")
        _check_role(role)
        if role == "owner" and my_role != "owner":
            raise Forbidden("only an owner can add another owner")
        email = normalize_email(email)
        user = self.store.get_user_by_email(email)
        if user is None:
            user = self.accounts.create_local_user(email, password)
        self.store.add_member(org_id, user["id"], role)
        return {"id": user["id"], "user_id": user["id"], "email": user["email"], "name": user["name"], "role": role}

    def _target_role(self, org_id: str, user_id: str) -> str:
        role = self.store.get_role(org_id, user_id)
        if role is None:
            raise NotFound("member not found")
        return role

    def set_role(self, principal: Principal, org_id: str, user_id: str, role: str) -> dict[str, Any]:
        principal.require_org_wide()
        my_role = principal.require(self.store, org_id, "admin")
        _check_role(role)
        current = self._target_role(org_id, user_id)
        if "owner" in (role, current) and my_role != "owner":
            raise Forbidden("only an owner can grant or take away the owner role")
        if current == "owner" and role != "owner" and self.store.count_owners(org_id) <= 1:
            raise Conflict("an organization needs at least one owner; make someone else owner first")
        self.store.set_role(org_id, user_id, role)
        user = self.store.get_user(user_id) or {}
        return {"id": user_id, "user_id": user_id, "email": user.get("email"), "name": user.get("name"), "role": role}

    def remove_member(self, principal: Principal, org_id: str, user_id: str) -> None:
        principal.require_org_wide()
        my_role = principal.require(self.store, org_id, "admin")
        current = self._target_role(org_id, user_id)
        if current == "owner" and my_role != "owner":
            raise Forbidden("only an owner can remove an owner")
        if current == "owner" and self.store.count_owners(org_id) <= 1:
            raise Conflict("an organization needs at least one owner; make someone else owner first")
        self.store.remove_member(org_id, user_id)
