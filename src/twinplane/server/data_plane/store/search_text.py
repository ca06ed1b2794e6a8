"""The text a row contributes to the full-text index, taken from the row as a Python value.

One string per field of ``FTS_FIELDS``: the string and number leaves of that field, in
document order, joined by newlines (None when it has none; numbers printed as SQLite
prints a JSON number). The writer already holds every row it writes as a dict, so it
computes this for the indexer in a few microseconds; the indexer computes it from a
stored version's JSON for rows it was not handed and for entries it removes, and the two
must agree exactly (``sqlite_indexer``: the index keeps no copy of the text).
"""

from __future__ import annotations

import math
from typing import Any

from twinplane.server.data_plane.store.row_shape import FTS_FIELDS

SearchText = tuple[str | None, ...]


def number_text(v: int | float) -> str:
    """A number as SQLite prints a JSON number's value (``%!.15g``: reals keep a ``.0``)."""
    if isinstance(v, int):
        if -(2**63) <= v < 2**63:
            return str(v)
        v = float(v)  # SQLite reads an integer past 64 bits as a real
    if not math.isfinite(v):
        return repr(v)
    mantissa, e, exponent = format(v, ".15g").partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    return mantissa + e + exponent


_MAX_RECURSION = 64  # deeper subtrees (rare: ingest refuses deep rows) take the explicit stack


def _leaves(value: Any, out: list[str], depth: int = 0) -> None:
    # recursion is about twice as fast as a stack here; the depth guard keeps it bounded
    t = type(value)
    if t is dict or t is list:
        if depth > _MAX_RECURSION:
            _leaves_deep(value, out)
            return
        for v in (value.values() if t is dict else value):
            if type(v) is str:
                out.append(v)
            else:
                _leaves(v, out, depth + 1)
    elif t is str:
        out.append(value)
    elif t is int or t is float:
        out.append(number_text(value))


def _leaves_deep(value: Any, out: list[str]) -> None:
    stack: list[Any] = [value]
    while stack:
        v = stack.pop()
        t = type(v)
        if t is dict:
            stack.extend(reversed(list(v.values())))
        elif t is list:
            stack.extend(reversed(v))
        elif t is str:
            out.append(v)
        elif t is int or t is float:
            out.append(number_text(v))


def search_text(row: dict[str, Any]) -> SearchText:
    out: list[str | None] = []
    for field in FTS_FIELDS:
        if field not in row:
            out.append(None)
            continue
        if type(row[field]) is str:
            out.append(row[field])
            continue
        parts: list[str] = []
        _leaves(row[field], parts)
        out.append("\n".join(parts) if parts else None)
    return tuple(out)
