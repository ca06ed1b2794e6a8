"""Erasure of a data subject: every row about them in this data plane, with a receipt.

A request names the subject with a filter of the typed language (``metadata.user_id = 'u-42'``,
``input MATCH 'ada@example.com'``), for the whole org or one project. In every object that has held
rows (each project's logs, experiments and datasets, deleted ones and projects the control plane no
longer lists included, and, org-wide, playground logs), the current rows the filter matches are
found, widened to their whole traces (a conversation's child spans carry the same person's text
without the root's metadata), and:

1. queued for version removal, durably (``Store.queue_version_removal``);
2. deleted through the ordinary write path: summaries are recomputed, full-text entries removed;
3. once the index has dropped their entries, every version of them is deleted
   (``Store.finish_version_removal``), so no read "as of an earlier version" finds them; a crash
   before this step is finished by the next erasure or retention sweep;
4. the attachments they referenced (``braintrust_attachment`` keys) are deleted from the blob store.

The receipt is written last, kept here (``ObjectMeta`` of type ``erasure``) and says when, by whom,
which objects and how many rows and attachments. It holds the filter's SHA-256, never the filter:
the identifier it names is personal data too. The control plane holds no row data. Not covered: a
row whose current version no longer matches the filter while an earlier one did (the filter reads
current rows). An attachment the person's rows referenced is deleted even if a row that stays
shares it.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

from twinplane.server.common.errors import BadRequest, NotFound
from twinplane.server.data_plane.auth.principal import Principal
from twinplane.server.data_plane.blobs import BlobStore
from twinplane.server.data_plane.services.reader import parse_filter_text
from twinplane.server.data_plane.store.base import ObjectMeta, ObjectRef, RowQuery, Store
from twinplane.wire.attachments import attachment_keys

PAGE = 1000  # rows read, and deleted, per call
RECEIPT = "erasure"


def _now() -> str:
    return datetime.now(UTC).isoformat()


class Erasure:
    def __init__(self, store: Store, blobs: BlobStore) -> None:
        self._store = store
        self._blobs = blobs

    async def erase(self, principal: Principal, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /v1/erasure`` ``{"filter", "project_id"?}`` → the receipt."""
        principal.require_org_admin("erasure")
        text = body.get("filter")
        node = parse_filter_text(text)
        if node is None:
            raise BadRequest("'filter' must name the data subject, e.g. metadata.user_id = 'u-42'")
        project_id = body.get("project_id")
        if project_id is not None and (not isinstance(project_id, str) or not project_id):
            raise BadRequest("'project_id' must be a project id")
        org = principal.org_id
        objects_ = [(ref, pid) for ref, pid in await self._store.row_objects(org)
                    if project_id is None or pid == project_id]
        if project_id is not None and not objects_:
            project = await self._store.get_object(org, project_id)
            if project is None or project.object_type != "project":
                raise NotFound("project not found")
        await self._store.wait_indexed()  # a MATCH filter sees every row acknowledged so far
        started = _now()
        objects: list[dict[str, Any]] = []
        attachments: set[str] = set()
        for ref, pid in objects_:
            n = await self._erase_in(org, pid, ref, node, attachments)
            if n:
                objects.append({"object_type": ref.object_type, "object_id": ref.object_id, "project_id": pid,
                                "rows": n})
        await self._store.finish_version_removal()
        for key in sorted(attachments):
            await self._blobs.delete(self._blobs.attachment_key(org, key))
        receipt = {
            "id": f"er-{uuid.uuid4()}", "object": "erasure_receipt", "requested_at": started,
            "completed_at": _now(), "requested_by": {"user_id": principal.user_id, "key_id": principal.key_id},
            "project_id": project_id, "filter_sha256": hashlib.sha256(str(text).encode()).hexdigest(),
            "objects": objects, "rows": sum(o["rows"] for o in objects), "attachments": len(attachments),
            "stores": ["rows, all their versions, scores and metrics", "full-text index", "blob store (attachments)"],
        }
        await self._store.put_object(ObjectMeta(id=receipt["id"], org_id=org, project_id=project_id or "",
                                                object_type=RECEIPT, name=receipt["id"], created=receipt["completed_at"],
                                                data=receipt))
        return receipt

    async def _erase_in(self, org: str, project_id: str | None, ref: ObjectRef, node: Any,
                        attachments: set[str]) -> int:
        """Queue and delete the matching rows of one object and their traces' other spans."""
        ids: dict[str, None] = {}
        traces: dict[str, None] = {}
        cursor: str | None = None
        while True:
            page = await self._store.fetch_rows(RowQuery(org, ref, limit=PAGE, cursor=cursor, filter=node))
            for row in page.rows:
                ids[row["id"]] = None
                attachments.update(attachment_keys(row))
                if isinstance(row.get("root_span_id"), str):
                    traces[row["root_span_id"]] = None
            cursor = page.cursor
            if not cursor:
                break
        for root in traces:
            span_cursor: str | None = None
            while True:
                page = await self._store.trace(org, ref, root, limit=PAGE, cursor=span_cursor)
                for row in page.rows:
                    if row["id"] not in ids:
                        ids[row["id"]] = None
                        attachments.update(attachment_keys(row))
                span_cursor = page.cursor
                if not span_cursor:
                    break
        await self._store.delete_for_good(org, project_id, ref, list(ids))
        return len(ids)

    async def receipts(self, principal: Principal) -> list[dict[str, Any]]:
        principal.require_org_admin("erasure")
        return [m.data for m in await self._store.list_objects(principal.org_id, RECEIPT, limit=1000)]

    async def receipt(self, principal: Principal, receipt_id: str) -> dict[str, Any]:
        principal.require_org_admin("erasure")
        meta = await self._store.get_object(principal.org_id, receipt_id)
        if meta is None or meta.object_type != RECEIPT:
            raise NotFound("erasure receipt not found")
        return meta.data
