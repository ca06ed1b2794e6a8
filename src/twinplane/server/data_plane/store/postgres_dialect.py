"""PostgreSQL's spelling of fields and operators (JSONB paths, tsvector, ``~``)."""

# SQL here is assembled from fixed fragments and placeholders; every value is bound.
# ruff: noqa: S608

from __future__ import annotations

from typing import Any

from psycopg.types.json import Jsonb

from twinplane.server.data_plane.query.ast import Field
from twinplane.server.data_plane.store.row_dialect import RowDialect

# Each text field is written into the row's tsvector under its own weight, so a MATCH on
# one field filters the same index entry by weight; metadata and error share the last.
FTS_WEIGHTS: dict[str, str] = {"input": "A", "output": "B", "expected": "C", "metadata": "D", "error": "D"}
FTS_CONFIG = "simple"  # no stemming, like SQLite's unicode61 tokenizer


class PostgresDialect(RowDialect):
    name = "postgresql"
    data_text = "v.data::text"

    def placeholder(self, name: str) -> str:
        return f"%({name})s"

    def bind(self, value: Any) -> Any:
        if isinstance(value, (list, dict)):
            return Jsonb(value)
        return super().bind(value)

    def _path(self, path: tuple[str, ...]) -> str:
        """A ``text[]`` path parameter: bound as an array, not as JSON like other lists."""
        name = f"p{len(self.params)}"
        self.params[name] = list(path)
        self._raw[name] = list(path)
        return self.placeholder(name) + "::text[]"

    def json_value(self, path: tuple[str, ...], as_type: str) -> str:
        p = self._path(path)
        x = f"(v.data #> {p})"
        if as_type == "text":
            return f"(CASE WHEN jsonb_typeof({x}) = 'string' THEN v.data #>> {p} END)"
        if as_type == "number":
            return f"(CASE WHEN jsonb_typeof({x}) = 'number' THEN (v.data #>> {p})::double precision END)"
        if as_type == "bool":
            return f"(CASE WHEN jsonb_typeof({x}) = 'boolean' THEN (v.data #>> {p})::boolean END)"
        if as_type == "time":
            return (f"(CASE WHEN jsonb_typeof({x}) = 'string' THEN "
                    f"extract(epoch FROM tp_try_timestamptz(v.data #>> {p}))::double precision END)")
        return f"NULLIF({x}, 'null'::jsonb)"

    def json_sort_keys(self, path: tuple[str, ...]) -> tuple[str, str, str]:
        p = self._path(path)
        t = f"jsonb_typeof(v.data #> {p})"
        return (f"(CASE {t} WHEN 'number' THEN 0 WHEN 'boolean' THEN 0 WHEN 'string' THEN 1 WHEN 'object' THEN 2 "
                "WHEN 'array' THEN 2 ELSE 3 END)",
                f"(CASE {t} WHEN 'number' THEN (v.data #>> {p})::double precision "
                f"WHEN 'boolean' THEN CASE WHEN (v.data #>> {p})::boolean THEN 1 ELSE 0 END ELSE 0 END)",
                self.sort_text(f"CASE WHEN {t} IN ('string', 'object', 'array') THEN v.data #>> {p} ELSE '' END"))

    def sort_text(self, expr: str) -> str:
        return f'(({expr}) COLLATE "C")'

    def full_text(self, field: Field | None, text_param: str) -> str:
        q = f"plainto_tsquery('{FTS_CONFIG}', {text_param})"
        oks = ", ".join(self.param(ok) for ok in self.oks)
        cond = f"f.fts @@ {q}"
        if field is not None:
            weight = FTS_WEIGHTS.get(field.path[0])
            if weight is None:
                return "FALSE"
            cond += f" AND ts_filter(f.fts, '{{{weight.lower()}}}') @@ {q}"
        return f"r.seq IN (SELECT f.seq FROM dp_fts f WHERE f.ok IN ({oks}) AND {cond})"

    def bucket(self, expr: str, seconds: int) -> str:
        return f"floor({expr} / {int(seconds)})::bigint"

    def percentile(self, expr: str, p: float) -> str:
        return f"percentile_cont({float(p)!r}) WITHIN GROUP (ORDER BY {expr})"

    def search_plan(self, text: str) -> tuple[str, str, str]:
        """Newest-ingested first over dp_fts (ok, seq): for common words the planner walks that
        index and stops after a page; for rare ones it uses the GIN index and sorts the few hits."""
        q = self.param(text)
        source = "dp_fts f JOIN dp_rows r ON r.seq = f.seq"
        return source, f"f.ok = {self.param(self.ok)} AND f.fts @@ plainto_tsquery('{FTS_CONFIG}', {q})", "f.seq"

    def search_hits(self, text: str) -> tuple[str, str, str]:
        """The object test is kept out of the indexes (``ok + 0``): ANDed with the GIN hits it
        made a bitmap of the object's every row (380,000 entries at 1 M spans, 60 ms); on its
        own it is a filter on the few hits (rare words, via GIN) or on a backward walk of the
        primary key that stops after a page (common words). Statistics on ``ok + 0`` (migration
        0005) tell the planner which of the two a word needs, whatever its parallel settings."""
        q = self.param(text)
        return ("dp_fts f", f"f.ok + 0 = {self.param(self.ok)} AND f.fts @@ plainto_tsquery('{FTS_CONFIG}', {q})",
                "f.seq")

    def regex(self, expr: str, pattern_param: str) -> str:
        return f"({expr} ~ {pattern_param})"

    def like(self, expr: str, pattern_param: str, case_insensitive: bool) -> str:
        op = "ILIKE" if case_insensitive else "LIKE"
        return f"({expr} {op} {pattern_param} ESCAPE '\\')"

    def includes(self, field: Field, value_param: str) -> str:
        x = f"(v.data #> {self._path(tuple(field.path))})"
        return f"(jsonb_typeof({x}) = 'array' AND {x} @> jsonb_build_array({value_param}::text))"
