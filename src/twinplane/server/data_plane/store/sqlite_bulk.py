"""Inserting many rows with few SQLite statements: multi-row ``VALUES`` in power-of-two chunks.

``executemany`` steps its statement once per row, and Python's ``sqlite3`` releases and
re-takes the GIL around every step: in the server, where the event loop and the indexer
thread want the GIL too, each step is a chance to lose the GIL to another thread and wait
for it back (a futex wake and a context switch each way), several times per row. One
``INSERT ... VALUES (...), (...), ...`` binds the same values but is stepped once.

Chunks are powers of two (at most ``CHUNK`` rows), so a table needs at most eight
statement texts and they stay in the connection's statement cache.
"""

# SQL here is assembled from fixed fragments and placeholders; every value is bound.
# ruff: noqa: S608

from __future__ import annotations

import sqlite3
from functools import cache
from itertools import chain
from typing import Any

CHUNK = 128  # rows per statement; x 16 columns stays far below SQLite's 32,766 bound variables


@cache
def _statement(insert: str, width: int, rows: int) -> str:
    one = "(" + ", ".join("?" * width) + ")"
    return f"{insert} VALUES " + ", ".join([one] * rows)


def insert_all(conn: sqlite3.Connection, insert: str, rows: list[tuple[Any, ...]]) -> None:
    """Run ``insert`` (``INSERT INTO t (columns)``, no VALUES) for every tuple of ``rows``, in order."""
    if not rows:
        return
    width = len(rows[0])
    i, n = 0, len(rows)
    while i < n:
        size = CHUNK
        while size > n - i:
            size //= 2
        conn.execute(_statement(insert, width, size), list(chain.from_iterable(rows[i:i + size])))
        i += size
