"""Feedback rows: scores, expected values, tags and comments attached to a logged span later.

Shapes of the wire reference (section 2.5): a merge row carrying ``_audit_source`` and
``_audit_metadata``, plus a separate comment row pointing at the span through ``origin``.
"""

from __future__ import annotations

import time
from typing import Any

from twinplane.sdk import ids

SOURCES = ("external", "app", "api")


def feedback_rows(id: str, *, scores: dict[str, float | None] | None = None, expected: Any = None,
                  tags: list[str] | None = None, comment: str | None = None, metadata: dict[str, Any] | None = None,
                  source: str = "external") -> list[dict[str, Any]]:
    """The rows one ``log_feedback`` call sends; raises ValueError on a malformed call."""
    if not isinstance(id, str) or not id:
        raise ValueError("log_feedback needs the id of the span it is about")
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}")
    if scores is not None:
        if not isinstance(scores, dict):
            raise ValueError("scores must be a dict of name -> number in [0, 1] or None")
        for name, value in scores.items():
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                      or not 0 <= value <= 1):
                raise ValueError(f"score {name!r} must be a number in [0, 1] or None")
    audit = {"_audit_source": source, "_audit_metadata": metadata or {}}
    rows: list[dict[str, Any]] = []
    merge: dict[str, Any] = {"id": id, **audit, "_is_merge": True}
    if scores:
        merge["scores"] = scores
    if expected is not None:
        merge["expected"] = expected
    if tags:
        merge["tags"] = list(dict.fromkeys(tags))
    if len(merge) > 4:
        rows.append(merge)
    if comment:
        rows.append({"id": ids.row_id(), "created": time.time(), "origin": {"id": id}, "comment": {"text": str(comment)},
                     **audit})
    return rows
