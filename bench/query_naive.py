"""The naive baselines of the query benchmark: the same questions asked of the same database
the way a store that keeps rows as JSON would ask them.

No typed columns, no side tables, no newest-first walk of the text index: filters and
sorts extract from the row's stored JSON (SQLite ``json_extract``, PostgreSQL ``->>``),
scores are averaged out of the JSON, full-text hits are ranked by relevance (``bm25`` /
``ts_rank``) and only then sorted by time. What they keep from our schema is what any
JSON store would have: the object key on the current rows (``dp_rows.ok``, indexed), the
JSON of each current row (``dp_versions``) and the full-text index itself.

Each function returns parsed rows (or the same summary / aggregate shapes as the store),
so the caller can check that both ways agree before it compares their speed.
"""

# Benchmark SQL: fixed fragments, values bound.
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import orjson

from bench.summary_naive import summarize
from twinplane.server.data_plane.store.row_shape import case_key_of
from twinplane.server.data_plane.store.trace_summary import assemble

_CURRENT = "dp_rows r JOIN dp_versions v ON v.seq = r.version_seq"
_SUMMED = ("tokens", "cost")


def _summed(name: str) -> bool:
    return name in _SUMMED or name.endswith(("_tokens", "_cost"))


def _roots(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """(root_span_id, id, input JSON or NULL, origin id, start, end) -> assemble's roots, with
    the case key worked out from the extracted JSON (an input that is JSON null reads as none)."""
    out = []
    for root_span_id, row_id, inp, origin_id, start, end in rows:
        row: dict[str, Any] = {} if inp is None else {"input": orjson.loads(inp)}
        if origin_id is not None:
            row["origin"] = {"id": origin_id}
        out.append((root_span_id, row_id, case_key_of(row), start, end))
    return out


def fts_match(term: str, ok: int) -> str:
    """The FTS5 query the store's index answers for one object (scoped by its ``obj`` token)."""
    return f'{{obj}} : (obj{ok}) AND {{input output expected metadata error}} : ("{term}")'


def sqlite_connect(path: str) -> tuple[sqlite3.Connection, str]:
    """A read-only connection to the bench file, and the name of its FTS5 table (the index may
    live in a side file ``<db>.fts``, attached as ``fts``)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    for pragma in ("cache_size=-65536", "temp_store=MEMORY", "mmap_size=268435456"):  # as the store's readers
        conn.execute(f"PRAGMA {pragma}")
    side = Path(path + ".fts")
    if side.exists():
        conn.execute("ATTACH DATABASE ? AS fts", (f"file:{side}?mode=ro",))
        return conn, "fts.dp_fts"
    return conn, "dp_fts"


class SqliteNaive:
    def __init__(self, path: str) -> None:
        self.conn, self.fts = sqlite_connect(path)
        self.sql: list[tuple[str, Any]] = []

    def close(self) -> None:
        self.conn.close()

    def _q(self, sql: str, params: Any) -> list[tuple[Any, ...]]:
        self.sql.append((sql, params))
        return self.conn.execute(sql, params).fetchall()

    def filtered_roots(self, ok: int, model: str) -> list[dict[str, Any]]:
        rows = self._q(
            f"SELECT v.data FROM {_CURRENT} WHERE r.ok = :ok AND json_extract(v.data, '$.span_parents') IS NULL "
            "AND json_extract(v.data, '$.metadata.model') = :model "
            "ORDER BY json_extract(v.data, '$.created') DESC, json_extract(v.data, '$.id') DESC LIMIT 50", {"ok": ok, "model": model})
        return [orjson.loads(r[0]) for r in rows]

    def search(self, ok: int, term: str, model: str) -> list[dict[str, Any]]:
        # every hit ranked by bm25 (the LIMIT keeps SQLite from dropping the ORDER BY), then sorted by time
        rows = self._q(
            f"WITH hits AS MATERIALIZED (SELECT rowid AS seq, rank FROM {self.fts} WHERE dp_fts MATCH :q "
            "ORDER BY rank LIMIT 1000000000) "
            "SELECT v.data FROM hits h JOIN dp_rows r ON r.seq = h.seq JOIN dp_versions v ON v.seq = r.version_seq "
            "WHERE r.ok = :ok "
            "AND json_extract(v.data, '$.metadata.model') = :model "
            "ORDER BY json_extract(v.data, '$.created') DESC, json_extract(v.data, '$.id') DESC LIMIT 50",
            {"q": fts_match(term, ok), "ok": ok, "model": model})
        return [orjson.loads(r[0]) for r in rows]

    def mean_score(self, oks: list[int], score: str) -> dict[int, float | None]:
        marks = ", ".join(f":o{i}" for i in range(len(oks)))
        rows = self._q(
            f"SELECT r.ok, avg(json_extract(v.data, :path)) FROM {_CURRENT} WHERE r.ok IN ({marks}) GROUP BY r.ok",
            {"path": f'$.scores."{score}"', **{f"o{i}": ok for i, ok in enumerate(oks)}})
        return {int(o): m for o, m in rows}

    def trace_scores(self, ok: int) -> list[Any]:
        p = {"ok": ok}
        roots = self._q(
            "SELECT json_extract(v.data, '$.root_span_id'), json_extract(v.data, '$.id'), "
            "json_extract(v.data, '$.input'), json_extract(v.data, '$.origin.id'), "
            "json_extract(v.data, '$.metrics.start'), json_extract(v.data, '$.metrics.end') "
            f"FROM {_CURRENT} WHERE r.ok = :ok AND json_extract(v.data, '$.span_parents') IS NULL "
            "ORDER BY json_extract(v.data, '$.created')", p)
        scores = self._q(
            f"SELECT json_extract(v.data, '$.root_span_id') AS rs, s.key, avg(s.value) FROM {_CURRENT}, "
            "json_each(v.data, '$.scores') s WHERE r.ok = :ok AND s.type IN ('integer', 'real') GROUP BY rs, s.key", p)
        metrics = self._q(
            f"SELECT json_extract(v.data, '$.root_span_id') AS rs, m.key, sum(m.value) FROM {_CURRENT}, "
            "json_each(v.data, '$.metrics') m WHERE r.ok = :ok AND m.type IN ('integer', 'real') "
            "GROUP BY rs, m.key", p)
        return assemble(_roots(roots), scores, [m for m in metrics if _summed(m[1])])

    def summary(self, ok: int, base_ok: int) -> tuple[dict[str, Any], dict[str, Any]]:
        return summarize(self.trace_scores(ok), self.trace_scores(base_ok))

    def trace(self, ok: int, root_span_id: str) -> list[dict[str, Any]]:
        rows = self._q(
            f"SELECT v.data FROM {_CURRENT} WHERE r.ok = :ok AND json_extract(v.data, '$.root_span_id') = :rs "
            "ORDER BY json_extract(v.data, '$.metrics.start')", {"ok": ok, "rs": root_span_id})
        return [orjson.loads(r[0]) for r in rows]


class PostgresNaive:
    """The same over JSONB, on one psycopg async connection."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.sql: list[tuple[str, Any]] = []

    async def _q(self, sql: str, params: Any) -> list[tuple[Any, ...]]:
        self.sql.append((sql, params))
        cur = await self.conn.execute(sql, params)
        return list(await cur.fetchall())

    async def filtered_roots(self, ok: int, model: str) -> list[dict[str, Any]]:
        rows = await self._q(
            f"SELECT v.data::text FROM {_CURRENT} WHERE r.ok = %(ok)s "
            "AND coalesce(v.data -> 'span_parents', 'null'::jsonb) = 'null'::jsonb "
            "AND v.data -> 'metadata' ->> 'model' = %(model)s ORDER BY v.data ->> 'created' DESC, v.data ->> 'id' DESC LIMIT 50",
            {"ok": ok, "model": model})
        return [orjson.loads(r[0]) for r in rows]

    async def search(self, ok: int, term: str, model: str) -> list[dict[str, Any]]:
        rows = await self._q(
            "WITH hits AS MATERIALIZED (SELECT f.seq, ts_rank(f.fts, q) AS rank FROM dp_fts f, "
            "plainto_tsquery('simple', %(term)s) q WHERE f.ok = %(ok)s AND f.fts @@ q ORDER BY rank DESC) "
            "SELECT v.data::text FROM hits h JOIN dp_rows r ON r.seq = h.seq JOIN dp_versions v ON v.seq = r.version_seq "
            "WHERE v.data -> 'metadata' ->> 'model' = %(model)s ORDER BY v.data ->> 'created' DESC, v.data ->> 'id' DESC LIMIT 50",
            {"term": term, "ok": ok, "model": model})
        return [orjson.loads(r[0]) for r in rows]

    async def mean_score(self, oks: list[int], score: str) -> dict[int, float | None]:
        rows = await self._q(
            f"SELECT r.ok, avg((v.data -> 'scores' ->> %(score)s)::float8) FROM {_CURRENT} "
            "WHERE r.ok = ANY(%(oks)s) GROUP BY r.ok", {"score": score, "oks": oks})
        return {int(o): m for o, m in rows}

    async def trace_scores(self, ok: int) -> list[Any]:
        p = {"ok": ok}
        roots = await self._q(
            "SELECT v.data ->> 'root_span_id', v.data ->> 'id', (v.data -> 'input')::text, "
            "v.data -> 'origin' ->> 'id', (v.data -> 'metrics' ->> 'start')::float8, "
            f"(v.data -> 'metrics' ->> 'end')::float8 FROM {_CURRENT} WHERE r.ok = %(ok)s "
            "AND coalesce(v.data -> 'span_parents', 'null'::jsonb) = 'null'::jsonb ORDER BY v.data ->> 'created'", p)
        scores = await self._q(
            f"SELECT v.data ->> 'root_span_id', s.key, avg((s.value #>> '{{}}')::float8) FROM {_CURRENT}, "
            "jsonb_each(CASE WHEN jsonb_typeof(v.data -> 'scores') = 'object' THEN v.data -> 'scores' END) s "
            "WHERE r.ok = %(ok)s AND jsonb_typeof(s.value) = 'number' GROUP BY 1, 2", p)
        metrics = await self._q(
            f"SELECT v.data ->> 'root_span_id', m.key, sum((m.value #>> '{{}}')::float8) FROM {_CURRENT}, "
            "jsonb_each(CASE WHEN jsonb_typeof(v.data -> 'metrics') = 'object' THEN v.data -> 'metrics' END) m "
            "WHERE r.ok = %(ok)s AND jsonb_typeof(m.value) = 'number' GROUP BY 1, 2", p)
        return assemble(_roots(roots), scores, [m for m in metrics if _summed(m[1])])

    async def summary(self, ok: int, base_ok: int) -> tuple[dict[str, Any], dict[str, Any]]:
        return summarize(await self.trace_scores(ok), await self.trace_scores(base_ok))

    async def trace(self, ok: int, root_span_id: str) -> list[dict[str, Any]]:
        rows = await self._q(
            f"SELECT v.data::text FROM {_CURRENT} WHERE r.ok = %(ok)s AND v.data ->> 'root_span_id' = %(rs)s "
            "ORDER BY (v.data -> 'metrics' ->> 'start')::float8", {"ok": ok, "rs": root_span_id})
        return [orjson.loads(r[0]) for r in rows]
