"""The ``/logs3`` overflow upload, for a batch larger than the data plane's ``logs3_payload_max_bytes``.

Wire protocol §2.6, as the official SDK does it: ``POST /logs3/overflow`` asks for an upload slot
(``slot_request``); the exact ``/logs3`` payload goes to the slot's ``signedUrl`` and nowhere else
(``upload``: PUT with the slot's ``headers``, or a multipart POST with its ``fields`` and a ``file``
part), without the API key; then ``/logs3`` gets the reference (``reference``) instead of the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from twinplane.wire.objects import OBJECT_ID_KEYS

if TYPE_CHECKING:
    import httpx

    from twinplane.sdk.connection import Connection


def row_meta(row: dict[str, Any], byte_size: int) -> dict[str, Any]:
    """What the slot request says about one row (``byte_size``: its serialized length)."""
    return {
        "object_ids": {k: row[k] for k in OBJECT_ID_KEYS if k in row},
        "has_comment": "comment" in row,
        "is_delete": row.get("_object_delete") is True,
        "input_row": {"byte_size": byte_size},
    }


def slot_request(rows: list[dict[str, Any]], size_bytes: int) -> dict[str, Any]:
    """The ``POST /logs3/overflow`` body for a payload of ``size_bytes`` holding ``rows`` (``row_meta``)."""
    return {"content_type": "application/json", "size_bytes": size_bytes, "rows": rows}


def reference(key: str, size_bytes: int) -> dict[str, Any]:
    """The ``POST /logs3`` body naming an uploaded payload."""
    return {"rows": {"type": "logs3_overflow", "key": key, "size_bytes": size_bytes}, "api_version": 2}


@dataclass(frozen=True)
class Slot:
    method: str  # "PUT" or "POST"
    url: str
    key: str
    headers: dict[str, str]
    fields: dict[str, str]


def parse_slot(body: Any) -> Slot | None:
    """The slot of a ``/logs3/overflow`` answer; None when the answer is not a usable slot."""
    if not isinstance(body, dict):
        return None
    method, url, key = body.get("method"), body.get("signedUrl"), body.get("key")
    headers, fields = body.get("headers"), body.get("fields")
    if method not in ("PUT", "POST") or not isinstance(url, str) or not isinstance(key, str):
        return None
    if not url.startswith(("http://", "https://")):
        return None
    if (method == "PUT" and not isinstance(headers, dict)) or (method == "POST" and not isinstance(fields, dict)):
        return None
    return Slot(method, url, key, _strings(headers), _strings(fields))


def _strings(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def upload(conn: Connection, slot: Slot, payload: bytes) -> tuple[int, str | None]:
    """One attempt at putting ``payload`` where the slot says: the status and ``Retry-After``. The
    response is not returned, since its request holds the payload."""
    resp: httpx.Response
    if slot.method == "PUT":
        resp = conn.send_signed("PUT", slot.url, content=payload, headers=slot.headers)
    else:
        content_type = slot.fields.get("Content-Type", "application/json")
        headers = {k: v for k, v in slot.headers.items() if k.lower() != "content-type"}
        resp = conn.send_signed("POST", slot.url, headers=headers, data=slot.fields,
                                files={"file": ("logs3.json", payload, content_type)})
    return resp.status_code, resp.headers.get("retry-after")
