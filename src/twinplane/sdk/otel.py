"""An OpenTelemetry span processor that sends OTel spans as Twinplane spans.

``provider.add_span_processor(TwinplaneSpanProcessor(project="my-app"))`` turns each ended
OTel span into one row on the SDK's own delivery queue (no OTLP exporter involved). Trace
and span ids keep their hex form, so OTel traces and Twinplane spans share ids. GenAI
semantic conventions are mapped: messages to input/output, model and request parameters
to metadata, token usage to metrics; the span type is ``llm`` for GenAI spans.
OpenTelemetry is optional: it is imported only when a processor is created.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

from twinplane.sdk.state import get_state
from twinplane.sdk.traced_object import TracedObject

logger = logging.getLogger(__name__)

_INDEXED = re.compile(r"^gen_ai\.(prompt|completion)\.(\d+)\.(.+)$")
_TOKEN_KEYS = {
    "gen_ai.usage.input_tokens": "prompt_tokens", "gen_ai.usage.prompt_tokens": "prompt_tokens",
    "gen_ai.usage.output_tokens": "completion_tokens", "gen_ai.usage.completion_tokens": "completion_tokens",
    "gen_ai.usage.cache_read_input_tokens": "prompt_cached_tokens",
    "gen_ai.usage.cache_read.input_tokens": "prompt_cached_tokens",
}
_PARAM_KEYS = {
    "gen_ai.request.model": "model", "gen_ai.response.model": "response_model", "gen_ai.system": "provider",
    "gen_ai.provider.name": "provider", "gen_ai.operation.name": "operation",
    "gen_ai.request.temperature": "temperature", "gen_ai.request.max_tokens": "max_tokens",
    "gen_ai.request.top_p": "top_p", "gen_ai.response.finish_reasons": "finish_reasons",
    "gen_ai.response.id": "response_id",
}


def _json_or(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def map_attributes(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """OTel attributes → ``{input?, output?, metadata, metrics, is_llm}`` (GenAI conventions)."""
    metadata: dict[str, Any] = {}
    metrics: dict[str, float] = {}
    indexed: dict[str, dict[int, dict[str, Any]]] = {"prompt": {}, "completion": {}}
    out: dict[str, Any] = {}
    is_llm = False
    for key, value in attrs.items():
        value = list(value) if isinstance(value, tuple) else value
        if key.startswith("gen_ai."):
            is_llm = True
        if key in _TOKEN_KEYS and isinstance(value, (int, float)):
            metrics[_TOKEN_KEYS[key]] = value
        elif key in _PARAM_KEYS:
            metadata[_PARAM_KEYS[key]] = value
        elif key in ("gen_ai.input.messages", "gen_ai.prompt"):
            out["input"] = _json_or(value)
        elif key in ("gen_ai.output.messages", "gen_ai.completion"):
            out["output"] = _json_or(value)
        elif key == "gen_ai.system_instructions":
            metadata["system_instructions"] = _json_or(value)
        elif (m := _INDEXED.match(key)) is not None:
            indexed[m.group(1)].setdefault(int(m.group(2)), {})[m.group(3)] = value
        elif key in ("input", "input.value", "output", "output.value"):  # OpenInference-style
            out["input" if key.startswith("input") else "output"] = _json_or(value)
        else:
            metadata[key] = value
    if "input" not in out and indexed["prompt"]:
        out["input"] = [indexed["prompt"][i] for i in sorted(indexed["prompt"])]
    if "output" not in out and indexed["completion"]:
        out["output"] = [indexed["completion"][i] for i in sorted(indexed["completion"])]
    if "prompt_tokens" in metrics or "completion_tokens" in metrics:
        metrics["tokens"] = metrics.get("prompt_tokens", 0) + metrics.get("completion_tokens", 0)
    out.update(metadata=metadata, metrics=metrics, is_llm=is_llm)
    return out


def span_to_row(span: Any) -> dict[str, Any]:
    """One ended OTel ``ReadableSpan`` as a complete Twinplane row (identity fields excepted)."""
    ctx = span.get_span_context()
    trace_hex = format(ctx.trace_id, "032x")
    span_hex = format(ctx.span_id, "016x")
    parent = span.parent
    mapped = map_attributes(dict(span.attributes or {}))
    start = (span.start_time or 0) / 1e9
    end = (span.end_time or span.start_time or 0) / 1e9
    metadata = mapped["metadata"]
    if span.resource is not None and span.resource.attributes.get("service.name"):
        metadata.setdefault("service.name", span.resource.attributes["service.name"])
    span_type = "llm" if mapped["is_llm"] else ("task" if parent is None else "function")
    row: dict[str, Any] = {
        "id": f"{trace_hex}-{span_hex}", "span_id": span_hex, "root_span_id": trace_hex,
        "span_parents": [format(parent.span_id, "016x")] if parent is not None else None,
        "created": start, "metrics": {"start": start, "end": end, **mapped["metrics"]},
        "span_attributes": {"name": span.name, "type": span_type, "otel_kind": str(getattr(span.kind, "name", ""))},
        "metadata": metadata,
    }
    for key in ("input", "output"):
        if key in mapped:
            row[key] = mapped[key]
    status = span.status
    if status is not None and getattr(status.status_code, "name", "") == "ERROR":
        row["error"] = status.description or "error"
        for event in span.events or ():
            if event.name == "exception":
                a = event.attributes or {}
                row["error"] = f"{a.get('exception.type', 'Exception')}: {a.get('exception.message', '')}"
    return row


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
