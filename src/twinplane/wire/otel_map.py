"""OpenTelemetry spans as Twinplane span rows: the one mapping the SDK and the data plane share.

The SDK's span processor (``twinplane.sdk.otel``) and the data plane's OTLP endpoint
(``POST /otel/v1/traces``) each turn their own span object into an :class:`OtelSpan` of plain
values, then call :func:`span_row`. Nothing here imports OpenTelemetry.

Mapping, per span:

* identity: trace id (32 hex) → ``root_span_id``, span id (16 hex) → ``span_id``, row ``id`` =
  ``"<trace>-<span>"``, parent span id → ``span_parents`` (``[hex]``, or ``None`` for a root);
* ``name`` → ``span_attributes.name``; ``type`` is ``llm`` for GenAI / OpenInference LLM spans,
  ``tool`` for OpenInference tool spans, else ``task`` for a root and ``function`` otherwise;
* start / end (unix nanoseconds) → ``metrics.start`` / ``metrics.end`` (seconds) and ``created``;
* status ERROR → ``error`` (the last ``exception`` event's ``Type: message`` when there is one);
* attributes through :func:`map_attributes`; the resource's ``service.name`` into metadata;
* GenAI span events, when the attributes gave no input / output (instrumentations that log
  messages as events): ``gen_ai.{system,user,assistant,tool}.message`` → the input messages,
  ``gen_ai.choice`` → the output messages (by ``index``), and the older
  ``gen_ai.content.prompt`` / ``gen_ai.content.completion`` events → input / output.

:func:`map_attributes` raises ``ValueError`` for a ``braintrust.*`` attribute of the wrong shape;
the data plane turns that into a 400 naming the span, the SDK processor drops the span.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["OtelSpan", "PARENT_KINDS", "map_attributes", "messages_from_events", "parse_parent", "span_row"]

_INDEXED = re.compile(r"^gen_ai\.(prompt|completion)\.(\d+)\.(.+)$")
# OpenInference flattens message lists: llm.input_messages.0.message.role = "user"
_OI_MESSAGES = re.compile(r"^llm\.(input|output)_messages\.(\d+)\.message\.(.+)$")
_TOKEN_KEYS = {
    "gen_ai.usage.input_tokens": "prompt_tokens", "gen_ai.usage.prompt_tokens": "prompt_tokens",
    "gen_ai.usage.output_tokens": "completion_tokens", "gen_ai.usage.completion_tokens": "completion_tokens",
    "gen_ai.usage.cache_read_input_tokens": "prompt_cached_tokens",
    "gen_ai.usage.cache_read.input_tokens": "prompt_cached_tokens",
    # OpenInference
    "llm.token_count.prompt": "prompt_tokens", "llm.token_count.completion": "completion_tokens",
    "llm.token_count.total": "tokens", "llm.token_count.prompt_details.cache_read": "prompt_cached_tokens",
    "llm.token_count.completion_details.reasoning": "completion_reasoning_tokens",
}
_PARAM_KEYS = {
    "gen_ai.request.model": "model", "gen_ai.response.model": "response_model", "gen_ai.system": "provider",
    "gen_ai.provider.name": "provider", "gen_ai.operation.name": "operation",
    "gen_ai.request.temperature": "temperature", "gen_ai.request.max_tokens": "max_tokens",
    "gen_ai.request.top_p": "top_p", "gen_ai.response.finish_reasons": "finish_reasons",
    "gen_ai.response.id": "response_id",
    # OpenInference
    "llm.model_name": "model", "llm.provider": "provider", "llm.system": "provider",
}
# OpenInference span kinds with a Twinplane span type of their own; others get the default
_OI_KINDS = {"LLM": "llm", "EMBEDDING": "llm", "TOOL": "tool"}
# consumed into other fields, never copied to metadata
_DROPPED = frozenset({"input.mime_type", "output.mime_type", "openinference.span.kind", "braintrust.parent"})
_BRAINTRUST_OBJECTS = ("braintrust.metadata", "braintrust.scores", "braintrust.metrics",
                       "braintrust.span_attributes")

# x-bt-parent / braintrust.parent: "<kind>:<id or name>"
PARENT_KINDS = ("project_name", "project_id", "experiment_id")


@dataclass(frozen=True, slots=True)
class OtelSpan:
    """One ended OTel span as plain values (hex ids, unix nanoseconds, attribute dicts)."""

    trace_id: str
    span_id: str
    parent_span_id: str | None
    name: str
    start_ns: int
    end_ns: int
    attributes: Mapping[str, Any] = field(default_factory=dict)
    resource_attributes: Mapping[str, Any] = field(default_factory=dict)
    kind: str = ""  # INTERNAL, SERVER, CLIENT, PRODUCER, CONSUMER, or "" when unspecified
    status_code: str = "UNSET"  # UNSET, OK or ERROR
    status_message: str = ""
    events: Sequence[tuple[str, Mapping[str, Any]]] = ()


def parse_parent(value: str) -> tuple[str, str]:
    """``"project_name:foo"`` → ``("project_name", "foo")``; ``ValueError`` for anything else."""
    kind, sep, rest = value.partition(":")
    kind, rest = kind.strip(), rest.strip()
    if not sep or kind not in PARENT_KINDS or not rest:
        raise ValueError(f"a parent must be one of {', '.join(k + ':<value>' for k in PARENT_KINDS)}")
    return kind, rest


def _json_or(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _braintrust_value(key: str, value: Any) -> Any:
    """A ``braintrust.*`` attribute: a JSON string or the value itself; the object ones must be objects."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            if key in _BRAINTRUST_OBJECTS:
                raise ValueError(f"attribute '{key}' must be a JSON object") from None
            return value  # braintrust.input / output may be plain text
    if key in _BRAINTRUST_OBJECTS and not isinstance(value, dict):
        raise ValueError(f"attribute '{key}' must be a JSON object")
    if key in ("braintrust.scores", "braintrust.metrics"):
        for name, v in value.items():
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
                raise ValueError(f"attribute '{key}': '{name}' must be a number")
    return value


