"""Row merge semantics of ``/logs3`` (wire reference section 2.5).

* replace: ``_is_merge`` false or absent, the row becomes the new full version;
* deep merge: ``_is_merge`` true, objects merge key by key, anything else replaces,
  the top-level ``tags`` list is a set union, ``_merge_paths`` stop recursion;
* a merge into a row that does not exist yet acts as an insert.
"""

from __future__ import annotations

from typing import Any

# Keys that control the write itself and are never stored in the row.
CONTROL_KEYS = frozenset({"_is_merge", "_merge_paths", "_object_delete", "_parent_id", "_array_delete"})


def _merge_obj(base: dict[str, Any], patch: dict[str, Any], stop: set[tuple[str, ...]], path: tuple[str, ...]) -> None:
    for k, v in patch.items():
        p = path + (k,)
        old = base.get(k)
        if isinstance(v, dict) and isinstance(old, dict) and p not in stop:
            old = dict(old)
            _merge_obj(old, v, stop, p)
            base[k] = old
        else:
            base[k] = v


def merge_row(existing: dict[str, Any] | None, patch: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``patch`` into ``existing`` and return a new dict (inputs are not mutated)."""
    body = {k: v for k, v in patch.items() if k not in CONTROL_KEYS}
    if existing is None:
        return body
    stop = {tuple(str(x) for x in p) for p in (patch.get("_merge_paths") or []) if isinstance(p, list)}
    out = dict(existing)
    new_tags = body.pop("tags", None) if "tags" in body else None
    had_tags = "tags" in patch
    _merge_obj(out, body, stop, ())
    if had_tags:
        old_tags = existing.get("tags")
        if isinstance(old_tags, list) and isinstance(new_tags, list):
            seen = list(old_tags)
            for t in new_tags:
                if t not in seen:
                    seen.append(t)
            out["tags"] = seen
        else:
            out["tags"] = new_tags if new_tags is not None else old_tags
    return out


def is_merge(row: dict[str, Any]) -> bool:
    return bool(row.get("_is_merge"))


def is_delete(row: dict[str, Any]) -> bool:
    return bool(row.get("_object_delete"))
