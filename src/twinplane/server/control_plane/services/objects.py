"""Names and ids of experiments, datasets and prompts; their contents stay in the data plane.

Rules (contracts.md §2): datasets get-or-create by (project, name); experiments with
``ensure_new`` always create, renamed ``name-1``, ``name-2``, ... when the name is taken,
otherwise get-or-create by name; prompts are unique per (project, slug).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from twinplane.server.common.errors import BadRequest, NotFound
from twinplane.server.control_plane.services.names import clean_name
from twinplane.server.control_plane.store import ControlStore, Page, new_id, now

__all__ = ["ObjectNames", "OBJECT_TYPES", "ObjectType"]

ObjectType = Literal["experiment", "dataset", "prompt"]
OBJECT_TYPES = ("experiment", "dataset", "prompt")
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,299}$")
_MAX_RENAME_TRIES = 20


def public(row: dict[str, Any], created_now: bool | None = None) -> dict[str, Any]:
    out = {k: row[k] for k in ("id", "object_type", "project_id", "name", "slug", "created")}
    if created_now is not None:
        out["created_now"] = created_now
    return out


class ObjectNames:
    def __init__(self, store: ControlStore) -> None:
        self.store = store

    def register(self, org_id: str, project_id: str, object_type: str, name: str | None,
                 slug: str | None = None, ensure_new: bool = False) -> dict[str, Any]:
        if object_type not in OBJECT_TYPES:
            raise BadRequest(f"object_type must be one of {', '.join(OBJECT_TYPES)}")
        if self.store.get_project(org_id, project_id) is None:
            raise NotFound("project not found")
        name = clean_name(name, object_type, 300)
        if object_type == "prompt":
            slug = (slug or "").strip()
            if not _SLUG.match(slug):
                raise BadRequest("a prompt needs a slug of letters, digits, '.', '_' or '-' (at most 300)")
            key = slug
        else:
            slug = None
            key = name
        if object_type == "experiment" and ensure_new:
            return self._create_fresh(org_id, project_id, name)
        for _ in range(3):  # get, or create; a racing creator makes the second get succeed
            found = self.store.find_object(project_id, object_type, key)
            if found:
                return public(found, False)
            row = self._row(org_id, project_id, object_type, name, slug, key)
            if self.store.insert_object(row):
                return public(row, True)
        raise BadRequest("could not register the name; try again")

    def _row(self, org_id: str, project_id: str, object_type: str, name: str, slug: str | None,
             key: str) -> dict[str, Any]:
        return {"id": new_id(), "org_id": org_id, "project_id": project_id, "object_type": object_type,
                "name": name, "slug": slug, "unique_key": key, "created": now()}

    def _create_fresh(self, org_id: str, project_id: str, name: str) -> dict[str, Any]:
        for _ in range(_MAX_RENAME_TRIES):
            candidate = self._free_name(project_id, name)
            row = self._row(org_id, project_id, "experiment", candidate, None, candidate)
            if self.store.insert_object(row):
                return public(row, True)
        raise BadRequest("could not find a free experiment name; try again")

    def _free_name(self, project_id: str, name: str) -> str:
        if self.store.find_object(project_id, "experiment", name) is None:
            return name
        suffix = re.compile(re.escape(name) + r"-(\d+)$")
        taken = [int(m.group(1)) for k in self.store.taken_keys_with_prefix(project_id, "experiment", name + "-")
                 if (m := suffix.match(k))]
        return f"{name}-{max(taken, default=0) + 1}"

    def get(self, org_id: str, object_id: str) -> dict[str, Any]:
        row = self.store.get_object(org_id, object_id)
        if row is None:
            raise NotFound("object not found")
        return public(row)

    def list(self, org_id: str, limit: int, cursor: str | None, **filters: str | None) -> Page:
        if filters.get("object_type") is not None and filters["object_type"] not in OBJECT_TYPES:
            raise BadRequest(f"object_type must be one of {', '.join(OBJECT_TYPES)}")
        rows, nxt = self.store.list_objects(org_id, limit, cursor, **filters)
        return [public(r) for r in rows], nxt

    def delete(self, org_id: str, object_id: str) -> None:
        if not self.store.delete_object(org_id, object_id):
            raise NotFound("object not found")
