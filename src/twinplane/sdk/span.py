"""Spans: one unit of work in a trace, logged as one row that later calls merge into.

The caller's cost of a span is building a few small dicts and appending them to the
delivery queue: values are kept by reference and serialized on the background thread,
so **do not mutate an object after logging it**. A span writes a full row when it starts
and merge rows for each ``log()`` and for ``end()``; the sender folds them into one.
"""

from __future__ import annotations

import itertools
import logging
import time
import traceback
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING, Any

from twinplane.sdk import ids
from twinplane.sdk.row_keys import END_KEY, EXEC_KEY, NAME_KEY, START_KEY, TYPE_KEY
from twinplane.sdk.span_components import SpanComponents

if TYPE_CHECKING:
    from twinplane.sdk.delivery import Delivery
    from twinplane.sdk.object_ref import ObjectRef

logger = logging.getLogger(__name__)

# Fields a span may log; anything else is refused with a warning (never an exception).
EVENT_FIELDS = frozenset({
    "input", "output", "expected", "error", "scores", "metadata", "metrics", "tags", "span_attributes",
    "origin", "classifications",
})

_current: ContextVar[Span | None] = ContextVar("twinplane_current_span", default=None)
_exec_counter = itertools.count(1)
_warned: set[str] = set()


def _clean(event: dict[str, Any]) -> dict[str, Any]:
    # fast path (set and membership tests run in C): only known fields, no None values
    if event.keys() <= EVENT_FIELDS and None not in event.values():
        return event
    bad = [k for k in event if k not in EVENT_FIELDS]
    if bad:
        for k in bad:
            if k not in _warned:
                _warned.add(k)
                logger.warning("twinplane: span field %r is not logged (allowed: %s)", k, sorted(EVENT_FIELDS))
            del event[k]
    for k in [k for k, v in event.items() if v is None]:
        del event[k]
    return event


