"""``row_change.prepare_all``: a replace prepared before the writer plans to exactly what the writer
would have planned from the row itself, whatever came before it in the call or the store."""

from __future__ import annotations

import itertools
from typing import Any

import orjson
import pytest

from twinplane.server.common.errors import BadRequest
from twinplane.server.data_plane.store.base import ObjectRef, RowWrite
from twinplane.server.data_plane.store.row_change import RowChange, plan_changes, prepare_all, row_key

REF = ObjectRef("experiment", "e1")
NOW = 1_790_000_000.25

WRITES: dict[str, dict[str, Any]] = {
    "replace": {"input": {"q": "why?"}, "scores": {"acc": 0.5}, "span_id": "s", "root_span_id": "s",
                "metrics": {"start": 1.0, "end": 2.0, "tokens": 7}, "_xact_id": "9"},
    "replace, own created": {"input": "x", "created": "2026-03-01T00:00:00+00:00", "tags": ["a"]},
    "replace, empty created": {"output": 1, "created": ""},
    "merge": {"_is_merge": True, "output": {"a": 1}, "tags": ["b"], "scores": {"acc": 1}},
    "delete": {"_object_delete": True},
}
CURRENT = {"id": "r", "input": "old", "created": "2025-12-31T00:00:00+00:00", "tags": ["z"]}


def _write(kind: str, prepared: bool) -> RowWrite:
    w = RowWrite("org", "p", REF, "r", {"id": "r", **orjson.loads(orjson.dumps(WRITES[kind]))})
    if prepared and (p := prepare_all([w], NOW - 5)[0]) is not None:
        return RowWrite(w.org_id, w.project_id, w.ref, w.row_id, None, p)
    return w


def _facts(ch: RowChange) -> tuple[Any, ...]:
    data = None if ch.data is None else orjson.loads(ch.data)
    if data is not None and ch.shape is not None and ch.shape.created >= NOW - 5:
        data["created"] = "now"  # prepared in the server a moment before the writer: either is "now"
        ch.shape.created = 0.0
    return (ch.key, data, ch.shape, ch.search_text() if ch.shape is not None else None)


@pytest.mark.parametrize("current", [None, CURRENT], ids=["no current row", "current row"])
@pytest.mark.parametrize("kinds", list(itertools.product(WRITES, repeat=2)) + [(k,) for k in WRITES],
                         ids=lambda ks: " then ".join(ks))
def test_prepared_replaces_plan_like_rows(kinds: tuple[str, ...], current: dict[str, Any] | None) -> None:
    cur = {} if current is None else {row_key(_write("replace", False)): current}
    plain = plan_changes([_write(k, False) for k in kinds], cur, NOW)
    prepared = plan_changes([_write(k, True) for k in kinds], cur, NOW)
    assert [_facts(c) for c in prepared] == [_facts(c) for c in plain]


def test_only_plain_replaces_are_prepared() -> None:
    merge, delete, p = prepare_all([_write("merge", False), _write("delete", False), _write("replace", False)], NOW)
    assert merge is None and delete is None
    assert p is not None and not p.own_created and orjson.loads(p.data)["id"] == "r"
    assert "_xact_id" not in orjson.loads(p.data)


def test_prepare_refuses_what_the_writer_refuses() -> None:
    with pytest.raises(BadRequest, match="serializable"):
        prepare_all([RowWrite("org", "p", REF, "r", {"id": "r", "input": {1, 2}})], NOW)
    with pytest.raises(BadRequest, match="row id"):
        prepare_all([RowWrite("org", "p", REF, "", {"input": 1})], NOW)


def test_only_experiment_roots_get_a_case_key() -> None:
    """Summaries match experiments' cases by it; for other objects the digest would be wasted work."""
    root = {"id": "r", "span_id": "r", "root_span_id": "r", "input": {"q": 1}}
    for ref, expected in ((REF, True), (ObjectRef("project_logs", "p"), False)):
        w = RowWrite("org", "p", ref, "r", dict(root))
        p = prepare_all([w], NOW)[0]
        (change,) = plan_changes([w], {}, NOW)
        assert p is not None and change.shape is not None
        assert (p.shape.case_key is not None, change.shape.case_key is not None) == (expected, expected)
