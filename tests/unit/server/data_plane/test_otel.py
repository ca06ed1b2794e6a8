"""``POST /otel/v1/traces``: OTLP/HTTP protobuf and JSON, gzip, parents, permissions, all-or-nothing."""

from __future__ import annotations

import gzip
import json
import uuid

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span, Status

from twinplane.server.data_plane.app import create_app
from twinplane.server.settings import DataPlaneSettings

from .rows import fetch_all
from .test_tenancy import _exp, _other_org

PROTO = {"Content-Type": "application/x-protobuf"}
T0 = 1_790_000_000_000_000_000


@pytest.fixture
def data_overrides() -> dict:
    return {"max_body_bytes": 200_000, "max_row_bytes": 20_000, "max_json_depth": 12}


def _kv(key: str, value) -> KeyValue:
    if isinstance(value, bool):
        v = AnyValue(bool_value=value)
    elif isinstance(value, int):
        v = AnyValue(int_value=value)
    elif isinstance(value, float):
        v = AnyValue(double_value=value)
    else:
        v = AnyValue(string_value=value)
    return KeyValue(key=key, value=v)


def _trace(resource: dict | None = None, error_child: bool = False, extra: dict | None = None) -> tuple[bytes, dict]:
    """A root span with an LLM child and a tool grandchild, as protobuf; returns (body, hex ids)."""
    trace, root, llm, tool = uuid.uuid4().bytes, uuid.uuid4().bytes[:8], uuid.uuid4().bytes[:8], uuid.uuid4().bytes[:8]
    spans = [
        Span(trace_id=trace, span_id=root, name="handle_request", kind=Span.SPAN_KIND_SERVER,
             start_time_unix_nano=T0, end_time_unix_nano=T0 + 3_000_000_000,
             attributes=[_kv("user.id", "u1")] + [_kv(k, v) for k, v in (extra or {}).items()]),
        Span(trace_id=trace, span_id=llm, parent_span_id=root, name="chat gpt-4o", kind=Span.SPAN_KIND_CLIENT,
             start_time_unix_nano=T0 + 1_000_000_000, end_time_unix_nano=T0 + 2_000_000_000,
             attributes=[_kv("gen_ai.system", "openai"), _kv("gen_ai.request.model", "gpt-4o"),
                         _kv("gen_ai.usage.input_tokens", 10), _kv("gen_ai.usage.output_tokens", 4),
                         _kv("gen_ai.input.messages", json.dumps([{"role": "user", "content": "hi"}]))]),
        Span(trace_id=trace, span_id=tool, parent_span_id=llm, name="tool",
             start_time_unix_nano=T0 + 1_500_000_000, end_time_unix_nano=T0 + 1_600_000_000,
             status=Status(code=Status.STATUS_CODE_ERROR if error_child else Status.STATUS_CODE_OK, message="boom"),
             events=[Span.Event(name="exception", time_unix_nano=T0 + 1_550_000_000,
                                attributes=[_kv("exception.type", "KeyError"), _kv("exception.message", "x")])]),
    ]
    res = {"service.name": "svc", **(resource or {})}
    req = ExportTraceServiceRequest(resource_spans=[ResourceSpans(
        resource={"attributes": [_kv(k, v) for k, v in res.items()]},
        scope_spans=[ScopeSpans(scope={"name": "test"}, spans=spans)])])
    ids = {"trace": trace.hex(), "root": root.hex(), "llm": llm.hex(), "tool": tool.hex()}
    return req.SerializeToString(), ids


async def _project_id(c, name: str) -> str:
    r = await c.get("/v1/project", params={"project_name": name})
    assert r.status_code == 200, r.text
    found = r.json()["objects"]
    assert len(found) == 1, found
    return found[0]["id"]


