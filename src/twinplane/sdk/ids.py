"""Ids of rows, spans and traces, made without a syscall on the caller's thread.

Span ids are 16 hex chars and trace (root span) ids 32 hex chars, like the Braintrust SDK
and OpenTelemetry; row ids are UUID-4 strings. ``random`` reseeds itself after ``fork``.
"""

from __future__ import annotations

import random

_getrandbits = random.getrandbits


def span_id() -> str:
    return "%016x" % _getrandbits(64)


def trace_id() -> str:
    return "%032x" % _getrandbits(128)


def row_id() -> str:
    h = "%032x" % _getrandbits(128)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"
