"""Ids of rows, spans and traces, made without a syscall on the caller's thread.

Span ids are 16 hex chars and trace (root span) ids 32 hex chars, like the Braintrust SDK
and OpenTelemetry; row ids are UUID-4 strings. ``random`` reseeds itself after ``fork``.
"""

from __future__ import annotations

import random

_getrandbits = random.getrandbits


def span_id() -> str:
    return f"{_getrandbits(64):016x}"


def trace_id() -> str:
    return f"{_getrandbits(128):032x}"


def row_id() -> str:
    h = f"{_getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"