async def test_protobuf_export_to_a_project_by_name_creates_it_and_keeps_the_tree(plane) -> None:
    c = plane.client()
    body, ids = _trace(error_child=True)
    r = await c.post("/otel/v1/traces", content=body, headers={**PROTO, "x-bt-parent": "project_name:otel-app"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/x-protobuf"
    assert ExportTraceServiceResponse.FromString(r.content) == ExportTraceServiceResponse()
    pid = await _project_id(c, "otel-app")
    rows = {r["span_attributes"]["name"]: r for r in await fetch_all(c, f"/v1/project_logs/{pid}/fetch")}
    assert set(rows) == {"handle_request", "chat gpt-4o", "tool"}
    root, llm, tool = rows["handle_request"], rows["chat gpt-4o"], rows["tool"]
    assert root["id"] == f"{ids['trace']}-{ids['root']}" and root["span_id"] == ids["root"]
    assert {r["root_span_id"] for r in rows.values()} == {ids["trace"]}
    assert root["span_parents"] is None and llm["span_parents"] == [ids["root"]] and tool["span_parents"] == [ids["llm"]]
    assert root["span_attributes"]["type"] == "task" and llm["span_attributes"]["type"] == "llm"
    assert tool["span_attributes"]["type"] == "function" and tool["error"] == "KeyError: x"
    assert root["metadata"] == {"user.id": "u1", "service.name": "svc"} and root["project_id"] == pid
    assert root["log_id"] == "g"
    assert root["metrics"]["start"] == T0 / 1e9 and root["metrics"]["end"] == T0 / 1e9 + 3
    assert llm["metrics"]["prompt_tokens"] == 10 and llm["metrics"]["tokens"] == 14
    assert llm["metadata"]["model"] == "gpt-4o" and llm["input"] == [{"role": "user", "content": "hi"}]
    # re-sending the same export leaves the same rows
    r = await c.post("/otel/v1/traces", content=body, headers={**PROTO, "x-bt-parent": "project_name:otel-app"})
    assert r.status_code == 200
    again = {r["id"]: r for r in await fetch_all(c, f"/v1/project_logs/{pid}/fetch")}
    assert set(again) == {r["id"] for r in rows.values()}
    assert again[root["id"]]["metadata"] == root["metadata"] and again[llm["id"]]["input"] == llm["input"]
    assert await _project_id(c, "otel-app") == pid  # get, not a second project


def _json_export(trace: str, spans: list[dict], resource: dict | None = None) -> dict:
    return {"resourceSpans": [{
        "resource": {"attributes": [{"key": k, "value": {"stringValue": v}} for k, v in (resource or {}).items()]},
        "scopeSpans": [{"scope": {"name": "js"}, "spans": [{"traceId": trace, **s} for s in spans]}]}]}


async def test_json_export_to_an_experiment_and_gzip(plane) -> None:
    c = plane.client()
    pid, eid = await _exp(c, "json-proj")
    trace = uuid.uuid4().hex
    doc = _json_export(trace, [
        {"spanId": "aaaaaaaaaaaaaaaa", "name": "root", "kind": 1, "startTimeUnixNano": str(T0),
         "endTimeUnixNano": str(T0 + 10**9),
         "attributes": [{"key": "braintrust.input", "value": {"stringValue": "{\"q\": 1}"}},
                        {"key": "braintrust.scores", "value": {"kvlistValue": {"values": [
                            {"key": "acc", "value": {"doubleValue": 0.75}}]}}},
                        {"key": "n", "value": {"intValue": "42"}},
                        {"key": "list", "value": {"arrayValue": {"values": [{"boolValue": True}]}}},
                        {"key": "ratio", "value": {"doubleValue": "Infinity"}},
                        {"key": "raw", "value": {"bytesValue": "AAE="}},
                        {"key": "empty", "value": {}}]},
        {"spanId": "bbbbbbbbbbbbbbbb", "parentSpanId": "aaaaaaaaaaaaaaaa", "name": "child", "kind": "SPAN_KIND_CLIENT",
         "startTimeUnixNano": T0 + 1, "endTimeUnixNano": T0 + 2, "status": {"code": 2, "message": "failed"}},
    ])
    r = await c.post("/otel/v1/traces", content=gzip.compress(json.dumps(doc).encode()),
                     headers={"Content-Type": "application/json; charset=utf-8", "Content-Encoding": "gzip",
                              "x-bt-parent": f"experiment_id:{eid}"})
    assert r.status_code == 200, r.text
    assert r.json() == {} and r.headers["content-type"].startswith("application/json")
    rows = {r["span_id"]: r for r in await fetch_all(c, f"/v1/experiment/{eid}/fetch")}
    root, child = rows["aaaaaaaaaaaaaaaa"], rows["bbbbbbbbbbbbbbbb"]
    assert root["root_span_id"] == child["root_span_id"] == trace and child["span_parents"] == ["aaaaaaaaaaaaaaaa"]
    assert root["input"] == {"q": 1} and root["scores"] == {"acc": 0.75}
    assert root["metadata"] == {"n": 42, "list": [True], "ratio": None, "raw": "AAE=", "empty": None}
    assert root["span_attributes"]["otel_kind"] == "INTERNAL" and child["span_attributes"]["otel_kind"] == "CLIENT"
    assert root["experiment_id"] == eid and root["project_id"] == pid and child["error"] == "failed"
    # gzip protobuf too
    body, _ = _trace()
    r = await c.post("/otel/v1/traces", content=gzip.compress(body),
                     headers={**PROTO, "Content-Encoding": "gzip", "x-bt-parent": f"project_id:{pid}"})
    assert r.status_code == 200, r.text
    assert len(await fetch_all(c, f"/v1/project_logs/{pid}/fetch")) == 3


async def test_zip_bomb_is_413_and_bad_encodings_are_refused(plane) -> None:
    c = plane.client()
    bomb = gzip.compress(b"\x00" * 50_000_000)  # 50 MB of zeros in ~50 KB
    assert len(bomb) < plane.settings.max_body_bytes
    r = await c.post("/otel/v1/traces", content=bomb,
                     headers={**PROTO, "Content-Encoding": "gzip", "x-bt-parent": "project_name:bomb"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
    assert "inflates past" in r.json()["error"]["message"]
    body, _ = _trace()
    r = await c.post("/otel/v1/traces", content=body[:40] + b"junk",
                     headers={**PROTO, "Content-Encoding": "gzip", "x-bt-parent": "project_name:bomb"})
    assert r.status_code == 400 and "gzip" in r.json()["error"]["message"]
    r = await c.post("/otel/v1/traces", content=gzip.compress(body)[:-12],
                     headers={**PROTO, "Content-Encoding": "gzip", "x-bt-parent": "project_name:bomb"})
    assert r.status_code == 400 and "truncated" in r.json()["error"]["message"]
    r = await c.post("/otel/v1/traces", content=body, headers={**PROTO, "Content-Encoding": "br",
                                                                 "x-bt-parent": "project_name:bomb"})
    assert r.status_code == 415
    r = await c.post("/otel/v1/traces", content=body, headers={"Content-Type": "text/plain",
                                                                 "x-bt-parent": "project_name:bomb"})
    assert r.status_code == 415 and r.json()["error"]["code"] == "unsupported_media_type"
    r = await c.post("/otel/v1/traces", content=b"\xff\xff\xff", headers={**PROTO, "x-bt-parent": "project_name:bomb"})
    assert r.status_code == 400 and "protobuf" in r.json()["error"]["message"]
    assert (await c.get("/v1/project", params={"project_name": "bomb"})).json()["objects"] == []


async def test_parent_from_attributes_or_400(plane) -> None:
    c = plane.client()
    body, _ = _trace()
    r = await c.post("/otel/v1/traces", content=body, headers=PROTO)
    assert r.status_code == 400
    msg = r.json()["error"]["message"]
    assert msg.startswith("span 0:") and "x-bt-parent" in msg and "braintrust.parent" in msg
    r = await c.post("/otel/v1/traces", content=body, headers={**PROTO, "x-bt-parent": "dataset_id:x"})
    assert r.status_code == 400 and "x-bt-parent" in r.json()["error"]["message"]
    # a resource attribute names the parent; a span attribute would override it
    body, ids = _trace(resource={"braintrust.parent": "project_name:from-resource"})
    r = await c.post("/otel/v1/traces", content=body, headers=PROTO)
    assert r.status_code == 200, r.text
    pid = await _project_id(c, "from-resource")
    rows = await fetch_all(c, f"/v1/project_logs/{pid}/fetch")
    assert len(rows) == 3 and all("braintrust.parent" not in r["metadata"] for r in rows)
    # empty export: valid OTLP, nothing to write
    r = await c.post("/otel/v1/traces", content=b"", headers={**PROTO, "x-bt-parent": "project_name:none"})
    assert r.status_code == 200


async def test_bad_span_refuses_the_whole_request(plane) -> None:
    c = plane.client()
    pid, eid = await _exp(c, "strict")
    parent = {"x-bt-parent": f"experiment_id:{eid}"}
    body, _ = _trace(extra={"braintrust.scores": "{\"acc\": \"high\"}"})
    r = await c.post("/otel/v1/traces", content=body, headers={**PROTO, **parent})
    assert r.status_code == 400 and r.json()["error"]["message"].startswith("span 0: attribute 'braintrust.scores'")
    ok = {"spanId": "aaaaaaaaaaaaaaaa", "name": "ok", "startTimeUnixNano": T0, "endTimeUnixNano": T0}
    for bad, problem in (({"spanId": "abc"}, "span 1: 'spanId' must be a hex string"),
                         ({"spanId": "00" * 4}, "span 1: 'spanId' must be 8 bytes"),
                         ({"spanId": "cc" * 8, "endTimeUnixNano": 1}, "span 1: ends before it starts"),
                         ({"spanId": "cc" * 8, "attributes": [{"key": "big", "value": {"stringValue": "x" * 30_000}}]},
                          "span 1: ")):
        doc = _json_export(uuid.uuid4().hex, [ok, {**ok, **bad}])
        r = await c.post("/otel/v1/traces", json=doc, headers=parent)
        assert 400 <= r.status_code <= 413 and r.json()["error"]["message"].startswith(problem), (bad, r.text)
    for value, problem in (({"intValue": str(2**63)}, "span 1: attribute 'n' is out of range"),
                           ({"intValue": 1.5}, "span 1: attribute 'n' must be an integer"),
                           ({"stringValue": 3}, "span 1: attribute 'n': 'stringValue' is not an OTLP value"),
                           ({"bytesValue": "!!"}, "span 1: attribute 'n': 'bytesValue' must be base64"),
                           ({"stringValue": "a", "intValue": 1}, "span 1: attribute 'n': a value must be")):
        doc = _json_export(uuid.uuid4().hex, [ok, {**ok, "spanId": "dd" * 8,
                                                   "attributes": [{"key": "n", "value": value}]}])
        r = await c.post("/otel/v1/traces", json=doc, headers=parent)
        assert r.status_code == 400 and r.json()["error"]["message"].startswith(problem), (value, r.text)
    r = await c.post("/otel/v1/traces", json={"resourceSpans": {"not": "a list"}}, headers=parent)
    assert r.status_code == 400 and "'resourceSpans' must be a list" in r.json()["error"]["message"]
    r = await c.post("/otel/v1/traces", json={"resourceSpans": [{"scopeSpans": [{"spans": [
        {"traceId": "11" * 16, "spanId": "22" * 8, "startTimeUnixNano": "soon"}]}]}]}, headers=parent)
    assert r.status_code == 400 and "startTimeUnixNano" in r.json()["error"]["message"]
    assert "soon" not in r.json()["error"]["message"]  # no row content in error messages
    assert await fetch_all(c, f"/v1/experiment/{eid}/fetch") == []


async def test_a_refused_export_creates_no_project(plane) -> None:
    c = plane.client()
    big = {"spanId": "cc" * 8, "name": "big", "startTimeUnixNano": T0, "endTimeUnixNano": T0,
           "attributes": [{"key": "big", "value": {"stringValue": "x" * 30_000}}]}
    deep: dict = {"stringValue": "end"}
    for _ in range(20):
        deep = {"kvlistValue": {"values": [{"key": "k", "value": deep}]}}
    nested = {**big, "spanId": "dd" * 8, "attributes": [{"key": "deep", "value": deep}]}
    for span in (big, nested):
        r = await c.post("/otel/v1/traces", json=_json_export(uuid.uuid4().hex, [span]),
                         headers={"x-bt-parent": "project_name:never-made"})
        assert r.status_code in (400, 413) and r.json()["error"]["message"].startswith("span 0: "), r.text
    r = await c.get("/v1/project", params={"project_name": "never-made"})
    assert r.status_code == 200 and r.json()["objects"] == []


async def test_permissions(plane) -> None:
    owner = plane.client()
    p1, e1 = await _exp(owner, "one")
    p2, e2 = await _exp(owner, "two")
    body, _ = _trace()
    reader = plane.client(plane.new_key(read_only=True))
    r = await reader.post("/otel/v1/traces", content=body, headers={**PROTO, "x-bt-parent": f"project_id:{p1}"})
    assert r.status_code == 403
    r = await reader.post("/otel/v1/traces", content=body, headers={**PROTO, "x-bt-parent": "project_name:ro-new"})
    assert r.status_code == 403 and (await owner.get("/v1/project", params={"project_name": "ro-new"})).json() == {
        "objects": []}
    scoped = plane.client(plane.new_key(project_id=p1))
    r = await scoped.post("/otel/v1/traces", content=body, headers={**PROTO, "x-bt-parent": f"experiment_id:{e2}"})
    assert r.status_code == 404
    r = await scoped.post("/otel/v1/traces", content=body, headers={**PROTO, "x-bt-parent": "project_name:scoped-new"})
    assert r.status_code == 403
    r = await scoped.post("/otel/v1/traces", content=body, headers={**PROTO, "x-bt-parent": f"experiment_id:{e1}"})
    assert r.status_code == 200, r.text
    assert len(await fetch_all(owner, f"/v1/experiment/{e1}/fetch")) == 3
    assert await fetch_all(owner, f"/v1/experiment/{e2}/fetch") == []
    assert await fetch_all(owner, f"/v1/project_logs/{p1}/fetch") == []
    r = await plane.anonymous().post("/otel/v1/traces", content=body, headers={**PROTO, "x-bt-parent": "project_name:x"})
    assert r.status_code == 401


async def test_another_orgs_experiment_is_not_found(plane) -> None:
    org, dp, token_b, key_b, _ = _other_org(plane)
    settings_b = DataPlaneSettings(**{**plane.settings.model_dump(), "data_plane_id": dp["id"],
                                      "service_token": token_b, "public_url": "http://dp-b.test"})
    app_b = create_app(settings_b, store=plane.store, control_transport=httpx.ASGITransport(app=plane.control_app))
    async with app_b.router.lifespan_context(app_b):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app_b), base_url="http://dp-b.test",
                                     headers={"Authorization": f"Bearer {key_b}"}) as cb:
            pid_b, eid_b = await _exp(cb, "theirs")
            body, _ = _trace()
            r = await plane.client().post("/otel/v1/traces", content=body,
                                          headers={**PROTO, "x-bt-parent": f"experiment_id:{eid_b}"})
            assert r.status_code == 404 and r.json()["error"]["message"] == "experiment not found"
            r = await plane.client().post("/otel/v1/traces", content=body,
                                          headers={**PROTO, "x-bt-parent": f"project_id:{pid_b}"})
            assert r.status_code == 404
            assert await fetch_all(cb, f"/v1/experiment/{eid_b}/fetch") == []


def test_inflate_stops_a_zip_bomb_without_holding_it() -> None:
    """200 MB of zeros in ~200 KB: refused after limit + 1 bytes of output, never inflated whole."""
    import tracemalloc
    import zlib

    from twinplane.server.common.errors import BadRequest, PayloadTooLarge
    from twinplane.server.data_plane.routes.payload import inflate_gzip

    z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b"\x00" * 1_000_000
    bomb = b"".join(z.compress(chunk) for _ in range(200)) + z.flush()
    assert len(bomb) < 1_000_000
    tracemalloc.start()
    try:
        with pytest.raises(PayloadTooLarge):
            inflate_gzip(bomb, 1_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8_000_000, peak
    # the limit is inclusive; several gzip members are one body
    assert inflate_gzip(gzip.compress(b"a" * 10) + gzip.compress(b"b" * 5), 15) == b"a" * 10 + b"b" * 5
    with pytest.raises(PayloadTooLarge):
        inflate_gzip(gzip.compress(b"a" * 10) + gzip.compress(b"b" * 6), 15)
    with pytest.raises(BadRequest, match="not valid gzip"):
        inflate_gzip(b"plain text", 100)


def test_json_and_protobuf_readers_agree() -> None:
    """The same export in both encodings decodes to the same spans (OTLP/JSON: hex ids, int64 as strings)."""
    import base64

    from google.protobuf import json_format

    from twinplane.server.data_plane.services.otlp import decode_json, decode_protobuf

    body, _ = _trace(resource={"deployment": "prod"}, error_child=True, extra={"ratio": 0.5, "ok": True})
    req = ExportTraceServiceRequest.FromString(body)
    req.resource_spans[0].scope_spans[0].spans[0].attributes.append(KeyValue(key="nested", value=AnyValue(
        kvlist_value={"values": [KeyValue(key="xs", value=AnyValue(array_value={"values": [AnyValue(int_value=-1)]}))]})))
    doc = json_format.MessageToDict(req)  # canonical protobuf JSON: base64 ids, enums as names
    for s in doc["resourceSpans"][0]["scopeSpans"][0]["spans"]:
        for key in ("traceId", "spanId", "parentSpanId"):
            if key in s:
                s[key] = base64.b64decode(s[key]).hex()
    spans = decode_protobuf(req.SerializeToString())
    assert decode_json(doc) == spans and len(spans) == 3
    assert spans[0].attributes["nested"] == {"xs": [-1]} and spans[2].status_code == "ERROR"
    assert spans[0].kind == "SERVER" and spans[0].resource_attributes == {"service.name": "svc", "deployment": "prod"}
