"""The real OpenTelemetry SDK and its OTLP/HTTP exporter, pointed at a data plane running as a process.

Nothing Twinplane-specific on the client side: a ``TracerProvider``, a ``BatchSpanProcessor`` and
``OTLPSpanExporter(endpoint=<data plane>/otel/v1/traces, headers={Authorization, x-bt-parent})``,
as docs/otel.md tells users. The spans are then read back through the data plane's API.
"""

from __future__ import annotations

import json

import pytest
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Status, StatusCode

from support.planes import SplitPlanes

pytestmark = pytest.mark.slow


def _provider(planes: SplitPlanes, parent: str, compression: Compression) -> TracerProvider:
    exporter = OTLPSpanExporter(endpoint=f"{planes.data_url}/otel/v1/traces", compression=compression,
                                headers={"Authorization": f"Bearer {planes.api_key}", "x-bt-parent": parent})
    provider = TracerProvider(resource=Resource.create({"service.name": "otel-demo-svc"}))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def _run_app(provider: TracerProvider, question: str) -> dict[str, str]:
    """What an instrumented app does: a request span, an LLM call in it, a failing tool call in that."""
    tracer = provider.get_tracer("demo-app")
    with tracer.start_as_current_span("answer_question") as root:
        root.set_attribute("question.length", len(question))
        with tracer.start_as_current_span("chat gpt-4o-mini") as llm:
            llm.set_attribute("gen_ai.system", "openai")
            llm.set_attribute("gen_ai.request.model", "gpt-4o-mini")
            llm.set_attribute("gen_ai.usage.input_tokens", 21)
            llm.set_attribute("gen_ai.usage.output_tokens", 8)
            llm.set_attribute("gen_ai.input.messages", json.dumps([{"role": "user", "content": question}]))
            llm.set_attribute("gen_ai.output.messages", json.dumps([{"role": "assistant", "content": "4"}]))
            with tracer.start_as_current_span("calculator") as tool:
                try:
                    raise ZeroDivisionError("division by zero")
                except ZeroDivisionError as err:
                    tool.record_exception(err)
                    tool.set_status(Status(StatusCode.ERROR, str(err)))
    return {"trace": format(root.get_span_context().trace_id, "032x"),
            "root": format(root.get_span_context().span_id, "016x"),
            "llm": format(llm.get_span_context().span_id, "016x")}


def _check_trace(rows: list[dict], ids: dict[str, str]) -> None:
    mine = {r["span_attributes"]["name"]: r for r in rows if r["root_span_id"] == ids["trace"]}
    assert set(mine) == {"answer_question", "chat gpt-4o-mini", "calculator"}
    root, llm, tool = mine["answer_question"], mine["chat gpt-4o-mini"], mine["calculator"]
    assert root["span_id"] == ids["root"] and root["span_parents"] is None
    assert llm["span_parents"] == [ids["root"]] and tool["span_parents"] == [ids["llm"]]
    assert root["span_attributes"]["type"] == "task" and llm["span_attributes"]["type"] == "llm"
    assert tool["span_attributes"]["type"] == "function"
    assert llm["metrics"]["prompt_tokens"] == 21 and llm["metrics"]["completion_tokens"] == 8
    assert llm["metrics"]["tokens"] == 29 and llm["metadata"]["model"] == "gpt-4o-mini"
    assert llm["output"] == [{"role": "assistant", "content": "4"}]
    assert tool["error"] == "ZeroDivisionError: division by zero"
    assert root["metadata"]["service.name"] == "otel-demo-svc" and root["metadata"]["question.length"] == 7
    assert root["metrics"]["start"] <= llm["metrics"]["start"] <= tool["metrics"]["end"] <= root["metrics"]["end"]


def test_otlp_exporter_sends_traces_to_project_logs_and_experiments(split_planes: SplitPlanes) -> None:
    provider = _provider(split_planes, "project_name:otel-demo", Compression.NoCompression)
    ids = _run_app(provider, "2 + 2 ?")
    assert provider.force_flush(30_000)
    provider.shutdown()
    with split_planes.client() as c:
        found = c.get("/v1/project", params={"project_name": "otel-demo"}).json()["objects"]
    assert len(found) == 1, found
    pid = found[0]["id"]
    rows = split_planes.fetch_all(f"/v1/project_logs/{pid}/fetch")
    assert len(rows) == 3
    _check_trace(rows, ids)

    # gzip, into an experiment of the same project
    with split_planes.client() as c:
        r = c.post("/v1/experiment", json={"project_id": pid, "name": "otel-run"})
        assert r.status_code == 200, r.text
        eid = r.json()["id"]
    provider = _provider(split_planes, f"experiment_id:{eid}", Compression.Gzip)
    ids2 = _run_app(provider, "3 + 4 ?")
    assert provider.force_flush(30_000)
    provider.shutdown()
    rows = split_planes.fetch_all(f"/v1/experiment/{eid}/fetch")
    assert len(rows) == 3 and all(r["experiment_id"] == eid for r in rows)
    _check_trace(rows, ids2)
    assert len(split_planes.fetch_all(f"/v1/project_logs/{pid}/fetch")) == 3  # the logs are untouched
