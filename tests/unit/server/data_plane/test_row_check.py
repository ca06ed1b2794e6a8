"""Row validation: index and field named in every refusal; NUL keys, depth and size refused."""

from __future__ import annotations

import orjson
import pytest

from twinplane.server.common.errors import BadRequest, PayloadTooLarge
from twinplane.server.data_plane.services.row_check import RowLimits, check_rows, parse_json

LIMITS = RowLimits(max_row_bytes=1000, max_json_depth=5)


def _check(rows):
    raw = orjson.dumps(rows)
    return check_rows(rows, LIMITS, raw_size=len(raw), may_hold_nul=b"\\u0000" in raw)


def test_good_rows_pass() -> None:
    rows = [{"id": "a", "input": {"x": [1, {"y": 2}]}}, {"id": "b"}]
    assert _check(rows) == rows


def test_depth_names_row_and_field() -> None:
    deep = {"a": {"b": {"c": {"d": {"e": 1}}}}}
    with pytest.raises(BadRequest, match=r"row 1: field 'input.a.b.c.d' nests deeper than 5"):
        _check([{"id": "ok"}, {"id": "x", "input": deep}])


def test_nul_in_a_key_is_refused() -> None:
    rows = parse_json(b'[{"id": "a", "metadata": {"user\\u0000": "admin"}}]')
    with pytest.raises(BadRequest, match=r"row 0: field 'metadata.user\?' has a NUL"):
        check_rows(rows, LIMITS, raw_size=10, may_hold_nul=True)


def test_row_size_is_checked_when_the_body_could_hold_a_large_row() -> None:
    with pytest.raises(PayloadTooLarge, match=r"row 2: .* row limit"):
        _check([{"id": "a"}, {"id": "b"}, {"id": "c", "input": "x" * 2000}])


@pytest.mark.parametrize("rows,msg", [
    ({"id": "a"}, "'rows' must be a list"),
    ([1], "row 0: must be a JSON object"),
    ([{"input": 1}], "row 0: field 'id'"),
    ([{"id": ""}], "row 0: field 'id'"),
])
def test_shape_errors(rows, msg) -> None:
    with pytest.raises(BadRequest, match=msg):
        check_rows(rows, LIMITS, raw_size=10, may_hold_nul=False)


def test_invalid_json_is_a_400() -> None:
    with pytest.raises(BadRequest, match="not valid JSON"):
        parse_json(b'{"rows": [')


@pytest.mark.parametrize(("row", "field"), [
    ({"id": "a\u0000b"}, "id"),
    ({"id": "a", "input": {"q": ["ok", "x\u0000"]}}, "input.q[1]"),
    ({"id": "a", "metadata": {"m": "v\u0000"}}, "metadata.m"),
    ({"id": "a", "experiment_id": "e\u0000"}, "experiment_id"),
])
def test_nul_in_a_string_value_names_row_and_field(row, field) -> None:
    with pytest.raises(BadRequest) as info:
        _check([{"id": "ok"}, row])
    assert info.value.message.startswith("row 1:") and f"'{field}' has a NUL character in its value" in info.value.message


def _nested(depth: int, kind: str) -> dict:
    """A row whose deepest container is ``depth`` levels down (the row itself is level 1)."""
    node: object = 1
    for i in range(depth - 1):
        node = [node] if (kind == "list" or (kind == "mixed" and i % 2)) else {"k": node}
    return {"id": "r", "other": [1, "x", {"flat": True}], "deep": node} if depth > 1 else {"id": "r"}


@pytest.mark.parametrize("kind", ["dict", "list", "mixed"])
@pytest.mark.parametrize("may_hold_nul", [False, True])  # the depth-only walk, and the one that scans strings too
def test_depth_is_refused_exactly_past_the_limit(kind, may_hold_nul) -> None:
    from twinplane.server.data_plane.services.row_check import _walk_stack

    for depth in range(1, 9):
        row = _nested(depth, kind)
        if depth <= LIMITS.max_json_depth:
            assert check_rows([row], LIMITS, raw_size=10, may_hold_nul=may_hold_nul) == [row]
        else:
            with pytest.raises(BadRequest, match="nests deeper than 5"):
                check_rows([row], LIMITS, raw_size=10, may_hold_nul=may_hold_nul)
        assert (_walk_stack(row, 5, False) is None) == (depth <= 5)


def test_a_depth_limit_past_the_recursion_bound_takes_the_explicit_stack() -> None:
    # deeper than Python's recursion limit: only the explicit stack gets through
    deep = _nested(3000, "mixed")
    limits = RowLimits(max_row_bytes=1000, max_json_depth=2500)
    with pytest.raises(BadRequest, match="nests deeper than 2500"):
        check_rows([deep], limits, raw_size=10, may_hold_nul=False)
    assert check_rows([_nested(2500, "list")], limits, raw_size=10, may_hold_nul=False)
