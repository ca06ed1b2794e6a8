"""TEST FIXTURE, not product code: a tiny table and a minimal ``SqlDialect`` over it.

It lets the compiler's SQL run on real SQLite and real PostgreSQL independently of the
store engines (whose dialects are tested through the store). The table keeps the row's
JSON in ``data`` and scores / metrics in side tables, like the real schema does.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from twinplane.server.data_plane.query.ast import Field
from twinplane.server.data_plane.query.compile import compile_filter, compile_sort

NOW = datetime.now(UTC)

_COLUMNS = {"id": "id", "span_id": "span_id", "root_span_id": "root_span_id", "created": "created",
            "_xact_id": "xact_id", "is_root": "is_root"}


def _ts(delta: timedelta) -> float:
    return (NOW + delta).timestamp()


# id -> (columns, data JSON, scores, metrics)
ROWS: list[dict[str, Any]] = [
    {"id": "r1", "root_span_id": "r1", "created": _ts(timedelta(days=-1)), "is_root": True, "xact_id": 1001,
     "data": {"input": "How do I get a refund?", "output": "Refunds take 5 days", "expected": "refund policy",
              "metadata": {"model": "gpt-4o", "n": 3, "flag": True, "nested": {"k": "v"}, "list": [1, 2],
                           "a') OR 1=1 --": "evil"},
              "tags": ["prod", "refund"], "span_attributes": {"type": "task", "name": "root"},
              "span_parents": None, "error": None},
     "scores": {"Factuality": 0.2, "my score": 1}, "metrics": {"start": 100, "end": 103}},
    {"id": "r2", "root_span_id": "r2", "created": _ts(timedelta(days=-10)), "is_root": True, "xact_id": 1002,
     "data": {"input": {"question": "Where is my order?"}, "output": "It ships tomorrow",
              "metadata": {"model": "gpt-4o-mini", "n": "3", "flag": False, "pct": "100%"},
              "tags": ["prod"], "span_attributes": {"type": "llm", "purpose": "scorer"}},
     "scores": {"Factuality": 0.9}, "metrics": {"start": 10, "end": 20}},
    {"id": "r3", "root_span_id": "root1", "created": _ts(timedelta(hours=-1)), "is_root": False, "xact_id": 1003,
     "data": {"input": "refund please", "output": "Refund issued", "metadata": {"model": "claude", "pct": "1000"},
              "tags": [], "span_parents": ["s1"], "span_attributes": {"type": "llm"}, "error": "timeout"},
     "scores": {}, "metrics": {}},
    {"id": "r4", "root_span_id": "root1", "created": _ts(timedelta(days=-30)), "is_root": False, "xact_id": 1004,
     "data": {"input": None, "output": None, "tags": None, "span_parents": ["s1"],
              "span_attributes": {"purpose": "other"}},
     "scores": {"Factuality": 0.5}, "metrics": {}},
    {"id": "r5", "root_span_id": "r5", "created": _ts(timedelta(0)), "is_root": True, "xact_id": 1005,
     "data": {"input": "REFUND", "output": "ref und", "metadata": {"model": "GPT-4O"}, "tags": ["Refund"]},
     "scores": {"Factuality": 0.5}, "metrics": {}},
]
ALL = {r["id"] for r in ROWS}


class TableDialect:
    """A minimal ``SqlDialect`` over ``qrows`` (TEST FIXTURE). Named parameters, collected per query."""

    def __init__(self, engine: str) -> None:
        self.name = engine
        self.params: dict[str, Any] = {}

    def param(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        if isinstance(value, datetime):
            value = value.timestamp()
        if isinstance(value, (list, dict)):
            value = json.dumps(value, separators=(",", ":"))
        self.params[name] = value
        return f":{name}" if self.name == "sqlite" else f"%({name})s"

    def _path(self, path: tuple[str, ...]) -> str:
        if self.name == "sqlite":
            return self.param("$" + "".join(f'."{s}"' for s in path))
        return self._pg_array(path)

    def _pg_array(self, path: tuple[str, ...]) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = list(path)
        return f"%({name})s::text[]"

    def field(self, field: Field, as_type: str) -> str:
        col = _COLUMNS.get(field.root)
        if col:
            return col
        if field.root in ("scores", "metrics"):
            table = "qscores" if field.root == "scores" else "qmetrics"
            return f"(SELECT s.value FROM {table} s WHERE s.row_pk = qrows.pk AND s.name = {self.param(field.path[1])})"
        p = self._path(field.path)
        if self.name == "sqlite":
            t = f"json_type(qrows.data, {p})"
            x = f"json_extract(qrows.data, {p})"
            return {
                "text": f"(CASE WHEN {t} = 'text' THEN {x} END)",
                "number": f"(CASE WHEN {t} IN ('integer', 'real') THEN {x} END)",
                "bool": f"(CASE {t} WHEN 'true' THEN 1 WHEN 'false' THEN 0 END)",
            }.get(as_type, f"(CASE WHEN {t} IN ('object', 'array') THEN json({x}) ELSE {x} END)")
        x = f"(qrows.data #> {p})"
        return {
            "text": f"(CASE WHEN jsonb_typeof({x}) = 'string' THEN qrows.data #>> {p} END)",
            "number": f"(CASE WHEN jsonb_typeof({x}) = 'number' THEN (qrows.data #>> {p})::float8 END)",
            "bool": f"(CASE WHEN jsonb_typeof({x}) = 'boolean' THEN (qrows.data #>> {p})::boolean END)",
        }.get(as_type, f"NULLIF({x}, 'null'::jsonb)")

    def full_text(self, field: Field | None, text_param: str) -> str:
        src = "qrows.data" if field is None else f"json_extract(qrows.data, '$.{field.root}')"
        if self.name == "sqlite":
            return f"tp_words({src}, {text_param})"
        src = "qrows.data" if field is None else f"(qrows.data -> '{field.root}')"
        return f"to_tsvector('simple', coalesce({src}::text, '')) @@ plainto_tsquery('simple', {text_param})"

    def regex(self, expr: str, pattern_param: str) -> str:
        return f"{expr} REGEXP {pattern_param}" if self.name == "sqlite" else f"{expr} ~ {pattern_param}"

    def like(self, expr: str, pattern_param: str, case_insensitive: bool) -> str:
        if self.name == "sqlite":  # the connection runs with case_sensitive_like = ON
            if case_insensitive:
                return f"lower({expr}) LIKE lower({pattern_param}) ESCAPE '\\'"
            return f"{expr} LIKE {pattern_param} ESCAPE '\\'"
        return f"{expr} {'ILIKE' if case_insensitive else 'LIKE'} {pattern_param} ESCAPE '\\'"

    def includes(self, field: Field, value_param: str) -> str:
        if self.name == "sqlite":
            return (f"json_type(qrows.data, '$.tags') = 'array' AND EXISTS "
                    f"(SELECT 1 FROM json_each(qrows.data, '$.tags') t WHERE t.value = {value_param})")
        return (f"jsonb_typeof(qrows.data -> 'tags') = 'array' AND "
                f"(qrows.data -> 'tags') @> jsonb_build_array({value_param}::text)")


def _words(text: Any, words: str) -> int:
    have = set(re.findall(r"\w+", str(text or "").lower()))
    return int(all(w in have for w in words.split()))


def _regexp(pattern: str, value: Any) -> int | None:
    if value is None:
        return None
    return int(re.search(pattern, str(value)) is not None)


class Table:
    """The fixture table on one engine, with a ``query`` that compiles and runs a filter."""

    def __init__(self, database_url: str) -> None:
        self.engine = "sqlite" if database_url.startswith("sqlite") else "postgresql"
        if self.engine == "sqlite":
            self.conn: Any = sqlite3.connect(database_url.removeprefix("sqlite:///"))
            self.conn.create_function("tp_words", 2, _words, deterministic=True)
            self.conn.create_function("regexp", 2, _regexp, deterministic=True)
            self.conn.execute("PRAGMA case_sensitive_like = ON")
            ts, js, boolean = "REAL", "TEXT", "INTEGER"
        else:
            import psycopg

            self.conn = psycopg.connect(database_url, autocommit=True)
            ts, js, boolean = "DOUBLE PRECISION", "JSONB", "BOOLEAN"
        self.execute(f"CREATE TABLE qrows (pk INTEGER PRIMARY KEY, id TEXT, span_id TEXT, root_span_id TEXT, "
                     f"xact_id BIGINT, created {ts}, is_root {boolean}, data {js})")
        self.execute("CREATE TABLE qscores (row_pk INTEGER, name TEXT, value DOUBLE PRECISION)")
        self.execute("CREATE TABLE qmetrics (row_pk INTEGER, name TEXT, value DOUBLE PRECISION)")
        for pk, r in enumerate(ROWS, 1):
            self.execute(self._sql("INSERT INTO qrows VALUES (:a, :b, :c, :d, :e, :f, :g, :h)"),
                         {"a": pk, "b": r["id"], "c": r["id"], "d": r["root_span_id"], "e": r["xact_id"],
                          "f": r["created"], "g": r["is_root"], "h": json.dumps(r["data"])})
            for table, key in (("qscores", "scores"), ("qmetrics", "metrics")):
                for name, value in r[key].items():
                    self.execute(self._sql(f"INSERT INTO {table} VALUES (:a, :b, :c)"),
                                 {"a": pk, "b": name, "c": value})

    def _sql(self, sql: str) -> str:
        return sql if self.engine == "sqlite" else re.sub(r":(\w+)", r"%(\1)s", sql)

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        cur = self.conn.execute(sql, params or {})
        rows = cur.fetchall() if cur.description else []
        if self.engine == "sqlite":
            self.conn.commit()
        return rows

    def ids(self, node: Any, sorts: list[Any] | None = None) -> list[str]:
        d = TableDialect(self.engine)
        where = compile_filter(node, d) if node is not None else "1 = 1"
        order = ", ".join(f"{expr} {direction.upper()} NULLS LAST" for expr, direction in compile_sort(sorts or [], d))
        sql = f"SELECT id FROM qrows WHERE {where} ORDER BY {order + ', ' if order else ''}pk"
        return [r[0] for r in self.execute(sql, d.params)]

    def count(self) -> int:
        return self.execute("SELECT count(*) FROM qrows")[0][0]

    def close(self) -> None:
        self.conn.close()
