"""Transaction ids: monotonically increasing integers sent as fixed-width decimal strings.

The Braintrust SDK compares ``_xact_id`` values as strings (``max(str(...))``), so they
must sort correctly as strings: 19 digits, zero-padded, like Braintrust's own.
"""

from __future__ import annotations

XACT_WIDTH = 19


def format_xact(n: int) -> str:
    if n < 0 or n >= 10**XACT_WIDTH:
        raise ValueError("transaction id out of range")
    return f"{n:0{XACT_WIDTH}d}"


def parse_xact(s: str | int) -> int:
    """Parse a version as sent by a client; raises ValueError on anything but a non-negative integer."""
    if isinstance(s, bool):
        raise ValueError("version must be a transaction id")
    if isinstance(s, int):
        n = s
    else:
        s = s.strip()
        if not s.isdigit() or len(s) > XACT_WIDTH:
            raise ValueError("version must be a transaction id (a decimal string)")
        n = int(s)
    if n < 0:
        raise ValueError("version must be non-negative")
    return n
