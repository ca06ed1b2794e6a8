"""Row batches from ``/logs3`` and ``/v1/.../insert`` into the store.

Every row is checked and its object resolved (and the caller's right to write it
checked) before the store sees anything, so a bad row refuses the whole batch and
nothing of it is written. The store acknowledges only once the batch is durable.
"""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

from twinplane.server.common.errors import BadRequest
from twinplane.server.data_plane.auth.principal import Principal
from twinplane.server.data_plane.services.objects import ObjectResolver
from twinplane.server.data_plane.services.row_check import RowLimits, check_rows
from twinplane.server.data_plane.store.base import ObjectRef, RowWrite, Store, WriteResult
from twinplane.wire.objects import LOG_ID_PROJECT_LOGS, row_object

# Keys the server assigns; a client's value is dropped, never trusted.
SERVER_KEYS = ("_xact_id", "org_id")

# For /v1/{type}/{id}/insert: the identity fields each event gets.
IDENTITY = {
    "experiment": lambda oid: {"experiment_id": oid},
    "dataset": lambda oid: {"dataset_id": oid},
    "project_logs": lambda oid: {"project_id": oid, "log_id": LOG_ID_PROJECT_LOGS},
}


class IngestService:
    def __init__(self, store: Store, objects: ObjectResolver, limits: RowLimits) -> None:
        self._store = store
        self._objects = objects
        self.limits = limits
        self.rows_written: Counter[str] = Counter()  # acknowledged rows by object type (metrics)

    async def write(self, principal: Principal, rows: Any, *, raw_size: int, may_hold_nul: bool,
                    item: str = "row") -> WriteResult:
        """Validate and write a batch of wire rows; all or nothing. Errors name the offending ``item`` by
        index (``/otel/v1/traces`` says "span")."""
        principal.require_write()
        rows = check_rows(rows, self.limits, raw_size=raw_size, may_hold_nul=may_hold_nul, item=item)
        if not rows:
            raise BadRequest("no rows to write")
        writes: list[RowWrite] = []
        projects: dict[tuple[str, str], str | None] = {}
        for i, row in enumerate(rows):
            try:
                object_type, object_id = row_object(row)
            except ValueError as err:
                raise BadRequest(f"{item} {i}: {err}") from None
            key = (object_type, object_id)
            if key not in projects:
                projects[key] = await self._objects.project_id_of(principal, object_type, object_id)
            project_id = projects[key]
            for k in SERVER_KEYS:
                row.pop(k, None)
            if object_type in ("experiment", "dataset"):
                # The project comes from the object's record, never from the row.
                row["project_id"] = project_id
            writes.append(RowWrite(org_id=principal.org_id, project_id=project_id,
                                   ref=ObjectRef(object_type, object_id), row_id=row["id"], row=row))
        result = await self._store.write_rows(writes)
        self.rows_written.update(w.ref.object_type for w in writes)
        return result

    async def insert_events(self, principal: Principal, object_type: str, object_id: str, events: Any,
                            *, raw_size: int, may_hold_nul: bool) -> WriteResult:
        """``POST /v1/{object_type}/{id}/insert``: events get the object's identity and an id if missing."""
        if not isinstance(events, list):
            raise BadRequest("'events' must be a list of objects")
        await self._objects.project_id_of(principal, object_type, object_id)  # 404 before anything else
        identity = IDENTITY[object_type](object_id)
        rows = []
        for i, ev in enumerate(events):
            if not isinstance(ev, dict):
                raise BadRequest(f"event {i}: must be a JSON object")
            for k in ("experiment_id", "dataset_id", "prompt_session_id", "log_id"):
                if k in ev and ev[k] is not None and ev[k] != identity.get(k):
                    raise BadRequest(f"event {i}: field '{k}' names another object")
            if object_type == "project_logs" and ev.get("project_id") not in (None, object_id):
                raise BadRequest(f"event {i}: field 'project_id' names another object")
            row = {**ev, **identity}
            if "id" not in row or row["id"] is None:
                row["id"] = str(uuid.uuid4())
            rows.append(row)
        return await self.write(principal, rows, raw_size=raw_size, may_hold_nul=may_hold_nul)
