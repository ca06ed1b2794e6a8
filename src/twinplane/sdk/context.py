"""Where a new span goes: an explicit parent, the current span, or the current logger/experiment.

``start_span(parent=<exported span>)`` continues a trace begun in another process: the
rows go to the object named in the exported string, under that parent.
"""

from __future__ import annotations

import threading
from typing import Any

from twinplane.sdk.object_ref import ObjectRef
from twinplane.sdk.span import NOOP_SPAN, NoopSpan, Span, current_span
from twinplane.sdk.span_components import SpanComponents
from twinplane.sdk.state import State, get_state

_refs_lock = threading.Lock()
_refs: dict[tuple[int, str, str], ObjectRef] = {}


def _ref_for(state: State, comp: SpanComponents) -> ObjectRef:
    """One ObjectRef per exported object, so its rows share one resolution."""
    key = (id(state), comp.object_type, comp.object_id or f"name:{comp.project_name}")
    with _refs_lock:
        ref = _refs.get(key)
        if ref is None:
            if comp.object_id:
                ref = ObjectRef.resolved(comp.object_type, {"id": comp.object_id},
                                         hints={"project_name": comp.project_name} if comp.project_name else None)
            else:
                name = comp.project_name

                def resolve() -> dict[str, Any]:
                    return state.project(name)

                ref = ObjectRef("project_logs", resolve, label=name or "", hints={"project_name": name or ""})
            _refs[key] = ref
    return ref


def start_span(name: str | None = None, type: str | None = None, *, parent: Span | str | None = None,
               start_time: float | None = None, span_attributes: dict[str, Any] | None = None,
               **event: Any) -> Span | NoopSpan:
    """Start a span under ``parent`` (a Span or an exported span string), else under the current span,
    else as a root of the current logger or experiment; a no-op span when there is none."""
    if isinstance(parent, str) and parent:
        try:
            comp = SpanComponents.from_str(parent)
        except ValueError:
            import logging

            logging.getLogger(__name__).warning("twinplane: ignoring an invalid exported parent span")
        else:
            state = get_state()
            return Span(state.delivery, _ref_for(state, comp), name or "span", type,
                        parent=(comp.span_id, comp.root_span_id), start_time=start_time,
                        span_attributes=span_attributes, event=event)
    if isinstance(parent, Span):
        return parent.start_span(name, type, start_time=start_time, span_attributes=span_attributes, **event)
    cur = current_span()
    if isinstance(cur, Span):
        return cur.start_span(name, type, start_time=start_time, span_attributes=span_attributes, **event)
    obj = get_state().current_object
    if obj is None:
        return NOOP_SPAN
    return obj.start_span(name, type, start_time=start_time, span_attributes=span_attributes, **event)
