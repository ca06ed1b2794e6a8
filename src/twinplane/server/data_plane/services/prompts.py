"""Prompts: each prompt is one row (keyed by prompt id) of object ``("project_prompts", project_id)``.

So every save is a transaction and ``_xact_id`` is the prompt's version; reading a version
is reading the row as of that transaction. The name and slug are registered at the control
plane; the prompt text and options never leave this data plane.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

import orjson

from twinplane.server.common.errors import BadRequest, NotFound
from twinplane.server.data_plane.auth.principal import Principal
from twinplane.server.data_plane.control_client import ControlClient
from twinplane.server.data_plane.services.catalog import now_iso
from twinplane.server.data_plane.services.ingest import IngestService
from twinplane.server.data_plane.services.objects import ObjectResolver
from twinplane.server.data_plane.store.base import ObjectMeta, ObjectRef, Store
from twinplane.wire.objects import LOG_ID_PROMPTS
from twinplane.wire.xact import format_xact, parse_xact

_SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
# The eight keys the SDK requires (a missing one is a TypeError in the SDK).
PROMPT_KEYS = ("id", "project_id", "_xact_id", "name", "slug", "description", "prompt_data", "tags")


def _xact_str(v: Any) -> str | None:
    if v is None:
        return None
    return format_xact(v) if isinstance(v, int) else str(v)


def prompt_view(row: dict[str, Any], org_id: str) -> dict[str, Any]:
    out = {k: row.get(k) for k in PROMPT_KEYS}
    out["_xact_id"] = _xact_str(row.get("_xact_id"))
    out.update(org_id=org_id, log_id=LOG_ID_PROMPTS, created=row.get("created"),
               function_type=row.get("function_type"), metadata=row.get("metadata"))
    return out


def parse_version(version: Any) -> int | None:
    if version is None or version == "":
        return None
    try:
        return parse_xact(version)
    except ValueError as err:
        raise BadRequest(f"version: {err}") from None


class Prompts:
    def __init__(self, store: Store, control: ControlClient, objects: ObjectResolver, ingest: IngestService) -> None:
        self._store = store
        self._control = control
        self._objects = objects
        self._ingest = ingest

    async def save(self, principal: Principal, body: dict[str, Any]) -> dict[str, Any]:
        """Create a prompt, or a new version of the prompt with this slug in the project."""
        principal.require_write()
        project_id = body.get("project_id")
        if not isinstance(project_id, str) or not project_id:
            raise BadRequest("field 'project_id' is required")
        await self._objects.meta(principal, "project", project_id)
        slug = body.get("slug")
        if not isinstance(slug, str) or not _SLUG_RE.match(slug):
            raise BadRequest("field 'slug' must be 1-128 characters of letters, digits, '.', '_' or '-'")
        name = body.get("name") if body.get("name") is not None else slug
        if not isinstance(name, str) or not name.strip():
            raise BadRequest("field 'name' must be a non-empty string")
        prompt_data = body.get("prompt_data")
        if prompt_data is not None and not isinstance(prompt_data, dict):
            raise BadRequest("field 'prompt_data' must be an object")
        tags = body.get("tags")
        if tags is not None and (not isinstance(tags, list) or not all(isinstance(t, str) for t in tags)):
            raise BadRequest("field 'tags' must be a list of strings")
        for k in ("description", "function_type"):
            if body.get(k) is not None and not isinstance(body[k], str):
                raise BadRequest(f"field '{k}' must be a string")
        if body.get("metadata") is not None and not isinstance(body["metadata"], dict):
            raise BadRequest("field 'metadata' must be an object")
        o = await self._control.create_object("prompt", project_id, name, slug=slug, ensure_new=False)
        meta = await self._store.get_object(principal.org_id, o["id"])
        created = meta.created if meta is not None else str(o.get("created") or now_iso())
        meta = await self._store.put_object(ObjectMeta(
            id=o["id"], org_id=principal.org_id, project_id=project_id, object_type="prompt", name=name,
            created=created, data={"slug": slug, "description": body.get("description"), "tags": tags,
                                   "function_type": body.get("function_type"), "user_id": principal.user_id}))
        self._objects.remember(meta)
        row = {
            "id": o["id"], "project_id": project_id, "log_id": LOG_ID_PROMPTS, "name": name, "slug": slug,
            "description": body.get("description"), "prompt_data": prompt_data, "tags": tags,
            "function_type": body.get("function_type"), "metadata": body.get("metadata"), "created": created,
        }
        # the same row checks as any write (size, depth, NUL in keys)
        result = await self._ingest.write(principal, [row], raw_size=len(orjson.dumps(row)), may_hold_nul=True)
        return prompt_view({**row, "_xact_id": result.xact_id}, principal.org_id)

    async def get(self, principal: Principal, prompt_id: str, version: Any = None) -> dict[str, Any]:
        meta = await self._objects.meta(principal, "prompt", prompt_id)
        row = await self._store.get_row(principal.org_id, ObjectRef("project_prompts", meta.project_id), meta.id,
                                        version=parse_version(version))
        if row is None:
            raise NotFound("prompt not found" if version is None else "prompt version not found")
        return prompt_view(row, principal.org_id)

    async def find(self, principal: Principal, *, project_id: str | None, slug: str | None,
                   version: Any = None) -> list[dict[str, Any]]:
        metas = await self._store.list_objects(principal.org_id, "prompt", project_id=project_id, limit=10_000)
        out = []
        for m in metas:
            if m.deleted or not principal.sees_project(m.project_id):
                continue
            if slug is not None and m.data.get("slug") != slug:
                continue
            try:
                out.append(await self.get(principal, m.id, version))
            except NotFound:
                if slug is not None:
                    raise
        return out

    async def delete(self, principal: Principal, prompt_id: str) -> dict[str, Any]:
        """``DELETE /v1/prompt/{id}``: the prompt's record marked deleted, its row deleted and every version of it
        removed (queued first, so a crash in between is finished by the next retention sweep), its name and slug
        released at the control plane. Answers the prompt as it was, with ``deleted_at``."""
        principal.require_write()
        org = principal.org_id
        meta = await self._objects.record(principal, "prompt", prompt_id)
        ref = ObjectRef("project_prompts", meta.project_id)
        row = await self._store.get_row(org, ref, prompt_id)
        meta = await self._objects.mark_deleted(meta)
        await self._store.delete_for_good(org, meta.project_id, ref, [prompt_id])
        await self._store.finish_version_removal()
        with contextlib.suppress(NotFound):  # released already
            await self._control.delete_object(prompt_id)
        view = prompt_view(row, org) if row is not None else {
            "id": prompt_id, "project_id": meta.project_id, "name": meta.name, "slug": meta.data.get("slug")}
        return {**view, "deleted_at": meta.data.get("deleted_at")}

    async def versions(self, principal: Principal, prompt_id: str) -> list[dict[str, Any]]:
        meta = await self._objects.meta(principal, "prompt", prompt_id)
        rows = await self._store.row_versions(principal.org_id, ObjectRef("project_prompts", meta.project_id), meta.id)
        return [prompt_view(r, principal.org_id) for r in rows]
