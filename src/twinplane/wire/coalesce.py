"""Pre-merging rows of one batch before they are sent (wire reference section 2.5, point 3).

Rows with the same key (object identity + ``id``) inside one batch are folded into one:

* a replace followed by merges becomes one replace (``_is_merge`` dropped);
* merges followed by merges stay one merge (``_is_merge: true``);
* a later replace or delete supersedes what came before;
* ``created``, ``span_id``, ``root_span_id``, ``span_parents`` keep the earlier row's values.

The folded batch holds each key once, so order inside the batch no longer matters.
"""

from __future__ import annotations

from typing import Any

from twinplane.wire.merge import merge_row
from twinplane.wire.objects import row_object

_KEEP_FIRST = ("created", "span_id", "root_span_id", "span_parents", "_parent_id")


def row_key(row: dict[str, Any]) -> tuple[str, str, str]:
    try:
        obj_type, obj_id = row_object(row)
    except ValueError:
        obj_type, obj_id = "", ""
    return obj_type, obj_id, str(row.get("id"))


def coalesce_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fold rows sharing a key; returns new dicts for folded rows, the others as given."""
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in rows:
        key = row_key(row)
        prev = out.get(key)
        if prev is None or not row.get("_is_merge") or prev.get("_object_delete"):
            if prev is not None:
                del out[key]  # keep the order of last writes
            out[key] = row
            continue
        merged = merge_row(prev, row)
        for k in _KEEP_FIRST:
            if k in prev:
                merged[k] = prev[k]
        if prev.get("_is_merge"):
            merged["_is_merge"] = True
        else:
            merged.pop("_is_merge", None)
        out[key] = merged
    return list(out.values())
