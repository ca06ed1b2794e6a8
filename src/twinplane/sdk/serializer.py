"""Turning logged values into JSON bytes, on the background thread.

The caller's thread only keeps references to what it logs; this module serializes them
later with orjson. Values orjson cannot encode (custom classes, pydantic models, sets,
bytes, huge ints) are converted by :func:`to_jsonable`; nothing here raises to the host.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Any

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_UTC_Z
_MAX_DEPTH = 64


def _default(obj: Any) -> Any:
    dump = getattr(obj, "model_dump", None)  # pydantic v2 (openai/anthropic response objects)
    if callable(dump):
        try:
            return dump(mode="json", exclude_unset=True)
        except Exception:  # noqa: BLE001 - any model may misbehave; fall back to its repr
            return repr(obj)
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    if isinstance(obj, (bytes, bytearray, memoryview)):
        return f"<{len(obj)} bytes>"
    if isinstance(obj, BaseException):
        return f"{type(obj).__name__}: {obj}"
    if isinstance(obj, int):  # beyond 64 bits
        return str(obj)
    to_dict = getattr(obj, "to_dict", None) or getattr(obj, "dict", None)
    if callable(to_dict):
        try:
            return to_dict()
        except Exception:  # noqa: BLE001 - fall back to the repr below
            return repr(obj)
    return repr(obj)


def to_jsonable(value: Any, depth: int = 0) -> Any:
    """A copy of ``value`` made only of JSON types (used when orjson refuses the fast path)."""
    if depth > _MAX_DEPTH:
        return "<too deep>"
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**64 else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): to_jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v, depth + 1) for v in value]
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(dataclasses.asdict(value), depth + 1)
    conv = _default(value)
    if conv is value or isinstance(conv, str):
        return conv if isinstance(conv, str) else repr(value)
    return to_jsonable(conv, depth + 1)


def dumps(value: Any) -> bytes:
    """Serialize; never raises for ordinary Python objects."""
    try:
        return orjson.dumps(value, default=_default, option=_OPTIONS)
    except (TypeError, orjson.JSONEncodeError):
        return orjson.dumps(to_jsonable(value), option=_OPTIONS)


def iso_utc(ts: float) -> str:
    """Epoch seconds as the ISO-8601 UTC string the wire uses (``+00:00``)."""
    return dt.datetime.fromtimestamp(ts, tz=dt.UTC).isoformat()
