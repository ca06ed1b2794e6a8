"""What Loggers and Experiments share: spans, direct logging, feedback and flushing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from twinplane.sdk.feedback import feedback_rows
from twinplane.sdk.span import Span, _current

if TYPE_CHECKING:
    from twinplane.sdk.delivery import FlushResult
    from twinplane.sdk.object_ref import ObjectRef
    from twinplane.sdk.state import State


class TracedObject:
    """An object rows are logged to: project logs or an experiment."""

    root_type = "task"

    def __init__(self, state: State, ref: ObjectRef) -> None:
        self.state = state
        self.ref = ref

    @property
    def id(self) -> str:
        """The object's id (registers the object with the data plane on first use)."""
        return self.ref.id

    def start_span(self, name: str | None = None, type: str | None = None, *, start_time: float | None = None,
                   span_attributes: dict[str, Any] | None = None, parent: Span | None = None,
                   **event: Any) -> Span:
        """A root span of this object (or a child of ``parent`` / the current span of this object)."""
        if parent is None:
            cur = _current.get()
            if cur is not None and cur._ref is self.ref:
                parent = cur
        parent_ids = (parent.span_id, parent.root_span_id) if parent is not None else None
        return Span(self.state.delivery, self.ref, name or ("root" if parent is None else "span"),
                    type or (self.root_type if parent is None else None), parent=parent_ids,
                    start_time=start_time, span_attributes=span_attributes, event=event)

    def log(self, **event: Any) -> str:
        """Log one complete root span (started and ended now); returns its row id."""
        span = self.start_span(**event)
        span.end()
        return span.id

    def log_feedback(self, id: str, *, scores: dict[str, float | None] | None = None, expected: Any = None,
                     tags: list[str] | None = None, comment: str | None = None,
                     metadata: dict[str, Any] | None = None, source: str = "external") -> None:
        """Attach scores, expected, tags or a comment to the span whose row id is ``id``."""
        for row in feedback_rows(id, scores=scores, expected=expected, tags=tags, comment=comment,
                                 metadata=metadata, source=source):
            self.state.delivery.put(self.ref, row)

    def update_span(self, id: str, **event: Any) -> None:
        """Merge fields into an already logged span, by row id."""
        self.state.delivery.put(self.ref, {**event, "id": id, "_is_merge": True})

    def flush(self, timeout: float | None = None) -> FlushResult:
        return self.state.delivery.flush(timeout)
