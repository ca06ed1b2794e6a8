"""OTLP trace export requests, protobuf or OTLP/JSON, decoded into ``OtelSpan`` values.

Two readers, one result: ``decode_protobuf`` walks the ``ExportTraceServiceRequest`` message,
``decode_json`` walks the OTLP/JSON document directly (hex ids, 64-bit integers as numbers or
decimal strings, enums as integers or names). The JSON one does not go through protobuf's
``json_format``: it was ten times slower than the rest of the request, and OTLP/JSON ids are hex,
not the base64 that ``json_format`` expects.

Anything malformed inside a span is refused with that span's index in the request (spans counted
across all resources and scopes, in order), so the caller can find it; nothing of the request is kept.
Messages name fields, never their values (error bodies carry no row content).
"""

from __future__ import annotations

import base64
import binascii
import math
from typing import Any

from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

from twinplane.server.common.errors import BadRequest
from twinplane.wire.otel_map import OtelSpan

__all__ = ["EMPTY_RESPONSE", "decode_json", "decode_protobuf"]

EMPTY_RESPONSE = ExportTraceServiceResponse().SerializeToString()
# AnyValue nests (arrays, key-value lists); deeper than this is refused rather than recursed into
MAX_VALUE_DEPTH = 32
_KINDS: dict[int, str] = {Span.SPAN_KIND_INTERNAL: "INTERNAL", Span.SPAN_KIND_SERVER: "SERVER", Span.SPAN_KIND_CLIENT: "CLIENT",
          Span.SPAN_KIND_PRODUCER: "PRODUCER", Span.SPAN_KIND_CONSUMER: "CONSUMER"}
_STATUS: dict[int, str] = {Status.STATUS_CODE_OK: "OK", Status.STATUS_CODE_ERROR: "ERROR"}
_KIND_NAMES = {f"SPAN_KIND_{k}": n for n, k in _KINDS.items()} | {"SPAN_KIND_UNSPECIFIED": 0}
_STATUS_NAMES = {"STATUS_CODE_UNSET": 0, "STATUS_CODE_OK": 1, "STATUS_CODE_ERROR": 2}
_U64 = 2**64
_I64 = 2**63
_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


class _Bad(Exception):
    """A problem inside one span, raised without the index and turned into ``BadRequest`` with it."""


# protobuf ---------------------------------------------------------------------------------------
def decode_protobuf(raw: bytes) -> list[OtelSpan]:
    req = ExportTraceServiceRequest()
    try:
        req.ParseFromString(raw)
    except (DecodeError, RecursionError, ValueError):
        raise BadRequest("request body is not a valid OTLP ExportTraceServiceRequest (protobuf)") from None
    out: list[OtelSpan] = []
    for rs in req.resource_spans:
        try:
            resource = {kv.key: _pb_value(kv.value, 0) for kv in rs.resource.attributes}
        except _Bad as err:
            raise BadRequest(f"span {len(out)}: resource: {err}") from None
        for ss in rs.scope_spans:
            for s in ss.spans:
                try:
                    out.append(_pb_span(s, resource))
                except _Bad as err:
                    raise BadRequest(f"span {len(out)}: {err}") from None
    return out


def _pb_span(s: Span, resource: dict[str, Any]) -> OtelSpan:
    return _build(
        s.trace_id, s.span_id, s.parent_span_id, s.name, s.start_time_unix_nano, s.end_time_unix_nano,
        attributes={kv.key: _pb_value(kv.value, 0) for kv in s.attributes}, resource=resource,
        kind=_KINDS.get(s.kind, ""), status_code=_STATUS.get(s.status.code, "UNSET"), status_message=s.status.message,
        events=[(e.name, {kv.key: _pb_value(kv.value, 0) for kv in e.attributes}) for e in s.events])


def _pb_value(v: AnyValue, depth: int) -> Any:
    if depth > MAX_VALUE_DEPTH:
        raise _Bad(f"an attribute value nests deeper than {MAX_VALUE_DEPTH} levels")
    which = v.WhichOneof("value")
    if which is None:
        return None
    if which == "array_value":
        return [_pb_value(x, depth + 1) for x in v.array_value.values]
    if which == "kvlist_value":
        return {kv.key: _pb_value(kv.value, depth + 1) for kv in v.kvlist_value.values}
    if which == "bytes_value":
        return base64.b64encode(v.bytes_value).decode()
    return getattr(v, which)


# OTLP/JSON --------------------------------------------------------------------------------------
def decode_json(doc: Any) -> list[OtelSpan]:
    """An OTLP/JSON document, already parsed."""
    if not isinstance(doc, dict):
        raise BadRequest("request body must be an OTLP/JSON object")
    out: list[OtelSpan] = []
    for rs in _list(doc, "resourceSpans", "request body"):
        if not isinstance(rs, dict):
            raise BadRequest("'resourceSpans' must hold objects")
        try:
            resource_doc = rs.get("resource") or {}
            if not isinstance(resource_doc, dict):
                raise _Bad("'resource' must be an object")
            resource = _js_attributes(resource_doc)
        except _Bad as err:
            raise BadRequest(f"span {len(out)}: resource: {err}") from None
        for ss in _list(rs, "scopeSpans", "'resourceSpans'"):
            if not isinstance(ss, dict):
                raise BadRequest("'scopeSpans' must hold objects")
            for s in _list(ss, "spans", "'scopeSpans'"):
                try:
                    out.append(_js_span(s, resource))
                except _Bad as err:
                    raise BadRequest(f"span {len(out)}: {err}") from None
    return out


def _list(d: dict[str, Any], key: str, where: str) -> list[Any]:
    value = d.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadRequest(f"{where}: '{key}' must be a list")
    return value


