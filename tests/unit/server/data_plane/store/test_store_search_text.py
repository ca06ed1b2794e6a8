"""The text a row is indexed with (``search_text`` of the writer's dict) equals the text derived
again from its stored JSON: the contentless index removes an entry by being handed exactly
the text it indexed (``sqlite_indexer``), and a row indexes the same whichever path its
text took."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from twinplane.server.data_plane.store.search_text import search_text
from twinplane.server.data_plane.store.sqlite_indexer import _text_of

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
def test_search_text_is_the_same_from_the_stored_json(row: dict[str, Any]) -> None:
    assert search_text(row) == _text_of(orjson.dumps(row).decode()) == _text_of(orjson.dumps(row))


def test_search_text_of_a_deep_row_matches_too() -> None:
    deep: Any = "bottom"
    for i in range(120):  # ~180 levels: past the recursion guard, within orjson's limit
        deep = {"k": [deep, i]} if i % 2 else [deep, "s"]
    test_search_text_is_the_same_from_the_stored_json({"input": deep, "output": "x"})
