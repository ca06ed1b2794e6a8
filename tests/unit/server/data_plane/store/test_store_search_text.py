"""The writer's full-text columns (``search_text``) equal what the indexer's SQL extracts from
the stored JSON, so a row indexes the same whichever path its text took."""

from __future__ import annotations

import sqlite3
from typing import Any

import orjson
import pytest

from twinplane.server.data_plane.store.row_shape import FTS_FIELDS
from twinplane.server.data_plane.store.search_text import search_text
from twinplane.server.data_plane.store.sqlite_indexer import _text

ROWS: list[dict[str, Any]] = [
    {"input": {"messages": [{"role": "user", "content": "héllo wörld"}, {"role": "assistant", "content": "hi"}]},
     "output": "plain string", "expected": ["a", 1, 2.5, True, None, {"deep": [["x"]]}],
     "metadata": {"model": "gpt", "temperature": 0.2, "n": 3, "flag": False, "none": None}, "error": "boom"},
    {"input": 42, "output": 1.0, "expected": 0.1 + 0.2, "metadata": {"big": 1e20, "small": 1e-7, "neg": -3.5,
                                                                     "int_big": 12345678901234567890}},
    {"input": None, "output": {}, "expected": [], "metadata": {"nested": {"empty": {}}}},
    {"id": "no text fields at all", "scores": {"a": 1}},
    {"input": "", "output": ["", "x"], "error": {"message": "failed", "code": 500}},
]


@pytest.mark.parametrize("row", ROWS)
def test_search_text_matches_sqlite_json_tree(row: dict[str, Any]) -> None:
    conn = sqlite3.connect(":memory:")
    sql = "SELECT " + ", ".join(_text(f) for f in FTS_FIELDS) + " FROM (SELECT ? AS data) v"
    expected = conn.execute(sql, (orjson.dumps(row).decode(),)).fetchone()
    assert search_text(row) == tuple(expected)


def test_search_text_of_a_deep_row_matches_too() -> None:
    deep: Any = "bottom"
    for i in range(120):  # ~180 levels: past the recursion guard, within orjson's limit
        deep = {"k": [deep, i]} if i % 2 else [deep, "s"]
    test_search_text_matches_sqlite_json_tree({"input": deep, "output": "x"})
