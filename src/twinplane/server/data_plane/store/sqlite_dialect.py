"""SQLite's spelling of fields and operators (JSON1, FTS5, a RE2-backed REGEXP)."""

# SQL here is assembled from fixed fragments and placeholders; every value is bound.
# ruff: noqa: S608

from __future__ import annotations

import functools
import sqlite3
import threading
from typing import Any

import orjson
import re2

from twinplane.server.data_plane.query.ast import Field
from twinplane.server.data_plane.store.row_dialect import RowDialect
from twinplane.server.data_plane.store.row_shape import FTS_FIELDS

_MAX_PATTERN = 1000


def json_path(path: tuple[str, ...]) -> str:
    # Segments never hold '"' or '\' (the allow-list refuses them); quoting keeps dots literal.
    return "$" + "".join('."' + seg.replace('"', "") + '"' for seg in path)


def fts_object_token(ok: int) -> str:
    """The token the FTS ``obj`` column holds for an object: scopes a MATCH to one object."""
    return f"obj{ok}"


# The full-text index's tokenizer (``sqlite_indexer``); queries are split by the same one.
FTS_TOKENIZE = "unicode61 remove_diacritics 2"


class _Tokenizer:
    """SQLite's own FTS5 tokenizer on an in-memory table: a query's words become exactly the
    index's tokens. The index keeps no positions (``detail=column``), so a quoted word that
    the tokenizer would split ("foo-bar") is not a phrase FTS5 could answer; split here, it
    is two words that must both occur, as the query language documents."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        self._conn.execute(f"CREATE VIRTUAL TABLE t USING fts5(x, tokenize='{FTS_TOKENIZE}')")
        self._conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")

    def tokens(self, text: str) -> list[str]:
        with self._lock:
            self._conn.execute("INSERT INTO t (rowid, x) VALUES (1, ?)", (text,))
            try:
                rows = self._conn.execute("SELECT term FROM v ORDER BY \"offset\"").fetchall()
            finally:
                self._conn.execute("DELETE FROM t")
        return list(dict.fromkeys(r[0] for r in rows))


@functools.cache
def _tokenizer() -> _Tokenizer:
    return _Tokenizer()  # on the first search, not at import: most processes never search


@functools.lru_cache(maxsize=1024)
def fts_tokens(text: str) -> tuple[str, ...]:
    """``text`` as the full-text index's distinct tokens (folded), in order."""
    return tuple(_tokenizer().tokens(text))


def fts_query(text: str, oks: list[int], column: str | None = None) -> str:
    """An FTS5 query: one of the objects' tokens AND every token of ``text`` (quoted: no operators)."""
    quoted = " ".join('"' + w.replace('"', '""') + '"' for w in fts_tokens(str(text))) or '""'
    body = f"{{{column}}} : ({quoted})" if column else f"{{{' '.join(FTS_FIELDS)}}} : ({quoted})"
    objs = " OR ".join(fts_object_token(ok) for ok in oks)
    return f"{{obj}} : ({objs}) AND {body}"


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> Any:
    return re2.compile(pattern)


def regexp(pattern: Any, value: Any) -> int | None:
    """SQLite REGEXP: RE2 runs in linear time, so a hostile pattern cannot stall the reader."""
    if pattern is None or value is None or not isinstance(pattern, str):
        return None
    if len(pattern) > _MAX_PATTERN:
        return 0
    if not isinstance(value, str):
        value = str(value)
    try:
        return 1 if _compiled(pattern).search(value) else 0
    except re2.error:
        return 0


