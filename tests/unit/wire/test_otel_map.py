"""The shared OTel → Twinplane span mapping (``twinplane.wire.otel_map``), on plain values."""

from __future__ import annotations

import json

import pytest

from twinplane.wire.otel_map import OtelSpan, map_attributes, parse_parent, span_row

TRACE = "0af7651916cd43dd8448eb211c80319c"
ROOT = "b7ad6b7169203331"
CHILD = "00f067aa0ba902b7"


def _span(**kw) -> OtelSpan:
    base = {"trace_id": TRACE, "span_id": CHILD, "parent_span_id": ROOT, "name": "s",
            "start_ns": 1_700_000_000_500_000_000, "end_ns": 1_700_000_002_000_000_000}
    base.update(kw)
    return OtelSpan(**base)


def test_ids_times_and_default_types() -> None:
    root = span_row(_span(span_id=ROOT, parent_span_id=None, name="handle", kind="SERVER"))
    assert root["id"] == f"{TRACE}-{ROOT}" and root["span_id"] == ROOT and root["root_span_id"] == TRACE
    assert root["span_parents"] is None
    assert root["span_attributes"] == {"name": "handle", "type": "task", "otel_kind": "SERVER"}
    assert root["metrics"] == {"start": 1_700_000_000.5, "end": 1_700_000_002.0}
    assert root["created"] == 1_700_000_000.5
    child = span_row(_span(end_ns=0))
    assert child["span_parents"] == [ROOT] and child["span_attributes"]["type"] == "function"
    assert child["metrics"]["end"] == child["metrics"]["start"]  # an unended span takes its start
    assert "error" not in child and "input" not in child


def test_genai_attributes() -> None:
    row = span_row(_span(
        attributes={"gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o", "gen_ai.request.temperature": 0.2,
                    "gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 4,
                    "gen_ai.usage.cache_read.input_tokens": 2,
                    "gen_ai.input.messages": json.dumps([{"role": "user", "content": "hi"}]),
                    "gen_ai.output.messages": json.dumps([{"role": "assistant", "content": "yo"}]),
                    "gen_ai.response.finish_reasons": ("stop",), "user.id": "u1"},
        resource_attributes={"service.name": "svc", "host.name": "h"}))
    assert row["span_attributes"]["type"] == "llm"
    assert row["input"] == [{"role": "user", "content": "hi"}] and row["output"] == [{"role": "assistant", "content": "yo"}]
    assert row["metadata"] == {"provider": "openai", "model": "gpt-4o", "temperature": 0.2,
                               "finish_reasons": ["stop"], "user.id": "u1", "service.name": "svc"}
    assert row["metrics"]["prompt_tokens"] == 10 and row["metrics"]["completion_tokens"] == 4
    assert row["metrics"]["tokens"] == 14 and row["metrics"]["prompt_cached_tokens"] == 2


def test_legacy_indexed_genai_messages() -> None:
    m = map_attributes({"gen_ai.prompt.1.content": "q2", "gen_ai.prompt.0.role": "system",
                        "gen_ai.prompt.0.content": "be brief", "gen_ai.completion.0.content": "a"})
    assert m["input"] == [{"role": "system", "content": "be brief"}, {"content": "q2"}]
    assert m["output"] == [{"content": "a"}] and m["is_llm"] and m["metrics"] == {}


def test_openinference_attributes() -> None:
    row = span_row(_span(attributes={
        "openinference.span.kind": "LLM", "llm.model_name": "claude-x", "llm.provider": "anthropic",
        "llm.invocation_parameters": json.dumps({"temperature": 0, "max_tokens": 50}),
        "llm.input_messages.0.message.role": "user", "llm.input_messages.0.message.content": "2+2?",
        "llm.output_messages.0.message.role": "assistant",
        "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "calc",
        "llm.token_count.prompt": 7, "llm.token_count.completion": 3, "llm.token_count.total": 11,
        "input.value": "ignored when messages exist?", "input.mime_type": "text/plain",
        "metadata": json.dumps({"tenant": "t1"}), "tag.tags": ["a", "b"], "session.id": "s1"}))
    assert row["span_attributes"]["type"] == "llm"
    assert row["input"] == "ignored when messages exist?"  # input.value is the span's input as recorded
    assert row["output"] == [{"role": "assistant", "tool_calls": [{"tool_call": {"function": {"name": "calc"}}}]}]
    assert row["metrics"]["prompt_tokens"] == 7 and row["metrics"]["completion_tokens"] == 3
    assert row["metrics"]["tokens"] == 11  # the reported total wins over the sum
    assert row["metadata"] == {"model": "claude-x", "provider": "anthropic", "temperature": 0, "max_tokens": 50,
                               "tenant": "t1", "session.id": "s1"}
    assert row["tags"] == ["a", "b"]
    chain = span_row(_span(attributes={"openinference.span.kind": "CHAIN", "input.value": '{"q": 1}',
                                       "output.value": "plain"}))
    assert chain["span_attributes"]["type"] == "function" and chain["input"] == {"q": 1} and chain["output"] == "plain"
    tool = span_row(_span(attributes={"openinference.span.kind": "TOOL", "tool.name": "calc"}))
    assert tool["span_attributes"]["type"] == "tool" and tool["metadata"] == {"tool.name": "calc"}
    msgs = map_attributes({"llm.input_messages.1.message.content": "b", "llm.input_messages.0.message.content": "a"})
    assert msgs["input"] == [{"content": "a"}, {"content": "b"}]


