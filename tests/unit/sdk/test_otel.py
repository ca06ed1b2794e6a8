"""The OpenTelemetry span processor: GenAI attributes to Twinplane spans, through the SDK queue."""

from __future__ import annotations

import json

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Status, StatusCode

import twinplane
from twinplane.sdk.otel import TwinplaneSpanProcessor, is_genai_span, map_attributes


def test_otel_spans_become_twinplane_spans(server, sdk) -> None:
    logger = twinplane.init_logger("otel-proj")
    provider = TracerProvider(resource=Resource.create({"service.name": "svc"}))
    provider.add_span_processor(TwinplaneSpanProcessor(logger=logger))
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("handle_request") as root:
        root.set_attribute("user.id", "u1")
        with tracer.start_as_current_span("chat gpt-4o") as llm:
            llm.set_attribute("gen_ai.system", "openai")
            llm.set_attribute("gen_ai.request.model", "gpt-4o")
            llm.set_attribute("gen_ai.request.temperature", 0.2)
            llm.set_attribute("gen_ai.usage.input_tokens", 10)
            llm.set_attribute("gen_ai.usage.output_tokens", 4)
            llm.set_attribute("gen_ai.input.messages", json.dumps([{"role": "user", "content": "hi"}]))
            llm.set_attribute("gen_ai.output.messages", json.dumps([{"role": "assistant", "content": "hello"}]))
        with tracer.start_as_current_span("tool") as tool:
            tool.set_status(Status(StatusCode.ERROR, "tool failed"))
    assert provider.force_flush()
    rows = {r["span_attributes"]["name"]: r for r in server.rows("project_logs", logger.id)}
    r, c, t = rows["handle_request"], rows["chat gpt-4o"], rows["tool"]
    trace = format(root.get_span_context().trace_id, "032x")
    assert r["root_span_id"] == c["root_span_id"] == trace and r["span_parents"] is None
    assert c["span_parents"] == [r["span_id"]] and c["span_attributes"]["type"] == "llm"
    assert r["span_attributes"]["type"] == "task" and r["metadata"]["user.id"] == "u1"
    assert c["input"] == [{"role": "user", "content": "hi"}] and c["output"][0]["content"] == "hello"
    assert c["metadata"]["model"] == "gpt-4o" and c["metadata"]["temperature"] == 0.2
    assert c["metadata"]["provider"] == "openai" and c["metadata"]["service.name"] == "svc"
    assert c["metrics"]["prompt_tokens"] == 10 and c["metrics"]["completion_tokens"] == 4 and c["metrics"]["tokens"] == 14
    assert c["metrics"]["end"] >= c["metrics"]["start"]
    assert t["error"] == "tool failed"
    provider.shutdown()


def test_legacy_indexed_prompt_attributes_and_filter(server, sdk) -> None:
    mapped = map_attributes({"gen_ai.prompt.0.role": "user", "gen_ai.prompt.0.content": "q",
                             "gen_ai.completion.0.role": "assistant", "gen_ai.completion.0.content": "a",
                             "gen_ai.usage.prompt_tokens": 3})
    assert mapped["input"] == [{"role": "user", "content": "q"}] and mapped["output"][0]["content"] == "a"
    assert mapped["metrics"] == {"prompt_tokens": 3, "tokens": 3}
    logger = twinplane.init_logger("otel-filter")
    provider = TracerProvider()
    provider.add_span_processor(TwinplaneSpanProcessor(span_filter=is_genai_span))  # current logger
    tracer = provider.get_tracer("t")
    with tracer.start_as_current_span("plain"):
        with tracer.start_as_current_span("llm") as s:
            s.set_attribute("gen_ai.request.model", "m")
    assert provider.force_flush()
    names = [r["span_attributes"]["name"] for r in server.rows("project_logs", logger.id)]
    assert names == ["llm"]