def _js_span(s: Any, resource: dict[str, Any]) -> OtelSpan:
    if not isinstance(s, dict):
        raise _Bad("must be an object")
    status = s.get("status") or {}
    if not isinstance(status, dict):
        raise _Bad("'status' must be an object")
    events = []
    for e in s.get("events") or []:
        if not isinstance(e, dict):
            raise _Bad("'events' must hold objects")
        events.append((_js_str(e, "name"), _js_attributes(e)))
    kind = _js_enum(s, "kind", _KIND_NAMES)
    return _build(
        _js_id(s, "traceId"), _js_id(s, "spanId"), _js_id(s, "parentSpanId"), _js_str(s, "name"),
        _js_u64(s, "startTimeUnixNano"), _js_u64(s, "endTimeUnixNano"),
        attributes=_js_attributes(s), resource=resource, kind=_KINDS.get(kind, ""),
        status_code=_STATUS.get(_js_enum(status, "code", _STATUS_NAMES), "UNSET"),
        status_message=_js_str(status, "message"), events=events)


def _js_id(d: dict[str, Any], key: str) -> bytes:
    value = d.get(key)
    if value is None or value == "":
        return b""
    if not isinstance(value, str):
        raise _Bad(f"'{key}' must be a hex string")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise _Bad(f"'{key}' must be a hex string") from None


def _js_str(d: dict[str, Any], key: str) -> str:
    value = d.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Bad(f"'{key}' must be a string")
    return value


def _js_int(value: Any, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise _Bad(f"{what} must be an integer")
    try:
        n = int(value)  # a decimal string as OTLP/JSON sends 64-bit integers; int() caps its length
    except ValueError:
        raise _Bad(f"{what} must be an integer") from None
    if not low <= n < high:
        raise _Bad(f"{what} is out of range")
    return n


def _js_u64(d: dict[str, Any], key: str) -> int:
    value = d.get(key)
    return 0 if value is None else _js_int(value, f"'{key}'", 0, _U64)


def _js_enum(d: dict[str, Any], key: str, names: dict[str, int]) -> int:
    value = d.get(key)
    if value is None:
        return 0
    if isinstance(value, str) and value in names:
        return names[value]
    return _js_int(value, f"'{key}'", 0, 2**31)


def _js_attributes(d: dict[str, Any]) -> dict[str, Any]:
    return _js_kvlist(d.get("attributes"), "attributes", 0)


def _js_kvlist(kvs: Any, key: str, depth: int) -> dict[str, Any]:
    if kvs is None:
        return {}
    if not isinstance(kvs, list):
        raise _Bad(f"'{key}' must be a list")
    out: dict[str, Any] = {}
    for kv in kvs:
        if not isinstance(kv, dict) or not isinstance(kv.get("key"), str):
            raise _Bad(f"'{key}' must hold {{key, value}} objects")
        out[kv["key"]] = _js_value(kv.get("value"), kv["key"], depth)
    return out


def _js_value(v: Any, key: str, depth: int) -> Any:
    if depth > MAX_VALUE_DEPTH:
        raise _Bad(f"an attribute value nests deeper than {MAX_VALUE_DEPTH} levels")
    if v is None or v == {}:
        return None
    if not isinstance(v, dict) or len(v) != 1:
        raise _Bad(f"attribute '{key[:100]}': a value must be an object with one field")
    ((which, x),) = v.items()
    if which == "stringValue" and isinstance(x, str):
        return x
    if which == "boolValue" and isinstance(x, bool):
        return x
    if which == "intValue":
        return _js_int(x, f"attribute '{key[:100]}'", -_I64, _I64)
    if which == "doubleValue":
        if isinstance(x, (int, float)) and not isinstance(x, bool):
            return float(x)
        if isinstance(x, str) and x in _FLOATS:
            return _FLOATS[x]
    if which == "arrayValue" and isinstance(x, dict):
        values = x.get("values") or []
        if isinstance(values, list):
            return [_js_value(item, key, depth + 1) for item in values]
    if which == "kvlistValue" and isinstance(x, dict):
        return _js_kvlist(x.get("values"), key, depth + 1)
    if which == "bytesValue" and isinstance(x, str):
        try:
            base64.b64decode(x, validate=True)
        except (binascii.Error, ValueError):
            raise _Bad(f"attribute '{key[:100]}': 'bytesValue' must be base64") from None
        return x
    raise _Bad(f"attribute '{key[:100]}': '{which[:40]}' is not an OTLP value of that type")


# both ---------------------------------------------------------------------------------------------
def _build(trace_id: bytes, span_id: bytes, parent: bytes, name: str, start: int, end: int, *,
           attributes: dict[str, Any], resource: dict[str, Any], kind: str, status_code: str, status_message: str,
           events: list[tuple[str, dict[str, Any]]]) -> OtelSpan:
    if len(trace_id) != 16 or not any(trace_id):
        raise _Bad("'traceId' must be 16 bytes, not all zero")
    if len(span_id) != 8 or not any(span_id):
        raise _Bad("'spanId' must be 8 bytes, not all zero")
    if parent and len(parent) != 8:
        raise _Bad("'parentSpanId' must be 8 bytes or empty")
    if end and end < start:
        raise _Bad("ends before it starts")
    return OtelSpan(trace_id=trace_id.hex(), span_id=span_id.hex(), parent_span_id=parent.hex() if any(parent) else None,
                    name=name, start_ns=start, end_ns=end, attributes=attributes, resource_attributes=resource,
                    kind=kind, status_code=status_code, status_message=status_message, events=events)
