"""Which object a request names, and whether the caller may see it.

Objects are looked up in the caller's org only (the store is keyed by org), so another
org's id is simply "not found". A project-scoped credential sees other projects' objects
as "not found" too: same status, same message, no existence leak.

Experiments, datasets and prompts have an ``ObjectMeta`` in the store; a project has one
too (type ``"project"``) once this data plane has seen it. When the store has no record,
the control plane (which holds every name) is asked, and the answer is recorded here.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import OrderedDict
from datetime import UTC, datetime

from twinplane.server.common.errors import NotFound
from twinplane.server.data_plane.auth.principal import Principal
from twinplane.server.data_plane.control_client import ControlClient
from twinplane.server.data_plane.store.base import ObjectMeta, Store

logger = logging.getLogger(__name__)

# wire object type -> type of the ObjectMeta that owns it
META_TYPE = {
    "experiment": "experiment",
    "dataset": "dataset",
    "project_logs": "project",
    "project_prompts": "project",
    "prompt": "prompt",
    "project": "project",
}
MAX_CACHED = 50_000
# How long a record is trusted without reading the store again: another data-plane process stops
# accepting writes to an object deleted elsewhere within this time (``Catalog.object_delete``).
CACHE_SECONDS = 30.0


class ObjectResolver:
    def __init__(self, store: Store, control: ControlClient) -> None:
        self._store = store
        self._control = control
        # (org_id, id) -> (meta, read at). An object never changes org, project or type; only its
        # deletion changes what a record says, so entries are read again after CACHE_SECONDS.
        self._cache: OrderedDict[tuple[str, str], tuple[ObjectMeta, float]] = OrderedDict()

    def remember(self, meta: ObjectMeta) -> None:
        self._cache[(meta.org_id, meta.id)] = (meta, time.monotonic())
        while len(self._cache) > MAX_CACHED:
            self._cache.popitem(last=False)

    def forget(self, org_id: str, object_id: str) -> None:
        self._cache.pop((org_id, object_id), None)

    async def mark_deleted(self, meta: ObjectMeta) -> ObjectMeta:
        """Record an object as deleted (with ``deleted_at``) and drop it from this process's cache; other
        processes see it within ``CACHE_SECONDS``. A record already deleted is left as it is."""
        if not meta.deleted:
            meta = await self._store.put_object(dataclasses.replace(
                meta, deleted=True, data={**meta.data, "deleted_at": datetime.now(UTC).isoformat()}))
        self.forget(meta.org_id, meta.id)
        return meta

    async def meta(self, principal: Principal, object_type: str, object_id: str) -> ObjectMeta:
        """The record of an object the caller may see, or ``NotFound``."""
        want = META_TYPE.get(object_type)
        if want is None or not isinstance(object_id, str) or not object_id:
            raise NotFound(f"{object_type} not found")
        org = principal.org_id
        cached = self._cache.get((org, object_id))
        meta = cached[0] if cached is not None and time.monotonic() - cached[1] < CACHE_SECONDS else None
        if meta is None:
            meta = await self._store.get_object(org, object_id)
            if meta is None:
                meta = await self._from_control(org, want, object_id)
            if meta is not None and not meta.deleted:
                self.remember(meta)
            else:
                self.forget(org, object_id)
        if meta is None or meta.deleted or meta.object_type != want:
            raise NotFound(f"{object_type} not found")
        if not principal.sees_project(meta.project_id):
            raise NotFound(f"{object_type} not found")
        return meta

    async def record(self, principal: Principal, object_type: str, object_id: str) -> ObjectMeta:
        """The record of an experiment, dataset, prompt or project the caller may see, deleted or not (a delete can
        be repeated to finish it); one this data plane never recorded comes from the control plane, else
        ``NotFound``."""
        meta = await self._store.get_object(principal.org_id, object_id)
        if meta is None:
            meta = await self.meta(principal, object_type, object_id)
        if meta.object_type != object_type or not principal.sees_project(meta.project_id):
            raise NotFound(f"{object_type} not found")
        return meta

    async def project_id_of(self, principal: Principal, object_type: str, object_id: str) -> str | None:
        """Project owning an object (None for playground logs, which have no record)."""
        if object_type == "playground_logs":
            if principal.project_id is not None:
                raise NotFound("playground logs not found")
            return None
        return (await self.meta(principal, object_type, object_id)).project_id

    async def _from_control(self, org_id: str, want: str, object_id: str) -> ObjectMeta | None:
        try:
            if want == "project":
                p = await self._control.get_project(object_id)
                meta = ObjectMeta(id=p["id"], org_id=org_id, project_id=p["id"], object_type="project",
                                  name=p["name"], created=str(p.get("created") or ""),
                                  data={"settings": p.get("settings")})
            else:
                o = await self._control.get_object(object_id)
                if o.get("object_type") != want:
                    return None
                meta = ObjectMeta(id=o["id"], org_id=org_id, project_id=o["project_id"], object_type=want,
                                  name=o["name"], created=str(o.get("created") or ""),
                                  data={"slug": o.get("slug")} if want == "prompt" else {})
        except NotFound:
            return None
        except (KeyError, TypeError):
            logger.warning("control plane sent an incomplete %s record", want)
            return None
        return await self._store.put_object(meta)
