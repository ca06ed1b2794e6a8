"""Row builders shared by the data-plane tests (shaped like what the Braintrust SDK sends)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import orjson


def span(identity: dict[str, Any], *, root: str | None = None, parent: str | None = None, **fields: Any) -> dict:
    sid = uuid.uuid4().hex[:16]
    row = {"id": str(uuid.uuid4()), **identity, "span_id": sid, "root_span_id": root or uuid.uuid4().hex,
           "span_parents": [parent] if parent else None, "created": "2026-11-27T00:00:00+00:00",
           "metrics": {"start": time.time()}}
    row.update(fields)
    return row


def body(rows: list[dict]) -> bytes:
    return orjson.dumps({"rows": rows, "api_version": 2})


async def logs3(client, rows: list[dict]) -> Any:
    # the SDK posts raw bytes with no Content-Type
    return await client.post("/logs3", content=body(rows))


async def overflow(plane, client, rows: list[dict], identity: dict[str, Any]) -> tuple[dict, bytes]:
    """A batch through the SDK's overflow path: a slot from ``/logs3/overflow``, the upload to its signed URL
    (no auth header, as the SDK does it), and the ``/logs3`` body that references it; returns the slot and body."""
    payload = body(rows)
    r = await client.post("/logs3/overflow", json={"content_type": "application/json", "size_bytes": len(payload),
                                                   "rows": [{"object_ids": identity}] * len(rows)})
    assert r.status_code == 200, r.text
    slot = r.json()
    up = await plane.anonymous().put(slot["signedUrl"], content=payload, headers=slot["headers"])
    assert up.status_code == 200, up.text
    reference = {"rows": {"type": "logs3_overflow", "key": slot["key"], "size_bytes": len(payload)}, "api_version": 2}
    return slot, orjson.dumps(reference)


async def fetch_all(client, path: str, **extra: Any) -> list[dict]:
    out: list[dict] = []
    cursor = None
    while True:
        r = await client.post(path, json={"limit": 1000, **({"cursor": cursor} if cursor else {}), **extra})
        assert r.status_code == 200, r.text
        page = r.json()
        out += page["events"]
        cursor = page.get("cursor")
        if not cursor:
            return out