def test_braintrust_attributes_win_and_are_not_metadata() -> None:
    row = span_row(_span(attributes={
        "gen_ai.input.messages": "[]", "braintrust.input": json.dumps({"question": "q"}),
        "braintrust.output": "plain answer", "braintrust.metadata": json.dumps({"k": "v"}),
        "braintrust.scores": {"accuracy": 0.5, "skipped": None}, "braintrust.metrics": json.dumps({"cost": 0.01}),
        "braintrust.span_attributes": json.dumps({"type": "score", "purpose": "scorer"}),
        "braintrust.parent": "project_name:x", "braintrust.other": 1}))
    assert row["input"] == {"question": "q"} and row["output"] == "plain answer"
    assert row["metadata"] == {"k": "v", "braintrust.other": 1}
    assert row["scores"] == {"accuracy": 0.5, "skipped": None} and row["metrics"]["cost"] == 0.01
    assert row["span_attributes"]["type"] == "score" and row["span_attributes"]["purpose"] == "scorer"
    assert row["span_attributes"]["name"] == "s"


@pytest.mark.parametrize(("key", "value", "problem"), [
    ("braintrust.scores", "not json", "must be a JSON object"),
    ("braintrust.scores", json.dumps({"a": "high"}), "'a' must be a number"),
    ("braintrust.metrics", json.dumps({"a": True}), "'a' must be a number"),
    ("braintrust.metadata", json.dumps([1, 2]), "must be a JSON object"),
    ("braintrust.span_attributes", 3, "must be a JSON object"),
])
def test_braintrust_attributes_of_the_wrong_shape_are_refused(key, value, problem) -> None:
    with pytest.raises(ValueError, match=problem):
        map_attributes({key: value})


def test_errors_from_status_and_exception_events() -> None:
    plain = span_row(_span(status_code="ERROR", status_message="tool failed"))
    assert plain["error"] == "tool failed"
    assert span_row(_span(status_code="ERROR"))["error"] == "error"
    exc = span_row(_span(status_code="ERROR", status_message="x", events=[
        ("log", {}), ("exception", {"exception.type": "ValueError", "exception.message": "bad input"})]))
    assert exc["error"] == "ValueError: bad input"
    # an exception event on a span that did not fail (handled and recorded) is not an error
    ok = span_row(_span(status_code="OK", events=[("exception", {"exception.type": "KeyError"})]))
    assert "error" not in ok


def test_parent_syntax() -> None:
    assert parse_parent("project_name:my app") == ("project_name", "my app")
    assert parse_parent("experiment_id: e1 ") == ("experiment_id", "e1")
    for bad in ("project_name:", "playground:x", "nocolon", ""):
        with pytest.raises(ValueError, match="project_name:<value>"):
            parse_parent(bad)


def test_genai_messages_logged_as_span_events() -> None:
    events = [
        ("gen_ai.system.message", {"gen_ai.system": "openai", "content": "Be brief."}),
        ("gen_ai.user.message", {"content": "Where is my refund?"}),
        ("gen_ai.assistant.message", {"tool_calls": json.dumps([{"id": "c1", "type": "function"}])}),
        ("gen_ai.tool.message", {"content": "refund sent", "id": "c1"}),
        ("gen_ai.choice", {"index": 1, "finish_reason": "length", "message": {"content": "second"}}),
        ("gen_ai.choice", {"index": 0, "finish_reason": "stop", "message": json.dumps({"role": "assistant",
                                                                                      "content": "It is on its way."})}),
        ("exception", {"exception.type": "X"}),  # not a message
    ]
    row = span_row(_span(name="chat gpt-4o", attributes={"gen_ai.request.model": "gpt-4o"}, events=events))
    assert row["input"] == [{"role": "system", "content": "Be brief."},
                            {"role": "user", "content": "Where is my refund?"},
                            {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function"}]},
                            {"role": "tool", "content": "refund sent", "id": "c1"}]
    assert row["output"] == [{"role": "assistant", "content": "It is on its way.", "finish_reason": "stop"},
                             {"content": "second", "role": "assistant", "finish_reason": "length"}]
    assert row["span_attributes"]["type"] == "llm" and row["metadata"]["model"] == "gpt-4o"
    # the older content events, and attributes win over events
    old = span_row(_span(events=[("gen_ai.content.prompt", {"gen_ai.prompt": '[{"role": "user", "content": "hi"}]'}),
                                 ("gen_ai.content.completion", {"gen_ai.completion": "hello"})]))
    assert old["input"] == [{"role": "user", "content": "hi"}] and old["output"] == "hello"
    assert old["span_attributes"]["type"] == "llm"
    both = span_row(_span(attributes={"input.value": "from attributes"},
                          events=[("gen_ai.user.message", {"content": "from events"})]))
    assert both["input"] == "from attributes" and "output" not in both
    plain = span_row(_span(events=[("exception", {"exception.type": "X"})]))
    assert "input" not in plain and plain["span_attributes"]["type"] == "function"
