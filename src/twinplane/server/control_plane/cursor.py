"""Opaque pagination cursors: the (created, id) of the last row seen, newest first."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from twinplane.server.common.errors import BadRequest

__all__ = ["encode", "decode", "clamp_limit"]

MAX_LIMIT = 1000


def encode(created: datetime, row_id: str) -> str:
    raw = json.dumps([created.isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created, row_id = json.loads(raw)
        when = datetime.fromisoformat(created)
        if when.tzinfo is None or not isinstance(row_id, str):
            raise ValueError
        return when, row_id
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise BadRequest("invalid cursor: pass back the 'cursor' value of a previous answer unchanged") from None


def clamp_limit(limit: int | None, default: int = 100) -> int:
    if limit is None:
        return default
    if limit < 1 or limit > MAX_LIMIT:
        raise BadRequest(f"limit must be between 1 and {MAX_LIMIT}")
    return limit
