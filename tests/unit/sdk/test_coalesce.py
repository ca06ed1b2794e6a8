"""Folding rows of one batch (wire reference 2.5, point 3), as the delivery thread does."""

from __future__ import annotations

from twinplane.wire.coalesce import coalesce_rows


def test_replace_then_merges_becomes_one_replace_without_is_merge() -> None:
    user_meta = {"a": {"x": 1}}
    rows = [
        {"id": "1", "experiment_id": "e", "span_id": "s", "created": "c1", "metrics": {"start": 1}, "_is_merge": False,
         "metadata": user_meta, "tags": ["a"]},
        {"id": "1", "experiment_id": "e", "span_id": "other", "created": "c2", "metadata": {"a": {"y": 2}},
         "tags": ["b", "a"], "_is_merge": True},
        {"id": "1", "experiment_id": "e", "metrics": {"end": 2}, "_is_merge": True},
    ]
    (row,) = coalesce_rows(rows)
    assert "_is_merge" not in row and row["span_id"] == "s" and row["created"] == "c1"
    assert row["metadata"] == {"a": {"x": 1, "y": 2}} and row["metrics"] == {"start": 1, "end": 2}
    assert row["tags"] == ["a", "b"]
    assert user_meta == {"a": {"x": 1}}  # nested objects of the caller are never mutated
    assert rows[0]["metrics"] == {"start": 1}  # nor the input rows, unless in_place


def test_merges_stay_merges_and_replace_or_delete_supersede() -> None:
    rows = [{"id": "1", "dataset_id": "d", "a": 1, "_is_merge": True},
            {"id": "1", "dataset_id": "d", "b": 2, "_is_merge": True},
            {"id": "2", "dataset_id": "d", "a": 1},
            {"id": "2", "dataset_id": "d", "_object_delete": True},
            {"id": "2", "dataset_id": "d", "z": 1, "_is_merge": True},
            {"id": "1", "dataset_id": "other", "c": 3}]
    out = coalesce_rows(rows)
    by = {(r.get("dataset_id"), r["id"]): r for r in out}
    assert by[("d", "1")] == {"id": "1", "dataset_id": "d", "a": 1, "b": 2, "_is_merge": True}
    assert by[("d", "2")] == {"id": "2", "dataset_id": "d", "z": 1, "_is_merge": True}
    assert by[("other", "1")]["c"] == 3 and len(out) == 3


def test_merge_paths_replace_instead_of_recursing_and_in_place() -> None:
    rows = [{"id": "1", "project_id": "p", "log_id": "g", "metadata": {"cfg": {"a": 1, "b": 2}}},
            {"id": "1", "project_id": "p", "log_id": "g", "metadata": {"cfg": {"c": 3}}, "_is_merge": True,
             "_merge_paths": [["metadata", "cfg"]]}]
    (row,) = coalesce_rows(rows, key=lambda r: r["id"], in_place=True)
    assert row is rows[0] and row["metadata"] == {"cfg": {"c": 3}} and "_merge_paths" not in row