def _set_path(target: dict[str, Any], path: str, value: Any) -> None:
    """``a.0.b`` = v into nested dicts (numeric segments become list positions)."""
    parts = path.split(".")
    node: Any = target
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        nxt: Any = value if last else ([] if parts[i + 1].isdigit() else {})
        if isinstance(node, list):
            idx = int(part)
            while len(node) <= idx:
                node.append(None)
            if last or node[idx] is None:
                node[idx] = nxt
            node = node[idx]
        else:
            if last or part not in node or not isinstance(node[part], (dict, list)):
                node[part] = nxt
            node = node[part]


def map_attributes(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """OTel attributes → ``{input?, output?, tags?, scores?, span_attributes?, type?, metadata, metrics,
    is_llm}``: GenAI semantic conventions, OpenInference, and ``braintrust.*`` (which win)."""
    metadata: dict[str, Any] = {}
    metrics: dict[str, float] = {}
    indexed: dict[str, dict[int, dict[str, Any]]] = {"prompt": {}, "completion": {}}
    oi_messages: dict[str, dict[int, dict[str, Any]]] = {"input": {}, "output": {}}
    braintrust: dict[str, Any] = {}
    out: dict[str, Any] = {}
    is_llm = False
    for key, value in attrs.items():
        value = list(value) if isinstance(value, tuple) else value
        if key.startswith("gen_ai."):
            is_llm = True
        if key in _TOKEN_KEYS and isinstance(value, (int, float)) and not isinstance(value, bool):
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
        elif (m := _OI_MESSAGES.match(key)) is not None:
            _set_path(oi_messages[m.group(1)].setdefault(int(m.group(2)), {}), m.group(3), value)
        elif key in ("input", "input.value", "output", "output.value"):  # OpenInference-style
            out["input" if key.startswith("input") else "output"] = _json_or(value)
        elif key == "openinference.span.kind":
            kind = _OI_KINDS.get(str(value).upper())
            if kind is not None:
                out["type"] = kind
                is_llm = is_llm or kind == "llm"
        elif key == "llm.invocation_parameters":
            params = _json_or(value)
            if isinstance(params, dict):
                for k, v in params.items():
                    metadata.setdefault(k, v)
            else:
                metadata["invocation_parameters"] = params
        elif key == "metadata" and isinstance(_json_or(value), dict):  # OpenInference's metadata JSON
            for k, v in _json_or(value).items():
                metadata.setdefault(k, v)
        elif key == "tag.tags" and isinstance(value, list):
            out["tags"] = [str(t) for t in value]
        elif key.startswith("braintrust."):
            if key in ("braintrust.input", "braintrust.output") or key in _BRAINTRUST_OBJECTS:
                braintrust[key] = _braintrust_value(key, value)
            elif key not in _DROPPED:
                metadata[key] = value
        elif key not in _DROPPED:
            metadata[key] = value
    if "input" not in out and indexed["prompt"]:
        out["input"] = [indexed["prompt"][i] for i in sorted(indexed["prompt"])]
    if "output" not in out and indexed["completion"]:
        out["output"] = [indexed["completion"][i] for i in sorted(indexed["completion"])]
    for side in ("input", "output"):
        if side not in out and oi_messages[side]:
            out[side] = [oi_messages[side][i] for i in sorted(oi_messages[side])]
    if "tokens" not in metrics and ("prompt_tokens" in metrics or "completion_tokens" in metrics):
        metrics["tokens"] = metrics.get("prompt_tokens", 0) + metrics.get("completion_tokens", 0)
    for side in ("input", "output"):
        if f"braintrust.{side}" in braintrust:
            out[side] = braintrust[f"braintrust.{side}"]
    metadata.update(braintrust.get("braintrust.metadata", {}))
    metrics.update({k: v for k, v in braintrust.get("braintrust.metrics", {}).items() if v is not None})
    if "braintrust.scores" in braintrust:
        out["scores"] = braintrust["braintrust.scores"]
    if "braintrust.span_attributes" in braintrust:
        out["span_attributes"] = braintrust["braintrust.span_attributes"]
    out.update(metadata=metadata, metrics=metrics, is_llm=is_llm)
    return out


_MESSAGE_EVENTS = {"gen_ai.system.message": "system", "gen_ai.user.message": "user",
                   "gen_ai.assistant.message": "assistant", "gen_ai.tool.message": "tool"}
_MESSAGE_FIELDS = ("content", "tool_calls", "id", "name")


def _message(role: str, attrs: Mapping[str, Any]) -> dict[str, Any]:
    msg: dict[str, Any] = {"role": attrs.get("role") if isinstance(attrs.get("role"), str) else role}
    for key in _MESSAGE_FIELDS:
        if key in attrs:
            msg[key] = _json_or(attrs[key])
    return msg


def messages_from_events(events: Sequence[tuple[str, Mapping[str, Any]]]) -> dict[str, Any]:
    """``{input?, output?}`` from GenAI span events (see the module docstring)."""
    out: dict[str, Any] = {}
    prompt: list[dict[str, Any]] = []
    choices: list[tuple[int, dict[str, Any]]] = []
    for name, attrs in events:
        if name in _MESSAGE_EVENTS:
            prompt.append(_message(_MESSAGE_EVENTS[name], attrs))
        elif name == "gen_ai.choice":
            message = _json_or(attrs.get("message"))
            msg = dict(message) if isinstance(message, dict) else _message("assistant", attrs)
            msg.setdefault("role", "assistant")
            if "finish_reason" in attrs:
                msg.setdefault("finish_reason", attrs["finish_reason"])
            index = attrs.get("index")
            choices.append((index if isinstance(index, int) and not isinstance(index, bool) else len(choices), msg))
        elif name == "gen_ai.content.prompt" and "gen_ai.prompt" in attrs:
            out["input"] = _json_or(attrs["gen_ai.prompt"])
        elif name == "gen_ai.content.completion" and "gen_ai.completion" in attrs:
            out["output"] = _json_or(attrs["gen_ai.completion"])
    if prompt:
        out["input"] = prompt
    if choices:
        out["output"] = [m for _i, m in sorted(choices, key=lambda c: c[0])]
    return out


def span_row(span: OtelSpan) -> dict[str, Any]:
    """One span as a complete Twinplane row, object identity fields excepted."""
    mapped = map_attributes(span.attributes)
    start = span.start_ns / 1e9
    end = (span.end_ns or span.start_ns) / 1e9
    metadata = mapped["metadata"]
    if span.resource_attributes.get("service.name"):
        metadata.setdefault("service.name", span.resource_attributes["service.name"])
    default_type = "llm" if mapped["is_llm"] else ("task" if span.parent_span_id is None else "function")
    span_attributes = {"name": span.name, "type": mapped.get("type") or default_type, "otel_kind": span.kind}
    span_attributes.update(mapped.get("span_attributes") or {})
    row: dict[str, Any] = {
        "id": f"{span.trace_id}-{span.span_id}", "span_id": span.span_id, "root_span_id": span.trace_id,
        "span_parents": [span.parent_span_id] if span.parent_span_id is not None else None,
        "created": start, "metrics": {"start": start, "end": end, **mapped["metrics"]},
        "span_attributes": span_attributes, "metadata": metadata,
    }
    for key in ("input", "output", "scores", "tags"):
        if key in mapped:
            row[key] = mapped[key]
    if "input" not in row or "output" not in row:
        from_events = messages_from_events(span.events)
        for key in ("input", "output"):
            if key not in row and key in from_events:
                row[key] = from_events[key]
        if from_events and span_attributes["type"] == default_type:
            span_attributes["type"] = "llm"  # messages logged as events: a model call
    if span.status_code == "ERROR":
        row["error"] = span.status_message or "error"
        for name, a in span.events:
            if name == "exception":
                row["error"] = f"{a.get('exception.type', 'Exception')}: {a.get('exception.message', '')}"
    return row
