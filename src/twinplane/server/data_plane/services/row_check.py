"""Validate incoming rows before anything is written: shape, size, nesting, keys.

A bad row refuses the whole batch with a 4xx naming the row index and the field; the
check is cheap on the common path (a body smaller than ``max_row_bytes`` cannot hold a
row larger than it, and a body without the ``\\u0000`` escape cannot hold a NUL character).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from twinplane.server.common.errors import BadRequest, PayloadTooLarge


@dataclass(frozen=True, slots=True)
class RowLimits:
    max_row_bytes: int
    max_json_depth: int


def parse_json(raw: bytes, what: str = "request body") -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as err:
        raise BadRequest(f"{what} is not valid JSON: {err}") from None


def check_rows(rows: Any, limits: RowLimits, *, raw_size: int, may_hold_nul: bool,
               item: str = "row") -> list[dict[str, Any]]:
    """Return ``rows`` as a list of dicts, or raise naming the first offending row (as ``item``) and field."""
    if not isinstance(rows, list):
        raise BadRequest("'rows' must be a list of objects")
    check_size = raw_size > limits.max_row_bytes
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise BadRequest(f"{item} {i}: must be a JSON object")
        rid = row.get("id")
        if not isinstance(rid, str) or not rid or len(rid) > 512:
            raise BadRequest(f"{item} {i}: field 'id' must be a non-empty string of at most 512 characters")
        problem = _walk(row, limits.max_json_depth, may_hold_nul)
        if problem:
            raise BadRequest(f"{item} {i}: {problem}")
        if check_size:
            size = len(orjson.dumps(row))
            if size > limits.max_row_bytes:
                raise PayloadTooLarge(f"{item} {i}: {size} bytes is larger than the {limits.max_row_bytes}-byte row limit")
    return rows


def check_value(value: dict[str, Any], max_depth: int, check_nul: bool) -> str | None:
    """The first nesting or NUL problem in a JSON object (any request body), or None."""
    return _walk(value, max_depth, check_nul)


# Up to this bound the depth-only check recurses (a `bench_ingest` row: 3.1 µs against 4.4 for the
# explicit stack); the recursion stops at the bound, so a hostile body cannot blow the stack.
_RECURSION_BOUND = 200


def _walk(root: dict[str, Any], max_depth: int, check_nul: bool) -> str | None:
    """Depth and NUL checks (the common case: depth only, ``check_nul`` False)."""
    if not check_nul and max_depth <= _RECURSION_BOUND:
        return _describe(root, max_depth, check_nul) if _too_deep(root, max_depth - 1) else None
    return _walk_stack(root, max_depth, check_nul)


def _too_deep(node: Any, levels: int) -> bool:
    """Whether a container below ``node`` sits more than ``levels`` levels under it."""
    for v in (node.values() if type(node) is dict else node):
        t = type(v)
        if (t is dict or t is list) and (levels == 0 or _too_deep(v, levels - 1)):
            return True
    return False


def _walk_stack(root: dict[str, Any], max_depth: int, check_nul: bool) -> str | None:
    """Depth and NUL checks without recursion (a hostile body cannot blow the stack).

    NUL characters are refused in keys (they were used to smuggle duplicate keys) and in string
    values and ids (PostgreSQL cannot store them in text or JSONB), on both engines alike. The
    common case (nothing wrong) is a tight loop over containers only; the path of a problem is
    worked out afterwards, on the slow path.
    """
    stack: list[tuple[Any, int]] = [(root, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        node, depth = pop()
        if depth > max_depth:
            return _describe(root, max_depth, check_nul)
        if type(node) is dict:
            if check_nul and any("\x00" in k for k in node):
                return _describe(root, max_depth, check_nul)
            values: Any = node.values()
        else:
            values = node
        for v in values:
            t = type(v)
            if t is dict or t is list:
                push((v, depth + 1))
            elif check_nul and t is str and "\x00" in v:
                return _describe(root, max_depth, check_nul)
    return None


def _describe(root: dict[str, Any], max_depth: int, check_nul: bool) -> str:
    """Find the first problem again, this time keeping the path to name the field."""
    stack: list[tuple[Any, int, str]] = [(root, 1, "")]
    while stack:
        node, depth, path = stack.pop()
        if depth > max_depth:
            return f"field '{path.lstrip('.')}' nests deeper than {max_depth} levels"
        items = node.items() if type(node) is dict else ((f"[{j}]", v) for j, v in enumerate(node))
        for k, v in items:
            safe = k.replace("\x00", "?")
            name = safe if k.startswith("[") and type(node) is list else "." + safe
            if type(node) is dict and check_nul and "\x00" in k:
                return f"field '{(path + name).lstrip('.')}' has a NUL character in its name"
            if type(v) is dict or type(v) is list:
                stack.append((v, depth + 1, path + name))
            elif check_nul and type(v) is str and "\x00" in v:
                return f"field '{(path + name).lstrip('.')}' has a NUL character in its value"
    return "invalid row"
