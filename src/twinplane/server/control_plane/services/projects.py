"""Projects: a name and settings per org. Everything logged into them lives in the data plane."""

from __future__ import annotations

from typing import Any

from twinplane.server.common.errors import BadRequest, Conflict, NotFound
from twinplane.server.control_plane.principal import Principal
from twinplane.server.control_plane.services.names import clean_name
from twinplane.server.control_plane.store import ControlStore, Page

__all__ = ["Projects", "MAX_SETTINGS_BYTES"]

MAX_SETTINGS_BYTES = 64 * 1024
# settings.retention_days: the data plane deletes the project's logs older than this (absent or null: never)
MAX_RETENTION_DAYS = 36_500


def _check_settings(settings: Any) -> dict[str, Any]:
    import json

    if not isinstance(settings, dict):
        raise BadRequest("project settings must be a JSON object")
    if len(json.dumps(settings)) > MAX_SETTINGS_BYTES:
        raise BadRequest("project settings are too large (at most 64 KiB)")
    days = settings.get("retention_days")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_RETENTION_DAYS):
        raise BadRequest(f"settings.retention_days must be a whole number of days from 1 to {MAX_RETENTION_DAYS}, "
                         "or null to keep logs for ever")
    return settings


class Projects:
    def __init__(self, store: ControlStore) -> None:
        self.store = store

    # for data planes (already pinned to their org) -------------------------------------

    def get_or_create(self, org_id: str, name: str) -> tuple[dict[str, Any], bool]:
        return self.store.get_or_create_project(org_id, clean_name(name, "project", 300))

    def get_in_org(self, org_id: str, project_id: str) -> dict[str, Any]:
        row = self.store.get_project(org_id, project_id)
        if row is None:
            raise NotFound("project not found")
        return row

    # for users -------------------------------------------------------------------------

    def visible(self, principal: Principal, project_id: str, minimum: str = "viewer") -> dict[str, Any]:
        """The project if the caller may see it (404 otherwise) and has ``minimum`` role (403)."""
        row = self.store.get_project_by_id(project_id)
        if row is None or not principal.can_see_project(project_id):
            raise NotFound("project not found")
        try:
            principal.role_in(self.store, row["org_id"])
        except NotFound:
            raise NotFound("project not found") from None  # the same answer as for an unknown id
        principal.require(self.store, row["org_id"], minimum)
        return row

    def list_for(self, principal: Principal, org_id: str, limit: int, cursor: str | None) -> Page:
        principal.role_in(self.store, org_id)
        return self.store.list_projects(org_id, limit, cursor, project_id=principal.project_scope)

    def create(self, principal: Principal, org_id: str, name: str, settings: dict[str, Any] | None) -> dict[str, Any]:
        principal.require(self.store, org_id, "editor")
        principal.require_org_wide("create projects")
        row, created = self.get_or_create(org_id, name)
        if not created:
            raise Conflict(f"a project named {row['name']!r} already exists in this organization")
        if settings:
            row = self.store.update_project(org_id, row["id"], {"settings": _check_settings(settings)})
        return row

    def update(self, principal: Principal, project_id: str, name: str | None,
               settings: dict[str, Any] | None) -> dict[str, Any]:
        row = self.visible(principal, project_id, "editor")
        values: dict[str, Any] = {}
        if name is not None:
            values["name"] = clean_name(name, "project", 300)
        if settings is not None:
            values["settings"] = _check_settings(settings)
            if settings.get("retention_days") != (row.get("settings") or {}).get("retention_days"):
                self.visible(principal, project_id, "admin")  # a shorter retention deletes logs
        if not values:
            return row
        return self.store.update_project(row["org_id"], project_id, values)

    def delete(self, principal: Principal, project_id: str) -> None:
        row = self.visible(principal, project_id, "admin")
        self.store.delete_project(row["org_id"], project_id)
