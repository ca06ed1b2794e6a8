"""Redaction of secrets before anything reaches a log line or an exception message."""

from __future__ import annotations


def mask_key(key: str | None) -> str:
    """Show an API key as its type prefix and last two characters only (``tpk_***xy``)."""
    if not key:
        return "<none>"
    prefix = key[:4] if key.startswith(("tpk_", "tps_", "sk-")) else ""
    tail = key[-2:] if len(key) > 8 else ""
    return f"{prefix}***{tail}"