class Span:
    """A started span. Use it as a context manager, or call ``end()``."""

    __slots__ = ("id", "span_id", "root_span_id", "span_parents", "name", "_ref", "_delivery", "_ended",
                 "_tokens", "_start")

    def __init__(self, delivery: Delivery, ref: ObjectRef, name: str, type: str | None = None, *,
                 parent: tuple[str, str] | None = None, start_time: float | None = None,
                 span_attributes: dict[str, Any] | None = None, row_id: str | None = None,
                 event: dict[str, Any] | None = None) -> None:
        self._delivery = delivery
        self._ref = ref
        self.name = name
        self.id = row_id or ids.row_id()
        self.span_id = ids.span_id()
        if parent is None:
            self.root_span_id = ids.trace_id()
            self.span_parents: list[str] | None = None
        else:
            self.span_parents = [parent[0]]
            self.root_span_id = parent[1]
        self._ended = False
        self._tokens: list[Token[Span | None]] | None = None
        self._start = start = time.time() if start_time is None else start_time
        # Scalars under private keys; the delivery thread builds span_attributes and metrics from
        # them (delivery.expand_row): fewer objects allocated here means fewer GC pauses here.
        row: dict[str, Any] = {
            "id": self.id, "span_id": self.span_id, "root_span_id": self.root_span_id,
            "span_parents": self.span_parents, "created": start, "_is_merge": False,
            START_KEY: start, NAME_KEY: name, TYPE_KEY: type, EXEC_KEY: next(_exec_counter),
        }
        if span_attributes:
            row["span_attributes"] = dict(span_attributes)
        if event:
            ev = _clean(dict(event))
            metrics = ev.pop("metrics", None)
            if metrics:
                row["metrics"] = dict(metrics)
            ev.pop("span_attributes", None)
            row.update(ev)
        delivery.put(ref, row)

    # -- logging -------------------------------------------------------------------------------
    def log(self, **event: Any) -> None:
        """Merge fields into the span (input, output, expected, error, scores, metadata, metrics, tags)."""
        if not event:
            return
        row = _clean(event)
        row["id"] = self.id
        row["span_id"] = self.span_id
        row["root_span_id"] = self.root_span_id
        row["span_parents"] = self.span_parents
        row["_is_merge"] = True
        self._delivery.put(self._ref, row)

    def log_feedback(self, **feedback: Any) -> None:
        """Attach scores, expected, tags, metadata or a comment to this span (see ``Logger.log_feedback``)."""
        from twinplane.sdk.feedback import feedback_rows

        for row in feedback_rows(self.id, **feedback):
            self._delivery.put(self._ref, row)

    def start_span(self, name: str | None = None, type: str | None = None, **event: Any) -> Span:
        """A child of this span, logged to the same object."""
        attrs = event.pop("span_attributes", None)
        start_time = event.pop("start_time", None)
        return Span(self._delivery, self._ref, name or "span", type, parent=(self.span_id, self.root_span_id),
                    start_time=start_time, span_attributes=attrs, event=event)

    def end(self, end_time: float | None = None) -> float:
        """End the span (idempotent); returns the end time."""
        t = time.time() if end_time is None else end_time
        if not self._ended:
            self._ended = True
            self._delivery.put(self._ref, {
                "id": self.id, "span_id": self.span_id, "root_span_id": self.root_span_id,
                "span_parents": self.span_parents, END_KEY: t, "_is_merge": True,
            })
        return t

    close = end

    @property
    def start_time(self) -> float:
        return self._start

    # -- trace propagation ---------------------------------------------------------------------
    def export(self) -> str:
        """An opaque string that lets another process log children of this span."""
        ref = self._ref
        object_id = None
        if ref.is_resolved or ref.object_type == "experiment" or not ref.hints.get("project_name"):
            object_id = ref.id  # may block once to register the object; export is an explicit call
        return SpanComponents(
            object_type=ref.object_type, object_id=object_id, project_name=ref.hints.get("project_name"),
            row_id=self.id, span_id=self.span_id, root_span_id=self.root_span_id,
        ).to_str()

    # -- current span --------------------------------------------------------------------------
    def set_current(self) -> None:
        if self._tokens is None:
            self._tokens = []
        self._tokens.append(_current.set(self))

    def unset_current(self) -> None:
        if self._tokens:
            token = self._tokens.pop()
            try:
                _current.reset(token)
            except ValueError:  # token from another context (a generator resumed elsewhere)
                _current.set(None)

    def __enter__(self) -> Span:
        self.set_current()
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        try:
            if exc is not None:
                self.log(error="".join(traceback.format_exception(exc_type, exc, tb)))
            self.end()
        finally:
            self.unset_current()

    def flush(self, timeout: float | None = None) -> Any:
        return self._delivery.flush(timeout)

    def __repr__(self) -> str:
        return f"Span(name={self.name!r}, span_id={self.span_id}, root_span_id={self.root_span_id})"


class NoopSpan:
    """What ``current_span()`` answers outside any span, and what spans become without a logger."""

    id = ""
    span_id = ""
    root_span_id = ""
    span_parents = None
    name = ""
    start_time = 0.0

    def log(self, **event: Any) -> None:
        pass

    def log_feedback(self, **feedback: Any) -> None:
        pass

    def start_span(self, name: str | None = None, type: str | None = None, **event: Any) -> NoopSpan:
        return self

    def end(self, end_time: float | None = None) -> float:
        return time.time() if end_time is None else end_time

    close = end

    def export(self) -> str:
        return ""

    def set_current(self) -> None:
        pass

    def unset_current(self) -> None:
        pass

    def __enter__(self) -> NoopSpan:
        return self

    def __exit__(self, *exc: Any) -> None:
        pass

    def flush(self, timeout: float | None = None) -> None:
        return None

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NoopSpan()"


NOOP_SPAN = NoopSpan()


def current_span() -> Span | NoopSpan:
    """The span of the current context (thread or asyncio task), or a no-op span."""
    return _current.get() or NOOP_SPAN