def glob_from_like(pattern: str) -> str:
    """A case-sensitive LIKE pattern (``%``, ``_``, ``\\`` escapes) as an equivalent GLOB."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            i += 1
            c = pattern[i]
            out.append(f"[{c}]" if c in "*?[" else c)
        elif c == "%":
            out.append("*")
        elif c == "_":
            out.append("?")
        elif c in "*?[":
            out.append(f"[{c}]")
        else:
            out.append(c)
        i += 1
    return "".join(out)


class SqliteDialect(RowDialect):
    name = "sqlite"
    data_text = "v.data"

    def placeholder(self, name: str) -> str:
        return ":" + name

    def bind(self, value: Any) -> Any:
        if isinstance(value, (list, dict)):
            return orjson.dumps(value).decode()
        return super().bind(value)

    def json_value(self, path: tuple[str, ...], as_type: str) -> str:
        p = self.param(json_path(path))
        if as_type == "text":
            return f"(CASE WHEN json_type(v.data, {p}) = 'text' THEN json_extract(v.data, {p}) END)"
        if as_type == "number":
            return f"(CASE WHEN json_type(v.data, {p}) IN ('integer', 'real') THEN json_extract(v.data, {p}) END)"
        if as_type == "bool":
            return f"(CASE json_type(v.data, {p}) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END)"
        if as_type == "time":
            return (f"(CASE WHEN json_type(v.data, {p}) = 'text' THEN "
                    f"(julianday(json_extract(v.data, {p})) - 2440587.5) * 86400.0 END)")
        # json: objects and arrays come back as minified JSON text, like a bound list/dict
        return (f"(CASE WHEN json_type(v.data, {p}) IN ('object', 'array') THEN json(json_extract(v.data, {p})) "
                f"ELSE json_extract(v.data, {p}) END)")

    def json_sort_keys(self, path: tuple[str, ...]) -> tuple[str, str, str]:
        p = self.param(json_path(path))
        t = f"json_type(v.data, {p})"
        return (f"(CASE WHEN {t} IN ('integer', 'real', 'true', 'false') THEN 0 WHEN {t} = 'text' THEN 1 "
                f"WHEN {t} IN ('object', 'array') THEN 2 ELSE 3 END)",
                f"(CASE {t} WHEN 'integer' THEN json_extract(v.data, {p}) WHEN 'real' THEN json_extract(v.data, {p}) "
                "WHEN 'true' THEN 1 ELSE 0 END)",
                # objects and arrays come back as minified JSON text
                f"(CASE WHEN {t} IN ('text', 'object', 'array') THEN json_extract(v.data, {p}) ELSE '' END)")

    def full_text(self, field: Field | None, text_param: str) -> str:
        column = None
        if field is not None:
            column = field.path[0] if field.path[0] in FTS_FIELDS else None
            if column is None:
                return "0"
        q = self.param(fts_query(self.raw_value(text_param), self.oks, column))
        return f"r.seq IN (SELECT rowid FROM fts.dp_fts WHERE dp_fts MATCH {q})"

    def bucket(self, expr: str, seconds: int) -> str:
        return f"CAST({expr} / {int(seconds)} AS INTEGER)"  # created is never negative: truncation floors

    def search_plan(self, text: str) -> tuple[str, str, str]:
        """Drive the read from FTS5 in rowid (= row sequence) order, newest first, so a
        LIMIT stops the walk after a page however common the words are."""
        q = self.param(fts_query(text, self.oks))
        source = "fts.dp_fts JOIN dp_rows r ON r.seq = dp_fts.rowid"
        return source, f"dp_fts MATCH {q}", "dp_fts.rowid"

    def regex(self, expr: str, pattern_param: str) -> str:
        return f"({expr} REGEXP {pattern_param})"

    def like(self, expr: str, pattern_param: str, case_insensitive: bool) -> str:
        if case_insensitive:
            return f"(lower({expr}) LIKE lower({pattern_param}) ESCAPE '\\')"
        g = self.param(glob_from_like(str(self.raw_value(pattern_param))))
        return f"({expr} GLOB {g})"

    def includes(self, field: Field, value_param: str) -> str:
        p = self.param(json_path(tuple(field.path)))
        return (f"(json_type(v.data, {p}) = 'array' AND EXISTS "
                f"(SELECT 1 FROM json_each(v.data, {p}) t WHERE t.value = {value_param}))")
