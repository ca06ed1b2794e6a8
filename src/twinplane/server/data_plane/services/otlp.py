"""OTLP trace export requests (protobuf or OTLP/JSON) decoded into ``OtelSpan`` values.

Both encodings go through the one protobuf message, ``ExportTraceServiceRequest``. OTLP/JSON
differs from protobuf's canonical JSON in one way that matters here: trace and span ids are hex
strings, not base64. They are rewritten to base64 before ``json_format`` parses the document.

A span whose ids are malformed is refused with its index in the request (spans counted across
all resources and scopes, in order), so the caller can find it; nothing of the request is kept.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

from twinplane.server.common.errors import BadRequest
from twinplane.wire.otel_map import OtelSpan

__all__ = ["EMPTY_RESPONSE", "decode_json", "decode_protobuf", "spans_of"]

EMPTY_RESPONSE = ExportTraceServiceResponse().SerializeToString()
# AnyValue nests (arrays, key-value lists); deeper than this is refused rather than recursed into
MAX_VALUE_DEPTH = 32
_KINDS = {Span.SPAN_KIND_INTERNAL: "INTERNAL", Span.SPAN_KIND_SERVER: "SERVER", Span.SPAN_KIND_CLIENT: "CLIENT",
          Span.SPAN_KIND_PRODUCER: "PRODUCER", Span.SPAN_KIND_CONSUMER: "CONSUMER"}
_STATUS = {Status.STATUS_CODE_OK: "OK", Status.STATUS_CODE_ERROR: "ERROR"}
_PARSE_FIELD = re.compile(r"Failed to parse (\w+) field")
_ID_FIELDS = ("traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id")


def decode_protobuf(raw: bytes) -> ExportTraceServiceRequest:
    req = ExportTraceServiceRequest()
    try:
        req.ParseFromString(raw)
    except (DecodeError, RecursionError, ValueError):
        raise BadRequest("request body is not a valid OTLP ExportTraceServiceRequest (protobuf)") from None
    return req


def decode_json(doc: Any) -> ExportTraceServiceRequest:
    """An OTLP/JSON document (already parsed) as the protobuf message."""
    if not isinstance(doc, dict):
        raise BadRequest("request body must be an OTLP/JSON object")
    index = 0
    for rs in _list(doc, "resourceSpans", "resource_spans"):
        for ss in _list(rs, "scopeSpans", "scope_spans"):
            for span in _list(ss, "spans"):
                if isinstance(span, dict):
                    _hex_ids_to_base64(span, index)
                    for link in _list(span, "links"):
                        if isinstance(link, dict):
                            _hex_ids_to_base64(link, index)
                index += 1
    req = ExportTraceServiceRequest()
    try:
        json_format.ParseDict(doc, req, ignore_unknown_fields=True, max_recursion_depth=64)
    except (json_format.ParseError, RecursionError, ValueError, TypeError) as err:
        raise BadRequest(f"request body is not a valid OTLP/JSON trace export{_field_of(err)}") from None
    return req


def spans_of(req: ExportTraceServiceRequest) -> list[OtelSpan]:
    """Every span of the request, in order, with its resource's attributes."""
    out: list[OtelSpan] = []
    for rs in req.resource_spans:
        resource = _attributes(rs.resource.attributes, len(out))
        for ss in rs.scope_spans:
            for span in ss.spans:
                out.append(_span(span, resource, len(out)))
    return out


def _span(s: Span, resource: dict[str, Any], index: int) -> OtelSpan:
    if len(s.trace_id) != 16 or not any(s.trace_id):
        raise BadRequest(f"span {index}: 'traceId' must be 16 bytes, not all zero")
    if len(s.span_id) != 8 or not any(s.span_id):
        raise BadRequest(f"span {index}: 'spanId' must be 8 bytes, not all zero")
    if s.parent_span_id and len(s.parent_span_id) != 8:
        raise BadRequest(f"span {index}: 'parentSpanId' must be 8 bytes or empty")
    parent = s.parent_span_id.hex() if s.parent_span_id and any(s.parent_span_id) else None
    if s.end_time_unix_nano and s.end_time_unix_nano < s.start_time_unix_nano:
        raise BadRequest(f"span {index}: ends before it starts")
    return OtelSpan(
        trace_id=s.trace_id.hex(), span_id=s.span_id.hex(), parent_span_id=parent, name=s.name,
        start_ns=s.start_time_unix_nano, end_ns=s.end_time_unix_nano,
        attributes=_attributes(s.attributes, index), resource_attributes=resource,
        kind=_KINDS.get(s.kind, ""), status_code=_STATUS.get(s.status.code, "UNSET"),
        status_message=s.status.message,
        events=[(e.name, _attributes(e.attributes, index)) for e in s.events],
    )


def _attributes(kvs: Any, index: int) -> dict[str, Any]:
    return {kv.key: _value(kv.value, index, 0) for kv in kvs}


def _value(v: AnyValue, index: int, depth: int) -> Any:
    if depth > MAX_VALUE_DEPTH:
        raise BadRequest(f"span {index}: an attribute value nests deeper than {MAX_VALUE_DEPTH} levels")
    which = v.WhichOneof("value")
    if which is None:
        return None
    if which == "array_value":
        return [_value(x, index, depth + 1) for x in v.array_value.values]
    if which == "kvlist_value":
        return {kv.key: _value(kv.value, index, depth + 1) for kv in v.kvlist_value.values}
    if which == "bytes_value":
        return base64.b64encode(v.bytes_value).decode()
    return getattr(v, which)


def _list(d: Any, *keys: str) -> list[Any]:
    if not isinstance(d, dict):
        return []
    for k in keys:
        if isinstance(d.get(k), list):
            return d[k]  # type: ignore[no-any-return]
    return []


def _hex_ids_to_base64(obj: dict[str, Any], index: int) -> None:
    for key in _ID_FIELDS:
        value = obj.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise BadRequest(f"span {index}: '{key}' must be a hex string")
        try:
            obj[key] = base64.b64encode(binascii.unhexlify(value)).decode()
        except (binascii.Error, ValueError):
            raise BadRequest(f"span {index}: '{key}' must be a hex string") from None


def _field_of(err: Exception) -> str:
    """The field json_format could not parse, never its value (error messages carry no row content)."""
    found = _PARSE_FIELD.findall(str(err))  # nested: the last one is the innermost field
    return f" (field '{found[-1]}')" if found else ""
