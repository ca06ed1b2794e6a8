"""The verified caller. The tenant comes from here and from nowhere else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from twinplane.server.common.errors import Forbidden, NotFound

WRITE_ROLES = frozenset({"owner", "admin", "editor"})
ORG_ADMIN_ROLES = frozenset({"owner", "admin"})


@dataclass(frozen=True, slots=True)
class Principal:
    kind: Literal["api_key", "browser"]
    org_id: str
    org_name: str
    user_id: str | None
    role: str
    key_id: str | None = None  # API keys only; the rate-limit identity
    project_id: str | None = None  # set for project-scoped keys
    read_only: bool = False

    @property
    def can_write(self) -> bool:
        return not self.read_only and self.role in WRITE_ROLES

    @property
    def limit_id(self) -> str:
        """Identity of this credential for per-key rate limits."""
        return f"key:{self.key_id}" if self.key_id else f"user:{self.user_id}"

    def require_write(self) -> None:
        if not self.can_write:
            raise Forbidden("this credential may only read")

    def require_org_admin(self, what: str) -> None:
        """Org-wide data operations (a project's deletion, an erasure): a writable credential of an owner or an
        admin, not scoped to one project."""
        self.require_write()
        if self.role not in ORG_ADMIN_ROLES or self.project_id is not None:
            raise Forbidden(f"{what} needs an org admin's credential, not scoped to a project")

    def sees_project(self, project_id: str | None) -> bool:
        return self.project_id is None or self.project_id == project_id

    def require_project(self, project_id: str | None) -> None:
        """Refuse other projects' objects as if they did not exist (no existence leak)."""
        if not self.sees_project(project_id):
            raise NotFound("not found")
