"""Projects, experiments and datasets: names registered at the control plane, the rest kept here.

The control plane gets only what the architecture allows it to hold (a name, a slug);
description, repo info, metadata, tags, base experiment and dataset links stay in this
data plane's ``ObjectMeta``.

Deleting an experiment or a dataset purges it: its record is marked deleted (so no process
accepts another write to it once its cached record expires), every row, version, summary value
and search entry is removed, and its name is released at the control plane (attachments stay in
the blob store: rows of other objects may share them; an erasure deletes a person's). Deleting a project does that for each of
its experiments, datasets and prompts and for its logs, then the control plane drops the project
with every name in it. The purge runs once more after ``CACHE_SECONDS`` (+ a margin) for rows
another process, or a request already past its checks, wrote meanwhile. A repeated delete of a
deleted object does the purge and the release again (so a delete interrupted by an unreachable
control plane can be finished) and answers the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from twinplane.server.common.errors import BadRequest, Conflict, Forbidden, NotFound
from twinplane.server.data_plane.auth.principal import Principal
from twinplane.server.data_plane.control_client import ControlClient
from twinplane.server.data_plane.services.objects import CACHE_SECONDS, ObjectResolver
from twinplane.server.data_plane.store.base import ObjectMeta, ObjectRef, Store

logger = logging.getLogger(__name__)

# The purge of a deleted object is repeated this long after the delete (see the module docstring).
PURGE_AGAIN_SECONDS = CACHE_SECONDS + 10.0

EXPERIMENT_FIELDS = ("description", "repo_info", "base_exp_id", "dataset_id", "dataset_version", "metadata",
                     "tags", "public", "ancestor_commits", "parameters_id", "parameters_version")


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def _opt(body: dict[str, Any], key: str, types: type | tuple[type, ...], what: str) -> Any:
    value = body.get(key)
    if value is not None and not isinstance(value, types):
        raise BadRequest(f"field '{key}' must be {what}")
    return value


def _name(body: dict[str, Any], key: str = "name", *, required: bool = True) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > 300:
        raise BadRequest(f"field '{key}' must be a non-empty string of at most 300 characters")
    return value.strip()


def project_view(p: dict[str, Any], org_id: str) -> dict[str, Any]:
    return {"id": p["id"], "org_id": org_id, "name": p["name"], "created": p.get("created"),
            "deleted_at": None, "user_id": p.get("user_id"), "settings": p.get("settings")}


def experiment_view(m: ObjectMeta) -> dict[str, Any]:
    d = m.data
    repo = d.get("repo_info") if isinstance(d.get("repo_info"), dict) else None
    return {
        "id": m.id, "project_id": m.project_id, "name": m.name, "description": d.get("description"),
        "created": m.created, "repo_info": repo, "commit": repo.get("commit") if repo else None,
        "base_exp_id": d.get("base_exp_id"), "deleted_at": d.get("deleted_at"), "dataset_id": d.get("dataset_id"),
        "dataset_version": d.get("dataset_version"), "public": bool(d.get("public", False)),
        "user_id": d.get("user_id"), "metadata": d.get("metadata"), "tags": d.get("tags"),
    }


def dataset_view(m: ObjectMeta) -> dict[str, Any]:
    d = m.data
    return {"id": m.id, "project_id": m.project_id, "name": m.name, "description": d.get("description"),
            "created": m.created, "deleted_at": d.get("deleted_at"), "user_id": d.get("user_id"),
            "metadata": d.get("metadata")}


def _not_deleted(meta: ObjectMeta) -> ObjectMeta:
    """A name the control plane still hands out for a deleted object: its delete did not finish."""
    if meta.deleted:
        raise Conflict(f"{meta.object_type} '{meta.name}' was deleted and its name is not released yet; "
                       "repeat the delete to finish it")
    return meta


class Catalog:
    def __init__(self, store: Store, control: ControlClient, objects: ObjectResolver) -> None:
        self._store = store
        self._control = control
        self._objects = objects
        self._purges: set[asyncio.Task[None]] = set()

    async def close(self) -> None:
        """Cancel the repeated purges still waiting (a later delete of the same object redoes them)."""
        for task in list(self._purges):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # projects -------------------------------------------------------------------
    async def _record_project(self, principal: Principal, p: dict[str, Any]) -> None:
        recorded = await self._store.get_object(principal.org_id, p["id"])
        if recorded is not None:
            _not_deleted(recorded)
        else:
            meta = await self._store.put_object(ObjectMeta(
                id=p["id"], org_id=principal.org_id, project_id=p["id"], object_type="project", name=p["name"],
                created=str(p.get("created") or now_iso()), data={"settings": p.get("settings")}))
            self._objects.remember(meta)

    async def project_get_or_create(self, principal: Principal, body: dict[str, Any]) -> dict[str, Any]:
        name = _name(body)
        found = await self._control.find_projects(name=name)
        if found:
            p = found[0]
            principal.require_project(p["id"])
        else:
            principal.require_write()
            if principal.project_id is not None:
                raise Forbidden("a project-scoped key cannot create projects")
            p = await self._control.create_project(name)  # type: ignore[arg-type]
        await self._record_project(principal, p)
        return project_view(p, principal.org_id)

    async def project_get(self, principal: Principal, project_id: str) -> dict[str, Any]:
        principal.require_project(project_id)
        p = await self._control.get_project(project_id)
        return project_view(p, principal.org_id)

    async def project_by_name(self, principal: Principal, name: str) -> str:
        found = await self._control.find_projects(name=name)
        if not found or not principal.sees_project(found[0]["id"]):
            raise NotFound("project not found")
        return str(found[0]["id"])

    async def project_list(self, principal: Principal, name: str | None) -> list[dict[str, Any]]:
        found = await self._control.list_projects(name=name)
        return [project_view(p, principal.org_id) for p in found if principal.sees_project(p["id"])]

    async def resolve_project(self, principal: Principal, project_id: str | None,
                              project_name: str | None) -> str | None:
        if project_id:
            await self._objects.meta(principal, "project", project_id)
            return project_id
        if project_name:
            return await self.project_by_name(principal, project_name)
        return None

    # experiments ----------------------------------------------------------------
    async def experiment_create(self, principal: Principal, body: dict[str, Any]) -> dict[str, Any]:
        principal.require_write()
        project_id = body.get("project_id")
        if not isinstance(project_id, str) or not project_id:
            if isinstance(body.get("project_name"), str):
                project_id = await self.project_by_name(principal, body["project_name"])
            else:
                raise BadRequest("field 'project_id' is required")
        await self._objects.meta(principal, "project", project_id)
        name = _name(body, required=False) or f"experiment-{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
        ensure_new = body.get("ensure_new", True)
        if not isinstance(ensure_new, bool):
            raise BadRequest("field 'ensure_new' must be a boolean")
        data: dict[str, Any] = {
            "description": _opt(body, "description", str, "a string"),
            "repo_info": _opt(body, "repo_info", dict, "an object"),
            "base_exp_id": _opt(body, "base_exp_id", str, "a string"),
            "dataset_id": _opt(body, "dataset_id", str, "a string"),
            "dataset_version": _opt(body, "dataset_version", (str, int), "a version string"),
            "metadata": _opt(body, "metadata", dict, "an object"),
            "tags": _opt(body, "tags", list, "a list of strings"),
            "public": bool(_opt(body, "public", bool, "a boolean") or False),
            "ancestor_commits": _opt(body, "ancestor_commits", list, "a list of strings"),
            "parameters_id": _opt(body, "parameters_id", str, "a string"),
            "parameters_version": _opt(body, "parameters_version", (str, int), "a version string"),
            "user_id": principal.user_id,
        }
        if data["dataset_version"] is not None:
            data["dataset_version"] = str(data["dataset_version"])
        if data["tags"] is not None and not all(isinstance(t, str) for t in data["tags"]):
            raise BadRequest("field 'tags' must be a list of strings")
        if data["base_exp_id"]:
            await self._objects.meta(principal, "experiment", data["base_exp_id"])
        if data["dataset_id"]:
            await self._objects.meta(principal, "dataset", data["dataset_id"])
        o = await self._control.create_object("experiment", project_id, name, ensure_new=ensure_new)
        if not o.get("created_now", True):
            existing = await self._store.get_object(principal.org_id, o["id"])
            if existing is not None:
                return experiment_view(_not_deleted(existing))
        if not data["base_exp_id"]:
            data["base_exp_id"] = await self._previous_experiment(principal.org_id, project_id, o["id"])
        meta = await self._store.put_object(ObjectMeta(
            id=o["id"], org_id=principal.org_id, project_id=project_id, object_type="experiment",
            name=o["name"], created=str(o.get("created") or now_iso()), data=data))
        self._objects.remember(meta)
        return experiment_view(meta)

    async def _previous_experiment(self, org_id: str, project_id: str, new_id: str) -> str | None:
        """Default base: the most recent earlier experiment of the project."""
        for m in await self._store.list_objects(org_id, "experiment", project_id=project_id, limit=5):
            if m.id != new_id and not m.deleted:
                return m.id
        return None

    async def experiment_get(self, principal: Principal, experiment_id: str) -> dict[str, Any]:
        return experiment_view(await self._objects.meta(principal, "experiment", experiment_id))

    async def list_views(self, principal: Principal, object_type: str, *, project_id: str | None,
                         project_name: str | None, name: str | None, limit: int = 1000) -> list[dict[str, Any]]:
        try:
            pid = await self.resolve_project(principal, project_id, project_name)
        except NotFound:
            return []  # an unknown (or invisible) project lists nothing; the SDK treats that as "not found"
        metas = await self._store.list_objects(principal.org_id, object_type, project_id=pid, name=name, limit=limit)
        view = {"experiment": experiment_view, "dataset": dataset_view}[object_type]
        return [view(m) for m in metas if not m.deleted and principal.sees_project(m.project_id)]

    async def object_delete(self, principal: Principal, object_type: str, object_id: str) -> dict[str, Any]:
        """``DELETE /v1/{experiment,dataset}/{id}``: purge the object and release its name; its view,
        with ``deleted_at``, is the answer (see the module docstring)."""
        principal.require_write()
        org = principal.org_id
        meta = await self._objects.mark_deleted(await self._objects.record(principal, object_type, object_id))
        ref = ObjectRef(object_type, object_id)

        async def just_it() -> list[ObjectRef]:
            return [ref]

        await self._purge(org, just_it)
        with contextlib.suppress(NotFound):  # released already
            await self._control.delete_object(object_id)
        return {"experiment": experiment_view, "dataset": dataset_view}[object_type](meta)

    async def project_delete(self, principal: Principal, project_id: str) -> dict[str, Any]:
        """``DELETE /v1/project/{id}`` (an org admin's credential, not scoped to a project): every experiment,
        dataset and prompt of the project is marked deleted, they and the project's logs and prompt rows are
        purged, then the control plane drops the project and its names."""
        principal.require_org_admin("deleting a project")
        org = principal.org_id
        project = await self._objects.mark_deleted(await self._objects.record(principal, "project", project_id))
        await self._purge(org, lambda: self._project_refs(org, project_id))
        with contextlib.suppress(NotFound):  # dropped already
            await self._control.delete_project(project_id)
        return {"id": project_id, "org_id": org, "name": project.name, "created": project.created,
                "deleted_at": project.data.get("deleted_at"), "user_id": None,
                "settings": project.data.get("settings")}

    async def _project_refs(self, org_id: str, project_id: str) -> list[ObjectRef]:
        """The project's logs and prompt rows, and each of its experiments and datasets, every one marked deleted;
        deleted ones are listed too, so a repeated delete (or the repeated purge) finds what a first one left."""
        refs = {ObjectRef("project_logs", project_id): None, ObjectRef("project_prompts", project_id): None}
        for object_type in ("experiment", "dataset", "prompt"):
            offset = 0  # newest first: one created meanwhile shifts a page (a record seen twice), never skips one
            while metas := await self._store.list_objects(org_id, object_type, project_id=project_id, limit=1000,
                                                          offset=offset, include_deleted=True):
                offset += len(metas)
                for meta in metas:
                    await self._objects.mark_deleted(meta)
                    if object_type != "prompt":  # a prompt's versions are rows of the project's prompts
                        refs[ObjectRef(object_type, meta.id)] = None
        return list(refs)

    async def _purge(self, org_id: str, refs: Callable[[], Awaitable[list[ObjectRef]]]) -> None:
        """Purge what ``refs`` lists now, and again after ``PURGE_AGAIN_SECONDS`` (listed anew)."""
        await self._purge_each(org_id, await refs())
        task = asyncio.create_task(self._purge_again(org_id, refs))
        self._purges.add(task)
        task.add_done_callback(self._purges.discard)

    async def _purge_each(self, org_id: str, refs: list[ObjectRef]) -> None:
        for ref in refs:
            removed = await self._store.purge_object(org_id, ref)
            if removed:
                logger.info("purged %s %s: %d row(s)", ref.object_type, ref.object_id, removed)

    async def _purge_again(self, org_id: str, refs: Callable[[], Awaitable[list[ObjectRef]]]) -> None:
        await asyncio.sleep(PURGE_AGAIN_SECONDS)
        try:
            await self._purge_each(org_id, await refs())
        except Exception:  # noqa: BLE001 - a background task: log, a repeated delete redoes it
            logger.exception("repeated purge failed")

    # datasets -------------------------------------------------------------------
    async def dataset_get_or_create(self, principal: Principal, body: dict[str, Any]) -> dict[str, Any]:
        project_id = body.get("project_id")
        if not isinstance(project_id, str) or not project_id:
            raise BadRequest("field 'project_id' is required")
        await self._objects.meta(principal, "project", project_id)
        name = _name(body, required=False) or "logs"
        description = _opt(body, "description", str, "a string")
        metadata = _opt(body, "metadata", dict, "an object")
        existing = await self._store.list_objects(principal.org_id, "dataset", project_id=project_id, name=name, limit=1)
        if existing and not existing[0].deleted:
            return dataset_view(existing[0])
        principal.require_write()
        o = await self._control.create_object("dataset", project_id, name, ensure_new=False)
        meta = await self._store.get_object(principal.org_id, o["id"])
        if meta is None:
            meta = await self._store.put_object(ObjectMeta(
                id=o["id"], org_id=principal.org_id, project_id=project_id, object_type="dataset", name=o["name"],
                created=str(o.get("created") or now_iso()),
                data={"description": description, "metadata": metadata, "user_id": principal.user_id}))
        _not_deleted(meta)
        self._objects.remember(meta)
        return dataset_view(meta)

    async def dataset_get(self, principal: Principal, dataset_id: str) -> dict[str, Any]:
        return dataset_view(await self._objects.meta(principal, "dataset", dataset_id))
