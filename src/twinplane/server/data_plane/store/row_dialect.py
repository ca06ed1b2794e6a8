"""What the two engines' ``SqlDialect`` implementations share: bound parameters and the
map from allow-listed fields to the typed columns and side tables of the row schema.

A dialect instance serves one statement over one object (``ok``, the object's key) and
collects that statement's parameters. Reads alias the current row as ``r`` and its JSON
version as ``v``; engine subclasses spell JSON extraction, full text, regex and LIKE.
"""

# SQL here is assembled from fixed fragments and placeholders; every value is bound.
# ruff: noqa: S608

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, NamedTuple

from twinplane.server.data_plane.query.ast import Field
from twinplane.server.data_plane.store.row_shape import to_epoch

# Field -> (column, the types it answers directly). Other types fall back to the JSON.
_COLUMNS: dict[tuple[str, ...], tuple[str, frozenset[str]]] = {
    ("id",): ("r.row_id", frozenset({"text", "json"})),
    ("span_id",): ("r.span_id", frozenset({"text", "json"})),
    ("root_span_id",): ("r.root_span_id", frozenset({"text", "json"})),
    ("created",): ("r.created", frozenset({"time", "number", "json"})),
    ("_xact_id",): ("r.xact_id", frozenset({"number", "json"})),
    ("is_root",): ("r.is_root", frozenset({"bool", "json"})),
    ("span_attributes", "name"): ("r.span_name", frozenset({"text"})),
    ("span_attributes", "type"): ("r.span_type", frozenset({"text"})),
    ("metrics", "start"): ("r.start_ts", frozenset({"number", "json"})),
    ("metrics", "end"): ("r.end_ts", frozenset({"number", "json"})),
}

# Metrics that add up over a trace (a root's value is the trace's total).
def is_summed_metric(name: str) -> bool:
    return name in ("tokens", "cost") or name.endswith(("_tokens", "_cost"))


# The same test in SQL over a ``name`` column (case-sensitive like it; LIKE is not on SQLite).
SUMMED_METRIC_SQL = ("(name IN ('tokens', 'cost') OR substr(name, length(name) - 6) = '_tokens' "
                     "OR substr(name, length(name) - 4) = '_cost')")


class ValueSource(NamedTuple):
    """The rows carrying one score or metric, as ``RowDialect.value_source`` finds them."""

    table: str  # FROM item of the values
    value: str  # the value, over ``table``
    conds: list[str]  # conditions on ``table`` alone
    join: str  # joins ``table`` to the row ``r``
    row_seq: str | None  # the row's seq over ``table``, when the values name their rows


