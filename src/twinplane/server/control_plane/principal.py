"""Who is calling, and what they may do in an org: the one place authorization is decided.

A principal is a signed-in user (session cookie) or an API key acting for its creator.
An API key is pinned to its org; a read-only key acts as a viewer; a project-scoped key sees
only its project; neither reads nor changes org settings (members, secrets, data plane). Anything outside what the caller may see answers 404, so ids of other
orgs' objects never leak; a visible object the caller may not change answers 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from twinplane.server.common.errors import Forbidden, NotFound
from twinplane.server.control_plane.store import ControlStore

__all__ = ["Principal", "ROLES", "role_at_least", "DataPlaneCaller"]

ROLES = ("viewer", "editor", "admin", "owner")
_RANK = {r: i for i, r in enumerate(ROLES)}


def role_at_least(role: str, minimum: str) -> bool:
    return _RANK.get(role, -1) >= _RANK[minimum]


@dataclass(frozen=True)
class Principal:
    user: dict[str, Any]
    via: Literal["session", "api_key"]
    key: dict[str, Any] | None = None  # the API key row when via == "api_key"

    @property
    def user_id(self) -> str:
        return str(self.user["id"])

    def role_in(self, store: ControlStore, org_id: str) -> str:
        """The caller's effective role in ``org_id``; 404 when the caller cannot see the org."""
        if self.key is not None and self.key["org_id"] != org_id:
            raise NotFound("organization not found")
        role = store.get_role(org_id, self.user_id)
        if role is None:
            raise NotFound("organization not found")
        if self.key is not None and self.key["read_only"]:
            return "viewer"
        return role

    def require(self, store: ControlStore, org_id: str, minimum: str) -> str:
        role = self.role_in(store, org_id)
        if not role_at_least(role, minimum):
            raise Forbidden(f"this needs the {minimum} role or higher in the organization; you are {role}")
        return role

    def require_org_wide(self, what: str = "read or change organization settings") -> None:
        """Org settings (members and their emails, secrets, the data plane), read or written, are
        for browser sessions and org-wide writable keys. A project-scoped key sees one project, and
        a read-only key reads data; neither is an org administrator's credential."""
        if self.key is None:
            return
        if self.key["project_id"] is not None:
            raise Forbidden(f"a project-scoped API key cannot {what}")
        if self.key["read_only"]:
            raise Forbidden(f"a read-only API key cannot {what}")

    def require_session(self, what: str) -> None:
        if self.via != "session":
            raise Forbidden(f"{what} needs a signed-in browser session, not an API key")

    @property
    def project_scope(self) -> str | None:
        return self.key["project_id"] if self.key is not None else None

    def can_see_project(self, project_id: str) -> bool:
        return self.project_scope is None or self.project_scope == project_id


@dataclass(frozen=True)
class DataPlaneCaller:
    """A data plane authenticated by its service token; pinned to the org it is registered for."""

    data_plane: dict[str, Any]

    @property
    def org_id(self) -> str:
        return str(self.data_plane["org_id"])
