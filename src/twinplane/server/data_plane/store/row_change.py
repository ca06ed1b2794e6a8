"""Turning one ``write_rows`` call into the final state of each row it touches.

Engine-neutral: both engines fetch the current rows the call merges into, call
``plan_changes`` and write what it returns under one transaction id. Rows with the same
key apply in order; only the final state of each key is stored (one version per key per
transaction). Any invalid row raises ``BadRequest`` before anything is written.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from twinplane.server.common.errors import BadRequest
from twinplane.server.data_plane.store.base import ObjectRef, RowWrite
from twinplane.server.data_plane.store.row_shape import RowShape, iso_from_epoch, shape_of
from twinplane.wire.merge import CONTROL_KEYS, is_delete, is_merge, merge_row

# (org_id, object_type, object_id, row_id)
RowKey = tuple[str, str, str, str]

# Keys a store adds on read; a client's copy is never stored.
_READ_ONLY_KEYS = frozenset({"_xact_id"})


@dataclass(slots=True)
class RowChange:
    key: RowKey
    org_id: str
    project_id: str | None
    ref: ObjectRef
    row_id: str
    row: dict[str, Any] | None  # None: deleted
    shape: RowShape | None
    data: str | None  # the row as JSON text, None when deleted


def row_key(w: RowWrite) -> RowKey:
    return (w.org_id, w.ref.object_type, w.ref.object_id, w.row_id)


def validate(w: RowWrite) -> None:
    if not isinstance(w.org_id, str) or not w.org_id:
        raise BadRequest("row has no org")
    if not isinstance(w.ref.object_type, str) or not w.ref.object_type:
        raise BadRequest("row has no object type")
    if not isinstance(w.ref.object_id, str) or not w.ref.object_id:
        raise BadRequest("row has no object id")
    if not isinstance(w.row_id, str) or not w.row_id:
        raise BadRequest("row id must be a non-empty string")
    if not isinstance(w.row, dict):
        raise BadRequest("row must be a JSON object")


def merge_keys(writes: Iterable[RowWrite]) -> list[RowKey]:
    """Keys whose current row the call needs: every key written by a merge or a replace.

    Replaces need it only to keep ``created``; reading them costs little and spares
    a second round trip.
    """
    seen: dict[RowKey, None] = {}
    for w in writes:
        seen.setdefault(row_key(w), None)
    return list(seen)


def plan_changes(writes: list[RowWrite], current: Mapping[RowKey, dict[str, Any] | None],
                 now: float | None = None) -> list[RowChange]:
    """Apply ``writes`` in order over ``current`` (missing key = no row) and return final states."""
    now = time.time() if now is None else now
    now_iso = iso_from_epoch(now)
    state: dict[RowKey, dict[str, Any] | None] = {}
    meta: dict[RowKey, RowWrite] = {}
    for w in writes:
        validate(w)
        key = row_key(w)
        prev = state[key] if key in state else current.get(key)
        if is_delete(w.row):
            new: dict[str, Any] | None = None
        elif is_merge(w.row):
            new = merge_row(prev, w.row)
        else:
            new = {k: v for k, v in w.row.items() if k not in CONTROL_KEYS}
            if "created" not in new and prev is not None and "created" in prev:
                new["created"] = prev["created"]
        if new is not None:
            for k in _READ_ONLY_KEYS:
                new.pop(k, None)
            new["id"] = w.row_id
            if not new.get("created"):
                new["created"] = now_iso
        state[key] = new
        meta[key] = w
    out: list[RowChange] = []
    for key, row in state.items():
        w = meta[key]
        if row is None:
            out.append(RowChange(key, w.org_id, w.project_id, w.ref, w.row_id, None, None, None))
            continue
        try:
            data = orjson.dumps(row).decode()
        except (TypeError, orjson.JSONEncodeError) as err:
            raise BadRequest("row is not serializable as JSON") from err
        out.append(RowChange(key, w.org_id, w.project_id, w.ref, w.row_id, row, shape_of(row, now), data))
    return out