class RowDialect:
    name: ClassVar[str]
    true: ClassVar[str] = "TRUE"
    data_text: ClassVar[str]  # the version's JSON as text, in a select list

    def __init__(self, ok: int | list[int], *, roots_only: bool = False, rolled_up: bool = False) -> None:
        self.oks = list(ok) if isinstance(ok, list) else [ok]
        self.ok = self.oks[0]
        self.roots_only = roots_only
        # the object keeps each trace's values (experiments, ``trace_rollup``)
        self.rolled_up = rolled_up
        self.params: dict[str, Any] = {}
        self._raw: dict[str, Any] = {}

    # parameters ---------------------------------------------------------
    def placeholder(self, name: str) -> str:
        raise NotImplementedError

    def bind(self, value: Any) -> Any:
        """Engine representation of a Python value; times become epoch seconds everywhere."""
        if isinstance(value, datetime):
            return to_epoch(value)
        return value

    def param(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = self.bind(value)
        self._raw[name] = value
        return self.placeholder(name)

    def raw_value(self, placeholder: str) -> Any:
        """The Python value behind a placeholder this dialect returned."""
        for name, value in self._raw.items():
            if self.placeholder(name) == placeholder:
                return value
        raise KeyError(placeholder)

    # fields -------------------------------------------------------------
    def field(self, field: Field, as_type: str) -> str:
        path = tuple(field.path)
        col = _COLUMNS.get(path)
        if col is not None and as_type in col[1]:
            return col[0]
        if path == ("metrics", "duration") and as_type in ("number", "json"):
            # a span's duration is end - start unless a metric of that name was logged
            return f"COALESCE({self.side_value('metrics', 'duration')}, r.end_ts - r.start_ts)"
        if path[0] in ("scores", "metrics") and len(path) == 2:
            if as_type in ("number", "json"):
                return self.side_value(path[0], path[1])
            return "NULL"
        if path[0] in ("created", "_xact_id", "is_root") and as_type not in ("json",):
            return "NULL"
        return self.json_value(path, as_type)

    def side_value(self, kind: str, name: str) -> str:
        table = "dp_scores" if kind == "scores" else "dp_metrics"
        p = self.param(name)
        if self.roots_only and (kind == "scores" or is_summed_metric(name)):
            # On a trace list a root stands for its trace: scores carried by any span
            # (averaged when several carry one), token counts summed. An experiment keeps them
            # per trace: one key probe. Elsewhere the trace's spans come from the trace index,
            # each one's value from the side table's key.
            if self.rolled_up:
                k = "s" if kind == "scores" else "m"
                return (f"(SELECT t.value FROM dp_trace_values t WHERE t.ok = r.ok AND t.root_span_id = r.root_span_id "
                        f"AND t.kind = '{k}' AND t.name = {p})")
            fn = "avg" if kind == "scores" else "sum"
            return (f"(SELECT {fn}(s.value) FROM dp_rows sp JOIN {table} s ON s.ok = sp.ok AND s.name = {p} "
                    "AND s.row_seq = sp.seq WHERE sp.ok = r.ok AND sp.root_span_id = r.root_span_id)")
        return f"(SELECT s.value FROM {table} s WHERE s.ok = r.ok AND s.name = {p} AND s.row_seq = r.seq)"

    def value_source(self, kind: str, name: str) -> ValueSource | None:
        """Where the rows carrying what ``side_value`` reads come from, each row once with that
        value, so that a page sorted by it is read from the values' side instead of probing every
        row of the object; None where probing per row is as fast (every trace of the list carries
        the value): an experiment's traces (one roll-up probe per root) and any trace list by
        summed tokens or cost."""
        table = "dp_scores" if kind == "scores" else "dp_metrics"
        trace_level = self.roots_only and (kind == "scores" or is_summed_metric(name))
        if trace_level and (self.rolled_up or kind == "metrics"):
            return None
        ok, p = self.param(self.ok), self.param(name)
        if trace_level:  # a trace's mean score; a side row names its span's trace (rewritten if it moves)
            return ValueSource(f"(SELECT s.root_span_id AS rs, avg(s.value) AS value FROM {table} s "
                               f"WHERE s.ok = {ok} AND s.name = {p} GROUP BY s.root_span_id) t", "t.value", [],
                               f"r.ok = {ok} AND r.root_span_id = t.rs", None)
        return ValueSource(f"{table} s", "s.value", [f"s.ok = {ok}", f"s.name = {p}"], "r.seq = s.row_seq",
                           "s.row_seq")

    def json_value(self, path: tuple[str, ...], as_type: str) -> str:
        raise NotImplementedError

    def json_sort_keys(self, path: tuple[str, ...]) -> tuple[str, str, str]:
        """(type rank, number, text) of a JSON field, NULL-free, for ``row_select.sort_keys``:
        rank 0 a number or boolean (number: the value, booleans 1 / 0), 1 a string (text: the
        string), 2 an object or array (text: its JSON), 3 null or missing."""
        raise NotImplementedError

    def sort_text(self, expr: str) -> str:
        """``expr`` compared byte-wise, so both engines order text (and cursors compare it) alike."""
        return expr

    def search_plan(self, text: str) -> tuple[str, str, str]:
        """(FROM clause, condition, unique newest-first key) of a full-text read of one object."""
        raise NotImplementedError

    def search_hits(self, text: str) -> tuple[str, str, str] | None:
        """(FROM, condition, newest-first key) of the text index alone, when the engine reads a
        search page as "hits newest first, then each hit's row checked lazily" (see
        ``row_select``); None when ``search_plan``'s single join serves."""
        return None

    def full_text(self, field: Field | None, text_param: str) -> str:
        raise NotImplementedError

    def bucket(self, expr: str, seconds: int) -> str:
        """``floor(expr / seconds)`` as an integer (the bucket's number since the epoch)."""
        raise NotImplementedError

    def percentile(self, expr: str, p: float) -> str:
        raise NotImplementedError("this engine computes percentiles outside SQL")
