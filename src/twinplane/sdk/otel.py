"""An OpenTelemetry span processor that sends OTel spans as Twinplane spans.

``provider.add_span_processor(TwinplaneSpanProcessor(project="my-app"))`` turns each ended
OTel span into one row on the SDK's own delivery queue (no OTLP exporter involved). Trace
and span ids keep their hex form, so OTel traces and Twinplane spans share ids. GenAI
semantic conventions, OpenInference and ``braintrust.*`` attributes are mapped by
``twinplane.wire.otel_map``, the mapping the data plane's ``/otel/v1/traces`` uses too.
OpenTelemetry is optional: it is imported only when a processor is created.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from twinplane.sdk.state import get_state
from twinplane.sdk.traced_object import TracedObject
from twinplane.wire.otel_map import OtelSpan, map_attributes, span_row

__all__ = ["TwinplaneSpanProcessor", "is_genai_span", "map_attributes", "span_to_row"]

logger = logging.getLogger(__name__)


def span_to_row(span: Any) -> dict[str, Any]:
    """One ended OTel ``ReadableSpan`` as a complete Twinplane row (identity fields excepted)."""
    ctx = span.get_span_context()
    parent = span.parent
    status = span.status
    resource = span.resource.attributes if span.resource is not None else {}
    return span_row(OtelSpan(
        trace_id=format(ctx.trace_id, "032x"), span_id=format(ctx.span_id, "016x"),
        parent_span_id=format(parent.span_id, "016x") if parent is not None else None,
        name=span.name, start_ns=span.start_time or 0, end_ns=span.end_time or span.start_time or 0,
        attributes=dict(span.attributes or {}), resource_attributes=resource,
        kind=str(getattr(span.kind, "name", "")),
        status_code=str(getattr(getattr(status, "status_code", None), "name", "UNSET")),
        status_message=(status.description or "") if status is not None else "",
        events=[(e.name, dict(e.attributes or {})) for e in span.events or ()],
    ))


_CLASS: type | None = None


def _processor_class() -> type:
    global _CLASS
    if _CLASS is None:
        from opentelemetry.sdk.trace import SpanProcessor

        class _Processor(SpanProcessor):  # type: ignore[misc]
            def __init__(self, target: TracedObject | None, span_filter: Callable[[Any], bool] | None) -> None:
                self._target = target
                self._filter = span_filter

            def on_start(self, span: Any, parent_context: Any = None) -> None:
                pass

            def on_end(self, span: Any) -> None:
                try:
                    if self._filter is not None and not self._filter(span):
                        return
                    target = self._target or get_state().current_object
                    if target is None:
                        return
                    target.state.delivery.put(target.ref, span_to_row(span))
                except Exception:  # noqa: BLE001 - a tracing pipeline must never raise into the app
                    logger.debug("twinplane: could not convert an OpenTelemetry span", exc_info=True)

            def shutdown(self) -> None:
                target = self._target or get_state().current_object
                if target is not None:
                    target.flush(5)

            def force_flush(self, timeout_millis: int = 30000) -> bool:
                target = self._target or get_state().current_object
                return True if target is None else target.flush(timeout_millis / 1000).ok

        _CLASS = _Processor
    return _CLASS


def TwinplaneSpanProcessor(project: str | None = None, *, logger: TracedObject | None = None,  # noqa: N802
                           span_filter: Callable[[Any], bool] | None = None) -> Any:
    """A span processor sending OTel spans to ``logger``, or to ``project``'s logs, or (neither
    given) to the current logger or experiment. ``span_filter(span) -> bool`` selects spans,
    e.g. :func:`is_genai_span` to keep only LLM calls."""
    target = logger
    if target is None and project is not None:
        from twinplane.sdk.logger import init_logger

        target = init_logger(project, set_current=False)
    return _processor_class()(target, span_filter)


def is_genai_span(span: Any) -> bool:
    """True for spans that carry GenAI semantic-convention attributes."""
    return any(k.startswith("gen_ai.") for k in (span.attributes or {}))
