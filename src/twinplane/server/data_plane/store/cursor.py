"""Opaque page cursors: URL-safe base64 of a small JSON document.

A cursor names the last row of a page by its sort values and row id, plus a tag of the
query shape it belongs to, so a cursor replayed against another sort is refused rather
than silently skipping rows. It carries no secret and grants nothing: every read is still
scoped by org and object.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

from twinplane.server.common.errors import BadRequest

_MAX_CURSOR_CHARS = 4096


def encode_cursor(shape: str, values: list[Any]) -> str:
    raw = orjson.dumps({"q": shape, "v": values})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, shape: str, arity: int) -> list[Any]:
    """The values of ``cursor``; BadRequest if it is malformed or made for another query shape."""
    if not isinstance(cursor, str) or len(cursor) > _MAX_CURSOR_CHARS:
        raise BadRequest("invalid cursor")
    try:
        doc = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, orjson.JSONDecodeError) as err:
        raise BadRequest("invalid cursor") from err
    if not isinstance(doc, dict) or doc.get("q") != shape:
        raise BadRequest("cursor does not belong to this query")
    values = doc.get("v")
    if not isinstance(values, list) or len(values) != arity:
        raise BadRequest("invalid cursor")
    for v in values:
        if not isinstance(v, (str, int, float)) or isinstance(v, bool):
            raise BadRequest("invalid cursor")
    return values
