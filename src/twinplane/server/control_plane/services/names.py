"""Validation of the names users give things (orgs, projects, objects, keys, secrets)."""

from __future__ import annotations

from twinplane.server.common.errors import BadRequest

__all__ = ["clean_name"]


def clean_name(value: str | None, what: str, max_len: int = 200) -> str:
    name = (value or "").strip()
    if not name:
        raise BadRequest(f"the {what} name must not be empty")
    if len(name) > max_len:
        raise BadRequest(f"the {what} name is too long (at most {max_len} characters)")
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise BadRequest(f"the {what} name must not contain control characters")
    return name
