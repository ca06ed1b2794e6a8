"""The exported form of a span (``span.export()``), used to continue a trace elsewhere.

An opaque, URL-safe string: base64url of a small JSON object naming the object the trace
is logged to (its id, or for project logs the project name when the id is not known yet),
the parent's row id, span id and trace id. Only SDKs read it; servers never see it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import orjson

_VERSION = 1


@dataclass(frozen=True)
class SpanComponents:
    object_type: str  # "experiment" | "project_logs"
    object_id: str | None
    project_name: str | None
    row_id: str
    span_id: str
    root_span_id: str

    def to_str(self) -> str:
        body = {"v": _VERSION, "t": self.object_type, "o": self.object_id, "p": self.project_name,
                "r": self.row_id, "s": self.span_id, "tr": self.root_span_id}
        return base64.urlsafe_b64encode(orjson.dumps(body)).decode("ascii").rstrip("=")

    @classmethod
    def from_str(cls, value: str) -> SpanComponents:
        """Parse an exported span; ValueError when it is not one."""
        try:
            raw = base64.urlsafe_b64decode(value.strip() + "=" * (-len(value.strip()) % 4))
            body = orjson.loads(raw)
        except (ValueError, orjson.JSONDecodeError, TypeError) as exc:
            raise ValueError("not an exported Twinplane span") from exc
        if not isinstance(body, dict) or body.get("v") != _VERSION:
            raise ValueError("not an exported Twinplane span (unknown version)")
        t = body.get("t")
        if t not in ("experiment", "project_logs"):
            raise ValueError("exported span names an unknown object type")
        for k in ("r", "s", "tr"):
            if not isinstance(body.get(k), str) or not body[k]:
                raise ValueError("exported span lacks its ids")
        if not body.get("o") and not body.get("p"):
            raise ValueError("exported span names no object")
        return cls(object_type=t, object_id=body.get("o") or None, project_name=body.get("p") or None,
                   row_id=body["r"], span_id=body["s"], root_span_id=body["tr"])
