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
from twinplane.server.data_plane.store.base import ObjectRef, Prepared, RowWrite
from twinplane.server.data_plane.store.row_shape import RowShape, iso_from_epoch, shape_of
from twinplane.server.data_plane.store.search_text import SearchText, search_text
from twinplane.server.data_plane.store.trace_rollup import EXPERIMENT
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
    # the final row; None when deleted (``shape`` None) and when the write arrived prepared
    # (engines that prepare writes read ``data`` and ``search_text()`` instead)
    row: dict[str, Any] | None
    shape: RowShape | None
    data: str | None  # the row as JSON text, None when deleted
    search: SearchText | None = None  # a prepared write's full-text columns

    def search_text(self) -> SearchText:
        """The row's full-text columns (``search_text``), as prepared or from the row."""
        if self.search is not None:
            return self.search
        assert self.row is not None
        return search_text(self.row)


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
    if w.prepared is None and not isinstance(w.row, dict):
        raise BadRequest("row must be a JSON object")


def _dumps(row: dict[str, Any]) -> str:
    try:
        return orjson.dumps(row).decode()
    except (TypeError, orjson.JSONEncodeError) as err:
        raise BadRequest("row is not serializable as JSON") from err


def _replaced(row: dict[str, Any], row_id: str, prev: dict[str, Any] | None, now_iso: str) -> dict[str, Any]:
    """What a replace stores: the row without control keys, ``created`` kept from ``prev`` when
    the row names none, and set to now when still empty."""
    new = {k: v for k, v in row.items() if k not in CONTROL_KEYS}
    if "created" not in new and prev is not None and "created" in prev:
        new["created"] = prev["created"]
    return _finished(new, row_id, now_iso)


def _finished(new: dict[str, Any], row_id: str, now_iso: str) -> dict[str, Any]:
    for k in _READ_ONLY_KEYS:
        new.pop(k, None)
    new["id"] = row_id
    if not new.get("created"):
        new["created"] = now_iso
    return new


def prepare_all(writes: list[RowWrite], now: float) -> list[Prepared | None]:
    """Each plain replace as the writer would store it over no current row (None for merges and
    deletes): the SQLite store computes this in the server, beside the writer process, so the
    writer only takes it (``plan_changes``). Raises ``BadRequest`` as ``plan_changes`` would."""
    now_iso = iso_from_epoch(now)
    out: list[Prepared | None] = []
    for w in writes:
        validate(w)
        row = w.row
        assert row is not None
        if is_delete(row) or is_merge(row):
            out.append(None)
            continue
        new = _replaced(row, w.row_id, None, now_iso)
        out.append(Prepared(_dumps(new), shape_of(new, now, cases=w.ref.object_type == EXPERIMENT),
                            search_text(new), "created" in row))
    return out


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
    state: dict[RowKey, dict[str, Any] | Prepared | None] = {}
    meta: dict[RowKey, RowWrite] = {}
    for w in writes:
        validate(w)
        key = row_key(w)
        prev = state[key] if key in state else current.get(key)
        p = w.prepared
        new: dict[str, Any] | Prepared | None
        if p is not None and (prev is None or p.own_created):
            new = p
        else:
            if isinstance(prev, Prepared):
                prev = orjson.loads(prev.data)
            if p is not None:  # a prepared replace over a current row, naming no 'created': take the row's
                row = orjson.loads(p.data)
                del row["created"]
                new = _replaced(row, w.row_id, prev, now_iso)
            else:
                assert w.row is not None
                if is_delete(w.row):
                    new = None
                elif is_merge(w.row):
                    new = _finished(merge_row(prev, w.row), w.row_id, now_iso)
                else:
                    new = _replaced(w.row, w.row_id, prev, now_iso)
        state[key] = new
        meta[key] = w
    out: list[RowChange] = []
    for key, final in state.items():
        w = meta[key]
        if final is None:
            out.append(RowChange(key, w.org_id, w.project_id, w.ref, w.row_id, None, None, None))
        elif isinstance(final, Prepared):
            out.append(RowChange(key, w.org_id, w.project_id, w.ref, w.row_id, None, final.shape, final.data,
                                 final.search))
        else:
            out.append(RowChange(key, w.org_id, w.project_id, w.ref, w.row_id, final,
                                 shape_of(final, now, cases=w.ref.object_type == EXPERIMENT),
                                 _dumps(final)))
    return out
