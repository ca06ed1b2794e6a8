"""Pre-merging rows of one batch before they are sent (wire reference section 2.5, point 3).

Rows with the same key (object identity + ``id``) inside one batch are folded into one:

* a replace followed by merges becomes one replace (``_is_merge`` dropped);
* merges followed by merges stay one merge (``_is_merge: true``);
* a later replace or delete supersedes what came before;
* ``created``, ``span_id``, ``root_span_id``, ``span_parents`` keep the earlier row's values.

The folded batch holds each key once, so order inside the batch no longer matters.
This runs on the SDK's delivery thread for every row, so it avoids generic deep copies:
only nested objects that are merged get copied (never mutated: they may be the caller's).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from twinplane.wire.merge import CONTROL_KEYS, _merge_obj
from twinplane.wire.objects import row_object

_KEEP_FIRST = frozenset({"created", "span_id", "root_span_id", "span_parents", "_parent_id"})


def row_key(row: dict[str, Any]) -> tuple[str, str, str]:
    try:
        obj_type, obj_id = row_object(row)
    except ValueError:
        obj_type, obj_id = "", ""
    return obj_type, obj_id, str(row.get("id"))


def _fold(merged: dict[str, Any], patch: dict[str, Any]) -> None:
    """Deep-merge ``patch`` into ``merged`` (a dict we own); nested objects are copied, not mutated."""
    paths = patch.get("_merge_paths")
    stop = {tuple(str(x) for x in p) for p in paths if isinstance(p, list)} if paths else set()
    for k, v in patch.items():
        if k in CONTROL_KEYS or (k in _KEEP_FIRST and k in merged):
            continue
        old = merged.get(k)
        if k == "tags" and isinstance(v, list) and isinstance(old, list):
            merged[k] = old + [t for t in v if t not in old]
        elif type(v) is dict and type(old) is dict and (k,) not in stop:
            if v:
                m = dict(old)
                _merge_obj(m, v, stop, (k,))
                merged[k] = m
        else:
            merged[k] = v


def coalesce_rows(rows: list[dict[str, Any]], key: Callable[[dict[str, Any]], Hashable] = row_key,
                  in_place: bool = False) -> list[dict[str, Any]]:
    """Fold rows sharing ``key``. With ``in_place`` the given top-level row dicts may be modified
    (the SDK's own rows); otherwise folded rows are new dicts."""
    out: dict[Hashable, dict[str, Any]] = {}
    owned: set[Hashable] = set()
    for row in rows:
        k = key(row)
        prev = out.get(k)
        if prev is None or not row.get("_is_merge") or prev.get("_object_delete"):
            if prev is not None:
                del out[k]  # keep the order of last writes
                owned.discard(k)
            out[k] = row
            continue
        if not in_place and k not in owned:
            prev = dict(prev)
            owned.add(k)
            out[k] = prev
        was_merge = bool(prev.get("_is_merge"))
        _fold(prev, row)
        if was_merge:
            prev["_is_merge"] = True
        else:
            prev.pop("_is_merge", None)
    return list(out.values())
